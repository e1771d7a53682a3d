//! A type-erased column: one heap block holding the values of one component, row by row.
//!
//! A [`Column`] does not know its length: the owning [`Table`](super::Table) keeps one
//! length and one capacity for all its columns, and every unsafe method names the rows it
//! may touch in its `# Safety` section.

use std::alloc::{self, Layout};
use std::any::TypeId;
use std::ptr::NonNull;

use super::finish::{for_each_completing, CopyOnDrop};
use crate::memory::{BlockKind, ColumnAlloc};
use crate::record::{read_entry, Entry};

/// How to store and drop values of one component type.
///
/// Its fields are private and only [`ColumnType::of`] makes one, so the layout, drop
/// function and `TypeId` always describe one and the same type.
///
/// ```
/// use metronome_runtime::ColumnType;
/// let ty = ColumnType::of::<String>("Name");
/// assert_eq!(ty.layout(), std::alloc::Layout::new::<String>());
/// assert!(ty.needs_drop());
/// assert_eq!(ty.name(), "Name");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ColumnType {
    /// Layout of one value.
    layout: Layout,
    /// Drops one value in place; `None` when the type needs no drop.
    drop: Option<unsafe fn(*mut u8)>,
    /// The component's `TypeId`, checked in debug builds and used by deferred commands.
    type_id: TypeId,
    /// The component's name, for errors.
    name: &'static str,
    /// Where the column's blocks come from (a world on a `NumaPool` maps big ones).
    alloc: ColumnAlloc,
    /// Moves one value out into a record entry (`take`, `transfer`).
    read_entry: unsafe fn(*const u8, &'static str) -> Entry,
}

/// Drops the `T` at `ptr`.
///
/// # Safety
/// `ptr` points at a valid, initialised `T` that is not used again.
unsafe fn drop_value<T>(ptr: *mut u8) {
    // SAFETY: the caller guarantees `ptr` holds an initialised `T` owned by nobody else.
    unsafe { ptr.cast::<T>().drop_in_place() }
}

impl ColumnType {
    /// The column type of `T`. `T` is `Send + Sync`, as every component is: a column of
    /// it may move to, and be read from, other threads.
    pub fn of<T: Send + Sync + 'static>(name: &'static str) -> ColumnType {
        ColumnType {
            layout: Layout::new::<T>(),
            drop: if std::mem::needs_drop::<T>() {
                Some(drop_value::<T>)
            } else {
                None
            },
            type_id: TypeId::of::<T>(),
            name,
            alloc: ColumnAlloc::Global,
            read_entry: read_entry::<T>,
        }
    }

    /// The same column type with allocation policy `alloc`.
    pub fn with_alloc(self, alloc: ColumnAlloc) -> ColumnType {
        ColumnType { alloc, ..self }
    }

    /// Layout of one value.
    #[inline(always)]
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Whether values need dropping.
    #[inline(always)]
    pub fn needs_drop(&self) -> bool {
        self.drop.is_some()
    }

    /// Drops the value at `ptr` in place (nothing for a type without drop glue).
    ///
    /// # Safety
    /// `ptr` points at an initialised value of this column type's type, not used again.
    #[inline(always)]
    pub unsafe fn drop_value(&self, ptr: *mut u8) {
        if let Some(drop) = self.drop {
            // SAFETY: `drop` is `drop_value::<T>` for the type `T` this column type was
            // made `of` (fields are private), and the caller passes an owned `T`.
            unsafe { drop(ptr) }
        }
    }

    /// The type's `TypeId`.
    #[inline(always)]
    pub fn type_id(&self) -> TypeId {
        self.type_id
    }

    /// The component's name, for errors.
    #[inline(always)]
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Where the column's blocks come from.
    #[inline(always)]
    pub fn alloc(&self) -> ColumnAlloc {
        self.alloc
    }

    /// Moves the value at `src` into a new record entry.
    ///
    /// # Safety
    /// `src` holds an initialised value of this column type's type, which the caller
    /// gives up (neither drops nor uses it again).
    #[inline]
    pub(crate) unsafe fn read_entry(&self, src: *const u8) -> Entry {
        // SAFETY: `read_entry` is `record::read_entry::<T>` for the type `T` this column
        // type was made `of` (fields are private); the caller's guarantee covers the rest.
        unsafe { (self.read_entry)(src, self.name) }
    }
}

/// The values of one component in one table.
pub struct Column {
    data: NonNull<u8>,
    ty: ColumnType,
    /// The path `data` was allocated by (`None`: no allocation), so that it is freed by
    /// the same path whatever its size (see `crate::memory`).
    block: Option<BlockKind>,
}

// SAFETY: a column owns values of its column type's type, which is `Send + Sync`: the
// only constructor of a `ColumnType`, `ColumnType::of`, requires it (fields are private).
unsafe impl Send for Column {}
// SAFETY: as above; `&Column` only hands out raw pointers, and the world turns them into
// references only where the schedule allows it.
unsafe impl Sync for Column {}

