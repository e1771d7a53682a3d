//! Entity handles and the generational entity index.

use crate::sync::atomic::{AtomicUsize, Ordering};
use std::fmt;

mod rebuild;
mod saved;

pub(crate) use rebuild::IndexRebuild;

/// A handle to an entity: a 32-bit slot index and a 32-bit generation.
///
/// A despawned entity's handle never equals a later entity's handle (until a slot has
/// been reused 2^32 times), so a stale handle is recognised, never aliased.
///
/// ```
/// use metronome_runtime::Entity;
/// assert_eq!(std::mem::size_of::<Entity>(), 8);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Entity {
    index: u32,
    generation: u32,
}

impl Entity {
    /// The slot index of this entity.
    pub const fn index(self) -> u32 {
        self.index
    }

    /// The generation of the slot when this handle was made.
    pub const fn generation(self) -> u32 {
        self.generation
    }

    /// The handle as one `u64` (generation in the high half), e.g. for serialisation.
    pub const fn to_bits(self) -> u64 {
        (self.generation as u64) << 32 | self.index as u64
    }

    /// The inverse of [`Entity::to_bits`].
    pub const fn from_bits(bits: u64) -> Entity {
        Entity {
            index: bits as u32,
            generation: (bits >> 32) as u32,
        }
    }
}

impl fmt::Debug for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}v{}", self.index, self.generation)
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Where a live entity's data lives: its archetype table and row.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Location {
    /// Index of the archetype (declaration order).
    pub archetype: u16,
    /// Row in that archetype's table.
    pub row: u32,
}

/// The `archetype` of a slot that holds no entity and is on the free list.
const FREE: u16 = u16::MAX;
/// The `archetype` of a slot reserved by [`EntityIndex::reserve_entity`] and flushed, not yet
/// spawned into (its handle is out, not alive). Every marker is `>= RESERVED`, so "is
/// alive" stays one comparison.
const RESERVED: u16 = u16::MAX - 1;

#[derive(Clone, Copy)]
struct Slot {
    generation: u32,
    archetype: u16,
    row: u32,
}

/// Maps entities to their locations; free slots are reused, with a bumped generation.
///
/// ```
/// use metronome_runtime::{EntityIndex, Location};
/// let mut index = EntityIndex::with_capacity(4);
/// let e = index.alloc(Location { archetype: 0, row: 0 });
/// assert_eq!(index.free(e), Some(Location { archetype: 0, row: 0 }));
/// let f = index.alloc(Location { archetype: 1, row: 0 });
/// assert_eq!(e.index(), f.index());
/// assert_ne!(e, f);
/// assert_eq!(index.get(e), None);
/// ```
///
/// # Reservations
///
/// Deferred spawns ([`Commands::spawn`](crate::Commands::spawn)) take their handle at
/// once, through `&EntityIndex`, from systems that may run at the same time: a
/// reservation is one atomic `fetch_add` on a counter of reservations since the last
/// flush. Reservation `k` takes the `k`-th slot from the top of the free list, or, past
/// its end, the `(k - free.len())`-th slot after the last one, so no two reservations
/// (and no live entity) share a handle. The stage runner flushes the reservations
/// before anything changes the index (`&mut`): flushed slots are marked reserved (dead
/// to [`EntityIndex::get`]) until the spawn command fills them or releases them (a
/// discarded or failed spawn bumps the slot's generation and frees it, so the handle
/// that was handed out stays dead forever).
pub struct EntityIndex {
    slots: Vec<Slot>,
    free: Vec<u32>,
    live: usize,
    /// Reservations since the last [`EntityIndex::flush`]; 0 whenever `&mut` methods run
    /// (the stage runner flushes at the end of every stage, also when it unwinds).
    reserved: AtomicUsize,
}

impl Default for EntityIndex {
    fn default() -> Self {
        EntityIndex {
            slots: Vec::new(),
            free: Vec::new(),
            live: 0,
            reserved: AtomicUsize::new(0),
        }
    }
}

impl EntityIndex {
    /// An empty index with room for `capacity` entities before it reallocates. The
    /// reservation is best effort: if the memory cannot be had, the index starts empty
    /// and grows as entities are spawned.
    pub fn with_capacity(capacity: usize) -> Self {
        let mut slots = Vec::new();
        if slots.try_reserve_exact(capacity).is_err() {
            slots = Vec::new();
        }
        EntityIndex {
            slots,
            free: Vec::new(),
            live: 0,
            reserved: AtomicUsize::new(0),
        }
    }

    /// Number of live entities.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether no entity is alive.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Makes room for `additional` more entities.
    pub fn reserve(&mut self, additional: usize) {
        self.slots
            .reserve(additional.saturating_sub(self.free.len()));
    }

