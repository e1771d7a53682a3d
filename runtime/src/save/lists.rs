//! How a save writes the world's own lists (the entity index's generations and free
//! list, each table's row owners): in a human-readable format (JSON) as sequences of
//! numbers (`[index, generation]` for an entity); in a binary one as a tag, then either
//! the values raw or the values as runs:
//!
//! - tag 0, raw: a sequence of byte strings of up to 1024 values each, little-endian (4
//!   bytes per `u32`, 8 per entity: index then generation), read and written a string at
//!   a time instead of one value at a time;
//! - tag 1, runs: a sequence of runs, each a first value (a varint of the value's 64-bit
//!   form: an entity's is [`Entity::to_bits`]) and a varint `count * 2 + step`: `count`
//!   (at least 1) values from the first on, each `step` (0 or 1) more than the one
//!   before. A freshly spawned world's generations are one run (all 0) and a table's row
//!   owners one run (consecutive indices of one generation).
//!
//! The save writes the shorter of the two (runs only for lists of at most
//! [`MAX_RUN_VALUES`] values: a run's values take no bytes of the input, so a load makes
//! room for at most that many values from runs, and a list in runs that claims more is
//! corrupt at once).

use crate::entity::Entity;
use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, SerializeTuple, Serializer};
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
    /// Its 64-bit form in a run.
    fn to_u64(self) -> u64;
    /// Whether `bits` is the 64-bit form of a value.
    fn fits(bits: u64) -> bool;
    /// The value of 64-bit form `bits` (one that [`fits`](Fixed::fits)).
    fn from_u64(bits: u64) -> Self;
}

impl Fixed<4> for u32 {
    fn to_le(self) -> [u8; 4] {
        self.to_le_bytes()
    }
    fn from_le(bytes: [u8; 4]) -> Self {
        u32::from_le_bytes(bytes)
    }
    fn to_u64(self) -> u64 {
        u64::from(self)
    }
    fn fits(bits: u64) -> bool {
        u32::try_from(bits).is_ok()
    }
    fn from_u64(bits: u64) -> Self {
        bits as u32
    }
}

impl Fixed<8> for Entity {
    fn to_le(self) -> [u8; 8] {
        self.to_bits().to_le_bytes()
    }
    fn from_le(bytes: [u8; 8]) -> Self {
        Entity::from_bits(u64::from_le_bytes(bytes))
    }
    fn to_u64(self) -> u64 {
        self.to_bits()
    }
    fn fits(_: u64) -> bool {
        true
    }
    fn from_u64(bits: u64) -> Self {
        Entity::from_bits(bits)
    }
}

/// Values per byte string of a binary list (8 KiB strings at most): the bytes are
/// made in a small buffer that stays in cache, not in one allocation of the whole list,
/// and a string that spans two of a binary load's frames (see `frames`) is copied whole
/// once more.
const PER_STRING: usize = 1024;

/// The most values a binary list makes room for before its strings are read.
const MAX_RESERVED: usize = 1 << 20;

/// The most values a binary list in runs holds (a run's values take no bytes of the
/// input: this bounds what a load makes room for on the input's word). A longer list is
/// written raw.
pub(crate) const MAX_RUN_VALUES: usize = 1 << 20;

/// The tag of a binary list written raw.
const RAW: u8 = 0;
/// The tag of a binary list written as runs.
const RUNS: u8 = 1;

/// A run of a binary list: `count` values from `first` on, each `step` (0 or 1) more
/// than the one before, in their 64-bit form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    first: u64,
    count: u64,
    step: u64,
}

/// The bytes of `value` as a postcard varint.
fn varint_len(value: u64) -> usize {
    (64 - (value | 1).leading_zeros() as usize).div_ceil(7)
}

/// The bytes of run `first, count, step` in a binary list.
fn run_len(first: u64, count: u64, step: u64) -> usize {
    varint_len(first) + varint_len(count << 1 | step)
}

