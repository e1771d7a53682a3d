//! What a query fetches: `&T`, `&mut T`, `Option<&T>`, `Option<&mut T>`, `Entity`, and
//! tuples of them.

use crate::bits::Bits;
use crate::component::{Component, ComponentOf};
use crate::entity::Entity;
use crate::storage::{SparseStorage, Table};

/// A fixed-capacity list of component ids, built in `const` code: the ids a query's
/// fetches read, in the order its data elements consume them.
#[derive(Clone, Copy, Debug)]
pub struct IdList {
    ids: [u16; IdList::CAPACITY],
    len: usize,
}

impl IdList {
    /// The most component ids one query can name.
    pub const CAPACITY: usize = 32;
    /// No ids.
    pub const EMPTY: IdList = IdList {
        ids: [0; IdList::CAPACITY],
        len: 0,
    };

    /// The list of one id.
    pub const fn one(id: u16) -> IdList {
        let mut ids = [0; IdList::CAPACITY];
        ids[0] = id;
        IdList { ids, len: 1 }
    }

    /// `self` followed by `other`.
    pub const fn concat(self, other: IdList) -> IdList {
        assert!(
            self.len + other.len <= IdList::CAPACITY,
            "a query names at most 32 components"
        );
        let mut ids = self.ids;
        let mut i = 0;
        while i < other.len {
            ids[self.len + i] = other.ids[i];
            i += 1;
        }
        IdList {
            ids,
            len: self.len + other.len,
        }
    }

    /// The ids as a slice.
    #[inline(always)]
    pub fn as_slice(&self) -> &[u16] {
        &self.ids[..self.len]
    }
}

/// The component access of a query's data, per component id of a world.
#[derive(Clone, Copy, Debug)]
pub struct DataAccess {
    /// Components an archetype must have to match (non-`Option` fetches).
    pub required: Bits,
    /// Components read (shared), `Option`s included.
    pub reads: Bits,
    /// Components written (exclusive), `Option`s included.
    pub writes: Bits,
    /// Whether some component is fetched twice (`(&mut T, &T)`): the query would alias.
    pub aliased: bool,
    /// Sparse components fetched (`Option`s included); also in `reads`/`writes`. A
    /// sparse component is one column for conflicts: two accesses to it conflict
    /// whatever archetypes they match, if one writes.
    pub sparse: Bits,
    /// Sparse components an entity must carry to match (non-`Option` fetches); never
    /// in `required`, which only names archetype components.
    pub sparse_required: Bits,
    /// Component ids, in fetch order.
    pub ids: IdList,
}

impl DataAccess {
    /// Access of `Entity`: nothing.
    pub const NONE: DataAccess = DataAccess {
        required: Bits::EMPTY,
        reads: Bits::EMPTY,
        writes: Bits::EMPTY,
        aliased: false,
        sparse: Bits::EMPTY,
        sparse_required: Bits::EMPTY,
        ids: IdList::EMPTY,
    };

    /// Access of one component fetch.
    pub const fn component(id: u16, write: bool, required: bool) -> DataAccess {
        let set = Bits::single(id as usize);
        DataAccess {
            required: if required { set } else { Bits::EMPTY },
            reads: if write { Bits::EMPTY } else { set },
            writes: if write { set } else { Bits::EMPTY },
            aliased: false,
            sparse: Bits::EMPTY,
            sparse_required: Bits::EMPTY,
            ids: IdList::one(id),
        }
    }

    /// Access of one component fetch, of a sparse component when `sparse` (then the
    /// requirement is an entity's, not an archetype's).
    pub const fn component_of(id: u16, write: bool, required: bool, sparse: bool) -> DataAccess {
        if !sparse {
            return DataAccess::component(id, write, required);
        }
        let set = Bits::single(id as usize);
        DataAccess {
            required: Bits::EMPTY,
            sparse: set,
            sparse_required: if required { set } else { Bits::EMPTY },
            ..DataAccess::component(id, write, false)
        }
    }

