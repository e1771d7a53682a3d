//! The vectorised compare of the chunk-skipping scans: which of sixteen ticks are
//! younger than a limit, as a bit mask.

use super::CHUNK;

/// Bit `i` set for each of the first [`CHUNK`] ticks of `ticks` (fewer if it is shorter)
/// younger than `limit` seen from `now`: over a whole chunk, one vectorised compare.
#[inline(always)]
pub(super) fn newer_mask(ticks: &[u32], now: u32, limit: u32) -> u32 {
    if let Some(block) = ticks.first_chunk::<CHUNK>() {
        return newer_mask_block(block, now, limit);
    }
    let mut mask = 0u32;
    for (i, &tick) in ticks.iter().enumerate() {
        mask |= u32::from(now.wrapping_sub(tick) < limit) << i;
    }
    mask
}

/// [`newer_mask`] of a whole chunk: four SSE2 compares (part of every x86-64 target) and
/// their sign masks.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn newer_mask_block(block: &[u32; CHUNK], now: u32, limit: u32) -> u32 {
    use std::arch::x86_64::{
        _mm_castsi128_ps, _mm_cmplt_epi32, _mm_loadu_si128, _mm_movemask_ps, _mm_set1_epi32,
        _mm_sub_epi32, _mm_xor_si128,
    };
    // SAFETY: the intrinsics need SSE2, which this build enables (the `cfg`); each load
    // reads the four `u32` at `quarter * 4`, within `block`, and an unaligned load has
    // no alignment requirement.
    unsafe {
        // Unsigned `age < limit` as a signed compare of both with their top bit flipped.
        let bias = _mm_set1_epi32(i32::MIN);
        let now = _mm_set1_epi32(now as i32);
        let limit = _mm_xor_si128(_mm_set1_epi32(limit as i32), bias);
        let mut mask = 0u32;
        for quarter in 0..CHUNK / 4 {
            let ticks = _mm_loadu_si128(block.as_ptr().add(quarter * 4).cast());
            let age = _mm_xor_si128(_mm_sub_epi32(now, ticks), bias);
            let younger = _mm_castsi128_ps(_mm_cmplt_epi32(age, limit));
            mask |= (_mm_movemask_ps(younger) as u32) << (quarter * 4);
        }
        mask
    }
}

/// [`newer_mask`] of a whole chunk, one compare after another.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn newer_mask_block(block: &[u32; CHUNK], now: u32, limit: u32) -> u32 {
    let mut mask = 0u32;
    for (i, &tick) in block.iter().enumerate() {
        mask |= u32::from(now.wrapping_sub(tick) < limit) << i;
    }
    mask
}
