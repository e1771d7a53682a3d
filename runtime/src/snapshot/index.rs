//! The entity index in a [`WorldData`](super::WorldData), in either of its two forms: a
//! save's [`EntitySlots`] (every slot's generation and the free list) or a snapshot's
//! [`SnapshotIndex`] (the free list and the free slots' generations only: a live slot's
//! generation is its row owner's, which the snapshot's tables hold). [`reset`](super::reset)
//! takes either ([`SavedIndex`]), or a load's [`LoadedIndex`] (a binary save writes the
//! snapshot's form, a human-readable one every slot's generation).

use super::EntitySlots;
use crate::entity::EntityIndex;

/// The entity index as a snapshot holds it: the number of slots, the free list (the
/// slot reused first is last) and the free slots' generations. The live slots'
/// generations are not copied: each is that of the entity owning a row in the
/// snapshot's tables, and the restore takes it from there. Only the world's `snapshot`
/// makes one.
///
/// ```
/// use metronome_runtime::snapshot::SnapshotIndex;
/// fn same_slots(a: &SnapshotIndex, b: &SnapshotIndex) -> bool {
///     a == b
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SnapshotIndex {
    slots: usize,
    #[cfg_attr(feature = "serde", serde(with = "crate::save::lists::u32s"))]
    free: Vec<u32>,
    #[cfg_attr(feature = "serde", serde(with = "crate::save::lists::u32s"))]
    free_generations: Vec<u32>,
}

/// The entity index as a load reads it: every slot's generation and the free list
/// ([`EntitySlots`], a human-readable save's), or the snapshot's form
/// ([`SnapshotIndex`], a binary save's: the live slots' generations are their row
/// owners'). Only a load makes one.
///
/// ```
/// use metronome_runtime::snapshot::{EntitySlots, LoadedIndex, SavedIndex};
/// fn takes<E: SavedIndex>(_: &E) {}
/// takes(&LoadedIndex::Slots(EntitySlots::default()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadedIndex {
    /// Every slot's generation and the free list.
    Slots(EntitySlots),
    /// The number of slots, the free list and the free slots' generations.
    FromRows(SnapshotIndex),
}

/// The entity index of a [`WorldData`](super::WorldData): [`EntitySlots`] or
/// [`SnapshotIndex`] (implemented by these two only).
///
/// ```
/// use metronome_runtime::snapshot::{EntitySlots, SavedIndex};
/// fn takes<E: SavedIndex>(_: &E) {}
/// takes(&EntitySlots::default());
/// ```
pub trait SavedIndex: sealed::Sealed {}

mod sealed {
    use crate::entity::EntityIndex;

    /// The world's entity index rebuilt from the saved form: live slots reserved,
    /// waiting for their rows; an error naming the fault if the data is inconsistent.
    pub trait Sealed {
        /// `rows`: the row owners of every table, which must be the live slots.
        fn index(&self, rows: usize) -> Result<EntityIndex, String>;
    }
}

impl SavedIndex for EntitySlots {}

impl sealed::Sealed for EntitySlots {
    fn index(&self, _rows: usize) -> Result<EntityIndex, String> {
        // The index is as long as the generations given (the input paid for them);
        // `finish` checks that every live slot got its row.
        EntityIndex::restored(&self.generations, &self.free)
    }
}

impl SavedIndex for SnapshotIndex {}

impl sealed::Sealed for SnapshotIndex {
    fn index(&self, rows: usize) -> Result<EntityIndex, String> {
        // Checked before the slots are made: the count of slots is the input's word
        // (in a load), the row owners and the free list are paid for by the input.
        let live = self.slots.checked_sub(self.free.len());
        if live != Some(rows) {
            return Err(format!(
                "{} entity slots with {} free and {rows} row owners",
                self.slots,
                self.free.len()
            ));
        }
        EntityIndex::restored_from_rows(self.slots, &self.free, &self.free_generations)
    }
}

impl SavedIndex for LoadedIndex {}

impl sealed::Sealed for LoadedIndex {
    fn index(&self, rows: usize) -> Result<EntityIndex, String> {
        match self {
            LoadedIndex::Slots(slots) => slots.index(rows),
            LoadedIndex::FromRows(index) => index.index(rows),
        }
    }
}

impl SnapshotIndex {
    /// The snapshot form of `index`.
    pub(crate) fn of(index: &EntityIndex) -> Self {
        let (slots, free, free_generations) = index.snapshot_slots();
        SnapshotIndex {
            slots,
            free,
            free_generations,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sealed::Sealed;
    use super::SnapshotIndex;

    #[test]
    fn a_snapshot_index_must_have_as_many_live_slots_as_row_owners() {
        let index = |slots: usize, free: Vec<u32>| SnapshotIndex {
            slots,
            free_generations: vec![0; free.len()],
            free,
        };
        assert!(index(3, vec![1]).index(2).is_ok());
        let err = index(3, vec![1])
            .index(3)
            .err()
            .expect("2 live slots, 3 rows");
        assert!(err.contains("3 row owners"), "{err}");
        assert!(index(1, vec![0, 0]).index(0).is_err());
        // A crafted count of slots is refused before any slot is made (4 billion slots
        // would take 48 GB).
        let err = index(u32::MAX as usize, vec![])
            .index(1)
            .err()
            .expect("2^32 - 1 live slots, 1 row");
        assert!(err.contains("4294967295 entity slots"), "{err}");
    }
}
