//! Deferred structural changes: per-system command buffers, applied at the end of a stage.

mod entity_commands;
mod policy;

pub use entity_commands::EntityCommands;
pub(crate) use policy::failure_message;
pub use policy::CommandErrorPolicy;

use crate::component::{Component, DynBundle};
use crate::entity::{Entity, EntityIndex};
use crate::record::Record;
use std::any::TypeId;
use std::marker::PhantomData;
use std::ptr::NonNull;

/// One deferred change.
pub(crate) enum Command {
    /// Spawn into the reserved handle.
    Spawn(Entity, Box<dyn DynBundle>),
    Despawn(Entity),
    Insert(Entity, Box<dyn DynBundle>),
    Remove(Entity, TypeId, &'static str),
    /// `set_parent(child, parent)` of a world with `hierarchy`.
    SetParent(Entity, Entity),
    /// `Outbox::send`: the record goes to the world's outbox, for world `.0`.
    Send(usize, Record),
    /// `Outbox::send_entity`: the entity is taken into a record for world `.0`.
    SendEntity(usize, Entity),
}

impl Command {
    /// What the command does, and to which entity (for error reports).
    pub(crate) fn verb_and_entity(&self) -> (&'static str, Entity) {
        match self {
            Command::Spawn(e, _) => ("spawn", *e),
            Command::Despawn(e) => ("despawn", *e),
            Command::Insert(e, _) => ("insert", *e),
            Command::Remove(e, _, _) => ("remove", *e),
            Command::SetParent(e, _) => ("set_parent", *e),
            // A record send names no entity and never fails.
            Command::Send(_, _) => ("send", Entity::from_bits(u64::MAX)),
            Command::SendEntity(_, e) => ("send_entity", *e),
        }
    }
}

/// The commands one system recorded during a stage, in call order.
#[derive(Default)]
pub struct CommandBuffer {
    pub(crate) commands: Vec<Command>,
    /// The system's event queues, one per event type it sends (see `event.rs`).
    pub(crate) events: Vec<Box<dyn crate::event::EventQueue>>,
}

impl CommandBuffer {
    /// An empty buffer with room for `capacity` commands.
    pub fn with_capacity(capacity: usize) -> Self {
        CommandBuffer {
            commands: Vec::with_capacity(capacity),
            events: Vec::new(),
        }
    }

    /// Number of commands waiting.
    pub fn len(&self) -> usize {
        self.commands.len()
    }

    /// Whether no command waits.
    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }
}

/// Records deferred structural changes; they are applied at the end of the stage, in
/// system declaration order, then in call order.
///
/// A command that fails when applied changes nothing; the world's `on_command_error`
/// decides what happens then: `panic` (the default) panics, naming the system, the
/// command, the entity and the fix; `collect` keeps the error for the world's
/// `take_command_errors`. Despawning an entity that is already dead is not an error.
///
/// [`Commands::spawn`] returns the new entity's handle at once: it is reserved (not
/// alive, [`is_alive`](crate::world::is_alive) is `false`) until the stage's commands are
/// applied. The handle can be used in later commands of the same stage
/// (`commands.entity(e).insert(..)`), stored, or sent in an event. If the spawn is never
/// applied (its stage panicked, or the bundle matches no archetype) the handle stays dead
/// for good: no later entity ever gets it.
///
/// A `Commands` is neither `Send` nor `Sync`: the `Commands` parameters of one system
/// share that system's buffer, so they must stay on the thread that runs the system (a
/// handle moved into a scoped thread would push into the buffer while another handle
/// does, a data race). Record on the system's thread and send data, not the handle; in a
/// parallel loop use [`Query::par_for_each_with_commands`](crate::Query::par_for_each_with_commands).
///
/// ```
/// use metronome_runtime::{Commands, Component, Entity};
/// # struct Health(i32); impl Component for Health { const NAME: &'static str = "Health"; }
/// fn reap(dead: &[Entity], mut commands: Commands) {
///     for &e in dead {
///         commands.despawn(e);
///     }
///     let spawned: Entity = commands.spawn((Health(10),));
///     commands.entity(spawned).insert(Health(20));
/// }
/// ```
pub struct Commands<'a> {
    /// Not `Send`/`Sync` (a raw pointer): every handle to one buffer stays on the thread
    /// that made them, where their pushes never overlap (see [`Commands::push`]).
    buffer: NonNull<CommandBuffer>,
    /// Where spawned entities reserve their handles.
    entities: &'a EntityIndex,
    _marker: PhantomData<&'a mut CommandBuffer>,
}

