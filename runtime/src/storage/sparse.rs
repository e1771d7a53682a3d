//! Sparse-set storage: the components a world declares `sparse(...)`, which any entity may
//! carry without changing archetype.
//!
//! One [`SparseSet`] per sparse component: its values and their owners packed densely (a
//! value's position in `values` is its owner's position in `entities`), and a sparse index
//! from an entity's slot index to that position. Inserting appends, removing moves the
//! last value into the hole: neither moves the entity between tables, and every lookup is
//! two loads and a generation compare (the dense owner must be the very handle asked for,
//! so a stale handle of a reused slot finds nothing).

use super::column::{Column, ColumnType};
use super::finish::{for_each_completing, CopyOnDrop};
use crate::bits::Bits;
use crate::entity::Entity;

/// "No value" in a sparse index.
const ABSENT: u32 = u32::MAX;
/// "Not sparse" in [`SparseStorage`]'s map from component id to set.
const NOT_SPARSE: u16 = u16::MAX;

/// The values of one sparse component.
///
/// Invariants (kept by every method): `values` has `cap` rows allocated, rows
/// `0..entities.len()` initialised, row `i` owned by `entities[i]`; `index[e.index()] == i`
/// exactly for the owners `e = entities[i]`, and an absent marker (`u32::MAX`) for every other slot index.
pub struct SparseSet {
    values: Column,
    cap: usize,
    entities: Vec<Entity>,
    index: Vec<u32>,
}

impl SparseSet {
    /// An empty set of values of `ty`.
    ///
    /// ```
    /// use metronome_runtime::storage::SparseSet;
    /// use metronome_runtime::ColumnType;
    /// let set = SparseSet::new(ColumnType::of::<u32>("Slowed"));
    /// assert!(set.is_empty());
    /// ```
    pub fn new(ty: ColumnType) -> SparseSet {
        SparseSet {
            values: Column::new(ty),
            cap: 0,
            entities: Vec::new(),
            index: Vec::new(),
        }
    }

    /// Number of values.
    #[inline]
    pub fn len(&self) -> usize {
        self.entities.len()
    }

