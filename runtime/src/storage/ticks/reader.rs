//! [`TickReader`]: a tracked column's ticks as a query's `Added`/`Changed` filter reads
//! them, row by row or by chunk-skipping scans.

use std::sync::atomic::Ordering;

use super::mask::newer_mask;
use super::{is_newer, TickColumn, CHUNK};

/// Reads a tracked column's ticks for a query's `Added`/`Changed` filter.
#[derive(Clone, Copy)]
pub struct TickReader<'t> {
    pub(super) column: &'t TickColumn,
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
