//! The entity index as a snapshot or a save keeps it: every slot's generation and the
//! free list, in order, so that the spawns after a restore or a load hand out the very
//! handles they would have handed out in the original world.

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

    /// An index whose slots have `generations`, whose free list is `free` (top last) and
    /// whose other slots are reserved, waiting for their entity to be spawned into them
    /// ([`EntityIndex::alloc_reserved`] through `Storage::spawn_reserved_with`). An
    /// error, naming the fault, if a free entry is out of range or listed twice.
    pub(crate) fn restored(generations: &[u32], free: &[u32]) -> Result<EntityIndex, String> {
        if u32::try_from(generations.len()).is_err() {
            return Err(format!(
                "{} entity slots: more than 2^32",
                generations.len()
            ));
        }
        let mut slots: Vec<Slot> = generations
            .iter()
            .map(|&generation| Slot {
                generation,
                archetype: RESERVED,
                row: 0,
            })
            .collect();
        for &index in free {
            match slots.get_mut(index as usize) {
                None => {
                    return Err(format!(
                        "free entity slot {index} is past the {} slots",
                        generations.len()
                    ))
                }
                Some(slot) if slot.archetype == FREE => {
                    return Err(format!("entity slot {index} is listed free twice"))
                }
                Some(slot) => slot.archetype = FREE,
            }
        }
        Ok(EntityIndex {
            slots,
            free: free.to_vec(),
            live: 0,
            reserved: AtomicUsize::new(0),
        })
    }

    /// Makes the reserved slots of `entities` live, `entities[i]` at row `first_row + i`
    /// of `archetype` (a load's or a restore's whole table at once). If one is not a
    /// reserved slot waiting for its row (a stale or unknown handle, or one listed
    /// twice), every slot is left as it was and that entity is the `Err`.
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
        for (i, &entity) in entities.iter().enumerate() {
            match self.slots.get_mut(entity.index() as usize) {
                Some(s) if s.generation == entity.generation() && s.archetype == RESERVED => {
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