    /// Both accesses, in order.
    pub const fn then(self, other: DataAccess) -> DataAccess {
        let touched_a = self.reads.union(self.writes);
        let touched_b = other.reads.union(other.writes);
        let aliased = self.aliased
            || other.aliased
            || self.writes.intersects(&touched_b)
            || other.writes.intersects(&touched_a);
        DataAccess {
            required: self.required.union(other.required),
            reads: self.reads.union(other.reads),
            writes: self.writes.union(other.writes),
            aliased,
            sparse: self.sparse.union(other.sparse),
            sparse_required: self.sparse_required.union(other.sparse_required),
            ids: self.ids.concat(other.ids),
        }
    }
}

/// Query data that can be fetched from any table.
///
/// # Safety
/// `fetch` reads exactly `WIDTH` ids; `item`/`read_item` only touch the columns that the
/// access of [`QueryDataOf`] declares, and only `&mut` for declared writes.
pub unsafe trait QueryData {
    /// What iteration yields.
    type Item<'a>;
    /// What read-only iteration (`iter`, `get`) yields.
    type ReadItem<'a>;
    /// Per-table state: column pointers.
    type Fetch: Copy;
    /// How many component ids `fetch` consumes.
    const WIDTH: usize;
    /// Column pointers of `table` for the ids (exactly `WIDTH` of them).
    ///
    /// # Safety
    /// `columns` is `table`'s row of its world's
    /// [`ColumnPointers`](crate::storage::ColumnPointers), and every id in `ids` is a
    /// component id of that world.
    unsafe fn fetch(table: &Table, columns: *const *mut u8, ids: &[u16]) -> Self::Fetch;
    /// The item at `row`.
    ///
    /// # Safety
    /// `fetch` came from a table matching the query (so a required component's column
    /// pointer is that of a column the table has, never null), `row < len`, and no other
    /// live reference conflicts with the item for `'a`.
    unsafe fn item<'a>(fetch: Self::Fetch, row: usize) -> Self::Item<'a>;
    /// The read-only item at `row`.
    ///
    /// # Safety
    /// As for [`QueryData::item`], for shared access.
    unsafe fn read_item<'a>(fetch: Self::Fetch, row: usize) -> Self::ReadItem<'a>;
    /// The fetch of one row of `table` for a query that touches sparse components:
    /// `item(fetch, 0)` / `read_item(fetch, 0)` is row `at.row`'s item. A sparse
    /// component's pointer is its value in `at.sparse` (null if the entity lacks it),
    /// the others' that row of the table's column.
    ///
    /// # Safety
    /// As for [`QueryData::fetch`]; `at.row < table.len()`, `at.entity` owns that row, and
    /// `at.sparse` is the sparse storage of the table's world.
    unsafe fn fetch_row(
        table: &Table,
        columns: *const *mut u8,
        ids: &[u16],
        at: RowAt<'_>,
    ) -> Self::Fetch;
    /// As [`QueryData::fetch`], for a fetch whose item is then taken of `row` only
    /// (`Query::get`/`get_mut`): a `&mut T` of a tracked `T` marks that row changed, not
    /// the whole table.
    ///
    /// # Safety
    /// As for [`QueryData::fetch`], with `row < table.len()`.
    #[inline(always)]
    unsafe fn fetch_one(
        table: &Table,
        columns: *const *mut u8,
        ids: &[u16],
        row: usize,
    ) -> Self::Fetch {
        let _ = row;
        // SAFETY: forwarded under the caller's guarantee.
        unsafe { Self::fetch(table, columns, ids) }
    }
}

/// One row of a table, for [`QueryData::fetch_row`].
#[derive(Clone, Copy)]
pub struct RowAt<'s> {
    /// The row.
    pub row: usize,
    /// Its owner.
    pub entity: Entity,
    /// The world's sparse sets.
    pub sparse: &'s SparseStorage,
}

/// Query data whose components all belong to world `W`.
///
/// # Safety
/// `ACCESS` lists every component the data touches, with the right mode, and its ids in
/// the order [`QueryData::fetch`] consumes them.
pub unsafe trait QueryDataOf<W>: QueryData {
    /// The access of the data in `W`.
    const ACCESS: DataAccess;
}

