//! The entity index as a save keeps it (every slot's generation and the free list, in
//! order) and as a snapshot keeps it (the free list and the free slots' generations: the
//! live slots' are those of the row owners), so that the spawns after a restore or a
//! load hand out the very handles they would have handed out in the original world.

use super::{EntityIndex, RESERVED};

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

    /// Slots reserved and not spawned into: after a restore, the entities the saved
    /// index had and no table row claimed.
    pub(crate) fn unfilled(&self) -> usize {
        self.slots.len() - self.free.len() - self.live
    }
}
