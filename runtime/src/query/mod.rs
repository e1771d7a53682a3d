//! Queries: typed views over the columns of every archetype a query matches.
//!
//! A [`Query`] is built by a world (for a system parameter, or by `query_mut`) with its
//! matched archetypes and component ids computed at compile time from the world's
//! archetype sets; iteration then walks those tables and zips raw column pointers.

mod data;
mod filter;
mod iter;
mod tables;
mod tracked;
mod with_commands;

pub use data::{DataAccess, IdList, QueryData, QueryDataOf, ReadOnlyQueryData, RowAt};
pub use filter::{QueryFilter, QueryFilterOf, With, Without};
pub use iter::{QueryIter, QueryIterMut};
pub use tracked::{Added, Changed, Mut, Tracked, TrackedFetch, TrackedOf};

use crate::bits::Bits;
use crate::entity::{Entity, EntityIndex};
use crate::storage::Storage;
use crate::world::{WorldDef, WorldExecutor};
use std::marker::PhantomData;
use tables::{MatchedTables, SparseMatch, TickMatch};

/// The archetypes of `W` that a query with data `D` and filter `F` visits, decided at
/// compile time. A query that matches no archetype is a compile error.
pub struct QueryPlan<W, D, F>(PhantomData<PlanMarker<W, D, F>>);

type PlanMarker<W, D, F> = fn() -> (W, D, F);
type QueryMarker<D, F> = (fn() -> D, fn() -> F);

impl<W: WorldDef, D: QueryDataOf<W>, F: QueryFilterOf<W>> QueryPlan<W, D, F> {
    /// Matched archetypes (declaration order = bit order), possibly none. A query that
    /// aliases itself fails here. A system's queries are built from this set: `#[world]`
    /// checks each listed system's queries (`queries_match`), spanned at the
    /// system's path, so that error names the system.
    pub const ARCHETYPES: Bits = {
        if let Some(h) = W::HIERARCHY {
            assert!(
                !D::ACCESS.writes.contains(h.child_of as usize)
                    && !D::ACCESS.writes.contains(h.children as usize),
                "{}",
                crate::hierarchy::WRITE_ERROR
            );
        }
        assert!(
            !D::ACCESS.aliased,
            "a query accesses the same component mutably and again; split it into two systems or drop the duplicate"
        );
        matching(
            W::ARCHETYPE_SETS,
            D::ACCESS.required.union(F::WITH),
            F::WITHOUT,
        )
    };

    /// Whether the query touches a sparse component of `W` (in its data or its filter):
    /// it then takes the sparse path (see `Query`). Computed from the world's sparse set,
    /// so a query never reads a sparse component through the tables.
    pub const SPARSE: bool = {
        let touched = D::ACCESS
            .reads
            .union(D::ACCESS.writes)
            .union(D::ACCESS.sparse)
            .union(F::SPARSE_WITH)
            .union(F::SPARSE_WITHOUT)
            .union(F::WITH)
            .union(F::WITHOUT);
        touched.intersects(&W::SPARSE)
    };

    /// Whether the query filters rows by change ticks (`Added`/`Changed`): it then takes
    /// the per-row path, as a query with a sparse part does.
    pub const TICKS: bool = !F::ADDED.is_empty() || !F::CHANGED.is_empty();

    /// [`QueryPlan::ARCHETYPES`], which must not be empty: a query built outside systems
    /// (`query`/`query_mut` of a world) that matches no archetype fails here.
    pub const MATCHES: Bits = {
        let m = Self::ARCHETYPES;
        assert!(
            !m.is_empty(),
            "a query matches no archetype of this world; add an archetype with all its components, or relax its `With`/`Without` filters"
        );
        m
    };
}

/// The archetypes (by index in `sets`) that contain `required` and none of `excluded`.
pub const fn matching(sets: &[Bits], required: Bits, excluded: Bits) -> Bits {
    let mut m = Bits::EMPTY;
    let mut a = 0;
    while a < sets.len() {
        if required.is_subset(&sets[a]) && !excluded.intersects(&sets[a]) {
            m = m.with(a);
        }
        a += 1;
    }
    m
}