    /// Whether the set holds no value.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    /// The owners of the values, in storage order.
    #[inline]
    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }

    /// The position of `entity`'s value, if it has one.
    #[inline]
    fn position(&self, entity: Entity) -> Option<usize> {
        let i = *self.index.get(entity.index() as usize)?;
        // The owner compare rejects a stale handle whose slot was reused.
        (i != ABSENT && self.entities[i as usize] == entity).then_some(i as usize)
    }

    /// The values, in storage order (row `i` is `entities()[i]`'s): rows `0..len()` of
    /// this column are initialised.
    #[inline]
    pub(crate) fn values(&self) -> &Column {
        &self.values
    }

    /// Whether `entity` has a value.
    #[inline]
    pub fn contains(&self, entity: Entity) -> bool {
        self.position(entity).is_some()
    }

    /// Pointer to `entity`'s value, if it has one. The pointer stays valid until the set
    /// is changed (`insert`, `remove_*`, drop).
    #[inline]
    pub fn get(&self, entity: Entity) -> Option<*mut u8> {
        let i = self.position(entity)?;
        // SAFETY: `i < len <= cap` (the type's invariant): within the allocation.
        Some(unsafe { self.values.row_ptr(i) })
    }

    /// Moves the value at `src` in as `entity`'s, dropping the one it had, if any; returns
    /// whether it had one. If that drop unwinds, the new value is in place all the same.
    ///
    /// # Safety
    /// `src` holds a value of the set's type that the caller gives up (it is the set's from
    /// the call on, on every path, unwinding included, except a panic of the growth before
    /// anything moved: then the value is still at `src`, and the caller must forget it or
    /// drop it), not inside the set.
    pub unsafe fn insert(&mut self, entity: Entity, src: *const u8) -> bool {
        let size = self.values.column_type().layout().size();
        if let Some(i) = self.position(entity) {
            // SAFETY: `i` is an initialised row (invariant); the guard moves the new value
            // in after the old one was dropped, also if that drop unwinds, so the row is
            // initialised again on both paths; `src` is outside the set (the caller's
            // guarantee), so the two do not overlap.
            unsafe {
                let dst = self.values.row_ptr(i);
                let _move_in = CopyOnDrop::new(src, dst, size);
                self.values.column_type().drop_value(dst);
            }
            return true;
        }
        // Every allocation first: nothing below may fail once the value moves in.
        self.reserve_one();
        let slot = entity.index() as usize;
        if self.index.len() <= slot {
            self.index.resize(slot + 1, ABSENT);
        }
        self.entities.reserve(1);
        let i = self.entities.len();
        // SAFETY: `i < cap` (reserved above) and row `i` is uninitialised; `src` holds a
        // value of the column's type (the caller's guarantee), not inside the set.
        unsafe { super::column::copy_value(src, self.values.row_ptr(i), size) };
        self.entities.push(entity);
        self.index[slot] = i as u32;
        false
    }

    /// Makes room for one more value.
    fn reserve_one(&mut self) {
        let len = self.entities.len();
        if len < self.cap {
            return;
        }
        assert!(
            len < ABSENT as usize,
            "a sparse set holds under 2^32 - 1 values"
        );
        let new_cap = (self.cap * 2).max(8).min(ABSENT as usize);
        if self
            .values
            .layout_for(new_cap)
            .is_none_or(|l| l.size() > isize::MAX as usize)
        {
            panic!(
                "sparse values of `{}` would exceed isize::MAX bytes",
                self.values.column_type().name()
            );
        }
        // SAFETY: `cap` is the column's current capacity; `new_cap` is larger and its
        // layout was checked above.
        unsafe { self.values.grow(self.cap, new_cap) };
        self.cap = new_cap;
    }

    /// Unlinks the value at position `i` from `entity` and the index, and moves the last
    /// owner's index entry to `i`; the values are the caller's (it must then fill row `i`
    /// with the last row, or drop both consistently). Returns the last position.
    fn unlink(&mut self, entity: Entity, i: usize) -> usize {
        let last = self.entities.len() - 1;
        self.index[entity.index() as usize] = ABSENT;
        self.entities.swap_remove(i);
        if i != last {
            let moved = self.entities[i];
            self.index[moved.index() as usize] = i as u32;
        }
        last
    }

    /// Drops `entity`'s value; `false` if it had none. If the drop unwinds, the set is
    /// consistent already (the value counts as dropped, the last value fills its place).
    pub fn remove_drop(&mut self, entity: Entity) -> bool {
        let Some(i) = self.position(entity) else {
            return false;
        };
        let last = self.unlink(entity, i);
        // SAFETY: rows `i` and `last` are initialised (`i <= last < len` before the
        // unlink); the column moves row `last` into `i` after the drop, on both paths,
        // which is the order the unlink already recorded.
        unsafe { self.values.swap_remove_drop(i, last) };
        true
    }

    /// Unlinks `entity`'s value after the caller moved it out (from [`SparseSet::get`]'s
    /// pointer): the last value fills its place, nothing is dropped. `false` if it had none.
    ///
    /// # Safety
    /// The caller moved `entity`'s value out (it owns it now).
    pub(crate) unsafe fn remove_moved_out(&mut self, entity: Entity) -> bool {
        let Some(i) = self.position(entity) else {
            return false;
        };
        let last = self.unlink(entity, i);
        if i != last {
            let size = self.values.column_type().layout().size();
            // SAFETY: rows `i < last` are in the allocation; `last` holds a value that
            // moves (bytes) into `i`, whose value the caller moved out.
            unsafe {
                super::column::copy_value(self.values.row_ptr(last), self.values.row_ptr(i), size)
            };
        }
        true
    }

    /// Moves `entity`'s value out to `dst`; `false` (and nothing written) if it had none.
    ///
    /// # Safety
    /// `dst` is valid for a write of one value of the set's type and outside the set;
    /// on `true` the caller owns the value written there.
    pub unsafe fn remove_move(&mut self, entity: Entity, dst: *mut u8) -> bool {
        let Some(i) = self.position(entity) else {
            return false;
        };
        let last = self.unlink(entity, i);
        // SAFETY: rows `i` and `last` are initialised; `dst` is writable and disjoint
        // (the caller's guarantee); the last row fills the hole, as the unlink recorded.
        unsafe { self.values.swap_remove_move(i, last, dst) };
        true
    }
}