/// The number of runs of `values` if they take fewer bytes than `raw` (the raw form's
/// size) and the list is at most [`MAX_RUN_VALUES`] long; else `None` (found out
/// early: a list without long runs is given up on once its runs outgrow `raw`).
fn runs_fit<T: Fixed<N>, const N: usize>(values: &[T], raw: usize) -> Option<usize> {
    if values.len() > MAX_RUN_VALUES {
        return None;
    }
    let (mut bytes, mut runs) = (0, 0);
    for run in RunsOf::<T, N>(values) {
        bytes += run_len(run.first, run.count, run.step);
        runs += 1;
        if bytes >= raw {
            return None;
        }
    }
    (bytes + varint_len(runs as u64) < raw).then_some(runs)
}

/// The runs of a list, in order, each as long as it goes.
struct RunsOf<'a, T, const N: usize>(&'a [T]);

impl<T: Fixed<N>, const N: usize> Iterator for RunsOf<'_, T, N> {
    type Item = Run;

    fn next(&mut self) -> Option<Run> {
        let (&head, tail) = self.0.split_first()?;
        let first = head.to_u64();
        let step = match tail.first() {
            Some(&next) if Some(next.to_u64()) == first.checked_add(1) => 1,
            _ => 0,
        };
        let count = 1 + run_length(tail, first, step);
        self.0 = &tail[count - 1..];
        Some(Run {
            first,
            count: count as u64,
            step,
        })
    }
}

/// How many of `values` go on the run of `first` and `step` (the values after `first`,
/// each `step` more than the one before, never past `u64::MAX`): the first few one at a
/// time (a churned list's runs are short), then a block at a time, in a loop without
/// early exits that the compiler vectorises.
fn run_length<T: Fixed<N>, const N: usize>(values: &[T], first: u64, step: u64) -> usize {
    const FIRST: usize = 8;
    const BLOCK: usize = 64;
    // A step-1 run ends at `u64::MAX`.
    let room = if step == 0 {
        values.len()
    } else {
        usize::try_from(u64::MAX - first).map_or(values.len(), |room| room.min(values.len()))
    };
    let values = &values[..room];
    // The value expected at `values[k]`.
    let expected = |k: usize| first.wrapping_add((k as u64 + 1).wrapping_mul(step));
    let goes_on = |(k, value): (usize, &T)| value.to_u64() == expected(k);
    let head = values.len().min(FIRST);
    let done = values[..head]
        .iter()
        .enumerate()
        .take_while(|&e| goes_on(e))
        .count();
    if done < head {
        return done;
    }
    let mut done = head;
    for block in values[head..].chunks(BLOCK) {
        let in_block = |k: usize, value: &T| goes_on((done + k, value));
        let all = block
            .iter()
            .enumerate()
            .fold(true, |all, (k, value)| all & in_block(k, value));
        if !all {
            return done
                + block
                    .iter()
                    .enumerate()
                    .take_while(|&(k, value)| in_block(k, value))
                    .count();
        }
        done += block.len();
    }
    done
}

/// The bytes of `len` values of `N` bytes written raw (after the tag).
fn raw_len(len: usize, n: usize) -> usize {
    let strings = len.div_ceil(PER_STRING);
    let full = len / PER_STRING;
    let last = (len % PER_STRING) * n;
    varint_len(strings as u64)
        + full * (varint_len((PER_STRING * n) as u64) + PER_STRING * n)
        + if last > 0 {
            varint_len(last as u64) + last
        } else {
            0
        }
}

