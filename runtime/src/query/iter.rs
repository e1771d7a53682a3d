//! Iterators over a query's items: table by table, row by row.
//!
//! A `for` loop calls [`Iterator::next`] once per item, so `next` is written for the
//! optimiser. Its hot path is one compare of the row against the current table's length;
//! the row, the length and the table's column pointers are plain values of the iterator
//! (no pointer into it escapes, so a `for` loop keeps them in registers), and an item's
//! `Option` needs no test of its own (the column pointers are known not to be null).
//! Moving to the next table is an out-of-line `#[cold]` call that takes and returns
//! values. The first matched table is loaded when the iterator is built: for a query that
//! matches one archetype (a constant set) no table is left after it, the table change
//! folds away, and the loop is the plain row loop, which unrolls and vectorises like a
//! hand-written loop over slices. Over several archetypes the table change stays in the
//! loop: LLVM then compiles a `for` loop into a tight scalar row loop (the cold call sits
//! outside it), but does not vectorise it, as it vectorises only loops with no call and a
//! known trip count. [`Iterator::fold`] (and so `Iterator::for_each`, `sum`, ...) walks
//! the tables with nested loops, as `Query::for_each` does, and vectorises in every case.
//!
//! A query that touches sparse components (`sparse(...)` of the world) takes the sparse
//! path: every row is its own one-row "table", found by the out-of-line call that
//! changes tables (`MatchedTables::next_sparse_row`, which skips the rows whose entity
//! fails the sparse requirements) with its own row fetch. The hot path is the same code,
//! so other queries pay nothing for it but a test when an iterator is built. A query with
//! `Added`/`Changed` filters that touches no sparse component and writes no tracked one
//! takes the same path by runs: each out-of-line call finds the next run of consecutive
//! passing rows (skipping unchanged chunks without reading their rows) and hands it out
//! as a "table" of the table's fetch from the run's first row to its end.

use super::data::QueryData;
use super::tables::MatchedTables;
use std::iter::FusedIterator;
use std::marker::PhantomData;
use std::mem::MaybeUninit;

/// Where an iterator is: the current table's column pointers, row and length, and the
/// archetypes after it. Only plain values: a `for` loop keeps them in registers (a pointer
/// into the iterator passed to a call would pin the whole iterator in memory).
struct Cursor<'q, D: QueryData> {
    /// The current table's column pointers: initialised whenever `row < len`.
    fetch: MaybeUninit<D::Fetch>,
    row: usize,
    len: usize,
    /// The first archetype not visited yet.
    next: usize,
    /// One past the last matched archetype: no table is left once `next` reaches it.
    end: usize,
    tables: &'q MatchedTables<'q>,
}

/// A table to visit: its column pointers, first row and length, and the archetype after it.
struct NextTable<F> {
    fetch: F,
    /// The first row to visit: 0, or a run's first row (a query with tick filters).
    /// Returned from out of line even when 0: were it a constant, the optimiser would
    /// skip the row compare after a table change and jump straight to the loop's body,
    /// and the loop would keep a single back edge (no row loop of its own).
    row: usize,
    len: usize,
    next: usize,
}

/// The first matched table at or after archetype `from` that has a row. Out of line and
/// cold, so that a `for` loop's row loop stays small.
///
/// # Safety
/// `D`'s ids are `tables.ids`.
#[cold]
#[inline(never)]
unsafe fn next_table<D: QueryData>(
    tables: &MatchedTables<'_>,
    from: usize,
) -> Option<NextTable<D::Fetch>> {
    if tables.runs {
        // SAFETY: forwarded under the caller's guarantee; the query hands out runs.
        let (fetch, row, len, next) = unsafe { tables.next_run::<D>(from) }?;
        // A run of rows of one table, with the table's fetch.
        return Some(NextTable {
            fetch,
            row,
            len,
            next,
        });
    }
    if tables.sparse.is_some() {
        // SAFETY: forwarded under the caller's guarantee; the query has a sparse part.
        let (fetch, next) = unsafe { tables.next_sparse_row::<D>(from) }?;
        // One row: its fetch addresses the row itself (`fetch_row`), so it is row 0.
        return Some(NextTable {
            fetch,
            row: 0,
            len: 1,
            next,
        });
    }
    // SAFETY: forwarded under the caller's guarantee.
    let (fetch, len, archetype) = unsafe { tables.next_with_rows::<D>(from) }?;
    Some(NextTable {
        fetch,
        row: 0,
        len,
        next: archetype + 1,
    })
}