impl Drop for SparseSet {
    fn drop(&mut self) {
        let len = self.entities.len();
        self.entities.clear();
        // SAFETY: rows `0..len` are initialised and `cap` is the capacity (invariant); the
        // set is not used again. `drop_and_free` drops every value once and frees the
        // block even if a drop unwinds.
        unsafe { self.values.drop_and_free(len, self.cap) };
    }
}

/// The sparse sets of a world, by component id.
pub struct SparseStorage {
    /// `slots[c]`: the position in `sets` of component `c`'s set, or [`NOT_SPARSE`].
    slots: Box<[u16]>,
    sets: Vec<SparseSet>,
    /// The sparse component ids.
    ids: Bits,
}

impl SparseStorage {
    /// No sparse component.
    pub fn empty() -> SparseStorage {
        SparseStorage {
            slots: Box::new([]),
            sets: Vec::new(),
            ids: Bits::EMPTY,
        }
    }

    /// One set per component of `sparse` (ids below `types.len()`), holding values of
    /// `types[id]`.
    ///
    /// ```
    /// use metronome_runtime::storage::SparseStorage;
    /// use metronome_runtime::{Bits, ColumnType};
    /// let types = [ColumnType::of::<f32>("Position"), ColumnType::of::<u8>("Slowed")];
    /// let sparse = SparseStorage::new(&types, Bits::single(1));
    /// assert!(sparse.set(1).is_some() && sparse.set(0).is_none());
    /// ```
    pub fn new(types: &[ColumnType], sparse: Bits) -> SparseStorage {
        let mut slots = vec![NOT_SPARSE; types.len()].into_boxed_slice();
        let mut sets = Vec::new();
        for id in sparse.iter() {
            assert!(id < types.len(), "a sparse component id is a component id");
            slots[id] = sets.len() as u16;
            sets.push(SparseSet::new(types[id]));
        }
        SparseStorage {
            slots,
            sets,
            ids: sparse,
        }
    }

    /// The sparse component ids.
    #[inline(always)]
    pub fn ids(&self) -> Bits {
        self.ids
    }

    /// Whether no component is sparse.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// The set of component `id`, if it is sparse.
    #[inline]
    pub fn set(&self, id: u16) -> Option<&SparseSet> {
        let slot = *self.slots.get(id as usize)?;
        self.sets.get(slot as usize)
    }

    /// The set of component `id`, mutably, if it is sparse.
    #[inline]
    pub fn set_mut(&mut self, id: u16) -> Option<&mut SparseSet> {
        let slot = *self.slots.get(id as usize)?;
        self.sets.get_mut(slot as usize)
    }

    /// Whether `entity` has every component of `required` and none of `excluded` (both
    /// sparse ids; a non-sparse id in `required` is never held, one in `excluded` never
    /// excludes).
    #[inline]
    pub fn passes(&self, entity: Entity, required: Bits, excluded: Bits) -> bool {
        required
            .iter()
            .all(|id| self.set(id as u16).is_some_and(|s| s.contains(entity)))
            && !excluded
                .iter()
                .any(|id| self.set(id as u16).is_some_and(|s| s.contains(entity)))
    }

