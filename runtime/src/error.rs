//! Errors of world operations.

use crate::entity::Entity;
use std::fmt;

/// Why a world operation (or a deferred command) failed. Nothing is changed when an
/// operation returns an error.
///
/// ```
/// use metronome_runtime::EcsError;
/// let e = EcsError::NoSuchArchetype { from: "Prop", component: "Velocity" };
/// assert_eq!(e.to_string(), "no archetype holds the components of `Prop` plus or minus `Velocity`");
/// let e = EcsError::NoArchetypeForRecord { components: vec!["Health", "Position"] };
/// assert_eq!(e.to_string(), "no archetype has exactly the components [`Health`, `Position`] (sparse components aside)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EcsError {
    /// The entity was despawned (or the handle is stale).
    DeadEntity(Entity),
    /// The world declares no archetype with the entity's components plus (insert) or
    /// minus (remove) the component.
    NoSuchArchetype {
        /// The entity's archetype.
        from: &'static str,
        /// The component inserted or removed.
        component: &'static str,
    },
    /// The entity does not have the component.
    MissingComponent {
        /// The entity.
        entity: Entity,
        /// The component asked for.
        component: &'static str,
    },
    /// A deferred spawn's bundle matches no archetype of the world.
    NoArchetypeForBundle {
        /// The bundle's type name.
        bundle: &'static str,
    },
    /// A deferred command names a type that is not a component of the world.
    UnknownComponent {
        /// The type's name.
        component: &'static str,
    },
    /// `set_parent(child, parent)` where `child` is `parent` or one of its ancestors.
    HierarchyCycle {
        /// The would-be child.
        child: Entity,
        /// The would-be parent.
        parent: Entity,
    },
    /// A deferred `insert` of a component the world keeps itself (`Children`, of a
    /// world with `hierarchy`; attach children with `set_parent`).
    KeptByTheWorld {
        /// The component's name.
        component: &'static str,
    },
    /// `put`, `transfer` or `import` of a record whose components, sparse ones aside,
    /// are not exactly an archetype's set.
    NoArchetypeForRecord {
        /// The record's components, sorted by name.
        components: Vec<&'static str>,
    },
    /// An `Outbox` sent a record to a world index the coordinator does not have.
    NoSuchWorld {
        /// The index sent to.
        index: usize,
    },
    /// `import_json_lines`: a key names no component of the world.
    UnknownComponentName {
        /// The key as written.
        name: String,
    },
    /// `import_json_lines`: a component's value does not read as that component (a wrong
    /// type, a missing field, or a component that cannot be read from JSON).
    InvalidValue {
        /// The component.
        component: &'static str,
        /// What the reader said (boxed: the error stays as small as the others, which
        /// `insert`/`remove` return on their fast paths).
        reason: Box<str>,
    },
    /// `import_json_lines`: the line is not a JSON object keyed by component names
    /// (malformed JSON, another JSON value, a component named twice).
    MalformedRecord {
        /// What is wrong.
        reason: String,
    },
}

impl fmt::Display for EcsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EcsError::DeadEntity(e) => write!(f, "entity {e:?} is not alive"),
            EcsError::NoSuchArchetype { from, component } => {
                write!(
                    f,
                    "no archetype holds the components of `{from}` plus or minus `{component}`"
                )
            }
            EcsError::MissingComponent { entity, component } => {
                write!(f, "entity {entity:?} has no `{component}`")
            }
            EcsError::NoArchetypeForBundle { bundle } => {
                write!(f, "no archetype has exactly the components of `{bundle}`")
            }
            EcsError::UnknownComponent { component } => {
                write!(f, "`{component}` is not a component of this world")
            }
            EcsError::HierarchyCycle { child, parent } => write!(
                f,
                "{child:?} cannot become a child of {parent:?}: it is {parent:?} or one of its ancestors"
            ),
            EcsError::KeptByTheWorld { component } => write!(
                f,
                "`{component}` is kept by the world; attach children with `set_parent`"
            ),
            EcsError::NoArchetypeForRecord { components } => {
                write!(f, "no archetype has exactly the components [")?;
                for (i, c) in components.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}`{c}`")?;
                }
                write!(f, "] (sparse components aside)")
            }
            EcsError::NoSuchWorld { index } => {
                write!(f, "the coordinator has no world {index}")
            }
            EcsError::UnknownComponentName { name } => {
                write!(f, "`{name}` names no component of this world")
            }
            EcsError::InvalidValue { component, reason } => {
                write!(f, "invalid value for `{component}`: {reason}")
            }
            EcsError::MalformedRecord { reason } => write!(f, "malformed record: {reason}"),
        }
    }
}

impl std::error::Error for EcsError {}

#[cfg(test)]
mod tests {
    /// The record and import variants do not make `Result<(), EcsError>`, which every
    /// `insert`/`remove` returns, any larger than the older variants made it.
    #[test]
    fn the_error_stays_small() {
        assert!(std::mem::size_of::<super::EcsError>() <= 40);
    }
}
