//! The save document: `{ layout, world }`, written in that order and read header first,
//! so that a save of another layout is refused before its data is decoded (its data
//! would not decode, or would decode into the wrong types).

use super::layout::{HeaderIn, HeaderOut, Layout, Mismatch};
use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeStruct, Serializer};
use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;

const NAME: &str = "MetronomeSave";
const FIELDS: &[&str] = &["layout", "world"];

/// The document as written.
pub(super) struct Out<'a, D> {
    pub(super) layout: &'a Layout,
    pub(super) data: &'a D,
}

impl<D: Serialize> Serialize for Out<'_, D> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut document = serializer.serialize_struct(NAME, 2)?;
        document.serialize_field("layout", &HeaderOut::of(self.layout))?;
        document.serialize_field("world", self.data)?;
        document.end()
    }
}

/// Reads a document whose header must match `expected`; a mismatch is recorded in
/// `mismatch` (the format's error then only says that the load stopped).
pub(super) struct In<'a, D> {
    expected: &'a Layout,
    mismatch: &'a RefCell<Option<Mismatch>>,
    data: PhantomData<fn() -> D>,
}

impl<'a, D> In<'a, D> {
    pub(super) fn new(expected: &'a Layout, mismatch: &'a RefCell<Option<Mismatch>>) -> Self {
        In {
            expected,
            mismatch,
            data: PhantomData,
        }
    }

    fn check<E: de::Error>(&self, header: HeaderIn) -> Result<(), E> {
        header.check(self.expected).map_err(|m| {
            *self.mismatch.borrow_mut() = Some(m);
            E::custom("the layout header does not match this world")
        })
    }
}

impl<'de, D: DeserializeOwned> DeserializeSeed<'de> for In<'_, D> {
    type Value = D;

    fn deserialize<De: de::Deserializer<'de>>(self, deserializer: De) -> Result<D, De::Error> {
        deserializer.deserialize_struct(NAME, FIELDS, self)
    }
}

impl<'de, D: DeserializeOwned> Visitor<'de> for In<'_, D> {
    type Value = D;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a metronome save: its layout, then its world")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<D, A::Error> {
        let header: HeaderIn = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        self.check(header)?;
        seq.next_element()?
            .ok_or_else(|| de::Error::invalid_length(1, &self))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<D, A::Error> {
        next_key_is(&mut map, "layout")?;
        let header: HeaderIn = map.next_value()?;
        self.check(header)?;
        next_key_is(&mut map, "world")?;
        let data = map.next_value()?;
        match map.next_key::<String>()? {
            None => Ok(data),
            Some(key) => Err(de::Error::custom(format!("unexpected field `{key}`"))),
        }
    }
}

/// `Ok` if the map's next key is `name`.
fn next_key_is<'de, A: MapAccess<'de>>(map: &mut A, name: &'static str) -> Result<(), A::Error> {
    match map.next_key::<String>()? {
        Some(key) if key == name => Ok(()),
        Some(key) => Err(de::Error::custom(format!(
            "expected the field `{name}`, found `{key}`"
        ))),
        None => Err(de::Error::missing_field(name)),
    }
}
