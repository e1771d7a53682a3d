//! Change ticks of tracked components (`track(...)` of a world): per tracked column of a
//! table, the tick each row's value was added at and last changed at, plus a summary per
//! chunk of [`CHUNK`] rows (the newest change in the chunk), so that a `Changed<T>` query
//! skips the chunks nothing changed in without reading their rows.
//!
//! Ticks compare by age (`now - tick`, wrapping): a tick is newer than another when its
//! age is smaller. Ages stay meaningful as long as no live tick is older than
//! [`MAX_CHANGE_AGE`]; the world clamps older ones (`Storage::clamp_ticks`).
//!
//! A table of a world without tracked components has no [`TableTicks`] at all: untracked
//! columns pay nothing.

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

/// The ticks of one tracked column, row by row.
pub struct TickColumn {
    added: Vec<TickCell>,
    changed: Vec<TickCell>,
    /// The newest `changed` (or `added`) tick of each chunk of [`CHUNK`] rows, or a newer
    /// one (a summary may overstate, never understate). Atomic: rows of one chunk may be
    /// written by several threads of a parallel loop.
    chunks: Vec<AtomicU32>,
}

/// Where a query item writes a row's change: row 0 of the `changed` ticks and the tick
/// to write. The chunk summaries of the rows a writer may write were marked when it was
/// made ([`TableTicks::writer`], [`TableTicks::row_writer`]), so a write is one store (a
/// loop over `Mut` items stays a plain loop, which the optimiser may vectorise).
#[derive(Clone, Copy)]
pub struct TickWriter {
    changed: *const TickCell,
    now: u32,
}

impl TickWriter {
    /// Marks `row` changed now.
    ///
    /// # Safety
    /// The writer came from a table that still has `row` (no structural change since:
    /// the ticks array has not moved), and for `row` if it is a
    /// [`TableTicks::row_writer`].
    #[inline(always)]
    pub unsafe fn mark(self, row: usize) {
        // SAFETY: `row` is live in the table the writer came from (the caller's
        // guarantee), so within the array, which has not moved; the cell is atomic.
        unsafe { (*self.changed.add(row)).store(self.now) };
    }
}

/// Reads a tracked column's ticks for a query's `Added`/`Changed` filter.
#[derive(Clone, Copy)]
pub struct TickReader<'t> {
    column: &'t TickColumn,
}

impl TickReader<'_> {
    /// Whether row `row` was added after `last_run` (seen from `now`).
    #[inline]
    pub fn added(&self, row: usize, last_run: u32, now: u32) -> bool {
        is_newer(self.column.added[row].get(), last_run, now)
    }
    /// Whether row `row` changed (or was added) after `last_run` (seen from `now`).
    #[inline]
    pub fn changed(&self, row: usize, last_run: u32, now: u32) -> bool {
        is_newer(self.column.changed[row].get(), last_run, now)
    }
    /// The first row in `from..end` (`end` at most the table's length) added (`added`)
    /// or changed after `last_run`, skipping the chunks whose summary is older.
    #[inline]
    pub fn next_newer(
        &self,
        added: bool,
        mut from: usize,
        end: usize,
        last_run: u32,
        now: u32,
    ) -> Option<usize> {
        let cells = if added {
            &self.column.added
        } else {
            &self.column.changed
        };
        let end = end.min(cells.len());
        let limit = now.wrapping_sub(last_run);
        let chunks = &self.column.chunks[..end.div_ceil(CHUNK)];
        while from < end {
            let chunk = from / CHUNK;
            let chunk_end = ((chunk + 1) * CHUNK).min(end);
            if now.wrapping_sub(chunks[chunk].load(Ordering::Relaxed)) < limit {
                let hit = cells[from..chunk_end]
                    .iter()
                    .position(|cell| now.wrapping_sub(cell.get()) < limit);
                if let Some(offset) = hit {
                    return Some(from + offset);
                }
            }
            // The next chunk whose summary is newer, found in one tight loop.
            let skip = chunks[chunk + 1..]
                .iter()
                .position(|c| now.wrapping_sub(c.load(Ordering::Relaxed)) < limit)?;
            from = (chunk + 1 + skip) * CHUNK;
        }
        None
    }

    /// Whether some row of chunk `chunk` may have changed after `last_run`.
    #[inline]
    pub fn chunk_changed(&self, chunk: usize, last_run: u32, now: u32) -> bool {
        is_newer(
            self.column.chunks[chunk].load(Ordering::Relaxed),
            last_run,
            now,
        )
    }
}

impl TickColumn {
    fn new() -> TickColumn {
        TickColumn {
            added: Vec::new(),
            changed: Vec::new(),
            chunks: Vec::new(),
        }
    }

