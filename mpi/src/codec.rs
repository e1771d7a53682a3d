//! [`RecordCodec`]: records to bytes and back through the components' serde impls
//! (postcard: varint integers, no padding), for the records that migrate between ranks.
//!
//! A record is written as its number of components (one byte), then for each component,
//! in the codec's registration order, its tag (its index in the codec, one byte) and its
//! postcard bytes. Every rank must build the same codec (the same components in the same
//! order): the tags are positions.

use metronome::{Component, Record};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;

/// Writes the record's `T`, if it has one; `false` if it has none.
type Encode = fn(&Record, &mut Vec<u8>) -> Result<bool, postcard::Error>;
/// Reads a `T` from the bytes into the record; the bytes left.
type Decode = for<'a> fn(&'a [u8], &mut Record) -> Result<&'a [u8], postcard::Error>;

struct Entry {
    name: &'static str,
    encode: Encode,
    decode: Decode,
}

fn encode<T: Component + Serialize>(
    record: &Record,
    out: &mut Vec<u8>,
) -> Result<bool, postcard::Error> {
    match record.get::<T>() {
        Some(value) => postcard::to_io(value, &mut *out).map(|_| true),
        None => Ok(false),
    }
}

fn decode<'a, T: Component + DeserializeOwned>(
    bytes: &'a [u8],
    record: &mut Record,
) -> Result<&'a [u8], postcard::Error> {
    let (value, rest) = postcard::take_from_bytes::<T>(bytes)?;
    record.insert(value);
    Ok(rest)
}

/// Why a record could not be encoded or decoded.
///
/// ```
/// use metronome_mpi::{CodecError, RecordCodec};
/// let err = RecordCodec::new().decode(&[]).unwrap_err();
/// assert!(matches!(err, CodecError::Malformed(_)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodecError {
    /// The record holds components the codec does not know (their names): add them
    /// with [`RecordCodec::with`].
    Unregistered(Vec<&'static str>),
    /// A component's `Serialize` failed (its name and the reason).
    Encode(&'static str, String),
    /// The bytes are not a record of this codec (truncated, or written by a codec with
    /// other components): what is wrong.
    Malformed(String),
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodecError::Unregistered(names) => write!(
                f,
                "the record holds components the codec does not know: {}; add each with \
                 `RecordCodec::with::<T>()` (the same on every rank)",
                names.join(", ")
            ),
            CodecError::Encode(name, reason) => write!(f, "cannot encode `{name}`: {reason}"),
            CodecError::Malformed(reason) => write!(f, "malformed record bytes: {reason}"),
        }
    }
}

impl std::error::Error for CodecError {}

/// Encodes and decodes [`Record`]s of the components registered with
/// [`with`](RecordCodec::with), through their `Serialize`/`Deserialize`.
///
/// ```
/// use metronome::{Component, Record};
/// use metronome_mpi::RecordCodec;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Component, Serialize, Deserialize, Debug, PartialEq)]
/// struct Position { x: f32, y: f32 }
/// #[derive(Component, Serialize, Deserialize, Debug, PartialEq)]
/// struct Id(u64);
///
/// let codec = RecordCodec::new().with::<Position>().with::<Id>();
/// let mut bytes = Vec::new();
/// codec.encode(&Record::new().with(Id(7)).with(Position { x: 1.0, y: 2.0 }), &mut bytes).unwrap();
/// let (record, used) = codec.decode(&bytes).unwrap();
/// assert_eq!(used, bytes.len());
/// assert_eq!(record.get::<Id>(), Some(&Id(7)));
/// assert_eq!(record.get::<Position>(), Some(&Position { x: 1.0, y: 2.0 }));
/// ```
#[derive(Default)]
pub struct RecordCodec {
    entries: Vec<Entry>,
}

impl RecordCodec {
    /// A codec of no component.
    pub fn new() -> RecordCodec {
        RecordCodec::default()
    }

    /// The codec with component `T` added (after those already registered).
    ///
    /// # Panics
    /// If a component of the same name is registered already, or the codec would hold
    /// more than 255 components (a tag is one byte).
    pub fn with<T: Component + Serialize + DeserializeOwned>(mut self) -> RecordCodec {
        assert!(
            self.entries.iter().all(|e| e.name != T::NAME),
            "component `{}` is registered twice in the record codec",
            T::NAME
        );
        assert!(
            self.entries.len() < 255,
            "a record codec holds at most 255 components"
        );
        self.entries.push(Entry {
            name: T::NAME,
            encode: encode::<T>,
            decode: decode::<T>,
        });
        self
    }

