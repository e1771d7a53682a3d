//! A component column in the binary form: a sequence of chunks, each a count `n` and a
//! byte string holding the postcard bytes of `n` values. The save writes a chunk's values
//! into a small buffer first (the byte string's length comes before its bytes); the
//! load decodes a chunk's values straight from its byte string, which the frames hand
//! out in one piece (see [`super::frames`]): the per-value decoding is postcard's over a
//! slice, with no frame check between the bytes of a value. JSON keeps one sequence of
//! values per column.
//!
//! A chunk holds at least one value, and its count is checked against the rows its table
//! has left before any of its values is decoded (see [`super::rows`]): a crafted count,
//! or a crafted number of chunks, is an error at once, even for values that take no
//! bytes.

use super::lists::Bytes;
use super::stream::copy_short;
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeSeq, SerializeTuple, Serializer};
use std::fmt;

/// The bytes a chunk's values are meant to take (by their size in memory; a chunk holds
/// at least one value).
const CHUNK_BYTES: usize = 8 * 1024;
/// The most values in a chunk (values of no size included).
const MAX_PER_CHUNK: usize = 2048;
/// The most bytes a column makes room for before its values are decoded (the rest grows
/// as they come).
const MAX_RESERVED_BYTES: usize = 1 << 20;

/// Values of `T` per chunk.
fn per_chunk<T>() -> usize {
    (CHUNK_BYTES / size_of::<T>().max(1)).clamp(1, MAX_PER_CHUNK)
}

/// A column as a save writes it: chunks in a binary format, a sequence of values in a
/// human-readable one. The generated `save` wraps each borrowed column in it.
///
/// ```
/// use metronome_runtime::save::SavedColumn;
/// let column = SavedColumn(&[1u32, 2, 3][..]);
/// assert_eq!(column.0.len(), 3);
/// ```
#[doc(hidden)]
pub struct SavedColumn<'a, T>(pub &'a [T]);

impl<T: Serialize> Serialize for SavedColumn<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            return serializer.collect_seq(self.0);
        }
        let per = per_chunk::<T>();
        let mut seq = serializer.serialize_seq(Some(self.0.len().div_ceil(per)))?;
        let mut values = postcard::Serializer {
            output: Scratch::new(),
        };
        for part in self.0.chunks(per) {
            values.output.len = 0;
            for value in part {
                value
                    .serialize(&mut values)
                    .map_err(serde::ser::Error::custom)?;
            }
            let bytes = &values.output.buf[..values.output.len];
            seq.serialize_element(&Chunk {
                count: part.len(),
                bytes,
            })?;
        }
        seq.end()
    }
}

/// One chunk as written: its count, then its bytes.
struct Chunk<'a> {
    count: usize,
    bytes: &'a [u8],
}

impl Serialize for Chunk<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut tuple = serializer.serialize_tuple(2)?;
        tuple.serialize_element(&self.count)?;
        tuple.serialize_element(&Bytes(self.bytes))?;
        tuple.end()
    }
}

/// postcard's output for a chunk's values: a buffer that grows only for a chunk larger
/// than it (values larger than [`CHUNK_BYTES`]), short slices copied inline.
struct Scratch {
    /// Zeroed past `len`, at least `len` long.
    buf: Vec<u8>,
    len: usize,
}

impl Scratch {
    fn new() -> Self {
        Scratch {
            buf: vec![0; CHUNK_BYTES + 64],
            len: 0,
        }
    }

    /// Appends `bytes`, which do not fit: grows the buffer first.
    #[cold]
    #[inline(never)]
    fn extend_growing(&mut self, bytes: &[u8]) {
        let want = (self.len + bytes.len()).max(2 * self.buf.len());
        self.buf.resize(want, 0);
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }
}

impl postcard::ser_flavors::Flavor for Scratch {
    type Output = ();

    #[inline(always)]
    fn try_push(&mut self, byte: u8) -> postcard::Result<()> {
        match self.buf.get_mut(self.len) {
            Some(room) => {
                *room = byte;
                self.len += 1;
            }
            None => self.extend_growing(&[byte]),
        }
        Ok(())
    }

    #[inline(always)]
    fn try_extend(&mut self, bytes: &[u8]) -> postcard::Result<()> {
        // The common case, inlined where postcard writes a value of known size.
        match self.buf.get_mut(self.len..self.len + bytes.len()) {
            Some(room) => {
                copy_short(room, bytes);
                self.len += bytes.len();
            }
            None => self.extend_growing(bytes),
        }
        Ok(())
    }

    fn finalize(self) -> postcard::Result<()> {
        Ok(())
    }
}

