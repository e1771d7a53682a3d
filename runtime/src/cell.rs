//! [`SyncCell`]: the cell behind resources and per-system state.

use std::cell::UnsafeCell;

/// An `UnsafeCell` that worlds share between the systems of a stage. Who may access it,
/// and how, is decided by the compile-time schedule (no two systems of a stage conflict).
///
/// ```
/// use metronome_runtime::SyncCell;
/// let mut cell = SyncCell::new(5);
/// *cell.get_mut() += 1;
/// assert_eq!(cell.into_inner(), 6);
/// ```
#[derive(Default)]
pub struct SyncCell<T>(UnsafeCell<T>);

// SAFETY: a `SyncCell` is only read or written through `get` by code that the schedule
// allows to (resources: `Res`/`ResMut` of systems in different stages or without write
// conflicts; resources are `Send + Sync` by `ResourceOf`). Per-system state is touched by
// one system at a time, which only needs `T: Send`.
unsafe impl<T: Send> Sync for SyncCell<T> {}

impl<T> SyncCell<T> {
    /// A cell holding `value`.
    pub const fn new(value: T) -> Self {
        SyncCell(UnsafeCell::new(value))
    }

    /// Raw pointer to the value; see the type's docs for who may use it.
    #[inline(always)]
    pub fn get(&self) -> *mut T {
        self.0.get()
    }

    /// Exclusive access through `&mut`.
    #[inline(always)]
    pub fn get_mut(&mut self) -> &mut T {
        self.0.get_mut()
    }

    /// The value.
    pub fn into_inner(self) -> T {
        self.0.into_inner()
    }
}