impl Column {
    /// An empty column with no allocation.
    pub fn new(ty: ColumnType) -> Column {
        Column {
            data: dangling(ty.layout),
            ty,
            block: None,
        }
    }

    /// The path the column's current block was allocated by, `None` without one.
    pub fn block_kind(&self) -> Option<BlockKind> {
        self.block
    }

    /// The column's element type.
    pub fn column_type(&self) -> &ColumnType {
        &self.ty
    }

    /// Pointer to row 0.
    #[inline(always)]
    pub fn ptr(&self) -> *mut u8 {
        self.data.as_ptr()
    }

    /// Pointer to `row`.
    ///
    /// # Safety
    /// `row` is at most the table's capacity.
    #[inline(always)]
    pub unsafe fn row_ptr(&self, row: usize) -> *mut u8 {
        // SAFETY: the caller keeps `row` within the allocation (or one past its end).
        unsafe { self.data.as_ptr().add(row * self.ty.layout.size()) }
    }

    /// Takes over `data` as the column's block, with the values it holds.
    ///
    /// # Safety
    /// The column has no block yet (its table's capacity is 0); the column's type has a
    /// non-zero size; `data` was allocated by the global allocator with
    /// `self.layout_for(rows)` for a non-zero `rows`, which becomes the table's capacity,
    /// and nobody else owns or frees it.
    pub(crate) unsafe fn adopt(&mut self, data: NonNull<u8>) {
        assert!(
            self.block.is_none(),
            "a column adopts a block only when it has none"
        );
        debug_assert!(self.ty.layout.size() != 0);
        self.data = data;
        // Freed and grown as a global-allocator block (`BlockKind::Heap`'s path), which
        // the caller's guarantee says it is.
        self.block = Some(BlockKind::Heap);
    }

    /// Grows the allocation from `old_cap` to `new_cap` rows, keeping the first `len`.
    ///
    /// # Safety
    /// `old_cap` is the current capacity, `new_cap >= old_cap`, and `new_cap` rows fit in
    /// `isize::MAX` bytes (the table checks this with [`Column::layout_for`]).
    pub unsafe fn grow(&mut self, old_cap: usize, new_cap: usize) {
        let size = self.ty.layout.size();
        if size == 0 || new_cap == old_cap {
            return;
        }
        let new_layout = self
            .layout_for(new_cap)
            .expect("the table checked the layout");
        let block = match self.block {
            // `new_layout` has non-zero size (`size > 0`, `new_cap > old_cap`).
            None => self.ty.alloc.allocate(new_layout),
            Some(kind) => {
                let old_layout = self.layout_for(old_cap).expect("it was allocated with it");
                let alloc = self.ty.alloc;
                // SAFETY: `data` was allocated with `old_layout` by the path `kind` records
                // (`old_cap` is the current capacity); same alignment, non-zero new size.
                unsafe { alloc.reallocate(self.data, old_layout, kind, new_layout) }
            }
        };
        let Some((data, kind)) = block else {
            alloc::handle_alloc_error(new_layout)
        };
        self.data = data;
        self.block = Some(kind);
    }

    /// Shrinks the allocation from `old_cap` to `new_cap` rows, keeping the first
    /// `new_cap` (freeing it when `new_cap` is 0); returns the bytes given back.
    ///
    /// # Safety
    /// `old_cap` is the current capacity, `new_cap <= old_cap`, and no row at or past
    /// `new_cap` is initialised.
    pub unsafe fn shrink(&mut self, old_cap: usize, new_cap: usize) -> usize {
        let size = self.ty.layout.size();
        let Some(kind) = self.block else {
            return 0;
        };
        if size == 0 || new_cap >= old_cap {
            return 0;
        }
        let old_layout = self.layout_for(old_cap).expect("it was allocated with it");
        if new_cap == 0 {
            // SAFETY: `data` was allocated with `old_layout` (`old_cap` is the current
            // capacity) by the path `kind` records; no row is initialised, and the
            // column forgets the block below.
            unsafe { kind.deallocate(self.data, old_layout) };
            self.data = dangling(self.ty.layout);
            self.block = None;
            return old_layout.size();
        }
        let new_layout = self
            .layout_for(new_cap)
            .expect("smaller than the current layout");
        let alloc = self.ty.alloc;
        // SAFETY: `data` was allocated with `old_layout` by the path `kind` records; the
        // new layout has the same alignment and a non-zero size (`size > 0`,
        // `new_cap > 0`); the rows kept, `0..new_cap`, are all the initialised ones.
        match unsafe { alloc.reallocate(self.data, old_layout, kind, new_layout) } {
            Some((data, kind)) => {
                self.data = data;
                self.block = Some(kind);
                old_layout.size() - new_layout.size()
            }
            // The table keeps one capacity for all its columns: a column that could not
            // move would disagree with it.
            None => alloc::handle_alloc_error(new_layout),
        }
    }

    /// The layout of `rows` values, or `None` if it would overflow.
    pub fn layout_for(&self, rows: usize) -> Option<Layout> {
        let size = self.ty.layout.size().checked_mul(rows)?;
        Layout::from_size_align(size, self.ty.layout.align()).ok()
    }

