//! The binary load's input: the frames [`super::stream`] writes, read one at a time
//! into a buffer of one frame and checked against their checksum before postcard sees
//! a byte of them, so a corrupted or truncated save is refused before any of its
//! corrupted bytes is decoded, and no copy of the whole save is ever held in memory.
//!
//! [`Frames`] is postcard's input (a `de_flavors::Flavor`): it hands out the bytes of
//! the current frame and reads the next frame when they run out. A value that spans two
//! frames is put together in a scratch buffer that grows only as the frames arrive (a
//! length read from the input is never allocated up front). When reading fails (the
//! reader's error, a checksum that does not match, the end of the input), the failure
//! is kept and every later read fails too: a `Deserialize` that catches the error and
//! goes on reads nothing more, and the load returns the failure.

use super::checksum::Sum;
use super::stream::{CHUNK, SUM_BYTES};
use std::cell::OnceCell;
use std::io::{self, Read};

/// The longest value read without an error path (a number: postcard's `f64` and
/// `u128` take 8 and 16 bytes); see [`Frames::make_room_or_zeros`].
const SMALL: usize = 16;
const _: () = assert!(SMALL <= CHUNK);

/// Why the input stopped.
pub(super) enum Failure {
    /// The reader failed.
    Io(io::Error),
    /// The input is not what a save writes: what is wrong.
    Corrupt(String),
}

/// Bytes that postcard borrows for the whole load (`Flavor::try_take_n`, for a
/// `Deserialize` that asks for borrowed bytes or a borrowed `str`): each taken once, in
/// a list of nodes that only grows while the load runs (no unsafe code: a node's cells
/// are set once and never moved out of until the list is dropped).
#[derive(Default)]
pub(super) struct Kept {
    bytes: OnceCell<Box<[u8]>>,
    next: OnceCell<Box<Kept>>,
}

impl Drop for Kept {
    fn drop(&mut self) {
        // One node at a time: a list of a million borrowed strings is not a million
        // nested drops.
        let mut next = self.next.take();
        while let Some(mut node) = next {
            next = node.next.take();
        }
    }
}

/// postcard's input: the frames of `R`, each checked before it is used.
pub(super) struct Frames<'de, R> {
    reader: R,
    /// The checked bytes not handed out yet (`cursor..end`), after bytes already handed
    /// out; a frame is read in after them. At least `CHUNK + SUM_BYTES` long, longer
    /// only while a value larger than a frame is put together; written and resized only
    /// by [`Frames::make_room`] and [`Frames::read_frame`], which set `cursor` and `end`
    /// again from it afterwards.
    buf: Vec<u8>,
    /// The next byte to hand out, in `buf`, at most `end`.
    cursor: *const u8,
    /// The end of the checked bytes in `buf`.
    end: *const u8,
    /// Whether the last frame was read.
    last: bool,
    /// The checksum of every frame read.
    sum: Sum,
    /// Where the next borrowed bytes go.
    kept: &'de Kept,
    failure: Option<Failure>,
}

impl<'de, R: Read> Frames<'de, R> {
    /// The frames of `reader` (after the magic number), borrowed bytes kept in `kept`.
    pub(super) fn new(reader: R, kept: &'de Kept) -> Self {
        let buf = vec![0; CHUNK + SUM_BYTES];
        let start = buf.as_ptr();
        Frames {
            reader,
            buf,
            cursor: start,
            end: start,
            last: false,
            sum: Sum::new(),
            kept,
            failure: None,
        }
    }

    /// The number of checked bytes not handed out yet.
    #[inline(always)]
    fn remaining(&self) -> usize {
        // SAFETY: `cursor` and `end` point into `buf`'s buffer, `cursor <= end` (set
        // together from `buf` after its last change; `cursor` moves forward only, up to
        // `end`: `take`).
        unsafe { self.end.offset_from_unsigned(self.cursor) }
    }

    /// Hands out the next `n` bytes: `n <= self.remaining()` (checked by the caller).
    #[inline(always)]
    fn take(&mut self, n: usize) -> &[u8] {
        debug_assert!(n <= self.remaining());
        let start = self.cursor;
        // SAFETY: `cursor..cursor + n` are checked bytes of `buf` (`n <= remaining`),
        // initialised; `buf` is neither written nor resized while `self` is borrowed
        // (only `make_room` and `read_frame` change it, through `&mut self`), and the
        // cursor moves past them, at most to `end`.
        unsafe {
            self.cursor = start.add(n);
            std::slice::from_raw_parts(start, n)
        }
    }

