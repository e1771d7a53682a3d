//! The entity index in a save. A human-readable save writes every slot's generation and
//! the free list ([`EntitySlots`]); a binary save writes the snapshot's form
//! ([`SnapshotIndex`]: the number of slots, the free list and the free slots'
//! generations), since a live slot's generation is its row owner's, which the tables
//! carry: 4 bytes an entity fewer to write, checksum and read, and no list of
//! generations to go through on a load. A load reads either into a [`LoadedIndex`].

use crate::entity::EntityIndex;
use crate::snapshot::{EntitySlots, LoadedIndex, SnapshotIndex};
use crate::world::WorldDef;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The entity index of a world, as its save writes it (see the module's doc).
///
/// ```
/// fn writes<T: metronome_runtime::save::serde::Serialize>(_: &T) {}
/// fn index_of<W: metronome_runtime::world::WorldDef>(world: &W) {
///     writes(&metronome_runtime::save::index_out(world));
/// }
/// ```
#[doc(hidden)]
pub struct IndexOut<'a>(&'a EntityIndex);

/// The entity index of `world`, to save.
#[doc(hidden)]
pub fn index_out<W: WorldDef>(world: &W) -> IndexOut<'_> {
    IndexOut(world.core().storage().entities())
}

impl Serialize for IndexOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            let (generations, free) = self.0.saved_slots();
            EntitySlots { generations, free }.serialize(serializer)
        } else {
            SnapshotIndex::of(self.0).serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for LoadedIndex {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            EntitySlots::deserialize(deserializer).map(LoadedIndex::Slots)
        } else {
            SnapshotIndex::deserialize(deserializer).map(LoadedIndex::FromRows)
        }
    }
}