/// Entities whose archetype has every component of `D` (but `Option`s) and passes `F`.
///
/// As a system parameter:
///
/// ```
/// use metronome_runtime::{Query, With};
/// # struct Position(f32); impl metronome_runtime::Component for Position { const NAME: &'static str = "Position"; }
/// # struct Velocity(f32); impl metronome_runtime::Component for Velocity { const NAME: &'static str = "Velocity"; }
/// fn integrate(mut movers: Query<(&mut Position, &Velocity)>) {
///     for (pos, vel) in movers.iter_mut() {
///         pos.0 += vel.0;
///     }
/// }
/// ```
pub struct Query<'w, D: QueryData, F: QueryFilter = ()> {
    tables: MatchedTables<'w>,
    index: &'w EntityIndex,
    executor: &'w WorldExecutor,
    _marker: PhantomData<QueryMarker<D, F>>,
}

impl<'w, D: QueryData, F: QueryFilter> Query<'w, D, F> {
    /// A query over `storage`, for world `W`.
    ///
    /// # Safety
    /// `storage` is world `W`'s (one table per archetype of `W::ARCHETYPE_SETS`, in
    /// order). For `'w`, nothing else accesses the columns this query writes, and nothing
    /// writes the columns it reads, in the archetypes it matches (the schedule or `&mut`
    /// world guarantee it); the storage's structure does not change. The same holds for
    /// the values of the sparse components it touches (a sparse component counts as one
    /// column over all archetypes, `ParamAccess::conflicts`), and no sparse set gains or
    /// loses a value meanwhile (only `&mut` world operations and commands applied between
    /// stages do that).
    ///
    /// `last_run` is the tick of the system's last run (`Added`/`Changed` pass the rows
    /// newer than it, seen from the storage's current change tick).
    #[doc(hidden)]
    #[inline(always)]
    pub unsafe fn __new<W: WorldDef>(
        storage: &'w Storage,
        executor: &'w WorldExecutor,
        last_run: u32,
    ) -> Self
    where
        D: QueryDataOf<W>,
        F: QueryFilterOf<W>,
    {
        let per_row = const { QueryPlan::<W, D, F>::SPARSE || QueryPlan::<W, D, F>::TICKS };
        Query {
            tables: MatchedTables {
                tables: storage.tables(),
                columns: storage.column_pointers(),
                matches: QueryPlan::<W, D, F>::ARCHETYPES,
                ids: D::ACCESS.ids,
                runs: const {
                    QueryPlan::<W, D, F>::TICKS
                        && !QueryPlan::<W, D, F>::SPARSE
                        && !D::ACCESS.writes.intersects(&W::TRACKED)
                },
                ticks: if const { QueryPlan::<W, D, F>::TICKS } {
                    Some(TickMatch::new(
                        F::ADDED,
                        F::CHANGED,
                        last_run,
                        storage.change_tick(),
                    ))
                } else {
                    None
                },
                sparse: if per_row {
                    Some(SparseMatch {
                        storage: storage.sparse(),
                        required: D::ACCESS.sparse_required.union(F::SPARSE_WITH),
                        excluded: F::SPARSE_WITHOUT,
                    })
                } else {
                    None
                },
            },
            index: storage.entities(),
            executor,
            _marker: PhantomData,
        }
    }

    /// Number of matching entities.
    pub fn len(&self) -> usize {
        self.tables.items_from(0)
    }

    /// Whether no entity matches.
    pub fn is_empty(&self) -> bool {
        if self.tables.sparse.is_some() {
            return self.len() == 0;
        }
        let t = &self.tables;
        t.matches.iter().all(|a| t.tables[a].is_empty())
    }