    fn push(&mut self, added: u32, changed: u32) {
        let row = self.added.len();
        self.added.push(TickCell::new(added));
        self.changed.push(TickCell::new(changed));
        if row.is_multiple_of(CHUNK) {
            self.chunks.push(AtomicU32::new(changed));
        } else {
            self.chunks[row / CHUNK].store(changed, Ordering::Relaxed);
        }
    }

    fn swap_remove(&mut self, row: usize) {
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

    fn shrink_to_fit(&mut self) {
        self.added.shrink_to_fit();
        self.changed.shrink_to_fit();
        self.chunks.shrink_to_fit();
    }

    fn clamp(&mut self, now: u32) {
        for cell in self.added.iter_mut().chain(self.changed.iter_mut()) {
            let tick = clamp(cell.get(), now);
            cell.set(tick);
        }
        for chunk in self.chunks.iter_mut() {
            *chunk.get_mut() = clamp(*chunk.get_mut(), now);
        }
    }
}

/// The ticks of a table's tracked columns.
///
/// ```
/// use metronome_runtime::storage::ticks::TableTicks;
/// let ticks = TableTicks::new(&[3]);
/// assert_eq!(ticks.ids(), [3]);
/// assert!(ticks.reader(3).is_some() && ticks.reader(4).is_none());
/// ```
pub struct TableTicks {
    /// The tick new rows and world-side writes are stamped with (set by the world).
    now: u32,
    /// Tracked component ids of the table, with their columns (same order).
    ids: Box<[u16]>,
    columns: Box<[TickColumn]>,
}

impl TableTicks {
    /// Ticks for the tracked components `ids` of a table.
    pub fn new(ids: &[u16]) -> TableTicks {
        TableTicks {
            now: 0,
            ids: ids.into(),
            columns: ids.iter().map(|_| TickColumn::new()).collect(),
        }
    }

    /// The tracked component ids of the table.
    #[inline]
    pub fn ids(&self) -> &[u16] {
        &self.ids
    }

    /// The tick writes are stamped with.
    #[inline(always)]
    pub fn now(&self) -> u32 {
        self.now
    }

    pub(crate) fn set_now(&mut self, now: u32) {
        self.now = now;
    }

    fn position(&self, id: u16) -> Option<usize> {
        self.ids.iter().position(|&i| i == id)
    }

    /// The ticks of tracked component `id`, if the table tracks it.
    #[inline]
    pub fn reader(&self, id: u16) -> Option<TickReader<'_>> {
        Some(TickReader {
            column: &self.columns[self.position(id)?],
        })
    }

    /// The writer of component `id`'s changes in any row, stamping `self.now()`, if
    /// tracked: every chunk summary of the column is marked now (a summary may overstate).
    #[inline]
    pub fn writer(&self, id: u16) -> Option<TickWriter> {
        let column = &self.columns[self.position(id)?];
        for chunk in column.chunks.iter() {
            chunk.store(self.now, Ordering::Relaxed);
        }
        Some(TickWriter {
            changed: column.changed.as_ptr(),
            now: self.now,
        })
    }

    /// The writer of component `id`'s changes in row `row` only (its chunk summary is
    /// marked now), if tracked.
    #[inline]
    pub fn row_writer(&self, id: u16, row: usize) -> Option<TickWriter> {
        let column = &self.columns[self.position(id)?];
        if let Some(chunk) = column.chunks.get(row / CHUNK) {
            chunk.store(self.now, Ordering::Relaxed);
        }
        Some(TickWriter {
            changed: column.changed.as_ptr(),
            now: self.now,
        })
    }

    /// Marks `row` of component `id` changed now (a write through `&mut` world).
    pub(crate) fn mark_changed(&mut self, id: u16, row: usize) {
        let now = self.now;
        if let Some(p) = self.position(id) {
            let column = &mut self.columns[p];
            column.changed[row].set(now);
            *column.chunks[row / CHUNK].get_mut() = now;
        }
    }

    /// Marks every row of component `id` changed now (a `&mut T` query of a tracked `T`
    /// visited the table).
    pub(crate) fn mark_all_changed(&self, id: u16) {
        let Some(p) = self.position(id) else {
            return;
        };
        let (column, now) = (&self.columns[p], self.now);
        for cell in column.changed.iter() {
            cell.store(now);
        }
        for chunk in column.chunks.iter() {
            chunk.store(now, Ordering::Relaxed);
        }
    }

    /// Marks `row` of component `id` changed now, if tracked (and `row` is a row).
    pub(crate) fn mark_row_changed(&self, id: u16, row: usize) {
        let Some(p) = self.position(id) else {
            return;
        };
        let (column, now) = (&self.columns[p], self.now);
        if let Some(cell) = column.changed.get(row) {
            cell.store(now);
            column.chunks[row / CHUNK].store(now, Ordering::Relaxed);
        }
    }

