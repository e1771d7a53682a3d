//! `commands.entity(e)`: the commands of one entity, chained.

use super::Commands;
use crate::component::Component;
use crate::entity::Entity;

/// The deferred commands of one entity, from [`Commands::entity`]; each method records a
/// command in the system's buffer (applied at the end of the stage, in call order).
///
/// ```
/// use metronome_runtime::{Commands, Component, Entity};
/// # struct Health(i32); impl Component for Health { const NAME: &'static str = "Health"; }
/// # struct Poisoned; impl Component for Poisoned { const NAME: &'static str = "Poisoned"; }
/// fn cure(e: Entity, mut commands: Commands) {
///     commands.entity(e).remove::<Poisoned>().insert(Health(10));
/// }
/// ```
pub struct EntityCommands<'c, 'a> {
    commands: &'c mut Commands<'a>,
    entity: Entity,
}

impl<'c, 'a> EntityCommands<'c, 'a> {
    pub(super) fn new(commands: &'c mut Commands<'a>, entity: Entity) -> Self {
        EntityCommands { commands, entity }
    }

    /// The entity these commands apply to.
    pub fn id(&self) -> Entity {
        self.entity
    }

    /// Inserts (or overwrites) `component`.
    pub fn insert<T: Component>(self, component: T) -> Self {
        self.commands.insert(self.entity, component);
        self
    }

    /// Removes component `T` (the value is dropped).
    pub fn remove<T: Component>(self) -> Self {
        self.commands.remove::<T>(self.entity);
        self
    }

    /// Makes `parent` the entity's parent (a world with `hierarchy`; see its
    /// `set_parent`: a cycle, or a dead entity, fails when applied).
    ///
    /// ```
    /// use metronome_runtime::{Commands, Entity};
    /// fn adopt(child: Entity, parent: Entity, mut commands: Commands) {
    ///     commands.entity(child).set_parent(parent);
    /// }
    /// ```
    pub fn set_parent(self, parent: Entity) -> Self {
        self.commands.set_parent(self.entity, parent);
        self
    }

    /// Despawns the entity (no error if it is already dead when applied).
    pub fn despawn(self) {
        self.commands.despawn(self.entity);
    }
}