/// Writes `values`: a sequence of them when `serializer` is human-readable, else a tag
/// and either runs or byte strings of up to [`PER_STRING`] values each, whichever is
/// shorter (see the module's documentation).
pub(crate) fn serialize<T: Fixed<N>, S: Serializer, const N: usize>(
    values: &[T],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    if serializer.is_human_readable() {
        return serializer.collect_seq(values);
    }
    let mut tagged = serializer.serialize_tuple(2)?;
    match runs_fit::<T, N>(values, raw_len(values.len(), N)) {
        Some(runs) => {
            tagged.serialize_element(&RUNS)?;
            tagged.serialize_element(&Runs::<T, N> { values, runs })?;
        }
        None => {
            tagged.serialize_element(&RAW)?;
            tagged.serialize_element(&Raw::<T, N>(values))?;
        }
    }
    tagged.end()
}

/// A list's `runs` runs, written as a sequence of `(first, count * 2 + step)`.
struct Runs<'a, T, const N: usize> {
    values: &'a [T],
    runs: usize,
}

impl<T: Fixed<N>, const N: usize> Serialize for Runs<'_, T, N> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.runs))?;
        for run in RunsOf::<T, N>(self.values) {
            seq.serialize_element(&(run.first, run.count << 1 | run.step))?;
        }
        seq.end()
    }
}

/// A list's values, written as byte strings of up to [`PER_STRING`] values.
struct Raw<'a, T, const N: usize>(&'a [T]);

impl<T: Fixed<N>, const N: usize> Serialize for Raw<'_, T, N> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let values = self.0;
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
}

/// Reads what [`serialize`] wrote.
pub(crate) fn deserialize<'de, T: Fixed<N>, D: Deserializer<'de>, const N: usize>(
    deserializer: D,
) -> Result<Vec<T>, D::Error> {
    if deserializer.is_human_readable() {
        deserializer.deserialize_seq(ListVisitor(PhantomData))
    } else {
        deserializer.deserialize_tuple(2, TaggedVisitor(PhantomData))
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

/// Reads a binary list: its tag, then its runs or its byte strings.
struct TaggedVisitor<T, const N: usize>(PhantomData<fn() -> T>);

impl<'de, T: Fixed<N>, const N: usize> Visitor<'de> for TaggedVisitor<T, N> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a tag, then runs or byte strings of values of {N} bytes")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let tag: u8 = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let values = match tag {
            RAW => seq.next_element_seed(StringsSeed(PhantomData))?,
            RUNS => seq.next_element_seed(RunsSeed(PhantomData))?,
            _ => {
                return Err(de::Error::invalid_value(
                    de::Unexpected::Unsigned(tag.into()),
                    &"a list's tag, 0 (raw) or 1 (runs)",
                ))
            }
        };
        values.ok_or_else(|| de::Error::invalid_length(1, &self))
    }
}

/// Reads a binary list's runs.
struct RunsSeed<T, const N: usize>(PhantomData<fn() -> T>);

impl<'de, T: Fixed<N>, const N: usize> DeserializeSeed<'de> for RunsSeed<T, N> {
    type Value = Vec<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<T>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, T: Fixed<N>, const N: usize> Visitor<'de> for RunsSeed<T, N> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "runs of at most {MAX_RUN_VALUES} values of {N} bytes in all"
        )
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        // The runs first (each at least 2 bytes of the input; the count of runs is the
        // input's word: not reserved for past a small bound), every one checked, so
        // that the list is then made at its final size, once.
        let mut runs = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        let mut total = 0usize;
        while let Some((first, packed)) = seq.next_element::<(u64, u64)>()? {
            let (count, step) = (packed >> 1, packed & 1);
            if count == 0 {
                return Err(de::Error::custom("a run of a list holds no values"));
            }
            // Each run adds at least one value: the loop ends by here even past the
            // end of the input (where the frames read as zeros: a run of no values).
            total = usize::try_from(count)
                .ok()
                .and_then(|count| total.checked_add(count))
                .filter(|&total| total <= MAX_RUN_VALUES)
                .ok_or_else(|| {
                    let claimed =
                        usize::try_from(count).map_or(usize::MAX, |c| total.saturating_add(c));
                    de::Error::invalid_length(claimed, &self)
                })?;
            let last = (count - 1)
                .checked_mul(step)
                .and_then(|span| first.checked_add(span));
            if !last.is_some_and(T::fits) || !T::fits(first) {
                return Err(de::Error::custom(format!(
                    "a run of a list goes past the values of {N} bytes"
                )));
            }
            runs.push(Run { first, count, step });
        }
        let mut values = Vec::with_capacity(total);
        for run in runs {
            let Run { first, count, step } = run;
            // Every value fits (checked above), `first + count - 1` is in range.
            if step == 0 {
                values.extend(std::iter::repeat_n(T::from_u64(first), count as usize));
            } else {
                values.extend((0..count).map(|i| T::from_u64(first + i)));
            }
        }
        Ok(values)
    }
}