    /// A new row: every tracked column added and changed now.
    pub(crate) fn push(&mut self) {
        let now = self.now;
        for column in self.columns.iter_mut() {
            column.push(now, now);
        }
    }

    /// Row `row` removed, the last row moved into its place.
    pub(crate) fn swap_remove(&mut self, row: usize) {
        for column in self.columns.iter_mut() {
            column.swap_remove(row);
        }
    }

    /// Copies the ticks of `row` of `src` into `dst_row` of `self` for every component
    /// both track (a row moved to another archetype keeps its components' ticks).
    pub(crate) fn carry(&mut self, dst_row: usize, src: &TableTicks, row: usize) {
        for (p, &id) in self.ids.iter().enumerate() {
            if let Some(q) = src.position(id) {
                let (from, to) = (&src.columns[q], &mut self.columns[p]);
                let changed = from.changed[row].get();
                to.added[dst_row].set(from.added[row].get());
                to.changed[dst_row].set(changed);
                // The chunk was stamped `now` by the push: at least as new as `changed`.
            }
        }
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        for column in self.columns.iter_mut() {
            column.shrink_to_fit();
        }
    }

    pub(crate) fn clamp(&mut self, now: u32) {
        for column in self.columns.iter_mut() {
            column.clamp(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_compares_ages_across_the_wrap() {
        assert!(is_newer(5, 4, 10));
        assert!(!is_newer(4, 4, 10));
        assert!(!is_newer(3, 4, 10));
        // `now` wrapped past zero; the change did too, the last run did not.
        assert!(is_newer(1, u32::MAX - 1, 3));
        assert!(!is_newer(u32::MAX - 2, u32::MAX - 1, 3));
    }

    #[test]
    fn clamping_keeps_recent_ticks_and_ages_old_ones_to_the_maximum() {
        assert_eq!(clamp(90, 100), 90);
        let now = 10u32;
        let old = now.wrapping_sub(MAX_CHANGE_AGE + 5);
        assert_eq!(clamp(old, now), now.wrapping_sub(MAX_CHANGE_AGE));
    }

    fn table_ticks(rows: usize, now: u32) -> TableTicks {
        let mut ticks = TableTicks::new(&[3]);
        ticks.set_now(now);
        for _ in 0..rows {
            ticks.push();
        }
        ticks
    }

    #[test]
    fn only_chunks_with_a_newer_summary_are_scanned() {
        let mut ticks = table_ticks(300, 1);
        ticks.set_now(5);
        ticks.mark_changed(3, 130);
        ticks.mark_row_changed(3, 299);
        let reader = ticks.reader(3).expect("tracked");
        let found: Vec<usize> =
            std::iter::successors(reader.next_newer(false, 0, 300, 1, 5), |&r| {
                reader.next_newer(false, r + 1, 300, 1, 5)
            })
            .collect();
        assert_eq!(found, [130, 299]);
        assert!(!reader.chunk_changed(0, 1, 5));
        assert!(reader.chunk_changed(130 / CHUNK, 1, 5));
        assert!(!reader.chunk_changed(100 / CHUNK, 1, 5));
        assert_eq!(
            reader.next_newer(true, 0, 300, 1, 5),
            None,
            "nothing added since 1"
        );
        assert!(ticks.reader(4).is_none(), "an untracked id has no ticks");
    }

    #[test]
    fn a_swap_remove_moves_a_change_into_the_holes_chunk() {
        let mut ticks = table_ticks(200, 1);
        ticks.set_now(7);
        ticks.mark_changed(3, 199);
        // Row 199 (changed at 7) fills the hole at row 0, whose chunk was older.
        ticks.swap_remove(0);
        let reader = ticks.reader(3).expect("tracked");
        assert!(reader.chunk_changed(0, 1, 7));
        assert_eq!(reader.next_newer(false, 0, 199, 1, 7), Some(0));
        assert!(reader.changed(0, 1, 7));
        assert!(!reader.added(0, 1, 7));
    }

    #[test]
    fn carried_rows_keep_their_ticks() {
        let mut from = table_ticks(2, 1);
        from.set_now(4);
        from.mark_changed(3, 1);
        let mut to = TableTicks::new(&[3, 9]);
        to.set_now(6);
        to.push();
        to.carry(0, &from, 1);
        let reader = to.reader(3).expect("tracked");
        assert!(
            !reader.added(0, 1, 6) && reader.added(0, 0, 6),
            "added at 1"
        );
        assert!(
            reader.changed(0, 3, 6) && !reader.changed(0, 4, 6),
            "changed at 4"
        );
        assert!(
            to.reader(9).expect("tracked").added(0, 5, 6),
            "new column: added now"
        );
    }
}
