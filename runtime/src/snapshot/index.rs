//! The entity index in a [`WorldData`](super::WorldData), in either of its two forms: a
//! save's [`EntitySlots`] (every slot's generation and the free list) or a snapshot's
//! [`SnapshotIndex`] (the free list and the free slots' generations only: a live slot's
//! generation is its row owner's, which the snapshot's tables hold). [`reset`](super::reset)
//! takes either ([`SavedIndex`]).

use super::EntitySlots;
use crate::entity::{EntityIndex, IndexRebuild};

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
pub struct SnapshotIndex {
    slots: usize,
    free: Vec<u32>,
    free_generations: Vec<u32>,
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
    use crate::entity::IndexRebuild;

    /// The world's entity index, to be rebuilt from the saved form as the tables' row
    /// owners claim their slots; an error naming the fault if the data is inconsistent.
    pub trait Sealed {
        fn rebuild(&self) -> Result<IndexRebuild<'_>, String>;
    }
}

impl SavedIndex for EntitySlots {}

impl sealed::Sealed for EntitySlots {
    fn rebuild(&self) -> Result<IndexRebuild<'_>, String> {
        IndexRebuild::saved(&self.generations, &self.free)
    }
}

impl SavedIndex for SnapshotIndex {}

impl sealed::Sealed for SnapshotIndex {
    fn rebuild(&self) -> Result<IndexRebuild<'_>, String> {
        IndexRebuild::from_rows(self.slots, &self.free, &self.free_generations)
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
