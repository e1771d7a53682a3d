//! The tables a query matches: what its iterators, `for_each` and `get` read.

use super::data::{IdList, QueryData, RowAt};
use super::fold_members;
use crate::bits::Bits;
use crate::entity::Entity;
use crate::storage::{ColumnPointers, SparseStorage, Table};
use std::marker::PhantomData;

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
    /// For a query that touches sparse components (data or filter): the world's sparse
    /// sets and the per-entity requirements. Its iterators then visit one row at a time
    /// (see [`MatchedTables::next_sparse_row`]); `None` for every other query.
    pub(crate) sparse: Option<SparseMatch<'w>>,
    /// For a query with `Added`/`Changed` filters: what a row's ticks must pass. Such a
    /// query also has a `sparse` part (maybe with no requirement), so it takes the
    /// per-row path.
    pub(crate) ticks: Option<TickMatch>,
    /// Whether the per-row path hands out runs of consecutive passing rows with their
    /// table's fetch ([`MatchedTables::next_run`]) rather than one row fetch per row: a
    /// query with tick filters that touches no sparse component (data or filter) and
    /// whose data writes no tracked component (whose table fetch would mark every row of
    /// the table changed, where only the rows handed out may be).
    pub(crate) runs: bool,
}

/// The tick part of a query: the tracked components that must have been added or
/// changed since `last_run`, seen from `now`.
#[derive(Clone, Copy)]
pub(crate) struct TickMatch {
    pub(crate) added: Bits,
    pub(crate) changed: Bits,
    pub(crate) last_run: u32,
    pub(crate) now: u32,
    /// With exactly one filtered component: whether it is `Added` (else `Changed`), and
    /// its id (the fast scan of [`TickMatch::next_passing`]).
    pub(crate) single: Option<(bool, u16)>,
}

impl TickMatch {
    /// The tick part of a query filtering `added` and `changed`.
    #[inline]
    pub(crate) fn new(added: Bits, changed: Bits, last_run: u32, now: u32) -> TickMatch {
        let single = match (added.len(), changed.len()) {
            (1, 0) => added.next_from(0).map(|id| (true, id as u16)),
            (0, 1) => changed.next_from(0).map(|id| (false, id as u16)),
            _ => None,
        };
        TickMatch {
            added,
            changed,
            last_run,
            now,
            single,
        }
    }
}

impl TickMatch {
    /// Whether `row` of `table` passes (a table without the ticks of a filtered
    /// component fails: it cannot have the component, as the filter requires it).
    #[inline]
    pub(crate) fn passes(&self, table: &Table, row: usize) -> bool {
        let Some(ticks) = table.ticks() else {
            return false;
        };
        let (last_run, now) = (self.last_run, self.now);
        self.added.iter().all(|id| {
            ticks
                .reader(id as u16)
                .is_some_and(|r| r.added(row, last_run, now))
        }) && self.changed.iter().all(|id| {
            ticks
                .reader(id as u16)
                .is_some_and(|r| r.changed(row, last_run, now))
        })
    }

    /// The first run of passing rows at or after `row` of `table`: its first row, one
    /// past its last (a run may stop before a passing row), and where the next call may
    /// go on (no row between the run's end and there passes).
    ///
    /// # Safety
    /// No thread writes the table's ticks while the call runs (see
    /// `TickReader::next_run_unshared`).
    #[inline]
    unsafe fn next_run_unshared(&self, table: &Table, row: usize) -> Option<(usize, usize, usize)> {
        let len = table.len();
        if let Some((added, id)) = self.single {
            let reader = table.ticks().and_then(|t| t.reader(id))?;
            // SAFETY: forwarded under the caller's guarantee.
            return unsafe { reader.next_run_unshared(added, row, len, self.last_run, self.now) };
        }
        let start = self.next_passing(table, row);
        (start < len).then(|| {
            let end = self.run_end(table, start + 1);
            (start, end, end)
        })
    }

    /// The first row at or after `row` of `table` that fails (`table.len()` if none): the
    /// end of a run of passing rows.
    #[inline]
    fn run_end(&self, table: &Table, row: usize) -> usize {
        if let Some((added, id)) = self.single {
            let Some(reader) = table.ticks().and_then(|t| t.reader(id)) else {
                return row;
            };
            let (last_run, now) = (self.last_run, self.now);
            return (row..table.len())
                .find(|&r| {
                    !if added {
                        reader.added(r, last_run, now)
                    } else {
                        reader.changed(r, last_run, now)
                    }
                })
                .unwrap_or(table.len());
        }
        (row..table.len())
            .find(|&r| !self.passes(table, r))
            .unwrap_or(table.len())
    }

    /// The first row at or after `row` of `table` that passes (`table.len()` if none).
    /// With one filtered component, the chunks whose summary is older than the last run
    /// are skipped without reading their rows, and the others are scanned in a tight
    /// loop; several filtered components check each row.
    #[inline]
    pub(crate) fn next_passing(&self, table: &Table, row: usize) -> usize {
        if let Some((added, id)) = self.single {
            let Some(reader) = table.ticks().and_then(|t| t.reader(id)) else {
                return table.len();
            };
            return reader
                .next_newer(added, row, table.len(), self.last_run, self.now)
                .unwrap_or(table.len());
        }
        (row..table.len())
            .find(|&r| self.passes(table, r))
            .unwrap_or(table.len())
    }
}

