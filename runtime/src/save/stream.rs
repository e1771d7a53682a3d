//! The binary save's output: postcard writes into a fixed buffer of [`CHUNK`] bytes,
//! flushed to the writer whenever it is full as one frame: the bytes, then the checksum
//! of everything written up to there. The last frame holds fewer than [`CHUNK`] bytes
//! (possibly none), its checksum marked as the last (see [`super::frames`], which reads
//! them back). No copy of the whole save is ever held in memory.

use super::checksum::{Sum, BLOCK};
use std::io::{self, Write};

/// The bytes of a full frame (before its checksum): a multiple of the checksum's block.
pub(super) const CHUNK: usize = 64 * 1024;
/// The bytes of a frame's checksum.
pub(super) const SUM_BYTES: usize = 8;
const _: () = assert!(CHUNK.is_multiple_of(BLOCK));

/// A postcard flavor writing to `writer` through a buffer of [`CHUNK`] bytes.
pub(super) struct Chunked<'e, W: Write> {
    writer: W,
    buf: Box<[u8; CHUNK]>,
    /// The bytes of `buf` in use.
    len: usize,
    sum: Sum,
    /// Where the writer's error goes (postcard's own error can only say that it stopped).
    error: &'e mut Option<io::Error>,
}

impl<'e, W: Write> Chunked<'e, W> {
    pub(super) fn new(writer: W, error: &'e mut Option<io::Error>) -> Self {
        Chunked {
            writer,
            buf: Box::new([0; CHUNK]),
            len: 0,
            sum: Sum::new(),
            error,
        }
    }

    /// Appends `bytes`, which do not fit in the buffer's room: fills and flushes it as
    /// many times as needed.
    #[cold]
    #[inline(never)]
    fn extend_across(&mut self, mut bytes: &[u8]) -> postcard::Result<()> {
        loop {
            let room = CHUNK - self.len;
            if bytes.len() <= room {
                self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
                self.len += bytes.len();
                return Ok(());
            }
            let (now, later) = bytes.split_at(room);
            self.buf[self.len..].copy_from_slice(now);
            self.len = CHUNK;
            self.flush()?;
            bytes = later;
        }
    }

    /// Writes out the full buffer as a frame.
    #[cold]
    #[inline(never)]
    fn flush(&mut self) -> postcard::Result<()> {
        debug_assert_eq!(self.len, CHUNK);
        if let Err(e) = write_full_frame(&mut self.writer, &self.buf, &mut self.sum) {
            *self.error = Some(e);
            return Err(postcard::Error::SerializeBufferFull);
        }
        self.len = 0;
        Ok(())
    }
}

/// Writes `buf` and the checksum of everything up to its end.
fn write_full_frame<W: Write>(writer: &mut W, buf: &[u8; CHUNK], sum: &mut Sum) -> io::Result<()> {
    sum.blocks(&buf[..]);
    writer.write_all(&buf[..])?;
    writer.write_all(&sum.value().to_le_bytes())
}

/// What [`Chunked`] leaves when the serialisation is done: the writer, the bytes not
/// yet written, and their checksum so far.
pub(super) struct Rest<W> {
    writer: W,
    buf: Box<[u8; CHUNK]>,
    len: usize,
    sum: Sum,
}

impl<W: Write> Rest<W> {
    /// Writes the last frame: the rest (a full buffer goes out as a full frame first,
    /// the last frame is then empty) and the checksum of everything, marked as the last.
    pub(super) fn end(mut self) -> io::Result<W> {
        if self.len == CHUNK {
            write_full_frame(&mut self.writer, &self.buf, &mut self.sum)?;
            self.len = 0;
        }
        let rest = &self.buf[..self.len];
        let sum = self.sum.finish(rest);
        self.writer.write_all(rest)?;
        self.writer.write_all(&sum.to_le_bytes())?;
        Ok(self.writer)
    }
}

impl<W: Write> postcard::ser_flavors::Flavor for Chunked<'_, W> {
    type Output = Rest<W>;

    #[inline(always)]
    fn try_push(&mut self, byte: u8) -> postcard::Result<()> {
        if self.len == CHUNK {
            self.flush()?;
        }
        self.buf[self.len] = byte;
        self.len += 1;
        Ok(())
    }

    #[inline(always)]
    fn try_extend(&mut self, bytes: &[u8]) -> postcard::Result<()> {
        // The common case, inlined where postcard writes a value of known size.
        match self.buf.get_mut(self.len..self.len + bytes.len()) {
            Some(room) => {
                copy_short(room, bytes);
                self.len += bytes.len();
                Ok(())
            }
            None => self.extend_across(bytes),
        }
    }

    fn finalize(self) -> postcard::Result<Rest<W>> {
        Ok(Rest {
            writer: self.writer,
            buf: self.buf,
            len: self.len,
            sum: self.sum,
        })
    }
}

/// Copies `src` into `dst` (of the same length). A varint (1 to 10 bytes, of a length
/// known only at run time) is copied without a call to `memcpy`, which costs more than
/// the copy for a few bytes (postcard writes one varint per integer field): 1 to 3
/// bytes one at a time, longer ones with at most two overlapping word moves.
#[inline(always)]
pub(super) fn copy_short(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    match n {
        8..=16 => {
            let (a, b) = (word::<8>(src, 0), word::<8>(src, n - 8));
            dst[..8].copy_from_slice(&a);
            dst[n - 8..].copy_from_slice(&b);
        }
        4..=7 => {
            let (a, b) = (word::<4>(src, 0), word::<4>(src, n - 4));
            dst[..4].copy_from_slice(&a);
            dst[n - 4..].copy_from_slice(&b);
        }
        // Byte by byte: a varint's bytes were just stored one at a time (postcard
        // builds it in a small array), and a 2-byte load of two 1-byte stores cannot be
        // forwarded from the store buffer (it waits for them to reach the cache: about
        // 15 cycles, a third of a column of `i32`s' save).
        1..=3 => {
            dst[0] = src[0];
            dst[n - 1] = src[n - 1];
            if n == 3 {
                dst[1] = src[1];
            }
        }
        _ => dst.copy_from_slice(src),
    }
}

/// The `N` bytes of `src` from `at`.
#[inline(always)]
fn word<const N: usize>(src: &[u8], at: usize) -> [u8; N] {
    src[at..at + N].try_into().expect("N bytes")
}

#[cfg(test)]
mod tests {
    use super::copy_short;

    #[test]
    fn short_copies_copy_every_byte_of_every_length() {
        let src: Vec<u8> = (1..=40).collect();
        for n in 0..=40 {
            let mut dst = vec![0u8; n];
            copy_short(&mut dst, &src[..n]);
            assert_eq!(dst, src[..n], "length {n}");
        }
    }
}