/// Reads a binary column of at most `rows` values: its chunks, each checked against
/// the rows left before its values are decoded.
pub(super) fn deserialize<'de, T: DeserializeOwned, D: Deserializer<'de>>(
    rows: usize,
    deserializer: D,
) -> Result<Vec<T>, D::Error> {
    // Room for the whole table up to a bound: the row count is the input's word (8
    // bytes a row written raw, a few bytes for up to 2^20 rows in runs), and a value
    // may be larger than that.
    let room = MAX_RESERVED_BYTES / size_of::<T>().max(1);
    deserializer.deserialize_seq(ChunksVisitor {
        rows,
        values: Vec::with_capacity(rows.min(room)),
    })
}

/// The column read so far, and the rows its table has.
struct ChunksVisitor<T> {
    rows: usize,
    values: Vec<T>,
}

impl<T> ChunksVisitor<T> {
    /// The rows not given a value yet.
    fn left(&self) -> usize {
        self.rows.saturating_sub(self.values.len())
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for ChunksVisitor<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a column of at most {} values, in chunks", self.rows)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Vec<T>, A::Error> {
        // Every chunk holds at least one value: no more chunks than rows, and the loop
        // below ends after at most `rows` of them (each adds a value or fails), even
        // past the end of the input, where the frames read as zeros.
        if let Some(chunks) = seq.size_hint()
            && chunks > self.rows
        {
            return Err(de::Error::invalid_length(chunks, &self));
        }
        while seq.next_element_seed(ChunkSeed(&mut self))?.is_some() {}
        Ok(self.values)
    }
}

/// Reads one chunk onto the column.
struct ChunkSeed<'a, T>(&'a mut ChunksVisitor<T>);

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for ChunkSeed<'_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_tuple(2, self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for ChunkSeed<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a chunk of a column: its count, then its values' bytes")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let count: usize = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        if count == 0 {
            return Err(de::Error::custom("a chunk of a column holds no values"));
        }
        if count > self.0.left() {
            return Err(de::Error::invalid_length(
                self.0.values.len().saturating_add(count),
                &*self.0,
            ));
        }
        seq.next_element_seed(ValuesSeed {
            column: self.0,
            count,
        })?
        .ok_or_else(|| de::Error::invalid_length(1, &"a chunk of a column"))
    }
}

/// Decodes `count` values (at most the rows left: checked by the caller) from one byte
/// string onto the column.
struct ValuesSeed<'a, T> {
    column: &'a mut ChunksVisitor<T>,
    count: usize,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for ValuesSeed<'_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        // Not `deserialize_bytes`: the bytes are decoded at once, so a reader need not
        // keep them (a binary load reads its input a frame at a time).
        deserializer.deserialize_byte_buf(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for ValuesSeed<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the bytes of {} values", self.count)
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<(), E> {
        let values = &mut self.column.values;
        if size_of::<T>() != 0 {
            // Room for the chunk, up to a bound: the count is checked against the rows
            // (at most 2^20 more than the input paid for: see the module `rows`), and a
            // value may take no bytes.
            values.reserve(self.count.min(MAX_RESERVED_BYTES / size_of::<T>()));
        }
        let mut input = postcard::Deserializer::from_bytes(bytes);
        // Straight into the room (all of the chunk in the common case: the column was
        // made with room for its table's rows), the rest one `push` at a time.
        let end = values.len() + self.count;
        decode_into_room(values, self.count, &mut input).map_err(E::custom)?;
        while values.len() < end {
            values.push(T::deserialize(&mut input).map_err(E::custom)?);
        }
        match input.finalize() {
            Ok([]) => Ok(()),
            _ => Err(E::custom("a chunk of a column has bytes after its values")),
        }
    }
}

/// Decodes `count` values from `input` into the room after the last of `values`, and
/// makes them part of it: as many as decoded, up to the first error (returned). If
/// `values` has room for fewer than `count` more, it decodes that many.
///
/// The loop keeps its count in a register (a `push` per value reloads and stores the
/// `Vec`'s length and checks its capacity each time: a third of a chunk's time). If a
/// value's `Deserialize` panics, the values decoded before it are part of `values` all
/// the same ([`Filled`]), so they are dropped with it, once.
fn decode_into_room<'de, T: serde::Deserialize<'de>>(
    values: &mut Vec<T>,
    count: usize,
    input: &mut postcard::Deserializer<'de, postcard::de_flavors::Slice<'de>>,
) -> postcard::Result<()> {
    let fits = count.min(values.capacity() - values.len());
    let mut filled = Filled { values, written: 0 };
    while filled.written < fits {
        let value = T::deserialize(&mut *input)?;
        let at = filled.values.len() + filled.written;
        // SAFETY: `at` is below the capacity (`written < fits <= capacity - len`), past
        // the length, so the slot is in the spare capacity and not initialised: the
        // write neither overwrites a value nor leaves the allocation. `Filled` counts
        // it at once, so its drop makes exactly the written slots part of the `Vec`.
        unsafe { filled.values.as_mut_ptr().add(at).write(value) };
        filled.written += 1;
    }
    Ok(())
}

