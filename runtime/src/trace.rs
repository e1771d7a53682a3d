//! Spans for the `tracing` feature: `tick`, `phase`, `stage`, `system` (field `name`) and
//! `commands`. Without the feature, [`span!`] expands to nothing: no code, no dependency.

/// Enters a `tracing` span named `$name` (with the given fields) until the end of the
/// enclosing block; nothing without the `tracing` feature.
#[cfg(feature = "tracing")]
macro_rules! span {
    ($name:literal $(, $key:ident = $value:expr)* $(,)?) => {
        // Recorded by `Display`, so a name shows as `integrate`, not `"integrate"`.
        let _entered =
            ::tracing::info_span!($name $(, $key = ::tracing::field::display($value))*).entered();
    };
}

/// Enters a `tracing` span named `$name` (with the given fields) until the end of the
/// enclosing block; nothing without the `tracing` feature.
#[cfg(not(feature = "tracing"))]
macro_rules! span {
    ($name:literal $(, $key:ident = $value:expr)* $(,)?) => {};
}

pub(crate) use span;