/// Query data that only reads: `Query::iter` on it yields the same items as `iter_mut`.
///
/// # Safety
/// No fetch of the type writes.
pub unsafe trait ReadOnlyQueryData: QueryData {}

/// The fetch of a one-component element: row 0 of the column of `ids[0]`, or null if the
/// table lacks it.
///
/// # Safety
/// As for [`QueryData::fetch`], with `ids` non-empty.
#[inline(always)]
pub(super) unsafe fn column<T>(columns: *const *mut u8, ids: &[u16]) -> *mut T {
    // SAFETY: `ids[0]` is a component id, so within the table's row (the caller's
    // guarantee); the entry is the column's row 0, or null if the table lacks it.
    unsafe { *columns.add(ids[0] as usize) }.cast()
}

/// The row fetch of a one-component element (see [`QueryData::fetch_row`]): the entity's
/// value for a sparse component (null if it has none), else the row of the table's column
/// (null if the table lacks it).
///
/// # Safety
/// As for [`QueryData::fetch_row`], with `ids` non-empty.
#[inline]
pub(super) unsafe fn column_row<T>(columns: *const *mut u8, ids: &[u16], at: RowAt<'_>) -> *mut T {
    if let Some(set) = at.sparse.set(ids[0]) {
        return set
            .get(at.entity)
            .map_or(std::ptr::null_mut(), |p| p.cast());
    }
    // SAFETY: forwarded under the caller's guarantee.
    let base = unsafe { column::<T>(columns, ids) };
    if base.is_null() {
        return base;
    }
    // SAFETY: `at.row < len` of the table, whose column this is.
    unsafe { base.add(at.row) }
}

/// `ptr`, which the optimiser may now assume is not null: an item's `Option` is then known
/// to be `Some` without a test per row (the niche of `Option<&T>` is the null pointer).
///
/// # Safety
/// `ptr` is not null: it is row 0 of a column of a table that has the component (columns
/// never have a null pointer; the null entries of the column-pointer matrix mark absent
/// components, and the fetch of a required component comes from a table that has it,
/// which [`QueryData::item`]'s contract guarantees).
#[inline(always)]
pub(super) unsafe fn nonnull<P: PtrNull>(ptr: P) -> P {
    // SAFETY: the caller guarantees it.
    unsafe { std::hint::assert_unchecked(!ptr.is_null_ptr()) };
    ptr
}

/// `*const T` and `*mut T`, for [`nonnull`].
pub(super) trait PtrNull: Copy {
    fn is_null_ptr(self) -> bool;
}
impl<T> PtrNull for *const T {
    #[inline(always)]
    fn is_null_ptr(self) -> bool {
        self.is_null()
    }
}
impl<T> PtrNull for *mut T {
    #[inline(always)]
    fn is_null_ptr(self) -> bool {
        self.is_null()
    }
}

// SAFETY: `&T` reads one column; `fetch` consumes one id.
unsafe impl<T: Component> QueryData for &T {
    type Item<'a> = &'a T;
    type ReadItem<'a> = &'a T;
    type Fetch = *const T;
    const WIDTH: usize = 1;
    #[inline(always)]
    unsafe fn fetch(_table: &Table, columns: *const *mut u8, ids: &[u16]) -> *const T {
        // SAFETY: forwarded under the caller's guarantee.
        unsafe { column(columns, ids) }
    }
    #[inline(always)]
    unsafe fn item<'a>(fetch: *const T, row: usize) -> &'a T {
        // SAFETY: the caller guarantees `row` is initialised in this column and no
        // `&mut` to it lives for `'a`; `fetch` is a column's row 0, never null.
        unsafe { &*nonnull(fetch).add(row) }
    }
    #[inline(always)]
    unsafe fn read_item<'a>(fetch: *const T, row: usize) -> &'a T {
        // SAFETY: as for `item`.
        unsafe { Self::item(fetch, row) }
    }
    #[inline]
    unsafe fn fetch_row(
        _table: &Table,
        columns: *const *mut u8,
        ids: &[u16],
        at: RowAt<'_>,
    ) -> Self::Fetch {
        // SAFETY: forwarded under the caller's guarantee.
        unsafe { column_row(columns, ids, at) }
    }
}
// SAFETY: declares one required read of `T`.
unsafe impl<W, T: ComponentOf<W>> QueryDataOf<W> for &T {
    const ACCESS: DataAccess = DataAccess::component_of(T::ID, false, true, T::SPARSE);
}
// SAFETY: `&T` only reads.
unsafe impl<T: Component> ReadOnlyQueryData for &T {}