/// Values written into the spare capacity of a `Vec` after its length, in order: they
/// become part of it when this is dropped, on every path out of the loop that writes
/// them (the end, an error, a panic of a value's `Deserialize`).
struct Filled<'a, T> {
    values: &'a mut Vec<T>,
    /// How many slots after the length hold a value.
    written: usize,
}

impl<T> Drop for Filled<'_, T> {
    fn drop(&mut self) {
        let len = self.values.len() + self.written;
        // SAFETY: the `written` slots after the length were initialised in order by
        // `decode_into_room` (each counted right after its write), within the capacity.
        unsafe { self.values.set_len(len) };
    }
}

#[cfg(test)]
mod tests {
    use super::{per_chunk, SavedColumn};
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use std::fmt::Debug;

    /// `values` written as a binary column and read back with `rows` rows.
    fn round_trip<T: Serialize + DeserializeOwned>(
        values: &[T],
        rows: usize,
    ) -> postcard::Result<Vec<T>> {
        let bytes = postcard::to_allocvec(&SavedColumn(values))?;
        let mut input = postcard::Deserializer::from_bytes(&bytes);
        let read = super::deserialize(rows, &mut input)?;
        assert!(input.finalize()?.is_empty(), "the whole column is read");
        Ok(read)
    }

    fn check<T: Serialize + DeserializeOwned + PartialEq + Debug>(make: impl Fn(usize) -> T) {
        let per = per_chunk::<T>();
        for len in [0, 1, per - 1, per, per + 1, 3 * per + 5] {
            let values: Vec<T> = (0..len).map(&make).collect();
            assert_eq!(round_trip(&values, len).unwrap(), values, "{len} values");
            // More rows than values is the fill's to report; fewer is refused here.
            assert_eq!(round_trip(&values, len + 1).unwrap(), values);
            if len > 0 {
                assert!(
                    round_trip(&values, len - 1).is_err(),
                    "{len} values, a row less"
                );
            }
        }
    }

    #[test]
    fn a_chunk_that_ends_before_its_count_is_an_error_and_keeps_what_it_read() {
        let values = ["a".to_string(), "bb".into(), "ccc".into()];
        let mut bytes = postcard::to_allocvec(&SavedColumn(&values)).unwrap();
        // One chunk, of a count of 3: claim 4 (the bytes hold 3 values).
        assert_eq!(bytes[..2], [1, 3]);
        bytes[1] = 4;
        let mut input = postcard::Deserializer::from_bytes(&bytes);
        assert!(super::deserialize::<String, _>(4, &mut input).is_err());
        // The strings decoded before the error are dropped with the column (no leak, no
        // double drop: `set_len` covers exactly those written).
        let mut column = Vec::with_capacity(4);
        let mut input = postcard::Deserializer::from_bytes(&bytes[3..]);
        assert!(super::decode_into_room::<String>(&mut column, 4, &mut input).is_err());
        assert_eq!(column, values);
    }

    /// A value whose `Deserialize` panics on the number 3, counting its drops.
    struct PanicsOnThree;

    static DROPPED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    impl Drop for PanicsOnThree {
        fn drop(&mut self) {
            DROPPED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    impl<'de> serde::Deserialize<'de> for PanicsOnThree {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let n = u32::deserialize(deserializer)?;
            assert_ne!(n, 3, "a Deserialize that panics");
            Ok(PanicsOnThree)
        }
    }

    #[test]
    fn values_decoded_before_a_panicking_deserialize_are_dropped_once_with_the_column() {
        let bytes = postcard::to_allocvec(&(0u32..6).collect::<Vec<_>>()).unwrap();
        let mut column: Vec<PanicsOnThree> = Vec::with_capacity(6);
        let mut input = postcard::Deserializer::from_bytes(&bytes[1..]);
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            super::decode_into_room(&mut column, 6, &mut input)
        }));
        assert!(unwound.is_err(), "the fourth value panics");
        assert_eq!(
            column.len(),
            3,
            "the three values before it are the column's"
        );
        assert_eq!(DROPPED.load(std::sync::atomic::Ordering::Relaxed), 0);
        drop(column);
        assert_eq!(DROPPED.load(std::sync::atomic::Ordering::Relaxed), 3);
    }

    #[test]
    fn columns_of_any_length_and_value_size_read_back_chunk_by_chunk() {
        check(|i| i as u8);
        check(|i| (i as u64) << 40 | i as u64);
        check(|i| -(i as i32));
        check(|_| ());
        // Values of varying size, some larger than a chunk.
        check(|i| "x".repeat(if i % 7 == 0 { 9_000 } else { i % 5 }));
    }
}
