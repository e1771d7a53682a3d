//! The checksums of a binary save's frames: 64 bits, computed in [`LANES`] lanes of
//! 64-bit words (word `i` goes to lane `i % LANES`, so the lanes are independent and run
//! in parallel: a whole block of [`BLOCK`] bytes is a few vector instructions).
//!
//! A lane's step takes one little-endian word `w` of the input:
//!
//! - `x = lane ^ w ^ (w >> 32)`: the word's high half is also folded into the low half,
//!   so every bit of the word reaches the multiplication below;
//! - `x + (x mod 2^32) * M`, with `M` an even 32-bit constant: one 32x32 -> 64-bit
//!   multiplication (SSE2's `pmuludq`, four lanes at once under AVX2), which spreads the
//!   low half over the whole word;
//! - a rotation by 32 (the halves swapped): the half that was only added to is
//!   multiplied at the next step.
//!
//! Each part is a bijection of the lane for a fixed word, and of the word for a fixed
//! lane: `w -> w ^ (w >> 32)` keeps the high half, from which the low half is undone;
//! `x -> x + (x mod 2^32) * M` keeps `(x mod 2^32) * (M + 1) mod 2^32` as its low half,
//! and `M + 1` is odd, so the low half is recovered, then `x`. So a changed word changes
//! its lane, and the lane's later steps keep it changed. The lanes, the length and
//! whether the sum ends the save are then folded into one sum by bijective steps too
//! (each lane by a 64-bit multiplication by an odd constant and a rotation, then the
//! length and the mark), so changing any one 8-byte word of the input, or only its
//! length (zero bytes appended or removed in the last block, where the padding is
//! zeros), always changes the sum. Other corruptions go unnoticed with probability about
//! 2^-64 when they are random. It is not a cryptographic hash: changes arranged against
//! the lanes' arithmetic can cancel out. With one word and the next of its lane
//! changed, no two flipped bits do (measured for every pair of bits; the previous
//! format's step let two pairs through, a top bit and the bit its rotation moved it
//! to); three can (two in one word, the same bit of each half, and one in the next).
//!
//! A frame's sum covers every byte from the start of the save to the frame's end
//! ([`Sum::value`]); the last frame's is marked as the last ([`Sum::finish`]).
//!
//! The sum is a pure function of the bytes, the same on every machine. Where the CPU has
//! AVX2 (detected at run time: the crate is built for the x86-64 baseline), the same
//! loop runs compiled for AVX2: 32 lanes in 8 registers, about 55-60 GB/s on an AMD
//! EPYC where the previous format's eight lanes of 64-bit multiplications took about
//! 25. Elsewhere it is the portable build of that loop (with SSE2 only, about 13 GB/s).
//! No hashing crate is used: xxh3 folds its accumulators into the sum by multiplying
//! them in pairs (a 128-bit product folded to 64 bits), which is not a bijection, so
//! one changed word changes its sum with probability 1 - 2^-64, not always; CRC-32
//! (crc32fast) has 32 bits, so other corruptions would go unnoticed with probability
//! 2^-32.

/// The lanes: 32 of 64 bits, 8 AVX2 registers; fewer lanes leave the multiplier
/// waiting on the previous step's result.
const LANES: usize = 32;

/// The bytes one step of all lanes takes.
pub(super) const BLOCK: usize = LANES * 8;

/// The even multiplier of a lane's step: under 2^32 (a 32x32 -> 64-bit product), even
/// so that `M + 1` is odd (the step's low half, `x * (M + 1)`, is a bijection).
const M: u64 = 0x9E37_79B8;

/// An odd 64-bit constant with well-spread bits (from the golden ratio): the fold's
/// multiplier.
const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// The lanes' values before any input: distinct (`K` is odd, so `K * (i + 1)` are).
const START: [u64; LANES] = {
    let mut lanes = [0; LANES];
    let mut i = 0;
    while i < LANES {
        lanes[i] = K.wrapping_mul(i as u64 + 1);
        i += 1;
    }
    lanes
};

/// One lane's step with the next word of its input.
#[inline(always)]
fn step(lane: u64, word: u64) -> u64 {
    let x = lane ^ (word ^ (word >> 32));
    x.wrapping_add((x & 0xFFFF_FFFF).wrapping_mul(M))
        .rotate_left(32)
}

/// Feeds `blocks` to `lanes`: the definition of the sum, compiled wherever it is
/// inlined (with the caller's target features).
#[inline(always)]
fn feed(lanes: &mut [u64; LANES], blocks: &[[u8; BLOCK]]) {
    let mut local = *lanes;
    for block in blocks {
        let (words, _) = block.as_chunks::<8>();
        for (lane, word) in local.iter_mut().zip(words) {
            *lane = step(*lane, u64::from_le_bytes(*word));
        }
    }
    *lanes = local;
}

/// [`feed`] built for the crate's target (the x86-64 baseline: SSE2; elsewhere, the
/// target's own).
#[inline(never)]
fn feed_portable(lanes: &mut [u64; LANES], blocks: &[[u8; BLOCK]]) {
    feed(lanes, blocks);
}

/// [`feed`] built for AVX2 (the 32 lanes in 8 registers): the same code, so the same
/// result; only its instructions differ.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline(never)]
fn feed_avx2(lanes: &mut [u64; LANES], blocks: &[[u8; BLOCK]]) {
    feed(lanes, blocks);
}

/// [`feed`] through the fastest build the CPU runs.
fn feed_fastest(lanes: &mut [u64; LANES], blocks: &[[u8; BLOCK]]) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: `feed_avx2` needs only AVX2, which the CPU has (detected just above).
        unsafe { feed_avx2(lanes, blocks) };
        return;
    }
    feed_portable(lanes, blocks);
}

