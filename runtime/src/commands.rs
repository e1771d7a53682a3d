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
}

impl CommandBuffer {
    /// An empty buffer with room for `capacity` commands.
    pub fn with_capacity(capacity: usize) -> Self {
        CommandBuffer {
            commands: Vec::with_capacity(capacity),
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
/// ```
/// use metronome_runtime::{Commands, Entity};
/// fn reap(dead: &[Entity], mut commands: Commands) {
///     for &e in dead {
///         commands.despawn(e);
///     }
/// }
/// ```
pub struct Commands<'a> {
    buffer: NonNull<CommandBuffer>,
    _marker: PhantomData<&'a mut CommandBuffer>,
}

// SAFETY: a `Commands` is the only handle to its system's buffer while the system runs
// (several `Commands` parameters of one system are used on one thread, never at once).
unsafe impl Send for Commands<'_> {}

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
    /// `buffer` is valid and used by nothing else than `Commands` of one system for `'a`.
    #[doc(hidden)]
    pub unsafe fn __from_raw(buffer: NonNull<CommandBuffer>) -> Self {
        Commands {
            buffer,
            _marker: PhantomData,
        }
    }

    fn push(&mut self, command: Command) {
        // SAFETY: the buffer outlives `'a`, and no other reference to it is live while
        // this short borrow lasts (commands of one system run on one thread).
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