    /// Read-only items, archetypes in declaration order, rows in storage order.
    ///
    /// A `for` loop over a query that matches one archetype compiles to the loop a
    /// hand-written loop over slices compiles to (vectorised where that one is); over
    /// several archetypes its row loop is scalar, and [`Query::for_each`] (or
    /// `iter().for_each`) is the one that vectorises.
    #[inline(always)]
    pub fn iter(&self) -> QueryIter<'_, D> {
        // SAFETY: `matches` holds archetype indices of the world (`QueryPlan::ARCHETYPES`),
        // and the storage has one table and one row of `columns` per archetype (`__new`'s
        // contract); the ids are `D`'s in that world. `&self` hands out shared items only,
        // and the query's construction guaranteed nothing writes what it reads.
        unsafe { QueryIter::new(&self.tables) }
    }

    /// Items, archetypes in declaration order, rows in storage order. On speed, see
    /// [`Query::iter`].
    #[inline(always)]
    pub fn iter_mut(&mut self) -> QueryIterMut<'_, D> {
        // SAFETY: as in `iter`; `&mut self` makes the items exclusive to the iterator, and
        // the query's construction guaranteed no conflicting access.
        unsafe { QueryIterMut::new(&self.tables) }
    }

    /// Calls `f` on every item (the fastest way to visit all of them).
    #[inline(always)]
    pub fn for_each(&mut self, mut f: impl FnMut(D::Item<'_>)) {
        if self.tables.sparse.is_some() {
            return self.iter_mut().for_each(f);
        }
        let tables = &self.tables;
        // SAFETY: the set is `matches` itself; the ids are `D`'s (`__new`).
        let walk = unsafe { tables.walk::<D>(tables.matches) };
        // `#[inline(always)]`: the closure is not optimised on its own before it is inlined
        // (its row loop is compiled once, in the system that runs the query).
        walk.fold(
            (),
            #[inline(always)]
            |(), _, fetch, len| {
                for row in 0..len {
                    // SAFETY: `row < len` of a matched table; `&mut self` makes this query's
                    // items exclusive, and its construction guaranteed no conflicting access.
                    f(unsafe { D::item(fetch, row) });
                }
            },
        );
    }

    /// Calls `f` on every item, split over the world's executor (sequential on the
    /// `sequential` executor). Rows are split at heartbeats, not by a grain size.
    pub fn par_for_each(&mut self, f: impl Fn(D::Item<'_>) + Send + Sync) {
        // A query with a sparse part runs on the caller: its rows are found one by one
        // through the sparse sets, and splitting that walk would cost more than it saves.
        // So does a loop the stage runner found faster unsplit
        // (`WorldExecutor::runs_loops_inline`).
        if self.executor.runs_loops_inline() || self.tables.sparse.is_some() {
            return self.for_each(f);
        }
        let (tables, f) = (&self.tables, &f);
        // SAFETY: the set is `matches` itself; the ids are `D`'s (`__new`).
        let walk = unsafe { tables.walk::<D>(tables.matches) };
        // One trip into the pool for all tables.
        self.executor.install(move || {
            walk.fold((), |(), _, fetch, len| {
                let fetch = SendFetch(fetch);
                // Chunks of rows, each walked in `for_each`'s loop.
                crate::exec::par_for_each_chunk(0..len, |rows| {
                    // `&fetch` whole: the closure captures the `Sync` wrapper, not its field.
                    let fetch = &fetch;
                    // SAFETY: `rows` is within `0..len` of a matched table, and the chunks
                    // hold each row once (`par_for_each_chunk` tiles `0..len`), so the items
                    // handed to different threads never alias; the query holds `&mut self`
                    // for the whole loop, and its construction guaranteed no conflicting
                    // access.
                    unsafe { chunk_rows::<D, _>(f, fetch.0, rows) }
                });
            })
        });
    }

    /// The read-only item of `entity`, if it is alive and matches.
    pub fn get(&self, entity: Entity) -> Option<D::ReadItem<'_>> {
        let (fetch, row) = self.locate(entity)?;
        // SAFETY: the row is live in a matched table; `&self` hands out shared items only.
        Some(unsafe { D::read_item(fetch, row) })
    }

    /// The item of `entity`, if it is alive and matches.
    pub fn get_mut(&mut self, entity: Entity) -> Option<D::Item<'_>> {
        let (fetch, row) = self.locate(entity)?;
        // SAFETY: the row is live in a matched table; `&mut self` makes the item exclusive.
        Some(unsafe { D::item(fetch, row) })
    }

    /// The column pointers of `entity`'s table and its row, if it is alive and matches.
    #[inline(always)]
    fn locate(&self, entity: Entity) -> Option<(D::Fetch, usize)> {
        let location = self.index.get(entity)?;
        let a = location.archetype as usize;
        if !self.tables.matches.contains(a) {
            return None;
        }
        // SAFETY: `a` is a member of `matches` (checked above).
        let table = unsafe { self.tables.table(a) };
        if let Some(sparse) = &self.tables.sparse {
            if !sparse.passes(entity) {
                return None;
            }
            if let Some(ticks) = &self.tables.ticks {
                if !ticks.passes(table, location.row as usize) {
                    return None;
                }
            }
            let at = RowAt {
                row: location.row as usize,
                entity,
                sparse: sparse.storage,
            };
            // SAFETY: `a` is a member of `matches`, so has a row of `columns`; the ids are
            // `D`'s; the live `location.row` of `a`'s table is owned by `entity`; the
            // sparse storage is the world's (`__new`). The row fetch addresses row 0.
            let fetch = unsafe {
                D::fetch_row(
                    table,
                    self.tables.columns.row(a),
                    self.tables.ids.as_slice(),
                    at,
                )
            };
            return Some((fetch, 0));
        }
        // SAFETY: `a` is a member of `matches` (checked above); the ids are `D`'s
        // (`__new`); the row is live in the table.
        let fetch = unsafe { self.tables.fetch_one::<D>(a, table, location.row as usize) };
        Some((fetch, location.row as usize))
    }
}

