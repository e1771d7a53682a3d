//! The `hierarchy` world key: parent/child links as two sparse components, [`ChildOf`]
//! on a child and [`Children`] on a parent, which the world keeps consistent through
//! every path (`set_parent`, `insert`/`remove` of `ChildOf`, `remove` of `Children`,
//! `despawn`, `despawn_recursive`, deferred commands).
//!
//! Invariant, for every live entity `c` of a world with a hierarchy: `c` has
//! `ChildOf(p)` exactly when `p` is alive and `c` is listed once in `p`'s `Children`; an
//! entity has `Children` only when the list is non-empty; no chain of parents is a cycle.
//! Only the functions below change the two components: queries may read them but not
//! write them, and `get_mut`/`insert::<Children>` of them are compile errors
//! ([`HierarchyIds`]'s checks), so the invariant holds whatever safe code does. (It is a
//! logical invariant: no `unsafe` code relies on it, and every walk below terminates
//! whatever the links are.)

use crate::component::Component;
use crate::entity::Entity;
use crate::error::EcsError;
use crate::storage::Storage;
use crate::world::WorldDef;
use std::ops::Deref;

/// The parent of an entity (a sparse component of a world declared with `hierarchy`).
///
/// ```
/// use metronome_runtime::{ChildOf, Entity};
/// let parent = Entity::from_bits(7);
/// assert_eq!(ChildOf(parent).0, parent);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChildOf(pub Entity);

impl Component for ChildOf {
    const NAME: &'static str = "ChildOf";
}

/// The children of an entity, in the order they were attached (a sparse component of a
/// world declared with `hierarchy`; only the world makes one).
///
/// ```
/// use metronome_runtime::Children;
/// fn count(children: &Children) -> usize {
///     children.len() // a `Children` is a slice of entities
/// }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Children(pub(crate) Vec<Entity>);

impl Children {
    /// The children as a slice.
    pub fn as_slice(&self) -> &[Entity] {
        &self.0
    }
}

impl Deref for Children {
    type Target = [Entity];
    fn deref(&self) -> &[Entity] {
        &self.0
    }
}

impl Component for Children {
    const NAME: &'static str = "Children";
}

/// The component ids of [`ChildOf`] and [`Children`] in a world with a hierarchy
/// (`WorldDef::HIERARCHY`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HierarchyIds {
    /// `ChildOf`'s id.
    pub child_of: u16,
    /// `Children`'s id.
    pub children: u16,
}

impl HierarchyIds {
    /// Whether `id` is one of the two.
    pub const fn contains(ids: Option<HierarchyIds>, id: u16) -> bool {
        match ids {
            Some(h) => h.child_of == id || h.children == id,
            None => false,
        }
    }
}

/// The message of the compile error for writing a hierarchy component directly.
pub const WRITE_ERROR: &str = "`ChildOf` and `Children` are kept consistent by the world: read them in queries, and change them with `set_parent` (`game.set_parent(child, parent)`, `commands.entity(child).set_parent(parent)`), `insert`/`remove` of `ChildOf`, `remove::<Children>` or `despawn_recursive`";

/// The parent of `entity`, if it has one.
pub(crate) fn parent_in<W: WorldDef>(storage: &Storage, entity: Entity) -> Option<Entity> {
    let ids = W::HIERARCHY?;
    let ptr = storage.sparse().set(ids.child_of)?.get(entity)?;
    // SAFETY: the set of `ids.child_of` holds `ChildOf`s (`WorldDef::HIERARCHY` names
    // `ChildOf`'s sparse id, `#[world]` generates both); shared read of a `Copy` value
    // while `storage` is borrowed.
    Some(unsafe { *ptr.cast::<ChildOf>() }.0)
}