// SAFETY: `&mut T` writes one column; `fetch` consumes one id.
unsafe impl<T: Component> QueryData for &mut T {
    type Item<'a> = &'a mut T;
    type ReadItem<'a> = &'a T;
    type Fetch = *mut T;
    const WIDTH: usize = 1;
    #[inline(always)]
    unsafe fn fetch(table: &Table, columns: *const *mut u8, ids: &[u16]) -> *mut T {
        if let Some(ticks) = table.ticks() {
            // A tracked `T` handed out as `&mut T`: every row of the table may be written,
            // so every row counts as changed (`Tracked<T>` marks only the rows written).
            ticks.mark_all_changed(ids[0]);
        }
        // SAFETY: forwarded under the caller's guarantee.
        unsafe { column(columns, ids) }
    }
    #[inline(always)]
    unsafe fn item<'a>(fetch: *mut T, row: usize) -> &'a mut T {
        // SAFETY: the caller guarantees `row` is initialised and exclusively ours for `'a`;
        // `fetch` is a column's row 0, never null.
        unsafe { &mut *nonnull(fetch).add(row) }
    }
    #[inline(always)]
    unsafe fn read_item<'a>(fetch: *mut T, row: usize) -> &'a T {
        // SAFETY: as for `item`, shared.
        unsafe { &*nonnull(fetch).add(row) }
    }
    #[inline]
    unsafe fn fetch_row(
        table: &Table,
        columns: *const *mut u8,
        ids: &[u16],
        at: RowAt<'_>,
    ) -> Self::Fetch {
        if let Some(ticks) = table.ticks() {
            ticks.mark_row_changed(ids[0], at.row);
        }
        // SAFETY: forwarded under the caller's guarantee.
        unsafe { column_row(columns, ids, at) }
    }
    #[inline]
    unsafe fn fetch_one(table: &Table, columns: *const *mut u8, ids: &[u16], row: usize) -> *mut T {
        if let Some(ticks) = table.ticks() {
            ticks.mark_row_changed(ids[0], row);
        }
        // SAFETY: forwarded under the caller's guarantee.
        unsafe { column(columns, ids) }
    }
}
// SAFETY: declares one required write of `T`.
unsafe impl<W, T: ComponentOf<W>> QueryDataOf<W> for &mut T {
    const ACCESS: DataAccess = DataAccess::component_of(T::ID, true, true, T::SPARSE);
}

// SAFETY: `Option<&T>` reads one column when the table has it; consumes one id.
unsafe impl<T: Component> QueryData for Option<&T> {
    type Item<'a> = Option<&'a T>;
    type ReadItem<'a> = Option<&'a T>;
    type Fetch = *const T;
    const WIDTH: usize = 1;
    #[inline(always)]
    unsafe fn fetch(_table: &Table, columns: *const *mut u8, ids: &[u16]) -> *const T {
        // SAFETY: forwarded under the caller's guarantee.
        unsafe { column(columns, ids) }
    }
    #[inline(always)]
    unsafe fn item<'a>(fetch: *const T, row: usize) -> Option<&'a T> {
        // SAFETY: a non-null fetch is the column of `T`; see `&T`.
        (!fetch.is_null()).then(|| unsafe { &*fetch.add(row) })
    }
    #[inline(always)]
    unsafe fn read_item<'a>(fetch: *const T, row: usize) -> Option<&'a T> {
        // SAFETY: as for `item`.
        unsafe { Self::item(fetch, row) }
    }
    #[inline]
    unsafe fn fetch_row(
        _table: &Table,
        columns: *const *mut u8,
        ids: &[u16],
        at: RowAt<'_>,
    ) -> Self::Fetch {
        // SAFETY: forwarded under the caller's guarantee.
        unsafe { column_row(columns, ids, at) }
    }
}
// SAFETY: declares an optional read of `T`.
unsafe impl<W, T: ComponentOf<W>> QueryDataOf<W> for Option<&T> {
    const ACCESS: DataAccess = DataAccess::component_of(T::ID, false, false, T::SPARSE);
}
// SAFETY: only reads.
unsafe impl<T: Component> ReadOnlyQueryData for Option<&T> {}