    /// A new entity at `location`, reusing a free slot when there is one.
    #[inline]
    pub fn alloc(&mut self, location: Location) -> Entity {
        debug_assert_eq!(self.pending(), 0, "reservations not flushed");
        self.live += 1;
        if let Some(index) = self.free.pop() {
            let slot = &mut self.slots[index as usize];
            slot.archetype = location.archetype;
            slot.row = location.row;
            return Entity {
                index,
                generation: slot.generation,
            };
        }
        let index = u32::try_from(self.slots.len()).expect("more than 2^32 entity slots");
        self.slots.push(Slot {
            generation: 0,
            archetype: location.archetype,
            row: location.row,
        });
        Entity {
            index,
            generation: 0,
        }
    }

    /// The location of `entity`, or `None` if it is dead or the handle is stale.
    #[inline]
    pub fn get(&self, entity: Entity) -> Option<Location> {
        match self.slots.get(entity.index as usize) {
            Some(s) if s.generation == entity.generation && s.archetype < RESERVED => {
                Some(Location {
                    archetype: s.archetype,
                    row: s.row,
                })
            }
            _ => None,
        }
    }

    /// Whether `entity` is alive.
    #[inline]
    pub fn contains(&self, entity: Entity) -> bool {
        self.get(entity).is_some()
    }

    /// Moves a live entity to `location`. Does nothing for a dead handle.
    #[inline]
    pub fn set(&mut self, entity: Entity, location: Location) {
        if let Some(s) = self.slots.get_mut(entity.index as usize) {
            if s.generation == entity.generation && s.archetype < RESERVED {
                s.archetype = location.archetype;
                s.row = location.row;
            }
        }
    }

    /// Moves `entity`, which the caller knows is alive, to `location` (no generation check).
    #[inline]
    pub(crate) fn relocate(&mut self, entity: Entity, location: Location) {
        let slot = &mut self.slots[entity.index as usize];
        debug_assert!(slot.generation == entity.generation && slot.archetype < RESERVED);
        slot.archetype = location.archetype;
        slot.row = location.row;
    }

    /// Frees `entity`'s slot (bumping its generation) and returns where it was.
    #[inline]
    pub fn free(&mut self, entity: Entity) -> Option<Location> {
        let location = self.get(entity)?;
        let slot = &mut self.slots[entity.index as usize];
        slot.archetype = FREE;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(entity.index);
        self.live -= 1;
        Some(location)
    }

    /// A handle for an entity spawned later (by a deferred command), through a shared
    /// reference: safe to call from several threads at once. The handle is not alive
    /// until [`EntityIndex::flush`] and then [`EntityIndex::alloc_reserved`] run; it never
    /// equals a live entity's or another reservation's handle.
    #[inline]
    pub(crate) fn reserve_entity(&self) -> Entity {
        // Relaxed: the counter only has to hand out distinct numbers; the flush that
        // reads it runs with `&mut`, after every reserving thread was joined.
        let k = self.reserved.fetch_add(1, Ordering::Relaxed);
        let free = self.free.len();
        if k < free {
            let index = self.free[free - 1 - k];
            return Entity {
                index,
                generation: self.slots[index as usize].generation,
            };
        }
        let index = (k - free)
            .checked_add(self.slots.len())
            .and_then(|i| u32::try_from(i).ok())
            .expect("more than 2^32 entity slots");
        Entity {
            index,
            generation: 0,
        }
    }

    /// Reservations made since the last flush.
    fn pending(&mut self) -> usize {
        #[cfg(not(loom))]
        return *self.reserved.get_mut();
        #[cfg(loom)]
        return self.reserved.with_mut(|n| *n);
    }

    /// Makes every reservation since the last flush a reserved slot: taken off the free
    /// list or appended, dead to [`EntityIndex::get`] until it is spawned into or
    /// released. Cheap when nothing was reserved (one comparison).
    #[inline]
    pub(crate) fn flush(&mut self) {
        let n = self.pending();
        if n == 0 {
            return;
        }
        #[cfg(not(loom))]
        {
            *self.reserved.get_mut() = 0;
        }
        #[cfg(loom)]
        self.reserved.with_mut(|n| *n = 0);
        let from_free = n.min(self.free.len());
        let keep = self.free.len() - from_free;
        for &index in &self.free[keep..] {
            self.slots[index as usize].archetype = RESERVED;
        }
        self.free.truncate(keep);
        let fresh = n - from_free;
        self.slots.extend((0..fresh).map(|_| Slot {
            generation: 0,
            archetype: RESERVED,
            row: 0,
        }));
    }

    /// Makes the flushed reservation `entity` a live entity at `location`; `false` (and
    /// nothing changed) if `entity` is not a flushed, unfilled reservation.
    #[inline]
    pub(crate) fn alloc_reserved(&mut self, entity: Entity, location: Location) -> bool {
        debug_assert_eq!(self.pending(), 0, "reservations not flushed");
        match self.slots.get_mut(entity.index as usize) {
            Some(s) if s.generation == entity.generation && s.archetype == RESERVED => {
                s.archetype = location.archetype;
                s.row = location.row;
                self.live += 1;
                true
            }
            _ => false,
        }
    }

