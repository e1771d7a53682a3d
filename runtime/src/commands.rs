//! Deferred structural changes: per-system command buffers, applied at the end of a stage.

use crate::component::{Component, DynBundle};
use crate::entity::Entity;
use std::any::TypeId;
use std::marker::PhantomData;
use std::ptr::NonNull;

/// One deferred change.
pub(crate) enum Command {
    Spawn(Box<dyn DynBundle>),
    Despawn(Entity),
    Insert(Entity, Box<dyn DynBundle>),
    Remove(Entity, TypeId, &'static str),
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
/// system declaration order, then in call order. A command that fails when applied
/// changes nothing and is reported by the world's `take_command_errors`.
///
/// A `Commands` is neither `Send` nor `Sync`: the `Commands` parameters of one system
/// share that system's buffer, so they must stay on the thread that runs the system (a
/// handle moved into a scoped thread would push into the buffer while another handle
/// does, a data race). Record on the system's thread and send data, not the handle.
///
/// ```
/// use metronome_runtime::{Commands, Entity};
/// fn reap(dead: &[Entity], mut commands: Commands) {
///     for &e in dead {
///         commands.despawn(e);
///     }
/// }
/// ```
pub struct Commands<'a> {
    /// Not `Send`/`Sync` (a raw pointer): every handle to one buffer stays on the thread
    /// that made them, where their pushes never overlap (see [`Commands::push`]).
    buffer: NonNull<CommandBuffer>,
    _marker: PhantomData<&'a mut CommandBuffer>,
}

impl<'a> Commands<'a> {
    /// Commands recording into `buffer`.
    pub fn new(buffer: &'a mut CommandBuffer) -> Self {
        Commands {
            buffer: NonNull::from(buffer),
            _marker: PhantomData,
        }
    }

    /// A handle from a raw buffer pointer (several parameters of one system may share it).
    ///
    /// # Safety
    /// `buffer` is valid for `'a` and, for `'a`, used by nothing but `Commands` and
    /// `EventWriter` handles made from it on the calling thread (the handles are not
    /// `Send`, so they stay there).
    #[doc(hidden)]
    pub unsafe fn __from_raw(buffer: NonNull<CommandBuffer>) -> Self {
        Commands {
            buffer,
            _marker: PhantomData,
        }
    }

    fn push(&mut self, command: Command) {
        // SAFETY: the buffer is valid for `'a` (`new`'s borrow or `__from_raw`'s contract).
        // Only `Commands` and `EventWriter` handles of this thread touch it (neither is
        // `Send`; `__from_raw`'s contract), and each one only inside `push` (or
        // `EventWriter::queue`), which calls no user code while the borrow lasts: no other
        // reference to the buffer is live meanwhile.
        unsafe { self.buffer.as_mut() }.commands.push(command);
    }

    /// Spawns an entity with `bundle`: an archetype struct or a tuple of components.
    pub fn spawn(&mut self, bundle: impl DynBundle) {
        self.push(Command::Spawn(Box::new(bundle)));
    }

    /// Despawns `entity`.
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
}
