//! [`Refill`]: a world being rebuilt from owned [`WorldData`](super::WorldData), between
//! [`reset`](super::reset) and [`finish`](super::finish).

use crate::entity::IndexRebuild;
use crate::storage::Storage;
use crate::world::WorldDef;

/// A world being rebuilt: [`reset`](super::reset) empties the world and returns this,
/// holding the storage being filled and the entity index being rebuilt from the saved
/// one; [`fill_table`](super::fill_table) fills the tables, whose row owners claim their
/// slots of that index; the first [`fill_sparse`](super::fill_sparse) or
/// [`finish`](super::finish) completes the index. The world gets the storage back when
/// this is dropped, also on an error or a panic halfway (its rows all complete, the slots
/// no row claimed reserved: dead to every handle; after a snapshot's index, of generation
/// 0, as no row owner gave theirs). Forgotten instead (`std::mem::forget`), it leaves the
/// world empty, its entity index too: spawns then hand out handles from slot 0 and
/// generation 0 again, some of them the handles of entities of before the reset (as a
/// restore's later spawns hand out the handles the world handed out after its snapshot).
///
/// ```
/// fn steps<W: metronome_runtime::world::WorldDef>(_: metronome_runtime::snapshot::Refill<'_, '_, W>) {}
/// ```
pub struct Refill<'w, 'd, W: WorldDef> {
    world: &'w mut W,
    /// Empty when `reset` made it, of the world's layout; filled only through
    /// `Storage::fill_reserved`/`fill_adopting` with `index` while that is `Some`.
    storage: Storage,
    /// `Some` until completed into `storage`'s own index.
    index: Option<IndexRebuild<'d>>,
}

impl<'w, 'd, W: WorldDef> Refill<'w, 'd, W> {
    pub(super) fn new(world: &'w mut W, storage: Storage, index: IndexRebuild<'d>) -> Self {
        Refill {
            world,
            storage,
            index: Some(index),
        }
    }

    /// The storage and the index its tables' row owners claim slots of, while tables can
    /// still be filled (`None` once the index is complete).
    pub(super) fn tables(&mut self) -> Option<(&mut Storage, &mut IndexRebuild<'d>)> {
        let index = self.index.as_mut()?;
        Some((&mut self.storage, index))
    }

    /// The storage, its entity index completed (once; tables can no longer be filled).
    pub(super) fn completed(&mut self) -> &mut Storage {
        if let Some(index) = self.index.take() {
            // SAFETY: the storage was empty when `reset` made it, and its tables got rows
            // only through `fill_reserved`/`fill_adopting` with this `index` (`tables` is
            // the only way to them, and hands them out together), which claim each row's
            // owner at that row or leave both unchanged: the finished index and the tables
            // agree.
            unsafe { self.storage.set_rebuilt_index(index.finish()) };
        }
        &mut self.storage
    }
}

impl<W: WorldDef> Drop for Refill<'_, '_, W> {
    fn drop(&mut self) {
        self.completed();
        // The world's placeholder (empty, of the same layout) is dropped with `self`.
        std::mem::swap(self.world.core_mut().storage_mut(), &mut self.storage);
    }
}