/// The sparse part of a query: which sparse components a row's entity must carry and
/// lack, and where they live.
#[derive(Clone, Copy)]
pub(crate) struct SparseMatch<'w> {
    pub(crate) storage: &'w SparseStorage,
    pub(crate) required: Bits,
    pub(crate) excluded: Bits,
}

impl SparseMatch<'_> {
    /// Whether `entity` passes the sparse requirements (a query on the per-row path for
    /// its `Added`/`Changed` filters alone has none: every entity passes, untested).
    #[inline]
    pub(crate) fn passes(&self, entity: Entity) -> bool {
        (self.required.is_empty() && self.excluded.is_empty())
            || self.storage.passes(entity, self.required, self.excluded)
    }
}

/// A row position `(archetype, row)` packed in one `usize` for the sparse path (the
/// cursor's `next`): the archetype (below `u16::MAX`) in the low 16 bits.
#[inline]
pub(crate) fn sparse_position(archetype: usize, row: usize) -> usize {
    row.checked_mul(1 << 16)
        .expect("a sparse query's table has more rows than this target's `usize` can index")
        | archetype
}

impl<'w> MatchedTables<'w> {
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

    /// The column pointers of matched archetype `a`'s table, for `D`: the table path's
    /// fetch, whose `D::item(fetch, row)` is row `row`'s item.
    ///
    /// # Panics
    /// If the query has a sparse part: a sparse component has no column in the tables
    /// (its pointer would be null where the item assumes a column), and the rows must be
    /// filtered by entity, so such a query walks rows with
    /// [`MatchedTables::next_sparse_row`] only. Every caller tests `sparse` first, and
    /// the optimiser folds this test into that one.
    ///
    /// # Safety
    /// `a` is a member of `matches`, and `D`'s ids are `self.ids`.
    #[inline(always)]
    pub(crate) unsafe fn fetch<D: QueryData>(&self, a: usize, table: &Table) -> D::Fetch {
        assert!(
            self.sparse.is_none() || self.runs,
            "a query with a sparse part walked the tables"
        );
        // SAFETY: `a` is below `tables.len()` (as in `table`), `columns` has one row per
        // table and the ids are component ids of the world (the type's invariant).
        unsafe { D::fetch(table, self.columns.row(a), self.ids.as_slice()) }
    }

    /// [`MatchedTables::fetch`] for the item of `row` only (see [`QueryData::fetch_one`]).
    ///
    /// # Safety
    /// As for [`MatchedTables::fetch`], with `row < table.len()`.
    #[inline(always)]
    pub(crate) unsafe fn fetch_one<D: QueryData>(
        &self,
        a: usize,
        table: &Table,
        row: usize,
    ) -> D::Fetch {
        assert!(
            self.sparse.is_none(),
            "a query with a sparse part walked the tables"
        );
        // SAFETY: as in `fetch`; `row < len` is the caller's guarantee.
        unsafe { D::fetch_one(table, self.columns.row(a), self.ids.as_slice(), row) }
    }

