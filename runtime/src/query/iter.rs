//! Iterators over a query's items: table by table, row by row.

use super::data::{IdList, QueryData};
use crate::bits::{Bits, BitsIter};
use crate::storage::{ColumnPointers, Table};

struct Cursor<'q, D: QueryData> {
    tables: &'q [Table],
    columns: &'q ColumnPointers,
    archetypes: BitsIter,
    ids: &'q IdList,
    fetch: Option<D::Fetch>,
    row: usize,
    len: usize,
}

impl<'q, D: QueryData> Cursor<'q, D> {
    fn new(
        tables: &'q [Table],
        columns: &'q ColumnPointers,
        matches: Bits,
        ids: &'q IdList,
    ) -> Self {
        Cursor {
            tables,
            columns,
            archetypes: matches.iter(),
            ids,
            fetch: None,
            row: 0,
            len: 0,
        }
    }

    /// The next (fetch, row), moving to the next non-empty table when one ends.
    #[inline(always)]
    fn next(&mut self) -> Option<(D::Fetch, usize)> {
        loop {
            if self.row < self.len {
                if let Some(fetch) = self.fetch {
                    let row = self.row;
                    self.row += 1;
                    return Some((fetch, row));
                }
            }
            let archetype = self.archetypes.next()?;
            let table = &self.tables[archetype];
            // SAFETY: `archetype` indexes `tables` (checked just above), which has one row of
            // `columns` each; the ids are the query's, component ids of the same world.
            self.fetch =
                Some(unsafe { D::fetch(table, self.columns.row(archetype), self.ids.as_slice()) });
            self.row = 0;
            self.len = table.len();
        }
    }

    fn remaining(&self) -> usize {
        let rest: usize = self.archetypes.clone().map(|a| self.tables[a].len()).sum();
        rest + (self.len - self.row)
    }
}

/// Read-only items of a query (see `Query::iter`).
pub struct QueryIter<'q, D: QueryData> {
    cursor: Cursor<'q, D>,
}

impl<'q, D: QueryData> QueryIter<'q, D> {
    pub(crate) fn new(
        tables: &'q [Table],
        columns: &'q ColumnPointers,
        matches: Bits,
        ids: &'q IdList,
    ) -> Self {
        QueryIter {
            cursor: Cursor::new(tables, columns, matches, ids),
        }
    }
}

impl<'q, D: QueryData> Iterator for QueryIter<'q, D> {
    type Item = D::ReadItem<'q>;

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        let (fetch, row) = self.cursor.next()?;
        // SAFETY: `row` is live in a matched table; the iterator borrows the query
        // shared for `'q`, so only shared items exist.
        Some(unsafe { D::read_item(fetch, row) })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.cursor.remaining();
        (n, Some(n))
    }
}

impl<D: QueryData> ExactSizeIterator for QueryIter<'_, D> {}

/// Items of a query (see `Query::iter_mut`).
pub struct QueryIterMut<'q, D: QueryData> {
    cursor: Cursor<'q, D>,
}

impl<'q, D: QueryData> QueryIterMut<'q, D> {
    pub(crate) fn new(
        tables: &'q [Table],
        columns: &'q ColumnPointers,
        matches: Bits,
        ids: &'q IdList,
    ) -> Self {
        QueryIterMut {
            cursor: Cursor::new(tables, columns, matches, ids),
        }
    }
}

impl<'q, D: QueryData> Iterator for QueryIterMut<'q, D> {
    type Item = D::Item<'q>;

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        let (fetch, row) = self.cursor.next()?;
        // SAFETY: each (table, row) is yielded once, so items never alias; the iterator
        // borrows the query exclusively for `'q`.
        Some(unsafe { D::item(fetch, row) })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.cursor.remaining();
        (n, Some(n))
    }
}

impl<D: QueryData> ExactSizeIterator for QueryIterMut<'_, D> {}