impl<'a> Commands<'a> {
    /// Commands recording into `buffer`, reserving spawned handles in `entities`.
    /// (Crate-private: a reservation must be flushed before the index changes, which only
    /// the stage runner guarantees.)
    pub(crate) fn new(buffer: &'a mut CommandBuffer, entities: &'a EntityIndex) -> Self {
        Commands {
            buffer: NonNull::from(buffer),
            entities,
            _marker: PhantomData,
        }
    }

    /// A handle from a raw buffer pointer (several parameters of one system may share it).
    ///
    /// # Safety
    /// `buffer` is valid for `'a` and, for `'a`, used by nothing but `Commands` and
    /// `EventWriter` handles made from it on the calling thread (the handles are not
    /// `Send`, so they stay there).
    /// `entities` is the index of the world whose stage runner applies `buffer`, and that
    /// runner flushes the index's reservations before it changes the index.
    #[doc(hidden)]
    pub unsafe fn __from_raw(buffer: NonNull<CommandBuffer>, entities: &'a EntityIndex) -> Self {
        Commands {
            buffer,
            entities,
            _marker: PhantomData,
        }
    }

    /// The entity index handles are reserved in.
    pub(crate) fn entities(&self) -> &'a EntityIndex {
        self.entities
    }

    pub(crate) fn push(&mut self, command: Command) {
        // SAFETY: the buffer is valid for `'a` (`new`'s borrow or `__from_raw`'s contract).
        // Only `Commands` and `EventWriter` handles of this thread touch it (neither is
        // `Send`; `__from_raw`'s contract), and each one only inside `push`/`append` (or
        // `EventWriter::queue`), which call no user code while the borrow lasts: no other
        // reference to the buffer is live meanwhile.
        unsafe { self.buffer.as_mut() }.commands.push(command);
    }

    /// Moves every command of `buffer`, in order, to the end of this one.
    pub(crate) fn append(&mut self, buffer: &mut Vec<Command>) {
        // SAFETY: as in `push`: no user code runs while the borrow lasts.
        unsafe { self.buffer.as_mut() }.commands.append(buffer);
    }

    /// Spawns an entity with `bundle` (an archetype struct or the exact tuple of an
    /// archetype's components) and returns its handle at once. The entity is alive once
    /// the stage's commands are applied.
    ///
    /// A bundle that matches no archetype of the world fails when applied (see
    /// `on_command_error`), and the handle stays dead.
    pub fn spawn(&mut self, bundle: impl DynBundle) -> Entity {
        let entity = self.entities.reserve_entity();
        self.push(Command::Spawn(entity, Box::new(bundle)));
        entity
    }

    /// Spawns every bundle of `bundles`; the handles, in order.
    pub fn spawn_batch<B: DynBundle>(
        &mut self,
        bundles: impl IntoIterator<Item = B>,
    ) -> Vec<Entity> {
        let bundles = bundles.into_iter();
        let mut out = Vec::with_capacity(bundles.size_hint().0);
        for bundle in bundles {
            out.push(self.spawn(bundle));
        }
        out
    }

    /// Despawns `entity` (nothing happens, and no error is reported, if it is already
    /// dead when the command is applied).
    pub fn despawn(&mut self, entity: Entity) {
        self.push(Command::Despawn(entity));
    }

    /// Inserts (or overwrites) `component` on `entity`.
    pub fn insert<T: Component>(&mut self, entity: Entity, component: T) {
        self.push(Command::Insert(entity, Box::new((component,))));
    }

    /// Removes component `T` from `entity` (the value is dropped).
    pub fn remove<T: Component>(&mut self, entity: Entity) {
        self.push(Command::Remove(entity, TypeId::of::<T>(), T::NAME));
    }

    /// Makes `parent` the parent of `child` (a world with `hierarchy`; see
    /// `EntityCommands::set_parent`).
    pub fn set_parent(&mut self, child: Entity, parent: Entity) {
        self.push(Command::SetParent(child, parent));
    }

    /// The commands of one entity, chained: `commands.entity(e).insert(a).remove::<B>()`.
    pub fn entity(&mut self, entity: Entity) -> EntityCommands<'_, 'a> {
        EntityCommands::new(self, entity)
    }
}
