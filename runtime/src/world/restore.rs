//! Resetting a world's core to a saved entity index and clock: the first step of a
//! snapshot's restore and of a load (see [`crate::snapshot`]).

use super::WorldDef;
use crate::snapshot::{Clock, SavedIndex};

/// Empties `world`'s tables and sparse sets, gives it the entity index `slots` describes
/// (the live slots reserved, waiting for their rows) and sets its clock and frame count.
/// Checks everything first: on `Err` the world is unchanged.
///
/// The old rows are dropped after the world holds its new, empty storage, so a panicking
/// `Drop` of a component leaves an empty, consistent world.
pub(crate) fn reset<W: WorldDef, E: SavedIndex>(
    world: &mut W,
    slots: &E,
    clock: &Clock,
) -> Result<(), String> {
    let index = slots.index()?;
    let core = world.core_mut();
    core.frames.check_clock(clock)?;
    let emptied = core
        .storage
        .emptied(index, &core.component_types, W::SPARSE);
    core.frames.set_clock(clock);
    core.frame = clock.frame;
    drop(std::mem::replace(&mut core.storage, emptied));
    Ok(())
}
