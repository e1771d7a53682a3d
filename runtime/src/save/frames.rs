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
    /// The current frame (its bytes, then its checksum).
    buf: Box<[u8]>,
    /// The next byte of the current frame to hand out.
    pos: usize,
    /// The end of the current frame's bytes (`pos == end`: none left).
    end: usize,
    /// Whether the current frame is the last one.
    last: bool,
    /// The checksum of every frame before the current one, and of it.
    sum: Sum,
    /// A value spanning two frames, put together.
    scratch: Vec<u8>,
    /// Where the next borrowed bytes go.
    kept: &'de Kept,
    failure: Option<Failure>,
}

impl<'de, R: Read> Frames<'de, R> {
    /// The frames of `reader` (after the magic number), borrowed bytes kept in `kept`.
    pub(super) fn new(reader: R, kept: &'de Kept) -> Self {
        Frames {
            reader,
            buf: vec![0; CHUNK + SUM_BYTES].into_boxed_slice(),
            pos: 0,
            end: 0,
            last: false,
            sum: Sum::new(),
            scratch: Vec::new(),
            kept,
            failure: None,
        }
    }

    /// Records why the input stopped (the first reason only) and returns postcard's
    /// error for it.
    #[cold]
    fn fail(&mut self, failure: Failure) -> postcard::Error {
        self.failure.get_or_insert(failure);
        postcard::Error::DeserializeUnexpectedEnd
    }

    /// Reads the next frame and checks its checksum.
    #[cold]
    #[inline(never)]
    fn next_frame(&mut self) -> postcard::Result<()> {
        if self.failure.is_some() {
            return Err(postcard::Error::DeserializeUnexpectedEnd);
        }
        if self.last {
            return Err(self.fail(Failure::Corrupt(
                "truncated: the data ends before the world does".into(),
            )));
        }
        // The old frame is used up: nothing of it is handed out again.
        self.pos = 0;
        self.end = 0;
        let mut filled = 0;
        while filled < self.buf.len() {
            match self.reader.read(&mut self.buf[filled..]) {
                Ok(0) => break,
                Ok(n) if n <= self.buf.len() - filled => filled += n,
                Ok(_) => {
                    return Err(self.fail(Failure::Io(io::Error::other(
                        "the reader reported more bytes than it was given room for",
                    ))))
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.fail(Failure::Io(e))),
            }
        }
        let (len, stored) = if filled == self.buf.len() {
            // A full frame: the sum of everything up to its end, not the last.
            let (bytes, stored) = self.buf.split_at(CHUNK);
            self.sum.blocks(bytes);
            (CHUNK, stored)
        } else {
            // Fewer bytes than a full frame: the input ends here, with the last frame.
            let Some(len) = filled.checked_sub(SUM_BYTES) else {
                return Err(self.fail(Failure::Corrupt("truncated: no checksum".into())));
            };
            self.last = true;
            (len, &self.buf[len..filled])
        };
        let stored = u64::from_le_bytes(stored.try_into().expect("SUM_BYTES bytes"));
        let sum = if self.last {
            std::mem::replace(&mut self.sum, Sum::new()).finish(&self.buf[..len])
        } else {
            self.sum.value()
        };
        if sum != stored {
            return Err(self.fail(Failure::Corrupt(
                "a checksum does not match: the file was truncated or changed".into(),
            )));
        }
        self.end = len;
        Ok(())
    }

    /// The next byte, past the current frame.
    #[cold]
    #[inline(never)]
    fn pop_across(&mut self) -> postcard::Result<u8> {
        while self.pos == self.end {
            self.next_frame()?;
        }
        let byte = self.buf[self.pos];
        self.pos += 1;
        Ok(byte)
    }

    /// The next `n` bytes, past the current frame: put together in `scratch`, which
    /// grows only as the frames holding them arrive.
    #[cold]
    #[inline(never)]
    fn take_across(&mut self, n: usize) -> postcard::Result<&[u8]> {
        if self.failure.is_some() {
            return Err(postcard::Error::DeserializeUnexpectedEnd);
        }
        self.scratch.clear();
        loop {
            let part = (self.end - self.pos).min(n - self.scratch.len());
            self.scratch
                .extend_from_slice(&self.buf[self.pos..self.pos + part]);
            self.pos += part;
            if self.scratch.len() == n {
                return Ok(&self.scratch);
            }
            self.next_frame()?;
        }
    }

    /// The end of the input, after the world was read: every frame read, every byte of
    /// them used, nothing after the last. `Err` why not (or why the input stopped).
    pub(super) fn end(mut self) -> Result<(), Failure> {
        if let Some(failure) = self.failure.take() {
            return Err(failure);
        }
        if self.pos == self.end && !self.last {
            // The world ended with a full frame: the last one is empty.
            if self.next_frame().is_err() {
                return Err(self.failure.take().unwrap_or_else(|| {
                    Failure::Corrupt("the input ended before the world did".into())
                }));
            }
        }
        if self.pos != self.end || !self.last {
            return Err(Failure::Corrupt("bytes after the data".into()));
        }
        Ok(())
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
        if self.pos < self.end {
            let byte = self.buf[self.pos];
            self.pos += 1;
            Ok(byte)
        } else {
            self.pop_across()
        }
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
        if ct <= self.end - self.pos {
            let bytes = &self.buf[self.pos..self.pos + ct];
            self.pos += ct;
            Ok(bytes)
        } else {
            self.take_across(ct)
        }
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
        for len in [0, 1, super::CHUNK - 1, super::CHUNK, super::CHUNK + 1, 3 * super::CHUNK + 17] {
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
        // The first frame is intact; the second fails before any of it is handed out.
        assert!(frames.try_take_n_temp(super::CHUNK).is_ok());
        assert!(frames.pop().is_err());
        assert!(frames.pop().is_err(), "a failure stays");
        assert!(frames.failure().is_some());
    }
}
