//! Deferred structural changes: per-system command buffers, applied at the end of a stage.

mod entity_commands;
mod policy;

pub use entity_commands::EntityCommands;
pub(crate) use policy::failure_message;
pub use policy::CommandErrorPolicy;

use crate::component::{Component, DynBundle};
use crate::entity::{Entity, EntityIndex};
use crate::record::Record;
use std::any::{Any, TypeId};
use std::marker::PhantomData;
use std::ptr::NonNull;

/// One deferred change.
pub(crate) enum Command {
    /// Spawn into the reserved handle.
    Spawn(Entity, Box<dyn DynBundle>),
    /// `Commands::spawn_batch`: each bundle into its reserved handle, in order.
    SpawnBatch(Box<dyn BundleBatch>),
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
            // Reported per bundle where it fails; this names the first.
            Command::SpawnBatch(batch) => (
                "spawn",
                batch
                    .entities()
                    .first()
                    .copied()
                    .unwrap_or(Entity::from_bits(u64::MAX)),
            ),
            Command::Despawn(e) => ("despawn", *e),
            Command::Insert(e, _) => ("insert", *e),
            Command::Remove(e, _, _) => ("remove", *e),
            Command::SetParent(e, _) => ("set_parent", *e),
            // A record send names no entity and never fails.
            Command::Send(_, _) => ("send", Entity::from_bits(u64::MAX)),
            Command::SendEntity(_, e) => ("send_entity", *e),
        }
    }

    /// The handles the command's spawns reserved (given back if it is discarded).
    pub(crate) fn reserved(&self) -> &[Entity] {
        match self {
            Command::Spawn(e, _) => std::slice::from_ref(e),
            Command::SpawnBatch(batch) => batch.entities(),
            _ => &[],
        }
    }
}

/// The bundles of one [`Commands::spawn_batch`], all of one type, each with the handle
/// reserved for it: applied as one command, whose archetype is found once, with no box
/// per bundle.
pub(crate) trait BundleBatch: Any + Send {
    /// The reserved handles, one per bundle, in order.
    fn entities(&self) -> &[Entity];
    /// The components of every bundle (all of one type), as [`DynBundle::components`].
    fn components(&self, out: &mut dyn FnMut(TypeId, &'static str));
    /// The bundles' type name, for errors.
    fn type_name(&self) -> &'static str;
    /// Calls `spawn(entity, take)` for each bundle in order, with its handle: `take(put)`
    /// moves the bundle's components out through `put`, as [`DynBundle::take`] does (the
    /// first call only; later calls hand out nothing). A bundle whose `take` was not
    /// called is dropped after `spawn` returns; if `spawn` panics, the bundles left are
    /// dropped.
    fn spawn_each(self: Box<Self>, spawn: &mut SpawnOne<'_>);
}

/// The callback of [`BundleBatch::spawn_each`]: a handle and the bundle's `take`.
pub(crate) type SpawnOne<'s> =
    dyn FnMut(Entity, &mut dyn FnMut(&mut dyn FnMut(TypeId, *const u8))) + 's;

/// A [`BundleBatch`] of bundles of type `B`.
struct Batch<B> {
    entities: Vec<Entity>,
    bundles: Vec<B>,
}

impl<B: DynBundle> BundleBatch for Batch<B> {
    fn entities(&self) -> &[Entity] {
        &self.entities
    }

    fn components(&self, out: &mut dyn FnMut(TypeId, &'static str)) {
        if let Some(bundle) = self.bundles.first() {
            bundle.components(out);
        }
    }

    fn type_name(&self) -> &'static str {
        std::any::type_name::<B>()
    }

    fn spawn_each(self: Box<Self>, spawn: &mut SpawnOne<'_>) {
        let Batch { entities, bundles } = *self;
        // The bundles not reached yet are dropped with the iterator, also while unwinding.
        for (entity, bundle) in entities.into_iter().zip(bundles) {
            let mut bundle = Some(bundle);
            spawn(entity, &mut |put| {
                if let Some(bundle) = bundle.take() {
                    let mut bundle = std::mem::ManuallyDrop::new(bundle);
                    // SAFETY: `bundle` is a valid value we own; `ManuallyDrop` keeps it
                    // from being dropped or used after `take_from` moved it out.
                    unsafe { B::take_from(&mut *bundle, put) }
                }
            });
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
    ///
    /// Spawns of one bundle type recorded one after the other (a loop of `spawn`s with no
    /// other command between them) become one batch, applied as
    /// [`Commands::spawn_batch`]'s: in the same order, with the same results.
    pub fn spawn<B: DynBundle>(&mut self, bundle: B) -> Entity {
        let entity = self.entities.reserve_entity();
        // SAFETY: as in `push`: no user code runs while the borrow lasts (moves, pushes
        // and downcasts only).
        let commands = &mut unsafe { self.buffer.as_mut() }.commands;
        match commands.last_mut() {
            Some(Command::SpawnBatch(batch)) => {
                let batch: &mut dyn Any = &mut **batch;
                if let Some(batch) = batch.downcast_mut::<Batch<B>>() {
                    batch.entities.push(entity);
                    batch.bundles.push(bundle);
                    return entity;
                }
            }
            Some(Command::Spawn(_, last)) if <dyn Any>::is::<B>(&**last) => {
                // The second spawn of a run: the two become a batch.
                let Some(Command::Spawn(first, last)) = commands.pop() else {
                    unreachable!("the last command is a spawn");
                };
                let last: Box<dyn Any> = last;
                let last = *last
                    .downcast::<B>()
                    .unwrap_or_else(|_| unreachable!("a bundle of type `B`"));
                commands.push(Command::SpawnBatch(Box::new(Batch {
                    entities: vec![first, entity],
                    bundles: vec![last, bundle],
                })));
                return entity;
            }
            _ => {}
        }
        commands.push(Command::Spawn(entity, Box::new(bundle)));
        entity
    }

    /// Spawns every bundle of `bundles`; the handles, in order.
    ///
    /// The batch is one command: applied, it finds the archetype once and writes the
    /// bundles' rows one after the other (no box per bundle, as `spawn` makes). A bundle
    /// that matches no archetype fails for each of its handles, as `spawn` does.
    pub fn spawn_batch<B: DynBundle>(
        &mut self,
        bundles: impl IntoIterator<Item = B>,
    ) -> Vec<Entity> {
        let bundles: Vec<B> = bundles.into_iter().collect();
        let entities: Vec<Entity> = bundles
            .iter()
            .map(|_| self.entities.reserve_entity())
            .collect();
        if !bundles.is_empty() {
            self.push(Command::SpawnBatch(Box::new(Batch {
                entities: entities.clone(),
                bundles,
            })));
        }
        entities
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