    /// The registered components' names, in registration order.
    ///
    /// ```
    /// # use metronome::Component;
    /// # #[derive(Component, serde::Serialize, serde::Deserialize)] struct Id(u64);
    /// assert_eq!(metronome_mpi::RecordCodec::new().with::<Id>().components(), ["Id"]);
    /// ```
    pub fn components(&self) -> Vec<&'static str> {
        self.entries.iter().map(|e| e.name).collect()
    }

    /// Appends `record`'s bytes to `out`. On `Err`, `out` is as it was.
    pub fn encode(&self, record: &Record, out: &mut Vec<u8>) -> Result<(), CodecError> {
        let start = out.len();
        out.push(0);
        let mut written = 0usize;
        for (tag, entry) in self.entries.iter().enumerate() {
            out.push(tag as u8);
            match (entry.encode)(record, out) {
                Ok(true) => written += 1,
                Ok(false) => {
                    out.pop();
                }
                Err(e) => {
                    out.truncate(start);
                    return Err(CodecError::Encode(entry.name, e.to_string()));
                }
            }
        }
        if written != record.len() {
            out.truncate(start);
            let known = self.components();
            let unknown = record
                .component_names()
                .into_iter()
                .filter(|n| !known.contains(n))
                .collect();
            return Err(CodecError::Unregistered(unknown));
        }
        out[start] = written as u8;
        Ok(())
    }

    /// Reads one record from the start of `bytes`: the record and how many bytes it took.
    pub fn decode(&self, bytes: &[u8]) -> Result<(Record, usize), CodecError> {
        let malformed = |what: String| CodecError::Malformed(what);
        let (&count, mut rest) = bytes
            .split_first()
            .ok_or_else(|| malformed("no bytes left for a record".into()))?;
        let mut record = Record::with_capacity(count as usize);
        let mut seen = [0u64; 4];
        for _ in 0..count {
            let (&tag, after) = rest
                .split_first()
                .ok_or_else(|| malformed("the record ends before its last component".into()))?;
            let entry = self.entries.get(tag as usize).ok_or_else(|| {
                malformed(format!(
                    "component tag {tag}, but the codec holds {} components: the ranks' codecs differ",
                    self.entries.len()
                ))
            })?;
            let bit = 1u64 << (tag % 64);
            if seen[tag as usize / 64] & bit != 0 {
                return Err(malformed(format!(
                    "component `{}` appears twice",
                    entry.name
                )));
            }
            seen[tag as usize / 64] |= bit;
            rest = (entry.decode)(after, &mut record)
                .map_err(|e| malformed(format!("component `{}`: {e}", entry.name)))?;
        }
        Ok((record, bytes.len() - rest.len()))
    }
}

impl fmt::Debug for RecordCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordCodec")
            .field("components", &self.components())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Component, Serialize, Deserialize, Debug, PartialEq)]
    struct A(u8);
    #[derive(Component, Serialize, Deserialize, Debug, PartialEq)]
    struct B(String);
    #[derive(Component, Debug)]
    struct Opaque;

    fn codec() -> RecordCodec {
        RecordCodec::new().with::<A>().with::<B>()
    }

    #[test]
    fn records_round_trip_back_to_back() {
        let mut bytes = Vec::new();
        codec()
            .encode(&Record::new().with(B("hi".into())).with(A(3)), &mut bytes)
            .unwrap();
        codec()
            .encode(&Record::new().with(A(9)), &mut bytes)
            .unwrap();
        let (first, used) = codec().decode(&bytes).unwrap();
        assert_eq!(first.get::<A>(), Some(&A(3)));
        assert_eq!(first.get::<B>(), Some(&B("hi".into())));
        let (second, rest) = codec().decode(&bytes[used..]).unwrap();
        assert_eq!(second.component_names(), ["A"]);
        assert_eq!(used + rest, bytes.len());
    }

    #[test]
    fn an_unregistered_component_is_an_error_that_names_it_and_writes_nothing() {
        let mut bytes = vec![42];
        let err = codec()
            .encode(&Record::new().with(A(1)).with(Opaque), &mut bytes)
            .unwrap_err();
        assert_eq!(err, CodecError::Unregistered(vec!["Opaque"]));
        assert!(err.to_string().contains("RecordCodec::with"));
        assert_eq!(bytes, [42]);
    }

    #[test]
    fn truncated_or_foreign_bytes_are_errors() {
        let mut bytes = Vec::new();
        codec()
            .encode(&Record::new().with(B("long text".into())), &mut bytes)
            .unwrap();
        for end in 0..bytes.len() {
            assert!(codec().decode(&bytes[..end]).is_err(), "cut at {end}");
        }
        let smaller = RecordCodec::new().with::<A>();
        assert!(matches!(
            smaller.decode(&bytes),
            Err(CodecError::Malformed(_))
        ));
        assert!(codec().decode(&[2, 0, 1, 0, 1]).is_err(), "A twice");
    }

    #[test]
    #[should_panic(expected = "registered twice")]
    fn a_component_registered_twice_panics() {
        let _ = RecordCodec::new().with::<A>().with::<A>();
    }
}