    /// Records why the input stopped (the first reason only) and returns postcard's
    /// error for it.
    #[cold]
    fn fail(&mut self, failure: Failure) -> postcard::Error {
        self.failure.get_or_insert(failure);
        postcard::Error::DeserializeUnexpectedEnd
    }

    /// Makes at least `n` checked bytes ready to hand out: moves those not handed out
    /// yet to the front of `buf`, then reads frames after them until there are `n` (the
    /// buffer grows only by frames that arrived).
    #[cold]
    #[inline(never)]
    fn make_room(&mut self, n: usize) -> postcard::Result<()> {
        if self.failure.is_some() {
            return Err(postcard::Error::DeserializeUnexpectedEnd);
        }
        // SAFETY: as in `remaining`: `cursor` points into `buf`.
        let start = unsafe { self.cursor.offset_from_unsigned(self.buf.as_ptr()) };
        let mut have = self.remaining();
        self.buf.copy_within(start..start + have, 0);
        let result = loop {
            if have >= n {
                break Ok(());
            }
            if self.last {
                break Err(self.fail(Failure::Corrupt(
                    "truncated: the data ends before the world does".into(),
                )));
            }
            match self.read_frame(have) {
                Ok(len) => have += len,
                Err(e) => break Err(e),
            }
        };
        // Pointers derived after the last change to `buf`.
        let bytes = self.buf[..have].as_ptr_range();
        self.cursor = bytes.start;
        self.end = bytes.end;
        result
    }

    /// Makes at least `n` (at most [`SMALL`]) bytes ready to hand out, as `make_room`;
    /// if the input stops first (the failure is kept, and the load fails with it), the
    /// bytes are made up to `n` with zeros, so that the decoding of a small value goes on
    /// without an error path (it stops at the end of the world's shape: zeros are
    /// empty sequences, `None`s, `false`s and first variants), and its inlined code
    /// stays small.
    #[cold]
    #[inline(never)]
    fn make_room_or_zeros(&mut self, n: usize) {
        debug_assert!(n <= SMALL);
        if self.make_room(n).is_ok() {
            return;
        }
        let have = self.remaining();
        // `make_room` moved the bytes not handed out to the front of `buf`, which is
        // longer than `SMALL`.
        self.buf[have..n].fill(0);
        let bytes = self.buf[..n].as_ptr_range();
        self.cursor = bytes.start;
        self.end = bytes.end;
    }

    /// Reads the next frame into `buf` at `at`, checks its checksum and returns the
    /// number of its bytes (the checksum is left after them, to be written over).
    fn read_frame(&mut self, at: usize) -> postcard::Result<usize> {
        if self.buf.len() < at + CHUNK + SUM_BYTES {
            self.buf.resize(at + CHUNK + SUM_BYTES, 0);
        }
        let frame = &mut self.buf[at..at + CHUNK + SUM_BYTES];
        let mut filled = 0;
        while filled < frame.len() {
            match self.reader.read(&mut frame[filled..]) {
                Ok(0) => break,
                Ok(n) if n <= frame.len() - filled => filled += n,
                Ok(_) => {
                    return Err(self.fail(Failure::Io(io::Error::other(
                        "the reader reported more bytes than it was given room for",
                    ))))
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.fail(Failure::Io(e))),
            }
        }
        let full = filled == frame.len();
        // A full frame, or fewer bytes: the input ends here, with the last frame.
        let len = if full {
            CHUNK
        } else {
            let Some(len) = filled.checked_sub(SUM_BYTES) else {
                return Err(self.fail(Failure::Corrupt("truncated: no checksum".into())));
            };
            len
        };
        let (bytes, stored) = frame[..filled].split_at(len);
        let stored = u64::from_le_bytes(stored.try_into().expect("SUM_BYTES bytes"));
        let sum = if full {
            // The sum of everything up to the frame's end, not the last.
            self.sum.blocks(bytes);
            self.sum.value()
        } else {
            self.last = true;
            std::mem::replace(&mut self.sum, Sum::new()).finish(bytes)
        };
        if sum != stored {
            return Err(self.fail(Failure::Corrupt(
                "a checksum does not match: the file was truncated or changed".into(),
            )));
        }
        Ok(len)
    }

    /// The end of the input, after the world was read: every frame read, every byte of
    /// them used, nothing after the last. `Err` why not (or why the input stopped).
    pub(super) fn end(mut self) -> Result<(), Failure> {
        if let Some(failure) = self.failure.take() {
            return Err(failure);
        }
        if self.remaining() == 0 && !self.last {
            // The world ended with a full frame: the last one is empty.
            match self.read_frame(0) {
                Ok(0) if self.last => return Ok(()),
                Ok(_) => {}
                Err(_) => {
                    return Err(self.failure.take().unwrap_or_else(|| {
                        Failure::Corrupt("the input ended before the world did".into())
                    }))
                }
            }
        } else if self.remaining() == 0 {
            return Ok(());
        }
        Err(Failure::Corrupt("bytes after the data".into()))
    }

