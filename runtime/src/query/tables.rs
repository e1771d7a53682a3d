//! The tables a query matches: what its iterators, `for_each` and `get` read.

use super::data::{IdList, QueryData};
use crate::bits::Bits;
use crate::storage::{ColumnPointers, Table};

/// A query's matched archetypes with the world's tables and column pointers, and the
/// component ids of its data.
///
/// Invariant (from `Query::__new`'s contract): every member of `matches` is below
/// `tables.len()`, `columns` has one row per table, in order, and `ids` are component
/// ids of the tables' world.
pub(crate) struct MatchedTables<'w> {
    pub(crate) tables: &'w [Table],
    pub(crate) columns: &'w ColumnPointers,
    pub(crate) matches: Bits,
    pub(crate) ids: IdList,
}

impl MatchedTables<'_> {
    /// Matched archetype `a`'s table.
    ///
    /// # Safety
    /// `a` is a member of `matches`.
    #[inline(always)]
    pub(crate) unsafe fn table(&self, a: usize) -> &Table {
        debug_assert!(self.matches.contains(a) && a < self.tables.len());
        // SAFETY: `a` is a member of `matches` (the caller's guarantee), so below
        // `tables.len()` (the type's invariant).
        unsafe { self.tables.get_unchecked(a) }
    }

    /// The column pointers of matched archetype `a`'s table, for `D`.
    ///
    /// # Safety
    /// `a` is a member of `matches`, and `D`'s ids are `self.ids`.
    #[inline(always)]
    pub(crate) unsafe fn fetch<D: QueryData>(&self, a: usize, table: &Table) -> D::Fetch {
        // SAFETY: `a` is below `tables.len()` (as in `table`), `columns` has one row per
        // table and the ids are component ids of the world (the type's invariant).
        unsafe { D::fetch(table, self.columns.row(a), self.ids.as_slice()) }
    }

    /// The column pointers, length and archetype of the first matched table at or after
    /// archetype `from` that has a row, if any.
    ///
    /// # Safety
    /// `D`'s ids are `self.ids`.
    #[inline(always)]
    pub(crate) unsafe fn next_with_rows<D: QueryData>(
        &self,
        mut from: usize,
    ) -> Option<(D::Fetch, usize, usize)> {
        loop {
            let a = self.matches.next_from(from)?;
            // SAFETY: `a` is a member of `matches` (`next_from`).
            let table = unsafe { self.table(a) };
            if !table.is_empty() {
                // SAFETY: as above; the ids are `D`'s (the caller's guarantee).
                return Some((unsafe { self.fetch::<D>(a, table) }, table.len(), a));
            }
            from = a + 1;
        }
    }

    /// One past the last matched archetype (0 if none).
    #[inline(always)]
    pub(crate) fn end(&self) -> usize {
        let mut index = self.matches.0.len();
        while index > 0 {
            index -= 1;
            let word = self.matches.0[index];
            if word != 0 {
                return index * 64 + 64 - word.leading_zeros() as usize;
            }
        }
        0
    }

    /// Rows in the matched tables at or after archetype `from`.
    pub(crate) fn rows_from(&self, from: usize) -> usize {
        self.matches
            .iter()
            .filter(|&a| a >= from)
            .map(|a| self.tables[a].len())
            .sum()
    }

    /// The matched archetypes at or after `from`.
    #[inline(always)]
    pub(crate) fn matches_from(&self, from: usize) -> Bits {
        let mut set = self.matches;
        for (index, word) in set.0.iter_mut().enumerate() {
            let start = index * 64;
            if from >= start + 64 {
                *word = 0;
            } else if from > start {
                *word &= u64::MAX << (from - start);
            }
        }
        set
    }
}
