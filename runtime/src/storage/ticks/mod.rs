//! Change ticks of tracked components (`track(...)` of a world): per tracked column of a
//! table, the tick each row's value was added at and last changed at, plus a summary per
//! chunk of [`CHUNK`] rows (the newest change in the chunk), so that a `Changed<T>` query
//! skips the chunks nothing changed in without reading their rows.
//!
//! Ticks compare by age (`now - tick`, wrapping): a tick is newer than another when its
//! age is smaller. Ages stay meaningful as long as no live tick is older than
//! [`MAX_CHANGE_AGE`]; the world clamps older ones (`Storage::clamp_ticks`).
//!
//! A `&mut T` query that visits a table marks every row of it changed: that is one stamp
//! of the whole column ([`TickColumn`]'s `whole`), not a store per row, so a loop over a
//! tracked `&mut T` costs what the untracked loop costs. The stamp covers the rows the
//! column holds when it is made; a row that comes in later with an older change (moved
//! from another table) first folds the stamp into every row (`TickColumn::settle`).
//!
//! A table of a world without tracked components has no [`TableTicks`] at all: untracked
//! columns pay nothing.
//!
//! Layout: the tick arithmetic and [`TickCell`] here; `column.rs` one column's ticks
//! and the [`TickWriter`] of query items; `reader.rs` the [`TickReader`] of `Added`/
//! `Changed` filters and its chunk-skipping scans (`mask.rs` their vectorised compare);
//! `table.rs` a table's [`TableTicks`].

mod column;
mod mask;
mod reader;
mod table;
#[cfg(test)]
mod tests;

pub use column::{TickColumn, TickWriter};
pub use reader::TickReader;
pub use table::TableTicks;

use std::sync::atomic::{AtomicU32, Ordering};

/// Rows per chunk summary.
pub const CHUNK: usize = 16;

/// The oldest age a tick may have; older ticks are clamped to it (they are then older
/// than every system's last run, which is clamped the same way).
pub const MAX_CHANGE_AGE: u32 = u32::MAX / 4 * 3;

/// How many ticks pass between two clamps of every stored tick.
pub const CHECK_INTERVAL: u32 = u32::MAX / 8;

/// Whether `tick` is newer than `last_run`, seen from `now` (both at or before `now`).
///
/// ```
/// use metronome_runtime::storage::ticks::is_newer;
/// assert!(is_newer(5, 4, 10));
/// assert!(is_newer(1, u32::MAX, 2), "across the wrap");
/// ```
#[inline(always)]
pub fn is_newer(tick: u32, last_run: u32, now: u32) -> bool {
    now.wrapping_sub(tick) < now.wrapping_sub(last_run)
}

/// The newer of ticks `a` and `b`, seen from `now` (neither is after `now`).
///
/// ```
/// use metronome_runtime::storage::ticks::newer;
/// assert_eq!(newer(3, 5, 9), 5);
/// assert_eq!(newer(u32::MAX, 1, 2), 1, "across the wrap");
/// ```
#[inline(always)]
pub fn newer(a: u32, b: u32, now: u32) -> u32 {
    if now.wrapping_sub(a) <= now.wrapping_sub(b) {
        a
    } else {
        b
    }
}

/// `tick`, or `now - MAX_CHANGE_AGE` if it is older than that.
///
/// ```
/// use metronome_runtime::storage::ticks::{clamp, MAX_CHANGE_AGE};
/// assert_eq!(clamp(7, 9), 7);
/// assert_eq!(clamp(9, 8), 8u32.wrapping_sub(MAX_CHANGE_AGE));
/// ```
#[inline]
pub fn clamp(tick: u32, now: u32) -> u32 {
    if now.wrapping_sub(tick) > MAX_CHANGE_AGE {
        now.wrapping_sub(MAX_CHANGE_AGE)
    } else {
        tick
    }
}

/// One tick. Atomic (relaxed loads and stores, plain moves on common targets): a query
/// may mark rows through a shared borrow (`Query::get`, `iter` of `&mut T` data) while
/// another query of the same system reads them on another thread, so every access is
/// atomic and no interleaving is a data race; ordering does not matter, as every writer
/// of one stage writes the same tick.
#[repr(transparent)]
pub struct TickCell(AtomicU32);

impl TickCell {
    fn new(tick: u32) -> TickCell {
        TickCell(AtomicU32::new(tick))
    }
    #[inline(always)]
    fn get(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }
    #[inline(always)]
    fn store(&self, tick: u32) {
        self.0.store(tick, Ordering::Relaxed)
    }
    #[inline(always)]
    fn set(&mut self, tick: u32) {
        *self.0.get_mut() = tick;
    }
}