/// The children of `entity` (empty if none).
pub(crate) fn children_in<W: WorldDef>(storage: &Storage, entity: Entity) -> &[Entity] {
    let Some(ids) = W::HIERARCHY else {
        return &[];
    };
    match storage
        .sparse()
        .set(ids.children)
        .and_then(|s| s.get(entity))
    {
        // SAFETY: the set of `ids.children` holds `Children` (as above); the slice lives
        // as long as the shared borrow of `storage`, which nothing changes meanwhile.
        Some(ptr) => unsafe { &*ptr.cast::<Children>() }.as_slice(),
        None => &[],
    }
}

/// `entity`'s `Children`, mutably.
fn children_mut<W: WorldDef>(storage: &mut Storage, entity: Entity) -> Option<&mut Vec<Entity>> {
    let ids = W::HIERARCHY?;
    let ptr = storage.sparse().set(ids.children)?.get(entity)?;
    // SAFETY: the set of `ids.children` holds `Children`; `&mut Storage` makes the access
    // exclusive for the returned borrow.
    Some(&mut unsafe { &mut *ptr.cast::<Children>() }.0)
}

/// Moves `value` in as `entity`'s sparse component `id` (overwriting).
///
/// # Safety
/// `id`'s sparse set holds `T`s.
unsafe fn put<T>(storage: &mut Storage, id: u16, entity: Entity, value: T) {
    let set = storage
        .sparse_mut()
        .set_mut(id)
        .expect("a hierarchy component is sparse");
    let value = std::mem::ManuallyDrop::new(value);
    // SAFETY: the set holds `T`s (the caller's guarantee); the value is given up
    // (`ManuallyDrop`: leaked if the set's growth panics before it moved).
    unsafe { set.insert(entity, (&*value as *const T).cast()) };
}

/// Takes `entity`'s sparse component `id` out.
///
/// # Safety
/// `id`'s sparse set holds `T`s.
unsafe fn take<T>(storage: &mut Storage, id: u16, entity: Entity) -> Option<T> {
    let set = storage.sparse_mut().set_mut(id)?;
    let mut out = std::mem::MaybeUninit::<T>::uninit();
    // SAFETY: `out` is writable for one `T`, the set's type (the caller's guarantee).
    if unsafe { set.remove_move(entity, out.as_mut_ptr().cast()) } {
        // SAFETY: written by `remove_move`, owned by us.
        Some(unsafe { out.assume_init() })
    } else {
        None
    }
}

/// Unlinks `child` from its parent (its `ChildOf`, and its place in the parent's
/// `Children`, which goes when empty); the old parent.
fn detach<W: WorldDef>(storage: &mut Storage, child: Entity) -> Option<Entity> {
    let ids = W::HIERARCHY?;
    // SAFETY: `ids.child_of`'s set holds `ChildOf`s.
    let ChildOf(parent) = unsafe { take::<ChildOf>(storage, ids.child_of, child) }?;
    if let Some(list) = children_mut::<W>(storage, parent) {
        list.retain(|&c| c != child);
        if list.is_empty() {
            // SAFETY: `ids.children`'s set holds `Children`.
            drop(unsafe { take::<Children>(storage, ids.children, parent) });
        }
    }
    Some(parent)
}

/// Makes `parent` the parent of `child` (see the world's `set_parent`).
pub fn set_parent<W: WorldDef>(
    world: &mut W,
    child: Entity,
    parent: Entity,
) -> Result<(), EcsError> {
    let Some(ids) = W::HIERARCHY else {
        return Err(EcsError::UnknownComponent {
            component: "ChildOf",
        });
    };
    let storage = world.core_mut().storage_mut();
    for e in [child, parent] {
        if storage.location(e).is_none() {
            return Err(EcsError::DeadEntity(e));
        }
    }
    // A cycle: `child` is `parent` or one of its ancestors. (At most `len` steps: a chain
    // of parents never repeats, and the bound keeps the walk finite regardless.)
    let mut at = Some(parent);
    let mut steps = 0;
    while let Some(a) = at {
        if a == child {
            return Err(EcsError::HierarchyCycle { child, parent });
        }
        steps += 1;
        if steps > storage.len() {
            break;
        }
        at = parent_in::<W>(storage, a);
    }
    if parent_in::<W>(storage, child) == Some(parent) {
        return Ok(());
    }
    detach::<W>(storage, child);
    // SAFETY: `ids.child_of`'s set holds `ChildOf`s.
    unsafe { put(storage, ids.child_of, child, ChildOf(parent)) };
    match children_mut::<W>(storage, parent) {
        Some(list) => list.push(child),
        // SAFETY: `ids.children`'s set holds `Children`.
        None => unsafe { put(storage, ids.children, parent, Children(vec![child])) },
    }
    Ok(())
}

