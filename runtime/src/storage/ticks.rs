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

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

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

/// Bit `i` set for each of the first [`CHUNK`] ticks of `ticks` (fewer if it is shorter)
/// younger than `limit` seen from `now`: over a whole chunk, one vectorised compare.
#[inline(always)]
fn newer_mask(ticks: &[u32], now: u32, limit: u32) -> u32 {
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
    /// Whether `whole` holds a change of every row (a `&mut T` query visited the table):
    /// each row's change is then the newer of its own tick and `whole`. Atomic: stamped
    /// through a shared borrow of the table, as the rows' ticks are.
    whole_set: AtomicBool,
    /// The tick of the last change of every row (meaningful while `whole_set`).
    whole: AtomicU32,
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
    /// Whether every row changed after `last_run` (seen from `now`) by one stamp of the
    /// whole column.
    #[inline]
    fn whole_changed(&self, last_run: u32, now: u32) -> bool {
        self.column.whole_set.load(Ordering::Relaxed)
            && is_newer(self.column.whole.load(Ordering::Relaxed), last_run, now)
    }
    /// Whether row `row` was added after `last_run` (seen from `now`).
    #[inline]
    pub fn added(&self, row: usize, last_run: u32, now: u32) -> bool {
        is_newer(self.column.added[row].get(), last_run, now)
    }
    /// Whether row `row` changed (or was added) after `last_run` (seen from `now`).
    #[inline]
    pub fn changed(&self, row: usize, last_run: u32, now: u32) -> bool {
        is_newer(self.column.changed[row].get(), last_run, now) || self.whole_changed(last_run, now)
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
        if !added && from < end && self.whole_changed(last_run, now) {
            return Some(from);
        }
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

    /// The first run of consecutive rows in `from..end` (`end` at most the table's
    /// length) added (`added`) or changed after `last_run`, seen from `now`: its first
    /// row, one past its last (a run ends at a chunk's end at the latest), and where the
    /// next search may resume (past the run, and past the rest of its chunk when no row
    /// there passes). As
    /// [`TickReader::next_newer`], but reading the ticks as plain integers, sixteen at a
    /// time (vectorised compares), where [`TickReader::next_newer`] loads one atomic
    /// after another.
    ///
    /// # Safety
    /// No thread writes this column's ticks while the call runs. A query holds that when
    /// it reads the component (`Added`/`Changed` declare a read of it) and writes none of
    /// the table's tracked components: every writer of ticks is a query (or item) with
    /// write access to the component, or `&mut` world, and the schedule never runs one
    /// beside a reader of the same component in the same archetypes
    /// (`ParamAccess::conflicts`, `self_conflict` within a system), nor does a world
    /// hand out a writing query while a shared borrow of it is live.
    #[inline]
    pub unsafe fn next_run_unshared(
        &self,
        added: bool,
        from: usize,
        end: usize,
        last_run: u32,
        now: u32,
    ) -> Option<(usize, usize, usize)> {
        let column = self.column;
        let cells = if added {
            &column.added
        } else {
            &column.changed
        };
        let end = end.min(cells.len());
        if from >= end {
            return None;
        }
        if !added && self.whole_changed(last_run, now) {
            return Some((from, end, end));
        }
        // SAFETY: `TickCell` is a transparent `AtomicU32`, laid out as a `u32`; no thread
        // writes the cells while the call runs (the caller's guarantee), so shared plain
        // views of them are read-only for as long as they live (they end with the call).
        let (cells, chunks) = unsafe {
            (
                std::slice::from_raw_parts(cells.as_ptr().cast::<u32>(), end),
                std::slice::from_raw_parts(
                    column.chunks.as_ptr().cast::<u32>(),
                    end.div_ceil(CHUNK),
                ),
            )
        };
        let limit = now.wrapping_sub(last_run);
        let run = |base: usize, rows: u32| {
            let start = rows.trailing_zeros();
            let len = (!(rows >> start)).trailing_zeros();
            let stop = (base + (start + len) as usize).min(end);
            // `rows` has no bit past the chunk's rows: nothing passes after the run in it
            // when no bit is left.
            let resume = if rows >> (start + len) == 0 {
                (base + CHUNK).min(end)
            } else {
                stop
            };
            (base + start as usize, stop, resume)
        };
        let mut chunk = from / CHUNK;
        let first = from % CHUNK;
        if first != 0 {
            // The rest of a chunk (where the last run ended, typically).
            if now.wrapping_sub(chunks[chunk]) < limit {
                let base = chunk * CHUNK;
                let rows = newer_mask(&cells[base..], now, limit) & (u32::MAX << first);
                if rows != 0 {
                    return Some(run(base, rows));
                }
            }
            chunk += 1;
        }
        while chunk < chunks.len() {
            // The chunks from `chunk` on whose summary is newer, sixteen at a time.
            let summaries = newer_mask(&chunks[chunk..], now, limit);
            if summaries == 0 {
                chunk += CHUNK;
                continue;
            }
            chunk += summaries.trailing_zeros() as usize;
            let base = chunk * CHUNK;
            let rows = newer_mask(&cells[base..], now, limit);
            if rows != 0 {
                return Some(run(base, rows));
            }
            chunk += 1;
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
        ) || self.whole_changed(last_run, now)
    }
}

impl TickColumn {
    fn new() -> TickColumn {
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
    fn effective_changed(&self, row: usize, now: u32) -> u32 {
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
    fn settle(&mut self, now: u32) {
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
        *self.whole.get_mut() = clamp(*self.whole.get_mut(), now);
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
    /// visited the table): one stamp of the whole column, whatever its length.
    #[inline]
    pub(crate) fn mark_all_changed(&self, id: u16) {
        let Some(p) = self.position(id) else {
            return;
        };
        let column = &self.columns[p];
        column.whole.store(self.now, Ordering::Relaxed);
        column.whole_set.store(true, Ordering::Relaxed);
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
        let now = self.now;
        for (p, &id) in self.ids.iter().enumerate() {
            if let Some(q) = src.position(id) {
                let (from, to) = (&src.columns[q], &mut self.columns[p]);
                let changed = from.effective_changed(row, now);
                if *to.whole_set.get_mut() && newer(changed, *to.whole.get_mut(), now) != changed {
                    // The row's change is older than the stamp of the rows already here:
                    // give them the stamp one by one, so it does not cover this row.
                    to.settle(now);
                }
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

    /// The rows `reader` passes, row by row.
    fn per_row(
        reader: TickReader<'_>,
        added: bool,
        len: usize,
        last_run: u32,
        now: u32,
    ) -> Vec<usize> {
        (0..len)
            .filter(|&r| {
                if added {
                    reader.added(r, last_run, now)
                } else {
                    reader.changed(r, last_run, now)
                }
            })
            .collect()
    }

    /// The rows the chunk-skipping scan of atomics finds.
    fn by_next_newer(
        reader: TickReader<'_>,
        added: bool,
        len: usize,
        last_run: u32,
        now: u32,
    ) -> Vec<usize> {
        std::iter::successors(reader.next_newer(added, 0, len, last_run, now), |&r| {
            reader.next_newer(added, r + 1, len, last_run, now)
        })
        .collect()
    }

    /// The rows of the runs the vectorised scan finds (each run non-empty, in order).
    fn by_runs(
        reader: TickReader<'_>,
        added: bool,
        len: usize,
        last_run: u32,
        now: u32,
    ) -> Vec<usize> {
        let mut rows = Vec::new();
        let mut from = 0;
        loop {
            // SAFETY: nothing else touches the ticks (the test owns them).
            let run = unsafe { reader.next_run_unshared(added, from, len, last_run, now) };
            let Some((start, end, resume)) = run else {
                break;
            };
            assert!(end <= resume && resume <= len, "{end} {resume} {len}");
            assert!(
                from <= start && start < end && end <= len,
                "{from} {start} {end} {len}"
            );
            rows.extend(start..end);
            from = resume;
        }
        rows
    }

    proptest::proptest! {
        /// Both chunk-skipping scans yield exactly the rows a per-row scan yields, for
        /// changes written row by row, through a `Mut` writer and by whole-column stamps,
        /// rows moved in from another table (`carry`, which must not inherit the stamp),
        /// swap-removes, and readers whose last run is several ticks back (a system
        /// skipped by run conditions), with the clock started anywhere (near the wrap).
        #[test]
        fn chunk_scans_match_the_per_row_scan(
            start in proptest::prelude::any::<u32>(),
            rows in 1usize..200,
            steps in proptest::collection::vec((0u8..6, 0usize..400), 1..40),
            lag in 0u32..6,
        ) {
            let mut ticks = table_ticks(rows, start);
            let mut other = table_ticks(8, start);
            let mut now = start;
            let mut history = vec![now];
            for (op, arg) in steps {
                now = now.wrapping_add(1);
                history.push(now);
                ticks.set_now(now);
                other.set_now(now);
                let len = ticks.reader(3).expect("tracked").column.changed.len();
                match op {
                    0 if len > 0 => ticks.mark_changed(3, arg % len),
                    1 if len > 0 => ticks.mark_row_changed(3, arg % len),
                    2 => ticks.mark_all_changed(3),
                    3 if len > 0 => {
                        let writer = ticks.writer(3).expect("tracked");
                        // SAFETY: the row is below the length; nothing moved since.
                        unsafe { writer.mark(arg % len) };
                    }
                    4 => {
                        ticks.push();
                        let row = ticks.reader(3).expect("tracked").column.changed.len() - 1;
                        ticks.carry(row, &other, arg % 8);
                    }
                    5 if len > 1 => ticks.swap_remove(arg % len),
                    _ => other.mark_all_changed(3),
                }
                let len = ticks.reader(3).expect("tracked").column.changed.len();
                let last_run = history[history.len().saturating_sub(2 + lag as usize)];
                let reader = ticks.reader(3).expect("tracked");
                for added in [false, true] {
                    let expected = per_row(reader, added, len, last_run, now);
                    proptest::prop_assert_eq!(&by_next_newer(reader, added, len, last_run, now), &expected);
                    proptest::prop_assert_eq!(&by_runs(reader, added, len, last_run, now), &expected);
                }
            }
        }
    }

    #[test]
    fn a_row_carried_into_a_stamped_column_is_not_covered_by_the_stamp() {
        let mut ticks = table_ticks(40, 1);
        let old = table_ticks(1, 1);
        ticks.set_now(5);
        ticks.mark_all_changed(3);
        ticks.set_now(6);
        ticks.push();
        ticks.carry(40, &old, 0);
        let reader = ticks.reader(3).expect("tracked");
        assert_eq!(
            by_runs(reader, false, 41, 4, 6),
            (0..40).collect::<Vec<_>>()
        );
        assert!(!reader.changed(40, 4, 6), "changed at 1, before the stamp");
        assert!(reader.changed(39, 4, 6), "stamped at 5");
    }
}
