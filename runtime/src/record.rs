//! [`Record`]: a world-independent bag of components keyed by type, the unit that moves
//! between worlds (`take`, `put`, `transfer`, the coordinator's queues) and that imports
//! are made of.
//!
//! A record never packs values by position: each value sits in its own box beside its
//! `TypeId`, and every lookup compares type ids, so the order in which components were
//! added can never make `get::<A>` return a `C` (the seed's P1-TRANSFER bug, which
//! packed in call order and unpacked in index order).

use crate::component::Component;
use std::any::{Any, TypeId};
use std::fmt;
use std::mem::{ManuallyDrop, MaybeUninit};

#[cfg(feature = "serde")]
pub mod json;

/// Expands to its input when the runtime is built with feature `serde`, to nothing
/// otherwise. The world methods that need the feature (`import_json_lines`) are generated
/// inside it, so the macro crate needs no feature of its own and cannot disagree with
/// the runtime about it. Not a public API.
#[doc(hidden)]
#[cfg(feature = "serde")]
#[macro_export]
macro_rules! __if_serde {
    ($($item:tt)*) => { $($item)* };
}

/// Without feature `serde`: expands to nothing (see the other definition).
#[doc(hidden)]
#[cfg(not(feature = "serde"))]
#[macro_export]
macro_rules! __if_serde {
    ($($item:tt)*) => {};
}

/// A component value in a record: `Any` for typed access, and a way to move it out by
/// pointer for the type-erased world side.
pub(crate) trait Value: Any + Send + Sync {
    /// Moves the value out: `put` receives a pointer to it and owns the value from then on
    /// (it must move the bytes out before it returns; the value is never dropped here).
    fn move_out(self: Box<Self>, put: &mut dyn FnMut(*const u8));
}

impl<T: Send + Sync + 'static> Value for T {
    fn move_out(self: Box<Self>, put: &mut dyn FnMut(*const u8)) {
        let value = ManuallyDrop::new(*self);
        put((&*value as *const T).cast());
    }
}

/// One component of a record.
pub(crate) struct Entry {
    type_id: TypeId,
    name: &'static str,
    value: Box<dyn Value>,
}

impl Entry {
    /// The component's type id.
    #[inline]
    pub(crate) fn type_id(&self) -> TypeId {
        self.type_id
    }

    /// The component's name.
    #[inline]
    pub(crate) fn name(&self) -> &'static str {
        self.name
    }

    /// Moves the value out (see [`Value::move_out`]).
    #[inline]
    pub(crate) fn move_out(self, put: &mut dyn FnMut(*const u8)) {
        self.value.move_out(put)
    }
}

/// Reads the `T` at `src` into a new boxed record entry named `name`.
///
/// # Safety
/// `src` holds an initialised `T`, which the caller gives up (it must neither drop nor use
/// it again: the entry owns it).
pub(crate) unsafe fn read_entry<T: Send + Sync + 'static>(
    src: *const u8,
    name: &'static str,
) -> Entry {
    // The box is allocated before the value is read: nothing can fail once the bytes are
    // copied (an allocation failure aborts, before any copy).
    let mut boxed: Box<MaybeUninit<T>> = Box::new_uninit();
    // SAFETY: `src` holds a `T` (the caller's guarantee) and the box is a fresh, aligned
    // block for one; ownership moves into the box (the caller forgets the source).
    let value: Box<T> = unsafe {
        std::ptr::copy_nonoverlapping(src.cast::<T>(), boxed.as_mut_ptr(), 1);
        boxed.assume_init()
    };
    Entry {
        type_id: TypeId::of::<T>(),
        name,
        value,
    }
}

/// A world-independent bag of components keyed by type: at most one value per type, in
/// no particular order (the order of [`Record::with`] calls never matters). `Send` and
/// `Sync`, so records cross threads and worlds.
///
/// ```
/// use metronome_runtime::{Component, Record};
/// #[derive(Debug, PartialEq)] struct Position(f32);
/// impl Component for Position { const NAME: &'static str = "Position"; }
/// #[derive(Debug, PartialEq)] struct Health(i32);
/// impl Component for Health { const NAME: &'static str = "Health"; }
///
/// let mut record = Record::new().with(Health(3)).with(Position(1.0));
/// assert_eq!(record.get::<Position>(), Some(&Position(1.0)));
/// assert_eq!(record.take::<Health>(), Some(Health(3)));
/// assert_eq!(record.len(), 1);
/// ```
#[derive(Default)]
pub struct Record {
    entries: Vec<Entry>,
}

impl Record {
    /// An empty record.
    pub fn new() -> Record {
        Record {
            entries: Vec::new(),
        }
    }

    /// An empty record with room for `components` values.
    pub fn with_capacity(components: usize) -> Record {
        Record {
            entries: Vec::with_capacity(components),
        }
    }

    /// The record with `component` added (replacing a value of the same type).
    pub fn with<T: Component>(mut self, component: T) -> Record {
        self.insert(component);
        self
    }

    /// Adds `component`; returns the value of the same type it replaces, if any.
    pub fn insert<T: Component>(&mut self, component: T) -> Option<T> {
        match self.position(TypeId::of::<T>()) {
            Some(i) => {
                let slot = self.value_mut::<T>(i);
                Some(std::mem::replace(slot, component))
            }
            None => {
                self.entries.push(Entry {
                    type_id: TypeId::of::<T>(),
                    name: T::NAME,
                    value: Box::new(component),
                });
                None
            }
        }
    }

