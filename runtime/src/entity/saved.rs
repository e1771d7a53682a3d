//! The entity index as a save keeps it (every slot's generation and the free list, in
//! order) and as a snapshot keeps it (the free list and the free slots' generations: the
//! live slots' are those of the row owners), so that the spawns after a restore or a
//! load hand out the very handles they would have handed out in the original world.

use super::{Entity, EntityIndex, Slot, FREE, RESERVED};
use crate::sync::atomic::AtomicUsize;

impl EntityIndex {
    /// Every slot's generation and the free list (top last). A reservation flushed and
    /// not yet spawned into (none between stages) is recorded as released: its
    /// generation bumped and its slot free, as [`EntityIndex::release`] would leave it.
    pub(crate) fn saved_slots(&self) -> (Vec<u32>, Vec<u32>) {
        if self.unfilled() == 0 {
            // No reservation is waiting (the usual case, between frames): the
            // generations as they are, in a loop without branches.
            let generations = self.slots.iter().map(|slot| slot.generation).collect();
            return (generations, self.free.clone());
        }
        let mut free = self.free.clone();
        let generations = self
            .slots
            .iter()
            .enumerate()
            .map(|(index, slot)| {
                if slot.archetype == RESERVED {
                    free.push(index as u32);
                    slot.generation.wrapping_add(1)
                } else {
                    slot.generation
                }
            })
            .collect();
        (generations, free)
    }

    /// The entity index as a snapshot keeps it: the number of slots, the free list (top
    /// last) and the free slots' generations, in the free list's order. The live
    /// slots' generations are left out: each is its entity's, which the row owners
    /// copied with the tables carry. A reservation flushed and not yet spawned into is
    /// recorded as released, as in [`EntityIndex::saved_slots`].
    pub(crate) fn snapshot_slots(&self) -> (usize, Vec<u32>, Vec<u32>) {
        let mut free = self.free.clone();
        let mut free_generations: Vec<u32> = self
            .free
            .iter()
            .map(|&index| self.slots[index as usize].generation)
            .collect();
        if self.unfilled() != 0 {
            for (index, slot) in self.slots.iter().enumerate() {
                if slot.archetype == RESERVED {
                    free.push(index as u32);
                    free_generations.push(slot.generation.wrapping_add(1));
                }
            }
        }
        (self.slots.len(), free, free_generations)
    }

    /// An index whose slots have `generations`, whose free list is `free` (top last) and
    /// whose other slots are reserved, waiting for their entity to be spawned into them
    /// ([`EntityIndex::alloc_reserved`] through `Storage::spawn_reserved_with`). An
    /// error, naming the fault, if a free entry is out of range or listed twice.
    pub(crate) fn restored(generations: &[u32], free: &[u32]) -> Result<EntityIndex, String> {
        let slots = generations
            .iter()
            .map(|&generation| Slot {
                generation,
                archetype: RESERVED,
                row: 0,
            })
            .collect();
        Self::with_free(slots, free, |_, _| {}, false)
    }

    /// An index of `slots` slots whose free list is `free` (top last), free slot
    /// `free[i]` of generation `free_generations[i]`, and whose other slots are
    /// reserved, each waiting for its row owner, whose generation it takes (see
    /// [`EntityIndex::alloc_reserved_rows`]): what [`EntityIndex::snapshot_slots`]
    /// gave. An error, naming the fault, if the lists differ in length, or a free entry
    /// is out of range or listed twice.
    pub(crate) fn restored_from_rows(
        slots: usize,
        free: &[u32],
        free_generations: &[u32],
    ) -> Result<EntityIndex, String> {
        if free.len() != free_generations.len() {
            return Err(format!(
                "{} free entity slots with {} generations",
                free.len(),
                free_generations.len()
            ));
        }
        if u32::try_from(slots).is_err() {
            return Err(format!("{slots} entity slots: more than 2^32"));
        }
        let reserved = Slot {
            generation: 0,
            archetype: RESERVED,
            row: 0,
        };
        Self::with_free(
            vec![reserved; slots],
            free,
            |i, slot| slot.generation = free_generations[i],
            true,
        )
    }

    /// The index of `slots` (all reserved) with the slots of `free` freed, in that
    /// order, `set(i, slot)` called on the slot of `free[i]`.
    fn with_free(
        mut slots: Vec<Slot>,
        free: &[u32],
        mut set: impl FnMut(usize, &mut Slot),
        generations_from_rows: bool,
    ) -> Result<EntityIndex, String> {
        if u32::try_from(slots.len()).is_err() {
            return Err(format!("{} entity slots: more than 2^32", slots.len()));
        }
        let count = slots.len();
        for (i, &index) in free.iter().enumerate() {
            match slots.get_mut(index as usize) {
                None => {
                    return Err(format!(
                        "free entity slot {index} is past the {count} slots"
                    ))
                }
                Some(slot) if slot.archetype == FREE => {
                    return Err(format!("entity slot {index} is listed free twice"))
                }
                Some(slot) => {
                    slot.archetype = FREE;
                    set(i, slot);
                }
            }
        }
        Ok(EntityIndex {
            slots,
            free: free.to_vec(),
            live: 0,
            reserved: AtomicUsize::new(0),
            generations_from_rows,
        })
    }

    /// Makes the reserved slots of `entities` live, `entities[i]` at row `first_row + i`
    /// of `archetype` (a load's or a restore's whole table at once). If one is not a
    /// reserved slot waiting for its row (a stale or unknown handle, or one listed
    /// twice), every slot is left as it was and that entity is the `Err`. In an index
    /// from [`EntityIndex::restored_from_rows`] a reserved slot takes the generation of
    /// its entity; in one from [`EntityIndex::restored`] the generations must match.
    pub(crate) fn alloc_reserved_rows(
        &mut self,
        entities: &[Entity],
        archetype: u16,
        first_row: usize,
    ) -> Result<(), Entity> {
        debug_assert!(archetype < RESERVED);
        // Every row number fits a `u32` (a table has fewer than 2^32 rows: each row is a
        // live entity of the index, which holds at most 2^32 slots).
        let first_row = u32::try_from(first_row).expect("a row number fits in u32");
        let any_generation = self.generations_from_rows;
        for (i, &entity) in entities.iter().enumerate() {
            match self.slots.get_mut(entity.index() as usize) {
                Some(s)
                    if s.archetype == RESERVED
                        && (any_generation || s.generation == entity.generation()) =>
                {
                    s.generation = entity.generation();
                    s.archetype = archetype;
                    s.row = first_row.wrapping_add(i as u32);
                }
                _ => {
                    // Undo: the slots before `i` were all reserved (checked as they were
                    // taken), so reserved is what they go back to.
                    for done in &entities[..i] {
                        self.slots[done.index() as usize].archetype = RESERVED;
                    }
                    return Err(entity);
                }
            }
        }
        self.live += entities.len();
        Ok(())
    }

    /// Slots reserved and not spawned into: after a restore, the entities the saved
    /// index had and no table row claimed.
    pub(crate) fn unfilled(&self) -> usize {
        self.slots.len() - self.free.len() - self.live
    }
}