// SAFETY: `Option<&mut T>` writes one column when the table has it; consumes one id.
unsafe impl<T: Component> QueryData for Option<&mut T> {
    type Item<'a> = Option<&'a mut T>;
    type ReadItem<'a> = Option<&'a T>;
    type Fetch = *mut T;
    const WIDTH: usize = 1;
    #[inline(always)]
    unsafe fn fetch(table: &Table, columns: *const *mut u8, ids: &[u16]) -> *mut T {
        if let Some(ticks) = table.ticks() {
            // A tracked `T` handed out as `&mut T`: see `&mut T`.
            ticks.mark_all_changed(ids[0]);
        }
        // SAFETY: forwarded under the caller's guarantee.
        unsafe { column(columns, ids) }
    }
    #[inline]
    unsafe fn fetch_one(table: &Table, columns: *const *mut u8, ids: &[u16], row: usize) -> *mut T {
        if let Some(ticks) = table.ticks() {
            ticks.mark_row_changed(ids[0], row);
        }
        // SAFETY: forwarded under the caller's guarantee.
        unsafe { column(columns, ids) }
    }
    #[inline(always)]
    unsafe fn item<'a>(fetch: *mut T, row: usize) -> Option<&'a mut T> {
        // SAFETY: a non-null fetch is the column of `T`; see `&mut T`.
        (!fetch.is_null()).then(|| unsafe { &mut *fetch.add(row) })
    }
    #[inline(always)]
    unsafe fn read_item<'a>(fetch: *mut T, row: usize) -> Option<&'a T> {
        // SAFETY: as for `item`, shared.
        (!fetch.is_null()).then(|| unsafe { &*fetch.add(row) })
    }
    #[inline]
    unsafe fn fetch_row(
        table: &Table,
        columns: *const *mut u8,
        ids: &[u16],
        at: RowAt<'_>,
    ) -> Self::Fetch {
        if let Some(ticks) = table.ticks() {
            ticks.mark_row_changed(ids[0], at.row);
        }
        // SAFETY: forwarded under the caller's guarantee.
        unsafe { column_row(columns, ids, at) }
    }
}
// SAFETY: declares an optional write of `T`.
unsafe impl<W, T: ComponentOf<W>> QueryDataOf<W> for Option<&mut T> {
    const ACCESS: DataAccess = DataAccess::component_of(T::ID, true, false, T::SPARSE);
}

// SAFETY: `Entity` reads the row-owner column, which no query writes.
unsafe impl QueryData for Entity {
    type Item<'a> = Entity;
    type ReadItem<'a> = Entity;
    type Fetch = *const Entity;
    const WIDTH: usize = 0;
    #[inline(always)]
    unsafe fn fetch(table: &Table, _columns: *const *mut u8, _ids: &[u16]) -> *const Entity {
        table.entities().as_ptr()
    }
    #[inline(always)]
    unsafe fn item<'a>(fetch: *const Entity, row: usize) -> Self::Item<'a> {
        // SAFETY: `row < len` of the row-owner column.
        unsafe { *fetch.add(row) }
    }
    #[inline(always)]
    unsafe fn read_item<'a>(fetch: *const Entity, row: usize) -> Self::ReadItem<'a> {
        // SAFETY: as for `item`.
        unsafe { *fetch.add(row) }
    }
    #[inline]
    unsafe fn fetch_row(
        table: &Table,
        _columns: *const *mut u8,
        _ids: &[u16],
        at: RowAt<'_>,
    ) -> *const Entity {
        // SAFETY: `at.row < len` of the row-owner column (the caller's guarantee).
        unsafe { table.entities().as_ptr().add(at.row) }
    }
}
// SAFETY: `Entity` touches no component.
unsafe impl<W> QueryDataOf<W> for Entity {
    const ACCESS: DataAccess = DataAccess::NONE;
}
// SAFETY: only reads.
unsafe impl ReadOnlyQueryData for Entity {}

