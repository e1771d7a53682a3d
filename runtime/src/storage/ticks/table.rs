//! [`TableTicks`]: the ticks of one table's tracked columns, kept in step with the
//! table's rows and stamped with the world's current tick.

use std::sync::atomic::Ordering;

use super::{newer, TickColumn, TickReader, TickWriter, CHUNK};

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
