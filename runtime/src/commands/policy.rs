//! `on_command_error`: what a world does when a deferred command fails at apply time.

use crate::entity::Entity;
use crate::error::EcsError;

/// What a world does when a deferred command fails when applied (`on_command_error =`
/// in `#[world(...)]`). Either way the failed command changed nothing.
///
/// ```
/// use metronome_runtime::CommandErrorPolicy;
/// assert_eq!(CommandErrorPolicy::default(), CommandErrorPolicy::Panic);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CommandErrorPolicy {
    /// `on_command_error = panic` (the default): panic, naming the system, the command,
    /// the entity and the fix. The stage's commands not applied yet are discarded, as for
    /// a panicking system.
    #[default]
    Panic,
    /// `on_command_error = collect`: keep the error for `take_command_errors()`.
    Collect,
}

/// The panic message of a failed command under [`CommandErrorPolicy::Panic`].
pub(crate) fn failure_message(
    world: &str,
    system: &str,
    verb: &str,
    entity: Entity,
    error: &EcsError,
) -> String {
    let fix = match error {
        EcsError::DeadEntity(_) => {
            "the entity was despawned (or never spawned) before the command was applied; check it is alive, or order the systems that despawn it after this one"
        }
        EcsError::NoSuchArchetype { .. } => {
            "declare an archetype with the resulting component set in `archetypes(...)`"
        }
        EcsError::MissingComponent { .. } => {
            "check the entity has the component (`Query::get`, `With<T>`) before removing it"
        }
        EcsError::NoArchetypeForBundle { .. } => {
            "spawn an archetype struct or the exact tuple of an archetype's components, in declared order"
        }
        EcsError::UnknownComponent { .. } => {
            "add the component to an archetype of the world (or to `sparse(...)`; `set_parent` needs `hierarchy`)"
        }
        EcsError::HierarchyCycle { .. } => {
            "an entity cannot be its own ancestor; detach the parent first (`remove::<ChildOf>`)"
        }
        EcsError::KeptByTheWorld { .. } => {
            "attach children with `set_parent` instead of inserting `Children`"
        }
        EcsError::NoArchetypeForRecord { .. } => {
            "declare an archetype with the record's components (sparse ones aside) in `archetypes(...)`"
        }
        EcsError::NoSuchWorld { .. } => "send to the index `Coordinator::add` returned",
        EcsError::UnknownComponentName { .. }
        | EcsError::InvalidValue { .. }
        | EcsError::MalformedRecord { .. } => "fix the imported data",
    };
    format!(
        "command `{verb}` of system `{system}` failed on entity {entity:?} in world `{world}`: {error}; {fix}. (To keep such errors for `take_command_errors()` instead of panicking, declare `on_command_error = collect` in `#[world(...)]`.)"
    )
}
