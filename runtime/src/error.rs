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
        }
    }
}

impl std::error::Error for EcsError {}