macro_rules! tuple_query_data {
    ($($t:ident $f:ident),+) => {
        // SAFETY: each element fetches from its own slice of the ids, in order, and the
        // tuple's access is the concatenation of the elements' (checked for aliasing).
        unsafe impl<$($t: QueryData),+> QueryData for ($($t,)+) {
            type Item<'a> = ($($t::Item<'a>,)+);
            type ReadItem<'a> = ($($t::ReadItem<'a>,)+);
            type Fetch = ($($t::Fetch,)+);
            const WIDTH: usize = 0 $(+ $t::WIDTH)+;
            #[inline(always)]
            #[allow(unused_assignments)]
            unsafe fn fetch(table: &Table, columns: *const *mut u8, ids: &[u16]) -> Self::Fetch {
                let mut at = 0;
                ($({
                    // SAFETY: forwarded under the caller's guarantee, with a part of `ids`.
                    let f = unsafe { $t::fetch(table, columns, &ids[at..at + $t::WIDTH]) };
                    at += $t::WIDTH;
                    f
                },)+)
            }
            #[inline]
            #[allow(unused_assignments)]
            unsafe fn fetch_row(table: &Table, columns: *const *mut u8, ids: &[u16], at: RowAt<'_>) -> Self::Fetch {
                let mut next = 0;
                ($({
                    // SAFETY: forwarded under the caller's guarantee, with a part of `ids`.
                    let f = unsafe { $t::fetch_row(table, columns, &ids[next..next + $t::WIDTH], at) };
                    next += $t::WIDTH;
                    f
                },)+)
            }
            #[inline(always)]
            #[allow(unused_assignments)]
            unsafe fn fetch_one(table: &Table, columns: *const *mut u8, ids: &[u16], row: usize) -> Self::Fetch {
                let mut at = 0;
                ($({
                    // SAFETY: forwarded under the caller's guarantee, with a part of `ids`.
                    let f = unsafe { $t::fetch_one(table, columns, &ids[at..at + $t::WIDTH], row) };
                    at += $t::WIDTH;
                    f
                },)+)
            }
            #[inline(always)]
            unsafe fn item<'a>(fetch: Self::Fetch, row: usize) -> Self::Item<'a> {
                let ($($f,)+) = fetch;
                // SAFETY: forwarded to each element under the caller's guarantee.
                unsafe { ($($t::item($f, row),)+) }
            }
            #[inline(always)]
            unsafe fn read_item<'a>(fetch: Self::Fetch, row: usize) -> Self::ReadItem<'a> {
                let ($($f,)+) = fetch;
                // SAFETY: forwarded to each element under the caller's guarantee.
                unsafe { ($($t::read_item($f, row),)+) }
            }
        }
        // SAFETY: the concatenation of the elements' accesses, in fetch order.
        unsafe impl<__W, $($t: QueryDataOf<__W>),+> QueryDataOf<__W> for ($($t,)+) {
            const ACCESS: DataAccess = DataAccess::NONE $(.then($t::ACCESS))+;
        }
        // SAFETY: every element only reads.
        unsafe impl<$($t: ReadOnlyQueryData),+> ReadOnlyQueryData for ($($t,)+) {}
    };
}

tuple_query_data!(A a);
tuple_query_data!(A a, B b);
tuple_query_data!(A a, B b, C c);
tuple_query_data!(A a, B b, C c, D d);
tuple_query_data!(A a, B b, C c, D d, E e);
tuple_query_data!(A a, B b, C c, D d, E e, F f);
tuple_query_data!(A a, B b, C c, D d, E e, F f, G g);
tuple_query_data!(A a, B b, C c, D d, E e, F f, G g, H h);
tuple_query_data!(A a, B b, C c, D d, E e, F f, G g, H h, I i);
tuple_query_data!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j);
tuple_query_data!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k);
tuple_query_data!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l);