    /// The component of type `T`, if the record has one.
    pub fn get<T: Component>(&self) -> Option<&T> {
        let i = self.position(TypeId::of::<T>())?;
        let any: &dyn Any = &*self.entries[i].value;
        any.downcast_ref::<T>()
    }

    /// The component of type `T`, mutably.
    pub fn get_mut<T: Component>(&mut self) -> Option<&mut T> {
        let i = self.position(TypeId::of::<T>())?;
        Some(self.value_mut::<T>(i))
    }

    /// Removes the component of type `T` and returns it.
    pub fn take<T: Component>(&mut self) -> Option<T> {
        let i = self.position(TypeId::of::<T>())?;
        let entry = self.entries.swap_remove(i);
        let any: Box<dyn Any> = entry.value;
        Some(
            *any.downcast::<T>()
                .expect("an entry's type id is its value's"),
        )
    }

    /// Whether the record has a component of type `T`.
    pub fn contains<T: Component>(&self) -> bool {
        self.position(TypeId::of::<T>()).is_some()
    }

    /// Number of components.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the record has no component.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The names of the record's components, sorted (a record has no order of its own).
    pub fn component_names(&self) -> Vec<&'static str> {
        let mut names: Vec<_> = self.entries.iter().map(|e| e.name).collect();
        names.sort_unstable();
        names
    }

    fn position(&self, type_id: TypeId) -> Option<usize> {
        self.entries.iter().position(|e| e.type_id == type_id)
    }

    fn value_mut<T: 'static>(&mut self, i: usize) -> &mut T {
        let any: &mut dyn Any = &mut *self.entries[i].value;
        any.downcast_mut::<T>()
            .expect("an entry's type id is its value's")
    }

    /// The components' type ids and names, in storage order.
    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Adds an entry whose type the record does not hold yet.
    pub(crate) fn push_entry(&mut self, entry: Entry) {
        debug_assert!(self.position(entry.type_id).is_none());
        self.entries.push(entry);
    }

    /// Takes every entry out, in storage order (the record keeps its allocation).
    pub(crate) fn drain(&mut self) -> std::vec::Drain<'_, Entry> {
        self.entries.drain(..)
    }
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record")
            .field("components", &self.component_names())
            .finish()
    }
}

/// What [`import`](crate::world::records::import) did: the entities it spawned, in input
/// order, and the records it rejected, each with its position (the index in the input
/// for `import`, the 1-based line number for `import_json_lines`) and why. A rejected
/// record changed nothing.
///
/// ```
/// use metronome_runtime::ImportReport;
/// let report = ImportReport::default();
/// assert!(report.spawned.is_empty() && report.rejected.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// The spawned entities, in input order.
    pub spawned: Vec<crate::Entity>,
    /// The rejected inputs: position and reason.
    pub rejected: Vec<(usize, crate::EcsError)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Debug, PartialEq)]
    struct A(u8);
    impl Component for A {
        const NAME: &'static str = "A";
    }
    #[derive(Debug, PartialEq)]
    struct B(u64);
    impl Component for B {
        const NAME: &'static str = "B";
    }
    #[derive(Debug, PartialEq)]
    struct C(&'static str);
    impl Component for C {
        const NAME: &'static str = "C";
    }

    /// P1-TRANSFER: whatever the order of `with`, `get` finds each value by its type.
    #[test]
    fn order_of_with_never_matters() {
        let orders: [&[u8]; 6] = [
            &[0, 1, 2],
            &[0, 2, 1],
            &[1, 0, 2],
            &[1, 2, 0],
            &[2, 0, 1],
            &[2, 1, 0],
        ];
        for order in orders {
            let mut r = Record::new();
            for &k in order {
                r = match k {
                    0 => r.with(A(7)),
                    1 => r.with(B(1 << 40)),
                    _ => r.with(C("c")),
                };
            }
            assert_eq!(r.get::<A>(), Some(&A(7)));
            assert_eq!(r.get::<B>(), Some(&B(1 << 40)));
            assert_eq!(r.get::<C>(), Some(&C("c")));
            assert_eq!(r.component_names(), ["A", "B", "C"]);
            assert_eq!(r.take::<C>(), Some(C("c")));
            assert_eq!(r.take::<A>(), Some(A(7)));
            assert_eq!(r.get::<B>(), Some(&B(1 << 40)));
            assert_eq!(r.take::<A>(), None);
        }
    }

    #[test]
    fn insert_replaces_and_returns_the_old_value() {
        let mut r = Record::new().with(A(1));
        assert_eq!(r.insert(A(2)), Some(A(1)));
        assert_eq!(r.len(), 1);
        r.get_mut::<A>().unwrap().0 = 3;
        assert_eq!(r.get::<A>(), Some(&A(3)));
        assert!(!r.contains::<B>());
    }

    static DROPS: AtomicUsize = AtomicUsize::new(0);
    struct Counted;
    impl Drop for Counted {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Ordering::SeqCst);
        }
    }
    impl Component for Counted {
        const NAME: &'static str = "Counted";
    }

    #[test]
    fn values_are_dropped_once() {
        DROPS.store(0, Ordering::SeqCst);
        let mut r = Record::new().with(Counted);
        r.insert(Counted); // the replaced value is returned, then dropped
        assert_eq!(DROPS.load(Ordering::SeqCst), 1);
        let taken = r.take::<Counted>();
        assert_eq!(DROPS.load(Ordering::SeqCst), 1);
        drop(taken);
        assert_eq!(DROPS.load(Ordering::SeqCst), 2);
        drop(Record::new().with(Counted).with(A(0)));
        assert_eq!(DROPS.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn records_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Record>();
    }
}
