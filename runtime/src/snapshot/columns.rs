//! [`ColumnValues`]: one column of a table's rows as an owned `Vec`, type-erased so that
//! [`fill_table`](super::fill_table) can move a whole table's columns into storage with
//! one copy each, checking every column's type against the table's.

use crate::component::ComponentOf;
use std::any::TypeId;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ptr::NonNull;

/// The values of one component for a table's rows, in row order, owned (a `Vec<T>`
/// taken apart). Dropping it drops the values it still holds and frees its buffer.
///
/// ```
/// use metronome_runtime::snapshot::ColumnValues;
/// # use metronome_runtime::{Component, ComponentOf};
/// # struct World;
/// # struct Health(i32);
/// # impl Component for Health { const NAME: &'static str = "Health"; }
/// # unsafe impl ComponentOf<World> for Health { const ID: u16 = 0; }
/// let column = ColumnValues::<World>::new::<Health>(vec![Health(3), Health(5)]);
/// assert_eq!(column.len(), 2);
/// ```
pub struct ColumnValues<W> {
    ptr: *mut u8,
    len: usize,
    capacity: usize,
    /// The component's id in `W`.
    id: u16,
    type_id: TypeId,
    size: usize,
    /// `T`'s alignment (a dangling pointer of it stands for no buffer).
    align: usize,
    /// Rebuilds the `Vec<T>` from `(ptr, len, capacity)` and drops it.
    free: unsafe fn(*mut u8, usize, usize),
    world: PhantomData<fn() -> W>,
}

/// Drops the `Vec<T>` made of `ptr`, `len` and `capacity`.
///
/// # Safety
/// They are the parts of a `Vec<T>` (its first `len` values initialised and owned by
/// nobody else) that is not used again.
unsafe fn free_vec<T>(ptr: *mut u8, len: usize, capacity: usize) {
    // SAFETY: the caller hands over the parts of a `Vec<T>` it took apart.
    drop(unsafe { Vec::from_raw_parts(ptr.cast::<T>(), len, capacity) });
}

impl<W> ColumnValues<W> {
    /// The values of component `T` of world `W`, in row order.
    /// Its buffer is trimmed to the values (a table can then take it over whole).
    pub fn new<T: ComponentOf<W>>(mut values: Vec<T>) -> Self {
        values.shrink_to_fit();
        let mut values = ManuallyDrop::new(values);
        ColumnValues {
            ptr: values.as_mut_ptr().cast(),
            len: values.len(),
            capacity: values.capacity(),
            id: T::ID,
            type_id: TypeId::of::<T>(),
            size: std::mem::size_of::<T>(),
            align: std::mem::align_of::<T>(),
            free: free_vec::<T>,
            world: PhantomData,
        }
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds no value.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The component's id in `W`.
    pub(super) fn id(&self) -> u16 {
        self.id
    }

    /// The component's `TypeId`.
    pub(super) fn type_id(&self) -> TypeId {
        self.type_id
    }

    /// Whether its buffer is a block a column of its type can take over: values of
    /// non-zero size, at least one, and exactly as many as the buffer has room for (a
    /// `Vec<T>`'s buffer of capacity `len` is a global-allocator block of
    /// `Layout::array::<T>(len)`, the layout of a column block of `len` rows).
    pub(super) fn is_whole_block(&self) -> bool {
        self.size != 0 && self.len != 0 && self.capacity == self.len
    }

    /// Whether its values have no size (their buffer holds no bytes).
    pub(super) fn is_zero_sized(&self) -> bool {
        self.size == 0
    }

    /// Gives up the buffer with the values in it: the caller owns both from here on (a
    /// global-allocator block of `Layout::array::<T>(len)`, [`is_whole_block`] being
    /// true, holding `len` initialised values); the column is empty and frees nothing.
    ///
    /// [`is_whole_block`]: Self::is_whole_block
    pub(super) fn take_block(&mut self) -> NonNull<u8> {
        debug_assert!(self.is_whole_block());
        let block = NonNull::new(self.ptr).expect("a `Vec`'s buffer is never null");
        // What `Vec::new` of `T` holds: no values, no buffer.
        self.ptr = std::ptr::without_provenance_mut(self.align);
        self.len = 0;
        self.capacity = 0;
        block
    }

    /// Moves every value to `dst`, one copy of `len * size` bytes; the column is empty
    /// afterwards (its buffer is still freed on drop, the values are `dst`'s).
    ///
    /// # Safety
    /// `dst` is valid for writes of `len` values of this column's type, does not
    /// overlap the column's buffer, and takes ownership of the values.
    pub(super) unsafe fn move_to(&mut self, dst: *mut u8) {
        // SAFETY: the buffer holds `len` initialised values of `size` bytes each (it was
        // a `Vec` of them); `dst` has room for them (the caller's guarantee).
        unsafe { std::ptr::copy_nonoverlapping(self.ptr, dst, self.len * self.size) };
        // The values are `dst`'s now: only the buffer is left to free.
        self.len = 0;
    }
}

impl<W> Drop for ColumnValues<W> {
    fn drop(&mut self) {
        // SAFETY: `ptr`, `len` and `capacity` are the parts of the `Vec<T>` `new` took
        // apart (`free` is `free_vec::<T>` of that `T`); `move_to` set `len` to 0 when
        // the values left, so none is dropped twice; `take_block` left the parts of an
        // empty `Vec<T>` (aligned dangling pointer, no capacity) when the buffer left.
        unsafe { (self.free)(self.ptr, self.len, self.capacity) }
    }
}