    /// Whether `entity` is a flushed reservation not yet spawned into.
    pub(crate) fn is_reserved(&self, entity: Entity) -> bool {
        matches!(self.slots.get(entity.index as usize),
            Some(s) if s.generation == entity.generation && s.archetype == RESERVED)
    }

    /// Gives back the flushed reservation `entity` (its spawn was discarded or failed):
    /// the slot's generation is bumped, so the handed-out handle stays dead, and the slot
    /// is free again. Does nothing if `entity` is not an unfilled reservation.
    pub(crate) fn release(&mut self, entity: Entity) {
        debug_assert_eq!(self.pending(), 0, "reservations not flushed");
        if let Some(s) = self.slots.get_mut(entity.index as usize) {
            if s.generation == entity.generation && s.archetype == RESERVED {
                s.archetype = FREE;
                s.generation = s.generation.wrapping_add(1);
                self.free.push(entity.index);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_handles_never_reach_reused_slots() {
        let mut index = EntityIndex::default();
        let a = index.alloc(Location {
            archetype: 0,
            row: 0,
        });
        index.free(a);
        let b = index.alloc(Location {
            archetype: 0,
            row: 7,
        });
        assert_eq!(a.index(), b.index());
        assert!(!index.contains(a));
        assert_eq!(
            index.get(b),
            Some(Location {
                archetype: 0,
                row: 7
            })
        );
        assert_eq!(index.free(a), None);
        index.set(
            a,
            Location {
                archetype: 3,
                row: 3,
            },
        );
        assert_eq!(
            index.get(b),
            Some(Location {
                archetype: 0,
                row: 7
            })
        );
        assert_eq!(index.len(), 1);
    }

    #[test]
    fn reservations_take_free_slots_then_fresh_ones_and_release_bumps_the_generation() {
        let mut index = EntityIndex::default();
        let at = |row| Location { archetype: 0, row };
        let a = index.alloc(at(0));
        let b = index.alloc(at(1));
        index.free(a);
        let r1 = index.reserve_entity();
        let r2 = index.reserve_entity();
        assert_eq!(
            (r1.index(), r1.generation()),
            (a.index(), 1),
            "from the free list"
        );
        assert_eq!((r2.index(), r2.generation()), (2, 0), "past the end");
        index.flush();
        assert!(index.is_reserved(r1) && index.is_reserved(r2));
        assert!(
            !index.contains(r1) && !index.contains(r2),
            "reserved is not alive"
        );
        assert_eq!(index.free(r1), None, "a reservation cannot be despawned");
        // Nothing reserved: the next allocation takes a fresh slot, not a reserved one.
        let c = index.alloc(at(2));
        assert_eq!(c.index(), 3);
        assert!(index.alloc_reserved(r1, at(3)));
        assert!(!index.alloc_reserved(r1, at(4)), "filled once");
        assert!(index.contains(r1));
        index.release(r2);
        assert!(!index.is_reserved(r2) && !index.contains(r2));
        let d = index.alloc(at(4));
        assert_eq!(d.index(), r2.index(), "the released slot is reused");
        assert_ne!(
            d, r2,
            "with a bumped generation: the handed-out handle stays dead"
        );
        assert_eq!(index.len(), 4);
        assert!(index.contains(b));
    }

    #[test]
    fn bits_round_trip() {
        let e = Entity {
            index: 5,
            generation: 9,
        };
        assert_eq!(Entity::from_bits(e.to_bits()), e);
        assert_eq!(format!("{e:?}"), "5v9");
    }
}

/// The reservation protocol under loom: threads reserving at once (from the free list
/// and past the end) get distinct handles, none of them a live entity's, and the flush
/// that follows their join makes exactly those handles reserved slots.
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::sync::Arc;
    use loom::thread;

    #[test]
    fn loom_concurrent_reservations_never_alias() {
        loom::model(|| {
            let mut index = EntityIndex::default();
            let live = index.alloc(Location {
                archetype: 0,
                row: 0,
            });
            let dead = index.alloc(Location {
                archetype: 0,
                row: 1,
            });
            index.free(dead);
            let index = Arc::new(index);
            let threads: Vec<_> = (0..2)
                .map(|_| {
                    let index = Arc::clone(&index);
                    thread::spawn(move || index.reserve_entity())
                })
                .collect();
            let mine = index.reserve_entity();
            let mut handles: Vec<Entity> = threads.into_iter().map(|t| t.join().unwrap()).collect();
            handles.push(mine);
            let mut index = Arc::try_unwrap(index).ok().expect("threads joined");
            index.flush();
            for (i, &a) in handles.iter().enumerate() {
                assert_ne!(a, live);
                assert_ne!(a, dead, "a reservation reused a dead handle");
                assert!(index.is_reserved(a));
                assert!(!index.contains(a));
                for &b in &handles[i + 1..] {
                    assert_ne!(a, b);
                }
            }
            for &e in &handles {
                assert!(index.alloc_reserved(
                    e,
                    Location {
                        archetype: 1,
                        row: 0,
                    },
                ));
            }
            assert_eq!(index.len(), 4);
        });
    }
}