    /// Drops every sparse value of `entity` (a despawn). Every set is visited even if a
    /// value's drop unwinds (the panic goes on afterwards).
    pub fn remove_all(&mut self, entity: Entity) {
        let sets = &mut self.sets;
        for_each_completing(sets.len(), |s| {
            sets[s].remove_drop(entity);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::{SparseSet, SparseStorage};
    use crate::bits::Bits;
    use crate::entity::{EntityIndex, Location};
    use crate::storage::ColumnType;
    use std::cell::Cell;
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn insert<T>(set: &mut SparseSet, e: crate::Entity, value: T) -> bool {
        let value = std::mem::ManuallyDrop::new(value);
        // SAFETY: the set holds `T`s; the value is given up (`ManuallyDrop`).
        unsafe { set.insert(e, (&*value as *const T).cast()) }
    }

    fn get<T: Copy>(set: &SparseSet, e: crate::Entity) -> Option<T> {
        // SAFETY: the set holds `T`s.
        set.get(e).map(|p| unsafe { *p.cast::<T>() })
    }

    #[test]
    fn insert_overwrite_remove_and_stale_handles() {
        let mut index = EntityIndex::with_capacity(16);
        let at = Location {
            archetype: 0,
            row: 0,
        };
        let es: Vec<_> = (0..20).map(|_| index.alloc(at)).collect();
        let mut set = SparseSet::new(ColumnType::of::<u64>("V"));
        for (i, &e) in es.iter().enumerate() {
            assert!(!insert(&mut set, e, i as u64 * 10));
        }
        assert!(insert(&mut set, es[3], 333u64));
        assert_eq!(set.len(), 20);
        assert_eq!(get::<u64>(&set, es[3]), Some(333));
        // Removing from the middle moves the last value into the hole.
        assert!(set.remove_drop(es[0]));
        assert!(!set.remove_drop(es[0]));
        assert_eq!(set.entities()[0], es[19]);
        assert_eq!(get::<u64>(&set, es[19]), Some(190));
        let mut out = 0u64;
        // SAFETY: `out` is writable for one `u64`.
        assert!(unsafe { set.remove_move(es[5], (&mut out as *mut u64).cast()) });
        assert_eq!(out, 50);
        assert_eq!(set.len(), 18);
        // A stale handle of a reused slot finds nothing.
        index.free(es[7]);
        let reused = index.alloc(at);
        assert_eq!(reused.index(), es[7].index());
        assert_eq!(get::<u64>(&set, reused), None);
        assert!(!set.remove_drop(reused));
        for &e in es.iter().filter(|&&e| e != es[0] && e != es[5]) {
            assert!(set.contains(e));
        }
    }

    #[test]
    fn zero_sized_values() {
        let mut index = EntityIndex::with_capacity(4);
        let e = index.alloc(Location {
            archetype: 0,
            row: 0,
        });
        let mut set = SparseSet::new(ColumnType::of::<()>("Marker"));
        assert!(!insert(&mut set, e, ()));
        assert!(set.contains(e));
        assert!(set.remove_drop(e));
        assert!(set.is_empty());
    }

    static DROPS: AtomicUsize = AtomicUsize::new(0);
    thread_local!(static PANIC_ON: Cell<u32> = const { Cell::new(u32::MAX) });

    struct Loud(u32);
    impl Drop for Loud {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Ordering::SeqCst);
            if PANIC_ON.with(Cell::get) == self.0 {
                panic!("drop of {}", self.0);
            }
        }
    }

    /// Every value is dropped once (despawn of all sets, set drop), also when drops panic.
    #[test]
    fn drops_once_when_a_drop_unwinds() {
        DROPS.store(0, Ordering::SeqCst);
        let mut index = EntityIndex::with_capacity(8);
        let at = Location {
            archetype: 0,
            row: 0,
        };
        let es: Vec<_> = (0..4).map(|_| index.alloc(at)).collect();
        let types = [ColumnType::of::<Loud>("A"), ColumnType::of::<Loud>("B")];
        let mut storage = SparseStorage::new(&types, Bits::single(0).with(1));
        for (i, &e) in es.iter().enumerate() {
            insert(storage.set_mut(0).unwrap(), e, Loud(i as u32));
            insert(storage.set_mut(1).unwrap(), e, Loud(100 + i as u32));
        }
        PANIC_ON.with(|p| p.set(1));
        let r = catch_unwind(AssertUnwindSafe(|| storage.remove_all(es[1])));
        assert!(r.is_err());
        assert_eq!(DROPS.load(Ordering::SeqCst), 2);
        assert!(!storage.set(0).unwrap().contains(es[1]));
        assert!(!storage.set(1).unwrap().contains(es[1]));
        assert!(storage.passes(es[2], Bits::single(0).with(1), Bits::EMPTY));
        assert!(!storage.passes(es[1], Bits::single(0), Bits::EMPTY));
        assert!(!storage.passes(es[2], Bits::EMPTY, Bits::single(1)));
        // Overwrite whose old value panics: the new value is in place.
        PANIC_ON.with(|p| p.set(2));
        let r = catch_unwind(AssertUnwindSafe(|| {
            insert(storage.set_mut(0).unwrap(), es[2], Loud(7))
        }));
        assert!(r.is_err());
        assert_eq!(DROPS.load(Ordering::SeqCst), 3);
        // The drop of the storage drops the 6 values left, the panicking one included.
        PANIC_ON.with(|p| p.set(103));
        let r = catch_unwind(AssertUnwindSafe(|| drop(storage)));
        assert!(r.is_err());
        assert_eq!(DROPS.load(Ordering::SeqCst), 9);
    }
}
