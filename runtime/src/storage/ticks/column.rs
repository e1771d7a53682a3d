//! One tracked column's ticks ([`TickColumn`]) and the [`TickWriter`] through which
//! query items mark its rows changed.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use super::{clamp, newer, TickCell, CHUNK};

/// The ticks of one tracked column, row by row.
pub struct TickColumn {
    pub(super) added: Vec<TickCell>,
    pub(super) changed: Vec<TickCell>,
    /// The newest `changed` (or `added`) tick of each chunk of [`CHUNK`] rows, or a newer
    /// one (a summary may overstate, never understate). Atomic: rows of one chunk may be
    /// written by several threads of a parallel loop.
    pub(super) chunks: Vec<AtomicU32>,
    /// Whether `whole` holds a change of every row (a `&mut T` query visited the table):
    /// each row's change is then the newer of its own tick and `whole`. Atomic: stamped
    /// through a shared borrow of the table, as the rows' ticks are.
    pub(super) whole_set: AtomicBool,
    /// The tick of the last change of every row (meaningful while `whole_set`).
    pub(super) whole: AtomicU32,
}

/// Where a query item writes a row's change: row 0 of the `changed` ticks and the tick
/// to write. The chunk summaries of the rows a writer may write were marked when it was
/// made ([`TableTicks::writer`](super::TableTicks::writer),
/// [`TableTicks::row_writer`](super::TableTicks::row_writer)), so a write is one store
/// (a loop over `Mut` items stays a plain loop, which the optimiser may vectorise).
#[derive(Clone, Copy)]
pub struct TickWriter {
    pub(super) changed: *const TickCell,
    pub(super) now: u32,
}

impl TickWriter {
    /// Marks `row` changed now.
    ///
    /// # Safety
    /// The writer came from a table that still has `row` (no structural change since:
    /// the ticks array has not moved), and for `row` if it is a
    /// [`TableTicks::row_writer`](super::TableTicks::row_writer).
    #[inline(always)]
    pub unsafe fn mark(self, row: usize) {
        // SAFETY: `row` is live in the table the writer came from (the caller's
        // guarantee), so within the array, which has not moved; the cell is atomic.
        unsafe { (*self.changed.add(row)).store(self.now) };
    }
}

impl TickColumn {
    pub(super) fn new() -> TickColumn {
        TickColumn {
            added: Vec::new(),
            changed: Vec::new(),
            chunks: Vec::new(),
            whole_set: AtomicBool::new(false),
            whole: AtomicU32::new(0),
        }
    }

    /// The change of row `row`: its own tick, or the whole column's stamp if that is
    /// newer (seen from `now`, which neither is after).
    pub(super) fn effective_changed(&self, row: usize, now: u32) -> u32 {
        let own = self.changed[row].get();
        if self.whole_set.load(Ordering::Relaxed) {
            newer(own, self.whole.load(Ordering::Relaxed), now)
        } else {
            own
        }
    }

    /// Folds the whole column's stamp into every row's tick and chunk summary and drops
    /// it (before a row comes in whose change is older than the stamp: the stamp must not
    /// cover it). With `&mut self`, plain stores the optimiser vectorises.
    pub(super) fn settle(&mut self, now: u32) {
        if !std::mem::take(self.whole_set.get_mut()) {
            return;
        }
        let whole = *self.whole.get_mut();
        for cell in self.changed.iter_mut() {
            let tick = newer(cell.get(), whole, now);
            cell.set(tick);
        }
        for chunk in self.chunks.iter_mut() {
            *chunk.get_mut() = newer(*chunk.get_mut(), whole, now);
        }
    }

    pub(super) fn push(&mut self, added: u32, changed: u32) {
        let row = self.added.len();
        self.added.push(TickCell::new(added));
        self.changed.push(TickCell::new(changed));
        if row.is_multiple_of(CHUNK) {
            self.chunks.push(AtomicU32::new(changed));
        } else {
            self.chunks[row / CHUNK].store(changed, Ordering::Relaxed);
        }
    }

    pub(super) fn swap_remove(&mut self, row: usize) {
        self.added.swap_remove(row);
        self.changed.swap_remove(row);
        let len = self.changed.len();
        if row < len {
            // The last row's change moved into `row`'s chunk: that chunk may now hold it.
            let moved = self.changed[row].get();
            let chunk = self.chunks[row / CHUNK].get_mut();
            // The newer of the two, seen from the newest of them (`moved` or the summary
            // were written at or before the world's current tick).
            if moved.wrapping_sub(*chunk) < u32::MAX / 2 {
                *chunk = moved;
            }
        }
        self.chunks.truncate(len.div_ceil(CHUNK));
    }

    pub(super) fn shrink_to_fit(&mut self) {
        self.added.shrink_to_fit();
        self.changed.shrink_to_fit();
        self.chunks.shrink_to_fit();
    }

    pub(super) fn clamp(&mut self, now: u32) {
        for cell in self.added.iter_mut().chain(self.changed.iter_mut()) {
            let tick = clamp(cell.get(), now);
            cell.set(tick);
        }
        for chunk in self.chunks.iter_mut() {
            *chunk.get_mut() = clamp(*chunk.get_mut(), now);
        }
        *self.whole.get_mut() = clamp(*self.whole.get_mut(), now);
    }
}