/// Reads a binary list's byte strings, each appended in turn.
struct StringsSeed<T, const N: usize>(PhantomData<fn() -> T>);

impl<'de, T: Fixed<N>, const N: usize> DeserializeSeed<'de> for StringsSeed<T, N> {
    type Value = Vec<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<T>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, T: Fixed<N>, const N: usize> Visitor<'de> for StringsSeed<T, N> {
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

#[cfg(test)]
mod tests {
    use super::{raw_len, Fixed, Run, MAX_RUN_VALUES, RAW, RUNS};
    use crate::entity::Entity;
    use serde::ser::{SerializeSeq, SerializeTuple, Serializer};
    use serde::Serialize;
    use std::fmt::Debug;

    /// A binary list as [`super::serialize`] writes it.
    struct Written<'a, T, const N: usize>(&'a [T]);

    impl<T: Fixed<N>, const N: usize> Serialize for Written<'_, T, N> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            super::serialize(self.0, serializer)
        }
    }

    fn write<T: Fixed<N>, const N: usize>(values: &[T]) -> Vec<u8> {
        postcard::to_allocvec(&Written::<T, N>(values)).unwrap()
    }

    fn read<T: Fixed<N>, const N: usize>(bytes: &[u8]) -> postcard::Result<Vec<T>> {
        let mut input = postcard::Deserializer::from_bytes(bytes);
        let values = super::deserialize(&mut input)?;
        assert!(input.finalize()?.is_empty(), "the whole list is read");
        Ok(values)
    }

    /// `values` round trip, in the form `tag`, no longer than raw (plus the tag).
    fn check<T: Fixed<N> + PartialEq + Debug, const N: usize>(values: &[T], tag: u8) {
        let bytes = write(values);
        assert_eq!(bytes[0], tag, "{} values", values.len());
        assert!(bytes.len() <= 1 + raw_len(values.len(), N));
        assert_eq!(read::<T, N>(&bytes).unwrap(), values);
    }

    fn entity(index: u32, generation: u32) -> Entity {
        Entity::from_bits(u64::from(generation) << 32 | u64::from(index))
    }

    #[test]
    fn lists_round_trip_as_runs_when_shorter_and_raw_otherwise() {
        // A fresh world: one run each.
        check(&vec![0u32; 100_000], RUNS);
        assert!(write(&vec![0u32; 100_000]).len() < 8);
        let owners: Vec<Entity> = (0..100_000).map(|i| entity(i, 0)).collect();
        check(&owners, RUNS);
        assert!(write(&owners).len() < 8);
        // Runs of both steps, an index crossing into the generation's bits, the ends of
        // the value range.
        let mixed: Vec<u32> =
            [vec![7; 50], (3..90).collect(), vec![u32::MAX; 40], vec![0]].concat();
        check(&mixed, RUNS);
        let across = [entity(u32::MAX - 1, 4), entity(u32::MAX, 4), entity(0, 5)];
        check(&[across.as_slice(); 20].concat(), RUNS);
        check(&[u32::MAX - 1, u32::MAX, 0, 1], RUNS);
        // A churned list: raw; empty and single lists.
        let churned: Vec<u32> = (0..5_000u32)
            .map(|i| i.wrapping_mul(2_654_435_761) >> 7)
            .collect();
        check(&churned, RAW);
        check::<u32, 4>(&[], RAW);
        check(&[5u32], RUNS);
        // Runs of every length around the run detection's blocks (8, then 64 at a
        // time), between other values, read back value for value.
        for len in (1..80).chain([127, 128, 129, 200]) {
            let mut list: Vec<u32> = vec![9, 3];
            list.extend(std::iter::repeat_n(5, len));
            list.extend(100..100 + len as u32);
            list.extend([1, 1, 2]);
            let bytes = write(&list);
            assert_eq!(read::<u32, 4>(&bytes).unwrap(), list, "runs of {len}");
        }
        // Longer than runs may be: raw, even though one run would do.
        check(&vec![1u32; MAX_RUN_VALUES + 1], RAW);
        check(&vec![1u32; MAX_RUN_VALUES], RUNS);
    }

    /// A binary list of tag `tag` holding `runs` (first, count * 2 + step), as a crafted
    /// save would.
    fn crafted(tag: u8, runs: &[(u64, u64)]) -> Vec<u8> {
        struct List<'a>(u8, &'a [(u64, u64)]);
        impl Serialize for List<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                struct Seq<'a>(&'a [(u64, u64)]);
                impl Serialize for Seq<'_> {
                    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
                        for run in self.0 {
                            seq.serialize_element(run)?;
                        }
                        seq.end()
                    }
                }
                let mut tuple = serializer.serialize_tuple(2)?;
                tuple.serialize_element(&self.0)?;
                tuple.serialize_element(&Seq(self.1))?;
                tuple.end()
            }
        }
        postcard::to_allocvec(&List(tag, runs)).unwrap()
    }

    #[test]
    fn crafted_runs_are_corrupt_at_once() {
        let count = |n: u64, step: u64| n << 1 | step;
        // Well formed: two runs.
        assert_eq!(
            read::<u32, 4>(&crafted(RUNS, &[(4, count(2, 0)), (9, count(3, 1))])).unwrap(),
            [4, 4, 9, 10, 11]
        );
        let max = MAX_RUN_VALUES as u64;
        for runs in [
            // More values than a list in runs may hold: one run, or several.
            vec![(0, count(max + 1, 0))],
            vec![(0, count(u64::MAX >> 1, 1))],
            vec![(0, count(max, 0)), (0, count(1, 0))],
            // A run of no values (past the end of the input, frames read as zeros).
            vec![(3, count(0, 1))],
            // Past the values of 4 bytes.
            vec![(u64::from(u32::MAX), count(2, 1))],
            vec![(1 << 32, count(1, 0))],
            vec![(u64::MAX, count(2, 1))],
        ] {
            assert!(read::<u32, 4>(&crafted(RUNS, &runs)).is_err(), "{runs:?}");
        }
        // Entities take any 64 bits, but not past the last.
        assert!(read::<Entity, 8>(&crafted(RUNS, &[(u64::MAX, count(2, 1))])).is_err());
        assert!(read::<Entity, 8>(&crafted(RUNS, &[(u64::MAX, count(1, 1))])).is_ok());
        // An unknown tag.
        assert!(read::<u32, 4>(&crafted(2, &[])).is_err());
    }

    #[test]
    fn a_run_holds_what_it_says() {
        let run = Run {
            first: 3,
            count: 2,
            step: 1,
        };
        assert_eq!(super::run_len(run.first, run.count, run.step), 2);
        assert_eq!(super::varint_len(0), 1);
        assert_eq!(super::varint_len(127), 1);
        assert_eq!(super::varint_len(128), 2);
        assert_eq!(super::varint_len(u64::MAX), 10);
        assert_eq!(raw_len(0, 4), 1);
        assert_eq!(raw_len(1025, 8), 1 + 2 + 8192 + 1 + 8);
    }
}