/// A checksum fed in pieces: every piece but the last a multiple of [`BLOCK`] bytes.
pub(super) struct Sum {
    lanes: [u64; LANES],
    len: u64,
}

impl Sum {
    pub(super) fn new() -> Self {
        Sum {
            lanes: START,
            len: 0,
        }
    }

    /// Feeds whole blocks: `bytes.len()` is a multiple of [`BLOCK`].
    pub(super) fn blocks(&mut self, bytes: &[u8]) {
        debug_assert!(bytes.len().is_multiple_of(BLOCK));
        let (blocks, _) = bytes.as_chunks::<BLOCK>();
        feed_fastest(&mut self.lanes, blocks);
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

/// The lanes, the length (under 2^63) and the last-frame mark folded into one sum. Each
/// lane's step, `(sum ^ lane) * K` rotated, is a bijection of the lane for a fixed
/// `sum` and of `sum` for a fixed lane: two lane values that differ give two sums that
/// differ, whatever the other lanes.
fn fold(lanes: &[u64; LANES], len: u64, last: bool) -> u64 {
    let mut sum = lanes[0];
    for &lane in &lanes[1..] {
        sum = (sum ^ lane).wrapping_mul(K).rotate_left(29);
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
    #[cfg(target_arch = "x86_64")]
    use super::feed_avx2;
    use super::{feed_portable, fold, of, step, Sum, BLOCK, LANES, START};

    /// Test bytes: a splitmix64 sequence from `seed`.
    fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
        let mut state = seed;
        let mut next = move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        (0..len).map(|_| next() as u8).collect()
    }

    /// The sum as its definition says, a word at a time (no blocks, no vectors): the
    /// bytes, then zeros up to the end of the next block (at least one zero byte).
    fn word_by_word(bytes: &[u8]) -> u64 {
        let mut padded = bytes.to_vec();
        padded.resize((bytes.len() / BLOCK + 1) * BLOCK, 0);
        let mut lanes = START;
        for (i, word) in padded.as_chunks::<8>().0.iter().enumerate() {
            lanes[i % LANES] = step(lanes[i % LANES], u64::from_le_bytes(*word));
        }
        fold(&lanes, bytes.len() as u64, true)
    }

    #[test]
    fn every_single_byte_change_and_every_truncation_changes_the_sum() {
        let bytes: Vec<u8> = (0..600u32).map(|i| (i * 37 % 251) as u8).collect();
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
    fn every_single_bit_flip_and_every_pair_in_a_lanes_next_word_changes_the_sum() {
        // Word 3 and the word after it in its lane (one block on): every single flip in
        // either, and every pair of one flip in each (the pairs the previous format's
        // step let through: a top bit, then the bit its rotation moved it to).
        let bytes = random_bytes(7, BLOCK * 3);
        let sum = of(&bytes);
        let flipped = |bits: &[usize]| {
            let mut changed = bytes.clone();
            for &bit in bits {
                changed[bit / 8] ^= 1 << (bit % 8);
            }
            of(&changed)
        };
        let (first, next) = (3 * 64, (3 + LANES) * 64);
        for a in 0..64 {
            assert_ne!(flipped(&[first + a]), sum, "bit {a} of the first word");
            assert_ne!(flipped(&[next + a]), sum, "bit {a} of the next word");
            for b in 0..64 {
                assert_ne!(flipped(&[first + a, next + b]), sum, "bits {a} and {b}");
            }
        }
    }

    #[test]
    fn fed_in_blocks_it_is_the_sum_of_the_whole() {
        let bytes: Vec<u8> = (0..8000u32).map(|i| (i * 91 % 253) as u8).collect();
        let mut sum = Sum::new();
        sum.blocks(&bytes[..BLOCK * 3]);
        sum.blocks(&bytes[BLOCK * 3..BLOCK * 20]);
        assert_eq!(sum.finish(&bytes[BLOCK * 20..]), of(&bytes));
    }

    #[test]
    fn it_is_its_definition_word_by_word_at_every_length() {
        for len in (0..4 * BLOCK + 3).chain([10_000, 65_536, 65_541]) {
            let bytes = random_bytes(len as u64, len);
            assert_eq!(of(&bytes), word_by_word(&bytes), "length {len}");
        }
    }

    #[test]
    fn the_avx2_build_gives_the_portable_builds_lanes() {
        // A save written on one machine loads on any other: the AVX2 build of the loop
        // must give the portable build's lanes. Called directly (not through
        // `feed_fastest`), so that the test compares two builds wherever AVX2 exists.
        #[cfg(target_arch = "x86_64")]
        {
            if !std::is_x86_feature_detected!("avx2") {
                eprintln!("no AVX2 on this CPU: only the portable build runs here");
                return;
            }
            for (seed, blocks) in (0..40).zip((0..20).chain([63, 64, 65, 256, 300])) {
                let bytes = random_bytes(seed, blocks * BLOCK);
                let (blocks, _) = bytes.as_chunks::<BLOCK>();
                let mut portable = START;
                feed_portable(&mut portable, blocks);
                let mut avx2 = START;
                // SAFETY: `feed_avx2` needs only AVX2, detected above.
                unsafe { feed_avx2(&mut avx2, blocks) };
                assert_eq!(portable, avx2, "{} blocks", blocks.len());
            }
        }
    }

    #[test]
    fn the_sum_of_fixed_bytes_is_the_formats() {
        // The sum is part of the binary format: any change to it is a new version.
        assert_eq!(of(&[]), 0x6498_23e0_6c57_303a);
        assert_eq!(of(&random_bytes(1, 1000)), 0x665b_e102_3580_fad3);
        let mut full = Sum::new();
        full.blocks(&random_bytes(2, 64 * 1024));
        assert_eq!(full.value(), 0xd6eb_4c79_b1fc_3ce0);
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
