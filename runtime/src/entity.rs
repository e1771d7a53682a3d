//! Entity handles and the generational entity index.

use std::fmt;

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

const FREE: u16 = u16::MAX;

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
#[derive(Default)]
pub struct EntityIndex {
    slots: Vec<Slot>,
    free: Vec<u32>,
    live: usize,
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
            Some(s) if s.generation == entity.generation && s.archetype != FREE => Some(Location {
                archetype: s.archetype,
                row: s.row,
            }),
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
            if s.generation == entity.generation && s.archetype != FREE {
                s.archetype = location.archetype;
                s.row = location.row;
            }
        }
    }

    /// Moves `entity`, which the caller knows is alive, to `location` (no generation check).
    #[inline]
    pub(crate) fn relocate(&mut self, entity: Entity, location: Location) {
        let slot = &mut self.slots[entity.index as usize];
        debug_assert!(slot.generation == entity.generation && slot.archetype != FREE);
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
    fn bits_round_trip() {
        let e = Entity {
            index: 5,
            generation: 9,
        };
        assert_eq!(Entity::from_bits(e.to_bits()), e);
        assert_eq!(format!("{e:?}"), "5v9");
    }
}