    /// A walk over the matched tables of `set`, for data `D` (see [`TableWalk`]).
    ///
    /// # Safety
    /// `set` holds members of `matches` only, and `D`'s ids are `self.ids`.
    #[inline(always)]
    pub(crate) unsafe fn walk<D: QueryData>(&self, set: Bits) -> TableWalk<'_, 'w, D> {
        TableWalk {
            tables: self,
            set,
            data: PhantomData,
        }
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

    /// For a query with a sparse part: the first row at or after the packed position
    /// `from` ([`sparse_position`]) of a matched table whose entity passes the sparse
    /// requirements, as its row fetch (`D::item(fetch, 0)` is its item) and the packed
    /// position after it.
    ///
    /// # Safety
    /// `D`'s ids are `self.ids`; `self.sparse` is `Some` (a query of the table path has no
    /// row fetch to offer).
    #[inline(never)]
    pub(crate) unsafe fn next_sparse_row<D: QueryData>(
        &self,
        from: usize,
    ) -> Option<(D::Fetch, usize)> {
        let sparse = self.sparse.as_ref()?;
        let (mut a, mut row) = (from & 0xFFFF, from >> 16);
        loop {
            let archetype = self.matches.next_from(a)?;
            if archetype != a {
                (a, row) = (archetype, 0);
            }
            // SAFETY: `a` is a member of `matches` (`next_from`).
            let table = unsafe { self.table(a) };
            while row < table.len() {
                if let Some(ticks) = &self.ticks {
                    row = ticks.next_passing(table, row);
                    if row >= table.len() {
                        break;
                    }
                }
                let entity = table.entities()[row];
                if sparse.passes(entity) {
                    let at = RowAt {
                        row,
                        entity,
                        sparse: sparse.storage,
                    };
                    // SAFETY: `a` is below `tables.len()` with a row of `columns` (the
                    // type's invariant), the ids are `D`'s (the caller's guarantee), `row`
                    // is below the table's length and `entity` owns it, and the sparse
                    // storage is the world's (`Query::__new`).
                    let fetch = unsafe {
                        D::fetch_row(table, self.columns.row(a), self.ids.as_slice(), at)
                    };
                    return Some((fetch, sparse_position(a, row + 1)));
                }
                row += 1;
            }
            (a, row) = (a + 1, 0);
        }
    }

    /// For a query on the per-row path that hands out runs (`self.runs`): the first run
    /// of consecutive rows that pass its tick filters at or after the packed position
    /// `from` ([`sparse_position`]) of a matched table, as the table's fetch, the run's
    /// first row and one past its last, and the packed position after it.
    ///
    /// # Safety
    /// `D`'s ids are `self.ids`; `self.runs` holds.
    #[inline(always)]
    pub(crate) unsafe fn next_run<D: QueryData>(
        &self,
        from: usize,
    ) -> Option<(D::Fetch, usize, usize, usize)> {
        debug_assert!(self.runs);
        let ticks = self.ticks.as_ref()?;
        let (mut a, mut row) = (from & 0xFFFF, from >> 16);
        loop {
            let archetype = self.matches.next_from(a)?;
            if archetype != a {
                (a, row) = (archetype, 0);
            }
            // SAFETY: `a` is a member of `matches` (`next_from`).
            let table = unsafe { self.table(a) };
            // SAFETY: the query reads the filtered components (its `Added`/`Changed`
            // declare it) and writes no tracked component (`runs`): nothing writes the
            // table's ticks while it is borrowed (see `next_run_unshared`).
            if let Some((start, end, resume)) = unsafe { ticks.next_run_unshared(table, row) } {
                // SAFETY: `a` is a member of `matches`; the ids are `D`'s (the caller's
                // guarantee), and the query touches no sparse component (`runs`).
                let fetch = unsafe { self.fetch::<D>(a, table) };
                return Some((fetch, start, end, sparse_position(a, resume)));
            }
            (a, row) = (a + 1, 0);
        }
    }

    /// For a query with a sparse part: the rows at or after the packed position `from`
    /// that pass its requirements.
    fn sparse_rows_from(&self, from: usize) -> usize {
        let Some(sparse) = self.sparse.as_ref() else {
            return 0;
        };
        let (start, first_row) = (from & 0xFFFF, from >> 16);
        self.matches
            .iter()
            .filter(|&a| a >= start)
            .map(|a| {
                let skip = if a == start { first_row } else { 0 };
                let table = &self.tables[a];
                (skip..table.len())
                    .filter(|&row| {
                        sparse.passes(table.entities()[row])
                            && self.ticks.as_ref().is_none_or(|t| t.passes(table, row))
                    })
                    .count()
            })
            .sum()
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

    /// The query's items at or after position `from` of its iterators' cursor: rows of
    /// the matched tables from archetype `from` on, or for a query with a sparse part,
    /// the rows that pass its requirements from the packed position `from` on.
    pub(crate) fn items_from(&self, from: usize) -> usize {
        if self.sparse.is_some() {
            return self.sparse_rows_from(from);
        }
        self.rows_from(from)
    }

    /// Rows in the matched tables at or after archetype `from`.
    fn rows_from(&self, from: usize) -> usize {
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

/// The matched tables of a set of archetypes, to walk in archetype order for data `D`:
/// the one table walk of `for_each`, `par_for_each`, `par_for_each_with_commands` and
/// the iterators' `fold`. Built by the unsafe [`MatchedTables::walk`], so the walk itself
/// is safe, and the closures given to it are checked as safe code.
///
/// Invariant (from `walk`'s contract, the fields being private to this module): every
/// member of `set` is a member of `tables.matches`, and `D`'s ids are `tables.ids`.
pub(crate) struct TableWalk<'t, 'w, D> {
    tables: &'t MatchedTables<'w>,
    set: Bits,
    data: PhantomData<fn() -> D>,
}

impl<D: QueryData> TableWalk<'_, '_, D> {
    /// Folds `f` over the tables: `f(acc, archetype, fetch, len)` with each table's
    /// column pointers ([`MatchedTables::fetch`]: `D::item(fetch, row)` is the item of
    /// row `row < len`) and length, empty tables included; compiled as
    /// [`fold_members`] says.
    ///
    /// # Panics
    /// If the query has a sparse part (as [`MatchedTables::fetch`]).
    #[inline(always)]
    pub(crate) fn fold<B>(self, init: B, mut f: impl FnMut(B, usize, D::Fetch, usize) -> B) -> B {
        let tables = self.tables;
        fold_members(
            self.set,
            init,
            #[inline(always)]
            |acc, a| {
                // SAFETY: `a` is a member of `set`, so of `matches` (the type's invariant).
                let table = unsafe { tables.table(a) };
                // SAFETY: as above; the ids are `D`'s (the type's invariant).
                let fetch = unsafe { tables.fetch::<D>(a, table) };
                f(acc, a, fetch, table.len())
            },
        )
    }
}