    /// Drops the value at `row` and moves row `last` into its place. If the drop unwinds,
    /// the value counts as dropped and row `last` still moves into `row`.
    ///
    /// # Safety
    /// `row <= last`, both initialised; afterwards row `last` is uninitialised.
    pub unsafe fn swap_remove_drop(&mut self, row: usize, last: usize) {
        // SAFETY: the caller guarantees both rows are initialised and in bounds. The guard
        // drops after the value at `row` was dropped (or its drop unwound), on both paths,
        // and moves row `last` into that hole: distinct rows of one column do not overlap,
        // and when `row == last` it does nothing. The value at `row` is of the column's
        // type (`ColumnType`'s fields are private: its drop function is this type's).
        unsafe {
            let dst = self.row_ptr(row);
            let _fill = CopyOnDrop::new(self.row_ptr(last), dst, self.ty.layout.size());
            self.ty.drop_value(dst);
        }
    }

    /// Moves the value at `row` out to `dst` and row `last` into its place.
    ///
    /// # Safety
    /// `row <= last`, both initialised; `dst` is valid for a write of one value of this
    /// column's type and does not overlap the column. Afterwards row `last` is
    /// uninitialised and the caller owns the value at `dst`.
    pub unsafe fn swap_remove_move(&mut self, row: usize, last: usize, dst: *mut u8) {
        let size = self.ty.layout.size();
        // SAFETY: the caller guarantees both rows are initialised and `dst` is writable.
        unsafe {
            let src = self.row_ptr(row);
            copy_value(src, dst, size);
            if row != last {
                copy_value(self.row_ptr(last), src, size);
            }
        }
    }

    /// Drops the values in rows `0..len` and frees the allocation of `cap` rows. If a
    /// drop unwinds, the other values are still dropped and the block freed.
    ///
    /// # Safety
    /// Rows `0..len` are initialised, `cap` is the current capacity; the column is not
    /// used again.
    pub unsafe fn drop_and_free(&mut self, len: usize, cap: usize) {
        // Frees the block after the drops, on both paths.
        let column = FreeOnDrop { column: self, cap };
        if column.column.ty.drop.is_some() {
            let (data, ty) = (column.column.data, column.column.ty);
            let size = ty.layout.size();
            for_each_completing(len, |row| {
                // SAFETY: the caller guarantees rows `0..len` are initialised; each is
                // dropped once (`for_each_completing` runs each step once).
                unsafe { ty.drop_value(data.as_ptr().add(row * size)) }
            });
        }
    }
}

/// Frees a column's block when dropped (after its values were dropped, or unwound).
struct FreeOnDrop<'c> {
    column: &'c mut Column,
    /// The column's capacity.
    cap: usize,
}

impl Drop for FreeOnDrop<'_> {
    fn drop(&mut self) {
        let column = &mut *self.column;
        if let Some(kind) = column.block.take() {
            let layout = column
                .layout_for(self.cap)
                .expect("it was allocated with it");
            // SAFETY: `data` was allocated with exactly this layout by `grow`, by the path
            // `kind` recorded (`cap` is the capacity, `drop_and_free`'s contract).
            unsafe { kind.deallocate(column.data, layout) };
        }
        column.data = dangling(column.ty.layout);
    }
}

/// Copies one value of `size` bytes, with inline code for the small sizes components
/// usually have (a call to `memcpy` costs more than the copy for them).
///
/// # Safety
/// `src` is valid for reads and `dst` for writes of `size` bytes, and they do not overlap.
#[inline(always)]
pub unsafe fn copy_value(src: *const u8, dst: *mut u8, size: usize) {
    // SAFETY: every branch reads and writes bytes within `0..size` of `src` and `dst`
    // (two possibly overlapping unaligned words that together cover the value), which the
    // caller guarantees are valid and disjoint.
    unsafe {
        match size {
            0 => {}
            4..=8 => {
                let a = src.cast::<u32>().read_unaligned();
                let b = src.add(size - 4).cast::<u32>().read_unaligned();
                dst.cast::<u32>().write_unaligned(a);
                dst.add(size - 4).cast::<u32>().write_unaligned(b);
            }
            9..=16 => {
                let a = src.cast::<u64>().read_unaligned();
                let b = src.add(size - 8).cast::<u64>().read_unaligned();
                dst.cast::<u64>().write_unaligned(a);
                dst.add(size - 8).cast::<u64>().write_unaligned(b);
            }
            17..=32 => {
                let a = src.cast::<u128>().read_unaligned();
                let b = src.add(size - 16).cast::<u128>().read_unaligned();
                dst.cast::<u128>().write_unaligned(a);
                dst.add(size - 16).cast::<u128>().write_unaligned(b);
            }
            _ => std::ptr::copy_nonoverlapping(src, dst, size),
        }
    }
}

fn dangling(layout: Layout) -> NonNull<u8> {
    // An aligned, non-null address never dereferenced for zero-sized reads.
    NonNull::new(std::ptr::without_provenance_mut(layout.align())).expect("alignment is never zero")
}