    /// Why the input stopped, if it did.
    pub(super) fn failure(self) -> Option<Failure> {
        self.failure
    }
}

impl<'de, R: Read + 'de> postcard::de_flavors::Flavor<'de> for Frames<'de, R> {
    type Remainder = Self;
    type Source = R;

    #[inline(always)]
    fn pop(&mut self) -> postcard::Result<u8> {
        if self.cursor == self.end {
            self.make_room_or_zeros(1);
        }
        Ok(self.take(1)[0])
    }

    fn try_take_n(&mut self, ct: usize) -> postcard::Result<&'de [u8]> {
        let bytes: Box<[u8]> = self.try_take_n_temp(ct)?.into();
        let node = self.kept;
        // `node` is the list's last node, never given bytes before.
        if node.bytes.set(bytes).is_err() {
            return Err(self.fail(Failure::Corrupt("borrowed bytes taken twice".into())));
        }
        self.kept = node.next.get_or_init(Box::default);
        Ok(node.bytes.get().map_or(&[], |bytes| &bytes[..]))
    }

    #[inline(always)]
    fn try_take_n_temp<'a>(&'a mut self, ct: usize) -> postcard::Result<&'a [u8]>
    where
        'de: 'a,
    {
        if ct > self.remaining() {
            if ct <= SMALL {
                self.make_room_or_zeros(ct);
            } else {
                self.make_room(ct)?;
            }
        }
        Ok(self.take(ct))
    }

    fn finalize(self) -> postcard::Result<Self> {
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::{Frames, Kept};
    use postcard::de_flavors::Flavor;

    /// The frames `Chunked` writes for `bytes`.
    fn framed(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut failed = None;
        let mut chunked = super::super::stream::Chunked::new(&mut out, &mut failed);
        for &b in bytes {
            postcard::ser_flavors::Flavor::try_push(&mut chunked, b).unwrap();
        }
        postcard::ser_flavors::Flavor::finalize(chunked)
            .unwrap()
            .end()
            .unwrap();
        out
    }

    #[test]
    fn frames_give_back_every_byte_across_frame_boundaries() {
        for len in [
            0,
            1,
            super::CHUNK - 1,
            super::CHUNK,
            super::CHUNK + 1,
            3 * super::CHUNK + 17,
        ] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            let input = framed(&bytes);
            let kept = Kept::default();
            let mut frames = Frames::new(&input[..], &kept);
            let mut got = Vec::new();
            // Bytes one at a time, in runs (some across a frame's end), and borrowed.
            let mut step = 0;
            while got.len() < len {
                let n = [1, 5, 1000, 70_000][step % 4].min(len - got.len());
                match step % 3 {
                    0 => got.push(frames.pop().unwrap()),
                    1 => got.extend_from_slice(frames.try_take_n_temp(n).unwrap()),
                    _ => got.extend_from_slice(frames.try_take_n(n).unwrap()),
                }
                step += 1;
            }
            assert_eq!(got, bytes, "length {len}");
            assert!(frames.end().is_ok(), "length {len}");
        }
    }

    #[test]
    fn a_truncated_or_changed_frame_fails_before_its_bytes_are_used() {
        let bytes: Vec<u8> = (0..2 * super::CHUNK + 100).map(|i| i as u8).collect();
        let input = framed(&bytes);
        for cut in [0, 7, super::CHUNK, super::CHUNK + 8, input.len() - 1] {
            let kept = Kept::default();
            let mut frames = Frames::new(&input[..cut], &kept);
            let read = frames.try_take_n_temp(bytes.len()).is_ok();
            assert!(!read || frames.end().is_err(), "cut at {cut}");
        }
        let mut changed = input.clone();
        changed[super::CHUNK + 8 + 3] ^= 1;
        let kept = Kept::default();
        let mut frames = Frames::new(&changed[..], &kept);
        // The first frame is intact; the second fails before any of it is handed out:
        // small values read as zeros from there on, larger ones fail, and the failure
        // stays.
        assert_eq!(
            frames.try_take_n_temp(super::CHUNK).unwrap(),
            &bytes[..super::CHUNK]
        );
        assert_eq!(frames.pop().unwrap(), 0);
        assert_eq!(frames.try_take_n_temp(4).unwrap(), &[0; 4]);
        assert!(frames.try_take_n_temp(100).is_err());
        assert!(frames.try_take_n(1).is_ok_and(|b| b == [0]));
        assert!(frames.failure().is_some());
    }
}
