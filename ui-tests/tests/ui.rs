//! The compile-time diagnostics, one trybuild case each, and hostile safe code that must
//! not compile: `soundness/` (storage, commands) and `executor/` (misuses of the
//! executors).
//!
//! One run with compile-fail cases only: trybuild then checks every case together with
//! one `cargo check --keep-going`. A `pass` case in the run would make it build each case
//! on its own (`cargo build`: code generation and a link for every case, one after the
//! other). So the cases that must compile, `tests/ui/pass/`, are not trybuild cases but
//! test targets of this crate (`[[test]]` tables in its `Cargo.toml`, one crate root
//! each, run by `cargo test`). A new compile-fail folder goes into the list below.
//!
//! Regenerate the snapshots with `TRYBUILD=overwrite cargo test -p metronome-ui-tests`
//! and review them in `git diff`.

#[test]
fn compile_fail() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/world/*.rs");
    t.compile_fail("tests/ui/system/*.rs");
    t.compile_fail("tests/ui/schedule/*.rs");
    t.compile_fail("tests/ui/component/*.rs");
    t.compile_fail("tests/ui/soundness/*.rs");
    t.compile_fail("tests/ui/executor/*.rs");
    // The `serde` world key: with the feature, its checks; without, the error naming it.
    #[cfg(feature = "serde")]
    t.compile_fail("tests/ui/serde/*.rs");
    #[cfg(not(feature = "serde"))]
    t.compile_fail("tests/ui/serde-off/*.rs");
}
