//! [`Outbox`]: the system parameter that hands records to another world of a
//! [`Coordinator`](super::Coordinator).

use crate::commands::{Command, CommandBuffer, Commands};
use crate::entity::Entity;
use crate::param::{ParamState, SystemParam};
use crate::record::Record;
use crate::system::ParamAccess;
use crate::world::WorldDef;
use std::ptr::NonNull;

/// Sends records to other worlds of a [`Coordinator`](super::Coordinator): a system
/// parameter, deferred like [`Commands`] (it records into the system's command buffer).
///
/// At the end of the stage the sends are applied with the stage's other commands, in
/// system declaration order, then call order: [`Outbox::send`] puts the record in the
/// world's outbox, [`Outbox::send_entity`] takes the entity out of the world (as the
/// world's `take` does; a dead entity is a failed command, see `on_command_error`) and
/// puts its record there. At the end of the frame the coordinator hands the outbox to the
/// destination worlds, which receive the records at the start of their next frame.
/// A world run outside a coordinator keeps them until `take_outbox()`.
///
/// ```
/// use metronome_runtime::{Component, Outbox, Query, Record, Entity};
/// # struct Position(f32); impl Component for Position { const NAME: &'static str = "Position"; }
/// fn leave_east(q: Query<(Entity, &Position)>, mut outbox: Outbox) {
///     for (e, p) in q.iter() {
///         if p.0 > 100.0 {
///             outbox.send_entity(1, e); // to world 1 of the coordinator
///         }
///     }
///     outbox.send(1, Record::new().with(Position(0.0)));
/// }
/// ```
pub struct Outbox<'a> {
    commands: Commands<'a>,
}

impl Outbox<'_> {
    /// Sends `record` to world `world` (its index in the coordinator).
    pub fn send(&mut self, world: usize, record: Record) {
        self.commands.push(Command::Send(world, record));
    }

    /// Takes `entity` out of this world at the end of the stage and sends its record to
    /// world `world`.
    pub fn send_entity(&mut self, world: usize, entity: Entity) {
        self.commands.push(Command::SendEntity(world, entity));
    }
}

impl ParamState for Outbox<'_> {
    type State = ();
}

// SAFETY: an `Outbox` only records into the system's own buffer, as `Commands` does: no
// world access.
unsafe impl<'x, W: WorldDef> SystemParam<W> for Outbox<'x> {
    type Item<'w> = Outbox<'w>;
    const ACCESS: ParamAccess = ParamAccess::Nothing;
    unsafe fn fetch<'w>(
        world: &'w W,
        _: &'w mut (),
        commands: NonNull<CommandBuffer>,
    ) -> Outbox<'w> {
        // SAFETY: as for `Commands`: the caller passes this system's buffer, used
        // meanwhile only by this system's `Commands`, `EventWriter` and `Outbox` handles,
        // on this thread (none is `Send`).
        let commands = unsafe { Commands::__from_raw(commands, world.core().storage().entities()) };
        Outbox { commands }
    }
}
