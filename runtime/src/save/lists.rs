//! How a save writes the world's own lists (the entity index's generations and free
//! list, each table's row owners): in a human-readable format (JSON) as sequences of
//! numbers (`[index, generation]` for an entity); in a binary one as a sequence of byte
//! strings of up to 1024 values each, little-endian (4 bytes per `u32`, 8 per entity:
//! index then generation), read and written a string at a time instead of one value at
//! a time.

use crate::entity::Entity;
use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::Serialize;
use std::fmt;
use std::marker::PhantomData;

/// A list of entities as a save writes it: a `Vec<Entity>` or a borrowed slice.
#[doc(hidden)]
pub trait AsEntities {
    /// The entities.
    fn as_entities(&self) -> &[Entity];
}

impl AsEntities for Vec<Entity> {
    fn as_entities(&self) -> &[Entity] {
        self
    }
}

impl AsEntities for &[Entity] {
    fn as_entities(&self) -> &[Entity] {
        self
    }
}

/// A list of entities as a load makes it: a `Vec<Entity>`.
#[doc(hidden)]
pub trait FromEntities {
    /// The list of `entities`.
    fn from_entities(entities: Vec<Entity>) -> Self;
}

impl FromEntities for Vec<Entity> {
    fn from_entities(entities: Vec<Entity>) -> Self {
        entities
    }
}

/// A value of `N` little-endian bytes in a binary list.
pub(crate) trait Fixed<const N: usize>:
    Copy + Serialize + for<'de> serde::Deserialize<'de>
{
    /// Its bytes.
    fn to_le(self) -> [u8; N];
    /// The value of `bytes`.
    fn from_le(bytes: [u8; N]) -> Self;
}

impl Fixed<4> for u32 {
    fn to_le(self) -> [u8; 4] {
        self.to_le_bytes()
    }
    fn from_le(bytes: [u8; 4]) -> Self {
        u32::from_le_bytes(bytes)
    }
}

impl Fixed<8> for Entity {
    fn to_le(self) -> [u8; 8] {
        self.to_bits().to_le_bytes()
    }
    fn from_le(bytes: [u8; 8]) -> Self {
        Entity::from_bits(u64::from_le_bytes(bytes))
    }
}

/// Values per byte string of a binary list (8 KiB strings at most): the bytes are
/// made in a small buffer that stays in cache, not in one allocation of the whole list,
/// and a string that spans two of a binary load's frames (see `frames`) is copied whole
/// once more.
const PER_STRING: usize = 1024;

/// The most values a binary list makes room for before its strings are read.
const MAX_RESERVED: usize = 1 << 20;

/// Writes `values`: a sequence of them when `serializer` is human-readable, else a
/// sequence of byte strings of up to [`PER_STRING`] values each.
pub(crate) fn serialize<T: Fixed<N>, S: Serializer, const N: usize>(
    values: &[T],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    if serializer.is_human_readable() {
        return serializer.collect_seq(values);
    }
    let mut seq = serializer.serialize_seq(Some(values.len().div_ceil(PER_STRING)))?;
    let mut buf = vec![[0u8; N]; values.len().min(PER_STRING)];
    for part in values.chunks(PER_STRING) {
        let bytes = &mut buf[..part.len()];
        // Element by element into fixed-size chunks: a loop the compiler vectorises.
        for (chunk, &value) in bytes.iter_mut().zip(part) {
            *chunk = value.to_le();
        }
        seq.serialize_element(&Bytes(bytes.as_flattened()))?;
    }
    seq.end()
}

/// Reads what [`serialize`] wrote.
pub(crate) fn deserialize<'de, T: Fixed<N>, D: Deserializer<'de>, const N: usize>(
    deserializer: D,
) -> Result<Vec<T>, D::Error> {
    if deserializer.is_human_readable() {
        deserializer.deserialize_seq(ListVisitor(PhantomData))
    } else {
        deserializer.deserialize_seq(StringsVisitor(PhantomData))
    }
}

/// A byte string, written as one.
pub(super) struct Bytes<'a>(pub(super) &'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

/// `serialize_with` for a table's row owners.
pub(crate) fn serialize_entities<E: AsEntities, S: Serializer>(
    entities: &E,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serialize(entities.as_entities(), serializer)
}

/// `deserialize_with` for a table's row owners.
pub(crate) fn deserialize_entities<'de, E: FromEntities, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<E, D::Error> {
    deserialize(deserializer).map(E::from_entities)
}

/// `with` for a list of `u32`.
pub(crate) mod u32s {
    use serde::{Deserializer, Serializer};

    /// Writes the list.
    pub(crate) fn serialize<S: Serializer>(
        values: &[u32],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        super::serialize(values, serializer)
    }

    /// Reads the list.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<u32>, D::Error> {
        super::deserialize(deserializer)
    }
}

struct ListVisitor<T, const N: usize>(PhantomData<fn() -> T>);

impl<'de, T: Fixed<N>, const N: usize> Visitor<'de> for ListVisitor<T, N> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of values of {N} bytes")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        // At most `PER_STRING` up front: the length is the input's word, not a checked
        // fact.
        let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(PER_STRING));
        while let Some(value) = seq.next_element()? {
            values.push(value);
        }
        Ok(values)
    }
}

/// Reads a binary list: its byte strings, each appended in turn.
struct StringsVisitor<T, const N: usize>(PhantomData<fn() -> T>);

impl<'de, T: Fixed<N>, const N: usize> Visitor<'de> for StringsVisitor<T, N> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "byte strings of values of {N} bytes")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        // Room for as many values as the strings can hold, up to a bound: the count is
        // the input's word, not a checked fact (a larger list grows as its strings come).
        let strings = seq.size_hint().unwrap_or(0);
        let mut values = Vec::with_capacity(strings.saturating_mul(PER_STRING).min(MAX_RESERVED));
        while seq.next_element_seed(Append(&mut values))?.is_some() {}
        Ok(values)
    }
}

/// Appends the values of one byte string to a list.
struct Append<'a, T, const N: usize>(&'a mut Vec<T>);

impl<'de, T: Fixed<N>, const N: usize> DeserializeSeed<'de> for Append<'_, T, N> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        // Not `deserialize_bytes`: the bytes are copied out at once, so a reader need not
        // keep them (a binary load reads its input a frame at a time).
        deserializer.deserialize_byte_buf(self)
    }
}

impl<'de, T: Fixed<N>, const N: usize> Visitor<'de> for Append<'_, T, N> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a byte string of values of {N} bytes")
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<(), E> {
        let (chunks, []) = bytes.as_chunks::<N>() else {
            return Err(E::invalid_length(bytes.len(), &self));
        };
        self.0.extend(chunks.iter().map(|&chunk| T::from_le(chunk)));
        Ok(())
    }
}
