//! Resetting a world's core to a saved clock and emptying it: the first step of a
//! snapshot's restore and of a load (see [`crate::snapshot`]).

use super::WorldDef;
use crate::snapshot::Clock;
use crate::storage::Storage;

/// Empties `world`'s tables and sparse sets (its entity index too), sets its clock and
/// frame count, and returns an empty storage of the world's layout for the saved rows
/// (the world takes it back when it is filled: `snapshot::Refill`). Checks the clock
/// first: on `Err` the world is unchanged.
///
/// The old rows are dropped after the world holds an empty storage, so a panicking `Drop`
/// of a component leaves an empty, consistent world.
pub(crate) fn reset<W: WorldDef>(world: &mut W, clock: &Clock) -> Result<Storage, String> {
    let core = world.core_mut();
    core.frames.check_clock(clock)?;
    let filling = core.storage.emptied(&core.component_types, W::SPARSE);
    let placeholder = core.storage.emptied(&core.component_types, W::SPARSE);
    core.frames.set_clock(clock);
    core.frame = clock.frame;
    drop(std::mem::replace(&mut core.storage, placeholder));
    Ok(filling)
}