impl<'q, D: QueryData> Cursor<'q, D> {
    /// A cursor on the first matched table (loaded here, inline: for a query that
    /// matches one archetype the match set is a constant, `next == end` from the start,
    /// and the optimiser drops the table change altogether, leaving the plain row loop).
    ///
    /// # Safety
    /// `D`'s ids are `tables.ids`.
    #[inline(always)]
    unsafe fn new(tables: &'q MatchedTables<'q>) -> Self {
        if tables.sparse.is_some() {
            // The sparse path: `next` is a packed (archetype, row) position, and every
            // row comes from `next_table` (so `end` is never reached).
            return Cursor {
                fetch: MaybeUninit::uninit(),
                row: 0,
                len: 0,
                next: 0,
                end: usize::MAX,
                tables,
            };
        }
        let end = tables.end();
        match tables.matches.next_from(0) {
            Some(first) => {
                // SAFETY: `first` is a member of `matches`.
                let table = unsafe { tables.table(first) };
                Cursor {
                    // SAFETY: as above; the ids are `D`'s (the caller's guarantee).
                    fetch: MaybeUninit::new(unsafe { tables.fetch::<D>(first, table) }),
                    row: 0,
                    len: table.len(),
                    next: first + 1,
                    end,
                    tables,
                }
            }
            None => Cursor {
                fetch: MaybeUninit::uninit(),
                row: 0,
                len: 0,
                next: end,
                end,
                tables,
            },
        }
    }

    /// The next (column pointers, row) pair. Moving to a new table goes back to the row
    /// compare; see the module documentation.
    #[inline(always)]
    fn next(&mut self) -> Option<(D::Fetch, usize)> {
        loop {
            if self.row < self.len {
                let row = self.row;
                self.row = row + 1;
                // SAFETY: `fetch` is initialised whenever `row < len` (set with `len`, in
                // `new` and below; `len` is 0 otherwise).
                return Some((unsafe { self.fetch.assume_init() }, row));
            }
            if self.next >= self.end {
                return None;
            }
            // SAFETY: `D`'s ids are `tables.ids` (`Cursor::new`'s contract).
            let table = unsafe { next_table::<D>(self.tables, self.next) }?;
            self.fetch = MaybeUninit::new(table.fetch);
            self.row = table.row;
            self.len = table.len;
            self.next = table.next;
        }
    }

    /// Calls `g` with every (column pointers, row) pair left, table by table.
    #[inline(always)]
    fn fold<B>(self, init: B, mut g: impl FnMut(B, D::Fetch, usize) -> B) -> B {
        let mut acc = init;
        if self.tables.sparse.is_some() {
            let mut cursor = self;
            while let Some((fetch, row)) = cursor.next() {
                acc = g(acc, fetch, row);
            }
            return acc;
        }
        if self.row < self.len {
            // SAFETY: initialised whenever `row < len` (see `next`).
            let fetch = unsafe { self.fetch.assume_init() };
            for row in self.row..self.len {
                acc = g(acc, fetch, row);
            }
        }
        let tables = self.tables;
        // SAFETY: `matches_from` is a subset of `matches`; `D`'s ids are `tables.ids`
        // (`Cursor::new`'s contract).
        let walk = unsafe { tables.walk::<D>(tables.matches_from(self.next)) };
        walk.fold(
            acc,
            #[inline(always)]
            |mut acc, _, fetch, len| {
                for row in 0..len {
                    acc = g(acc, fetch, row);
                }
                acc
            },
        )
    }

    /// Items left.
    fn remaining(&self) -> usize {
        (self.len - self.row) + self.tables.items_from(self.next)
    }
}

/// How an iterator hands out the item of a row: shared ([`Shared`], `Query::iter`) or
/// exclusive ([`Exclusive`], `Query::iter_mut`). The one difference between the two
/// public iterators, which share everything else ([`Items`]).
trait Access<'q, D: QueryData> {
    /// The item handed out.
    type Item;

    /// The item of `row`.
    ///
    /// # Safety
    /// `fetch` came from a matched table of the query and `row` is live in it (so `row <
    /// len`), no other item of the same row is live, and the access this type names
    /// (see its documentation) is granted to the caller for `'q`.
    unsafe fn item(fetch: D::Fetch, row: usize) -> Self::Item;
}

/// Shared access: for `'q`, nothing writes the columns the query's data reads in its
/// matched tables (the iterator borrows the query shared).
enum Shared {}

/// Exclusive access: for `'q`, nothing else accesses the columns the query's data writes,
/// and nothing writes the columns it reads, in its matched tables (the iterator borrows
/// the query exclusively).
enum Exclusive {}

impl<'q, D: QueryData> Access<'q, D> for Shared {
    type Item = D::ReadItem<'q>;

    #[inline(always)]
    unsafe fn item(fetch: D::Fetch, row: usize) -> D::ReadItem<'q> {
        // SAFETY: `row` is live in the table of `fetch`, and only shared items exist for
        // `'q` (the caller's guarantee).
        unsafe { D::read_item(fetch, row) }
    }
}

impl<'q, D: QueryData> Access<'q, D> for Exclusive {
    type Item = D::Item<'q>;

    #[inline(always)]
    unsafe fn item(fetch: D::Fetch, row: usize) -> D::Item<'q> {
        // SAFETY: `row` is live in the table of `fetch`, no other item of it is live, and
        // the access is exclusive for `'q` (the caller's guarantee).
        unsafe { D::item(fetch, row) }
    }
}

