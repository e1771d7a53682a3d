//! Records read from JSON (feature `serde`): one JSON object per record, keyed by
//! component name (`Component::NAME`), each value read with the component's
//! `serde::Deserialize`.
//!
//! `#[world]` passes every world's components to [`parse_line`] as a table of
//! [`JsonComponent`]s; a component that is not `Deserialize` is in the table too, without
//! a reader, so naming it is an error on that line rather than a compile error of the
//! world.

use super::Record;
use crate::component::Component;
use crate::error::EcsError;
use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::marker::PhantomData;

/// Reads one component's JSON value into a record (the reason as text on failure).
pub type Decode = fn(serde_json::Value, &mut Record) -> Result<(), String>;

/// A component a JSON line may name: its name and, if it is `Deserialize`, its reader.
#[derive(Clone, Copy, Debug)]
pub struct JsonComponent {
    name: &'static str,
    decode: Option<Decode>,
}

impl JsonComponent {
    /// Component `name`, read by `decode` (`None`: it cannot be read from JSON).
    ///
    /// ```
    /// use metronome_runtime::record::json::JsonComponent;
    /// let c = JsonComponent::new("Position", None);
    /// assert_eq!(c.name(), "Position");
    /// ```
    pub const fn new(name: &'static str, decode: Option<Decode>) -> JsonComponent {
        JsonComponent { name, decode }
    }

    /// The component's name.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

/// Reads a `T` from `value` into `record`.
fn decode<T: Component + DeserializeOwned>(
    value: serde_json::Value,
    record: &mut Record,
) -> Result<(), String> {
    let component: T = serde_json::from_value(value).map_err(|e| e.to_string())?;
    record.insert(component);
    Ok(())
}

/// Finds the reader of `T`, if `T` is `Deserialize`, by method resolution: write
/// `(&Probe::<T>::NEW).decoder()` with [`ViaDeserialize`] and [`NotDeserialize`] in scope.
/// The first applies to `Probe<T>` itself and wins when `T: DeserializeOwned`; the second
/// applies to `&Probe<T>` (one auto-reference further) and answers `None` otherwise.
///
/// ```
/// use metronome_runtime::record::json::{NotDeserialize as _, Probe, ViaDeserialize as _};
/// use metronome_runtime::Component;
/// #[derive(serde::Deserialize)] struct Health(i32);
/// impl Component for Health { const NAME: &'static str = "Health"; }
/// struct Opaque;
/// impl Component for Opaque { const NAME: &'static str = "Opaque"; }
/// assert!((&Probe::<Health>::NEW).decoder().is_some());
/// assert!((&Probe::<Opaque>::NEW).decoder().is_none());
/// ```
pub struct Probe<T>(PhantomData<fn() -> T>);

impl<T> Probe<T> {
    /// The probe of `T`.
    pub const NEW: Probe<T> = Probe(PhantomData);
}

/// See [`Probe`]: the reader of a `Deserialize` component.
pub trait ViaDeserialize {
    /// The reader.
    fn decoder(&self) -> Option<Decode>;
}

impl<T: Component + DeserializeOwned> ViaDeserialize for Probe<T> {
    fn decoder(&self) -> Option<Decode> {
        Some(decode::<T>)
    }
}

/// See [`Probe`]: no reader, for a component that is not `Deserialize`.
pub trait NotDeserialize {
    /// `None`.
    fn decoder(&self) -> Option<Decode>;
}

impl<T> NotDeserialize for &Probe<T> {
    fn decoder(&self) -> Option<Decode> {
        None
    }
}

/// A JSON object's members in order, duplicates kept (so they can be refused).
struct Members(Vec<(String, serde_json::Value)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Members, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object keyed by component names")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, serde_json::Value>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

/// Reads one line (a JSON object keyed by component name) into a record; every error
/// says what is wrong: malformed JSON or not an object, a component named twice, a name
/// of no component in `components`, a value that does not read as its component.
///
/// ```
/// use metronome_runtime::record::json::{parse_line, JsonComponent};
/// use metronome_runtime::EcsError;
/// let err = parse_line(r#"{"Mana": 3}"#, &[JsonComponent::new("Health", None)]).unwrap_err();
/// assert_eq!(err, EcsError::UnknownComponentName { name: "Mana".into() });
/// ```
pub fn parse_line(line: &str, components: &[JsonComponent]) -> Result<Record, EcsError> {
    let Members(members) = serde_json::from_str(line).map_err(|e| EcsError::MalformedRecord {
        reason: e.to_string(),
    })?;
    for (i, (name, _)) in members.iter().enumerate() {
        if members[..i].iter().any(|(other, _)| other == name) {
            return Err(EcsError::MalformedRecord {
                reason: format!("component `{name}` is named twice"),
            });
        }
    }
    let mut record = Record::with_capacity(members.len());
    for (name, value) in members {
        let Some(component) = components.iter().find(|c| c.name == name.as_str()) else {
            return Err(EcsError::UnknownComponentName { name });
        };
        let Some(decode) = component.decode else {
            return Err(EcsError::InvalidValue {
                component: component.name,
                reason: "the component is not `serde::Deserialize`".into(),
            });
        };
        decode(value, &mut record).map_err(|reason| EcsError::InvalidValue {
            component: component.name,
            reason: reason.into(),
        })?;
    }
    Ok(record)
}