/// Removes `child`'s parent link (`remove::<ChildOf>`): its old `ChildOf`.
pub(crate) fn remove_parent<W: WorldDef>(
    world: &mut W,
    child: Entity,
) -> Result<ChildOf, EcsError> {
    let storage = world.core_mut().storage_mut();
    if storage.location(child).is_none() {
        return Err(EcsError::DeadEntity(child));
    }
    detach::<W>(storage, child)
        .map(ChildOf)
        .ok_or(EcsError::MissingComponent {
            entity: child,
            component: ChildOf::NAME,
        })
}

/// Detaches every child of `parent` (`remove::<Children>`): its old `Children`.
pub(crate) fn remove_children<W: WorldDef>(
    world: &mut W,
    parent: Entity,
) -> Result<Children, EcsError> {
    let storage = world.core_mut().storage_mut();
    if storage.location(parent).is_none() {
        return Err(EcsError::DeadEntity(parent));
    }
    let missing = EcsError::MissingComponent {
        entity: parent,
        component: Children::NAME,
    };
    let ids = W::HIERARCHY.ok_or(missing.clone())?;
    // SAFETY: `ids.children`'s set holds `Children`.
    let children = unsafe { take::<Children>(storage, ids.children, parent) }.ok_or(missing)?;
    for &c in children.iter() {
        if parent_in::<W>(storage, c) == Some(parent) {
            // SAFETY: `ids.child_of`'s set holds `ChildOf`s.
            let _ = unsafe { take::<ChildOf>(storage, ids.child_of, c) };
        }
    }
    Ok(children)
}

/// Before `entity` is despawned: unlinks it from its parent and orphans its children.
pub(crate) fn unlink<W: WorldDef>(storage: &mut Storage, entity: Entity) {
    let Some(ids) = W::HIERARCHY else {
        return;
    };
    if storage.location(entity).is_none() {
        return;
    }
    detach::<W>(storage, entity);
    // SAFETY: `ids.children`'s set holds `Children`.
    if let Some(children) = unsafe { take::<Children>(storage, ids.children, entity) } {
        for &c in children.iter() {
            if parent_in::<W>(storage, c) == Some(entity) {
                // SAFETY: `ids.child_of`'s set holds `ChildOf`s.
                let _ = unsafe { take::<ChildOf>(storage, ids.child_of, c) };
            }
        }
    }
}

/// Despawns `entity` and all its descendants; `false` if it was not alive.
pub fn despawn_recursive<W: WorldDef>(world: &mut W, entity: Entity) -> bool {
    let storage = world.core().storage();
    if storage.location(entity).is_none() {
        return false;
    }
    // Every descendant, each once (a despawn below removes it from the walk's reach).
    let mut order = vec![entity];
    let mut seen = std::collections::HashSet::from([entity]);
    let mut next = 0;
    while next < order.len() {
        let at = order[next];
        next += 1;
        for &c in children_in::<W>(storage, at) {
            if seen.insert(c) {
                order.push(c);
            }
        }
    }
    for e in order {
        crate::world::despawn(world, e);
    }
    true
}

/// The children of `entity`, in the order they were attached (empty if none, or if it is
/// not alive).
pub fn children<W: WorldDef>(world: &W, entity: Entity) -> &[Entity] {
    children_in::<W>(world.core().storage(), entity)
}

/// The parent of `entity`, if it has one.
pub fn parent<W: WorldDef>(world: &W, entity: Entity) -> Option<Entity> {
    parent_in::<W>(world.core().storage(), entity)
}