/// `f(f(init, first), second)...` over the members of `set`, in increasing order.
///
/// The set is a constant where a query is built inline (`QueryPlan::ARCHETYPES`): the
/// empty words then cost nothing, and a word with one member calls `f` once with a
/// constant index. A word with several members is hidden from the optimiser
/// ([`opaque`]), so that it compiles to one loop over the members that calls `f` in one
/// place, not one inlined copy of `f` (a vectorised row loop, for `for_each`) per
/// matched archetype, which is what made a world of many systems slow to build.
#[inline(always)]
fn fold_members<B>(set: Bits, init: B, mut f: impl FnMut(B, usize) -> B) -> B {
    let mut acc = init;
    for (word_index, &word) in set.0.iter().enumerate() {
        let mut bits = if word & word.wrapping_sub(1) == 0 {
            word
        } else {
            let hidden = opaque(word);
            // SAFETY: `opaque` returns its input, and `word` has two members or more.
            unsafe { std::hint::assert_unchecked(hidden != 0) };
            hidden
        };
        while bits != 0 {
            acc = f(acc, word_index * 64 + bits.trailing_zeros() as usize);
            bits &= bits - 1;
        }
    }
    acc
}

/// `x`, through an optimisation barrier: the compiler cannot see its value, so a loop
/// bounded by it is not unrolled, while the value stays in a register (an empty
/// `asm!` statement: no instruction, unlike `black_box`, which goes through memory).
#[inline(always)]
fn opaque(mut x: u64) -> u64 {
    #[cfg(any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "riscv64",
        target_arch = "loongarch64"
    ))]
    // SAFETY: the template is empty (a comment naming the register): the statement
    // executes no instruction, touches no memory or stack, and leaves `x` unchanged.
    unsafe {
        std::arch::asm!("/* {0} */", inout(reg) x, options(pure, nomem, nostack, preserves_flags));
    }
    #[cfg(not(any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "riscv64",
        target_arch = "loongarch64"
    )))]
    {
        x = std::hint::black_box(x);
    }
    x
}

/// `f` on the items of `rows` of the table `fetch` addresses: one chunk of
/// [`Query::par_for_each`], in `for_each`'s row loop.
///
/// A function of its own, called once per chunk, so the row loop is compiled with `f`
/// and the column pointers as arguments: `f` is a `&F` parameter (which the compiler
/// knows nothing writes while the function runs) and `fetch` a copy, so what the loop
/// reads of them is loaded once per chunk, not once per row through the pool's shared
/// closure. Not inlined into the splitting loop: that loop only checks the heartbeat
/// between chunks.
///
/// # Safety
/// As for [`QueryData::item`], for every row of `rows`: `fetch` came from a matched
/// table, `rows.end <= ` its length, and no other live reference conflicts with these
/// rows' items while `f` runs.
#[inline(never)]
unsafe fn chunk_rows<D: QueryData, F: Fn(D::Item<'_>)>(
    f: &F,
    fetch: D::Fetch,
    rows: std::ops::Range<usize>,
) {
    for row in rows {
        // SAFETY: `row` is in `rows`, whose items the caller guarantees valid and
        // exclusive (this function's contract).
        f(unsafe { D::item(fetch, row) })
    }
}

/// Column pointers moved into a parallel loop.
struct SendFetch<T>(T);
// SAFETY: the pointers address component columns (`Send + Sync` types) and each row is
// handed to exactly one thread by `par_for_each`.
unsafe impl<T> Send for SendFetch<T> {}
// SAFETY: as above: threads share only the base pointers, never the same row.
unsafe impl<T> Sync for SendFetch<T> {}

impl<'q, 'w, D: QueryData, F: QueryFilter> IntoIterator for &'q mut Query<'w, D, F> {
    type Item = D::Item<'q>;
    type IntoIter = QueryIterMut<'q, D>;
    #[inline(always)]
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<'q, 'w, D: QueryData, F: QueryFilter> IntoIterator for &'q Query<'w, D, F> {
    type Item = D::ReadItem<'q>;
    type IntoIter = QueryIter<'q, D>;
    #[inline(always)]
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
