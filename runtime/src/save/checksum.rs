//! The checksum that ends a binary save: 64 bits, word by word. Each step is a bijection
//! of the running sum for a fixed word (xor, multiplication by an odd constant,
//! rotation), so changing any one word of the input, or its length (mixed in at the
//! end), always changes the sum; other corruptions go unnoticed with probability 2^-64.

/// An odd 64-bit constant with well-spread bits (from the golden ratio).
const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// The checksum of `bytes`.
pub(super) fn of(bytes: &[u8]) -> u64 {
    let mut sum: u64 = 0x243F_6A88_85A3_08D3;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().expect("8 bytes"));
        sum = (sum ^ word).wrapping_mul(K).rotate_left(29);
    }
    let mut tail = [0u8; 8];
    tail[..words.remainder().len()].copy_from_slice(words.remainder());
    sum = (sum ^ u64::from_le_bytes(tail))
        .wrapping_mul(K)
        .rotate_left(29);
    sum = (sum ^ bytes.len() as u64).wrapping_mul(K);
    sum ^ (sum >> 31)
}

#[cfg(test)]
mod tests {
    use super::of;

    #[test]
    fn every_single_byte_change_and_every_truncation_changes_the_sum() {
        let bytes: Vec<u8> = (0..67u32).map(|i| (i * 37 % 251) as u8).collect();
        let sum = of(&bytes);
        for i in 0..bytes.len() {
            for flip in [1u8, 0x80, 0xff] {
                let mut changed = bytes.clone();
                changed[i] ^= flip;
                assert_ne!(of(&changed), sum, "byte {i} ^ {flip:#x}");
            }
            assert_ne!(of(&bytes[..i]), sum, "truncated to {i}");
        }
    }
}
