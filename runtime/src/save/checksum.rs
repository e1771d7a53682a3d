//! The checksums of a binary save's frames: 64 bits, computed in eight lanes of 64-bit
//! words (word `i` goes to lane `i % 8`, so the lanes run in parallel: a step's
//! multiplication takes a few cycles, eight lanes keep the multiplier busy). Each step is a
//! bijection of its lane for a fixed word (xor, multiplication by an odd constant,
//! rotation), and the lanes, the length and whether the sum ends the save are folded in
//! by bijective steps too, so changing any one word of the input, or its length, always
//! changes the sum; other corruptions go unnoticed with probability 2^-64. A frame's sum
//! covers every byte from the start of the save to the frame's end ([`Sum::value`]); the
//! last frame's is marked as the last ([`Sum::finish`]).

/// An odd 64-bit constant with well-spread bits (from the golden ratio).
const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// The bytes one step of all eight lanes takes.
pub(super) const BLOCK: usize = 64;

/// One lane's step.
#[inline(always)]
fn step(lane: u64, word: u64) -> u64 {
    (lane ^ word).wrapping_mul(K).rotate_left(29)
}

/// A checksum fed in pieces: every piece but the last a multiple of [`BLOCK`] bytes.
pub(super) struct Sum {
    lanes: [u64; 8],
    len: u64,
}

impl Sum {
    pub(super) fn new() -> Self {
        Sum {
            lanes: [
                0x243F_6A88_85A3_08D3,
                0x1319_8A2E_0370_7344,
                0xA409_3822_299F_31D0,
                0x082E_FA98_EC4E_6C89,
                0x4528_21E6_38D0_1377,
                0xBE54_66CF_34E9_0C6C,
                0xC0AC_29B7_C97C_50DD,
                0x3F84_D5B5_B547_0917,
            ],
            len: 0,
        }
    }

    /// Feeds whole blocks: `bytes.len()` is a multiple of [`BLOCK`].
    pub(super) fn blocks(&mut self, bytes: &[u8]) {
        debug_assert!(bytes.len().is_multiple_of(BLOCK));
        let (blocks, _) = bytes.as_chunks::<BLOCK>();
        let mut lanes = self.lanes;
        for block in blocks {
            let (words, _) = block.as_chunks::<8>();
            for (lane, word) in lanes.iter_mut().zip(words) {
                *lane = step(*lane, u64::from_le_bytes(*word));
            }
        }
        self.lanes = lanes;
        self.len += bytes.len() as u64;
    }

    /// The sum of the bytes fed so far, not marked as the last (a full frame's).
    pub(super) fn value(&self) -> u64 {
        fold(&self.lanes, self.len, false)
    }

    /// Feeds the last piece (any length) and returns the sum of everything fed,
    /// marked as the last.
    pub(super) fn finish(mut self, bytes: &[u8]) -> u64 {
        let whole = bytes.len() - bytes.len() % BLOCK;
        self.blocks(&bytes[..whole]);
        let mut tail = [0u8; BLOCK];
        tail[..bytes.len() - whole].copy_from_slice(&bytes[whole..]);
        self.blocks(&tail);
        let len = self.len - BLOCK as u64 + (bytes.len() - whole) as u64;
        fold(&self.lanes, len, true)
    }
}

/// The lanes, the length (under 2^63) and the last-frame mark folded into one sum.
fn fold(lanes: &[u64; 8], len: u64, last: bool) -> u64 {
    let mut sum = lanes[0];
    for &lane in &lanes[1..] {
        sum = step(sum, lane);
    }
    sum = (sum ^ len ^ (u64::from(last) << 63)).wrapping_mul(K);
    sum ^ (sum >> 31)
}

/// The checksum of `bytes` (as one last frame).
#[cfg(test)]
pub(super) fn of(bytes: &[u8]) -> u64 {
    Sum::new().finish(bytes)
}

#[cfg(test)]
mod tests {
    use super::{of, Sum, BLOCK};

    #[test]
    fn every_single_byte_change_and_every_truncation_changes_the_sum() {
        let bytes: Vec<u8> = (0..131u32).map(|i| (i * 37 % 251) as u8).collect();
        let sum = of(&bytes);
        for i in 0..bytes.len() {
            for flip in [1u8, 0x80, 0xff] {
                let mut changed = bytes.clone();
                changed[i] ^= flip;
                assert_ne!(of(&changed), sum, "byte {i} ^ {flip:#x}");
            }
            assert_ne!(of(&bytes[..i]), sum, "truncated to {i}");
        }
        // Trailing zeros are not padding: appending them changes the sum.
        let mut longer = bytes.clone();
        longer.push(0);
        assert_ne!(of(&longer), sum);
    }

    #[test]
    fn fed_in_blocks_it_is_the_sum_of_the_whole() {
        let bytes: Vec<u8> = (0..2000u32).map(|i| (i * 91 % 253) as u8).collect();
        let mut sum = Sum::new();
        sum.blocks(&bytes[..BLOCK * 3]);
        sum.blocks(&bytes[BLOCK * 3..BLOCK * 20]);
        assert_eq!(sum.finish(&bytes[BLOCK * 20..]), of(&bytes));
    }

    #[test]
    fn the_last_frames_sum_differs_from_a_full_frames() {
        let bytes: Vec<u8> = (0..BLOCK as u32 * 4)
            .map(|i| (i * 13 % 255) as u8)
            .collect();
        let mut sum = Sum::new();
        sum.blocks(&bytes);
        assert_ne!(sum.value(), of(&bytes));
        // A full frame's sum depends on every byte before it.
        let mut changed = bytes.clone();
        changed[5] ^= 1;
        let mut other = Sum::new();
        other.blocks(&changed);
        assert_ne!(other.value(), sum.value());
    }
}