/// The iterator behind [`QueryIter`] and [`QueryIterMut`]: a [`Cursor`] that hands out
/// each (column pointers, row) pair it yields as an item of access `A`.
struct Items<'q, D: QueryData, A> {
    cursor: Cursor<'q, D>,
    access: PhantomData<A>,
}

impl<'q, D: QueryData, A: Access<'q, D>> Items<'q, D, A> {
    /// # Safety
    /// `D`'s ids are `tables.ids`, and the access `A` names is granted for `'q`.
    #[inline(always)]
    unsafe fn new(tables: &'q MatchedTables<'q>) -> Self {
        Items {
            // SAFETY: forwarded under the caller's guarantee.
            cursor: unsafe { Cursor::new(tables) },
            access: PhantomData,
        }
    }
}

impl<'q, D: QueryData, A: Access<'q, D>> Iterator for Items<'q, D, A> {
    type Item = A::Item;

    #[inline(always)]
    fn next(&mut self) -> Option<A::Item> {
        let (fetch, row) = self.cursor.next()?;
        // SAFETY: the cursor yields each live (table, row) once, so items never alias;
        // `A`'s access is granted for `'q` (`Items::new`'s contract).
        Some(unsafe { A::item(fetch, row) })
    }

    #[inline(always)]
    fn fold<B, G: FnMut(B, A::Item) -> B>(self, init: B, mut g: G) -> B {
        self.cursor.fold(
            init,
            #[inline(always)]
            |acc, fetch, row| {
                // SAFETY: as in `next`: each row left is visited once.
                g(acc, unsafe { A::item(fetch, row) })
            },
        )
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.cursor.remaining();
        (n, Some(n))
    }

    fn count(self) -> usize {
        self.cursor.remaining()
    }
}

/// Read-only items of a query (see `Query::iter`), archetypes in declaration order, rows
/// in storage order.
///
/// ```
/// use metronome_runtime::Query;
/// # struct Health(u32); impl metronome_runtime::Component for Health { const NAME: &'static str = "Health"; }
/// fn total(q: Query<&Health>) -> u32 {
///     let mut sum = 0;
///     for health in q.iter() {
///         sum += health.0;
///     }
///     sum
/// }
/// ```
pub struct QueryIter<'q, D: QueryData>(Items<'q, D, Shared>);

impl<'q, D: QueryData> QueryIter<'q, D> {
    /// # Safety
    /// `D`'s ids are `tables.ids`; for `'q`, nothing writes the columns `D` reads in the
    /// matched tables.
    #[inline(always)]
    pub(crate) unsafe fn new(tables: &'q MatchedTables<'q>) -> Self {
        // SAFETY: the caller's guarantee is `Shared`'s access.
        QueryIter(unsafe { Items::new(tables) })
    }
}

/// Items of a query (see `Query::iter_mut`), archetypes in declaration order, rows in
/// storage order.
///
/// ```
/// use metronome_runtime::Query;
/// # struct Health(u32); impl metronome_runtime::Component for Health { const NAME: &'static str = "Health"; }
/// fn heal(mut q: Query<&mut Health>) {
///     for health in q.iter_mut() {
///         health.0 += 1;
///     }
/// }
/// ```
pub struct QueryIterMut<'q, D: QueryData>(Items<'q, D, Exclusive>);

impl<'q, D: QueryData> QueryIterMut<'q, D> {
    /// # Safety
    /// `D`'s ids are `tables.ids`; for `'q`, nothing else accesses the columns `D`
    /// writes, and nothing writes the columns it reads, in the matched tables.
    #[inline(always)]
    pub(crate) unsafe fn new(tables: &'q MatchedTables<'q>) -> Self {
        // SAFETY: the caller's guarantee is `Exclusive`'s access.
        QueryIterMut(unsafe { Items::new(tables) })
    }
}

/// The public iterators forward every method to their [`Items`] (each one an inlined
/// call: the wrappers cost nothing).
macro_rules! forward_iterator {
    ($iter:ident, $item:ident) => {
        impl<'q, D: QueryData> Iterator for $iter<'q, D> {
            type Item = D::$item<'q>;

            #[inline(always)]
            fn next(&mut self) -> Option<Self::Item> {
                self.0.next()
            }

            #[inline(always)]
            fn fold<B, G: FnMut(B, Self::Item) -> B>(self, init: B, g: G) -> B {
                self.0.fold(init, g)
            }

            #[inline(always)]
            fn size_hint(&self) -> (usize, Option<usize>) {
                self.0.size_hint()
            }

            #[inline(always)]
            fn count(self) -> usize {
                self.0.count()
            }
        }

        impl<D: QueryData> ExactSizeIterator for $iter<'_, D> {}
        impl<D: QueryData> FusedIterator for $iter<'_, D> {}
    };
}

forward_iterator!(QueryIter, ReadItem);
forward_iterator!(QueryIterMut, Item);
