//! The world operations on entities, components and resources: spawn, get, insert,
//! remove, despawn, queries; the generated world's methods call these.

use crate::bits::Bits;
use crate::component::{Bundle, ComponentOf, ResourceOf};
use crate::entity::{Entity, Location};
use crate::error::EcsError;
use crate::hierarchy::{self, HierarchyIds};

use super::{WorldDef, NO_ARCHETYPE};
use crate::query::{Query, QueryDataOf, QueryFilterOf, QueryPlan, ReadOnlyQueryData};
use crate::storage::{CopyOnDrop, Storage};

/// Spawns `bundle` (see the world's `spawn`).
#[inline]
pub fn spawn<W: WorldDef, B: Bundle<W>>(world: &mut W, bundle: B) -> Entity {
    // SAFETY: `Bundle::write` initialises every column of `B::ARCHETYPE` (its contract),
    // whose table is the core's table `B::ARCHETYPE` (a `WorldCore<W>` describes `W`:
    // see `WorldCore`).
    unsafe {
        world
            .core_mut()
            .storage
            .spawn_with(B::ARCHETYPE, |table, row| bundle.write(table, row))
    }
}

/// Spawns every bundle of `iter`, reserving once.
pub fn spawn_batch<W: WorldDef, B: Bundle<W>>(
    world: &mut W,
    iter: impl IntoIterator<Item = B>,
) -> Vec<Entity> {
    let iter = iter.into_iter();
    let storage = &mut world.core_mut().storage;
    storage.reserve(B::ARCHETYPE, iter.size_hint().0);
    let mut out = Vec::with_capacity(iter.size_hint().0);
    for bundle in iter {
        // SAFETY: as in `spawn`.
        out.push(unsafe {
            storage.spawn_with(B::ARCHETYPE, |table, row| bundle.write(table, row))
        });
    }
    out
}

/// The component `T` of `entity`.
#[inline]
pub fn get<W: WorldDef, T: ComponentOf<W>>(world: &W, entity: Entity) -> Option<&T> {
    let ptr = component_ptr::<W>(&world.core().storage, entity, T::ID)?;
    // SAFETY: the column of id `T::ID` holds `T` (`ComponentOf` contract); `&W` lets only
    // shared access happen meanwhile.
    Some(unsafe { &*ptr.cast::<T>() })
}

/// The component `T` of `entity`, mutably.
#[inline]
pub fn get_mut<W: WorldDef, T: ComponentOf<W>>(world: &mut W, entity: Entity) -> Option<&mut T> {
    const {
        assert!(
            !HierarchyIds::contains(W::HIERARCHY, T::ID),
            "{}",
            hierarchy::WRITE_ERROR
        )
    };
    if const { W::TRACKED.contains(T::ID as usize) } {
        world.core_mut().storage.mark_changed(entity, T::ID);
    }
    let ptr = component_ptr::<W>(&world.core().storage, entity, T::ID)?;
    // SAFETY: as in `get`; `&mut W` makes the access exclusive.
    Some(unsafe { &mut *ptr.cast::<T>() })
}

/// Pointer to `entity`'s component `id`, from its table or, for a sparse component, its
/// sparse set (the test is a constant for a typed call: a world without sparse components
/// pays nothing).
#[inline(always)]
pub(super) fn component_ptr<W: WorldDef>(
    storage: &Storage,
    entity: Entity,
    id: u16,
) -> Option<*mut u8> {
    if W::SPARSE.contains(id as usize) {
        storage.sparse().set(id)?.get(entity)
    } else {
        storage.component_ptr(entity, id)
    }
}

/// Inserts or overwrites `T` on `entity` (see the world's `insert`).
pub fn insert<W: WorldDef, T: ComponentOf<W>>(
    world: &mut W,
    entity: Entity,
    component: T,
) -> Result<(), EcsError> {
    if const { HierarchyIds::contains(W::HIERARCHY, T::ID) } {
        // (Evaluated for every `T`: it fails only for `Children`.)
        const {
            assert!(
                !matches!(W::HIERARCHY, Some(h) if h.children == T::ID),
                "{}",
                hierarchy::WRITE_ERROR
            )
        };
        let component = std::mem::ManuallyDrop::new(component);
        // SAFETY: `T::ID` is `ChildOf`'s id (the assert above rules `Children` out), so
        // `T` is `ChildOf` (`ComponentOf` ids are distinct); a `Copy` read.
        let parent = unsafe {
            (&*component as *const T)
                .cast::<hierarchy::ChildOf>()
                .read()
        };
        return hierarchy::set_parent(world, entity, parent.0);
    }
    if const { W::SPARSE.contains(T::ID as usize) } {
        let component = std::mem::ManuallyDrop::new(component);
        let src: *const T = &*component;
        // SAFETY: `src` holds a `T`, the type of component `T::ID` (`ComponentOf`
        // contract), given up here (`ManuallyDrop`: on `Err` it is dropped below; if the
        // set's growth panics before it moved, it is leaked, never dropped twice).
        return unsafe { insert_sparse::<W>(world, entity, T::ID, src.cast()) }.inspect_err(|_| {
            // SAFETY: on `Err` the value did not move; it is dropped once, here.
            drop(unsafe { src.read() })
        });
    }
    let storage = &mut world.core_mut().storage;
    let Some(location) = storage.location(entity) else {
        return Err(EcsError::DeadEntity(entity));
    };
    let old = storage
        .column_pointers()
        .get(location.archetype as usize, T::ID)
        .cast::<T>();
    if !old.is_null() {
        // SAFETY: the column of `T::ID` holds `T`s (`ComponentOf` contract) and
        // `location.row` is a live row of it; `&mut W` makes the access exclusive. The new
        // value is in place before the old one is dropped (outside the table), so a drop
        // that unwinds leaves the world consistent.
        let previous = unsafe { old.add(location.row as usize).replace(component) };
        if const { W::TRACKED.contains(T::ID as usize) } {
            storage.mark_changed(entity, T::ID);
        }
        drop(previous);
        return Ok(());
    }
    let (to, row) = match W::add_transition(location.archetype, T::ID) {
        // SAFETY: `entity` is alive at `location`; `move_columns` is the generated mover
        // of `location.archetype -> to`, whose set is the old one plus `T::ID`, so the only
        // column left to write is `T::ID`'s, written right below.
        Some((to, move_columns)) => (to, unsafe {
            storage.move_entity_typed(entity, location, to, move_columns)
        }),
        None => {
            let Some(to) = transition::<W>(W::ADD, location, T::ID) else {
                return Err(EcsError::NoSuchArchetype {
                    from: W::ARCHETYPE_NAMES[location.archetype as usize],
                    component: T::NAME,
                });
            };
            // SAFETY: `entity` is alive at `location`; `to` has exactly the old set plus
            // `T::ID`, so the only column left to write is `T::ID`'s, written right below.
            (to, unsafe {
                storage.move_entity(entity, location, to, None)
            })
        }
    };
    let column = storage
        .column_pointers()
        .get(to as usize, T::ID)
        .cast::<T>();
    debug_assert!(!column.is_null());
    // SAFETY: `to` has component `T::ID` (a column of `T`s, grown by the move), and `row`
    // is its new, uninitialised row.
    unsafe { column.add(row).write(component) };
    Ok(())
}

/// The sparse set of component `id` of `W`, if `entity` is alive.
pub(super) fn live_sparse_set<W: WorldDef>(
    world: &mut W,
    entity: Entity,
    id: u16,
) -> Result<&mut crate::storage::SparseSet, EcsError> {
    let storage = &mut world.core_mut().storage;
    if storage.location(entity).is_none() {
        return Err(EcsError::DeadEntity(entity));
    }
    Ok(storage
        .sparse_mut()
        .set_mut(id)
        .expect("a sparse component has a set (`WorldCore::new` builds one per `W::SPARSE` id)"))
}

/// Moves the value at `src` into `entity`'s sparse component `id` (overwriting any).
///
/// # Safety
/// `id` is a sparse component of `W` and `src` holds a value of its type; on `Ok` its
/// ownership moved into the world (also if the drop of an overwritten value unwinds),
/// on `Err` it is still the caller's.
pub(super) unsafe fn insert_sparse<W: WorldDef>(
    world: &mut W,
    entity: Entity,
    id: u16,
    src: *const u8,
) -> Result<(), EcsError> {
    let set = live_sparse_set(world, entity, id)?;
    // SAFETY: `src` holds a value of the set's type (`ColumnType` of component `id`, the
    // caller's guarantee), given up.
    unsafe { set.insert(entity, src) };
    Ok(())
}

/// Moves `entity`'s sparse component `id` out to `dst`.
///
/// # Safety
/// `id` is a sparse component of `W`; `dst` is valid for a write of one value of its
/// type; on `Ok` it holds the value and the caller owns it.
pub(super) unsafe fn remove_sparse<W: WorldDef>(
    world: &mut W,
    entity: Entity,
    id: u16,
    name: &'static str,
    dst: *mut u8,
) -> Result<(), EcsError> {
    let set = live_sparse_set(world, entity, id)?;
    // SAFETY: `dst` is writable for one value of the set's type (the caller's guarantee).
    if unsafe { set.remove_move(entity, dst) } {
        Ok(())
    } else {
        Err(EcsError::MissingComponent {
            entity,
            component: name,
        })
    }
}

/// Moves the value at `src` into `entity`'s component `id`.
///
/// # Safety
/// `src` holds a value of component `id`'s type; on `Ok` its ownership moved into the
/// world, on `Err` it is still the caller's. If the call unwinds (the drop of the value it
/// overwrites panicked), the value moved into the world.
pub(super) unsafe fn insert_raw<W: WorldDef>(
    world: &mut W,
    entity: Entity,
    id: u16,
    src: *const u8,
    name: &'static str,
) -> Result<(), EcsError> {
    if let Some(h) = W::HIERARCHY {
        if id == h.child_of {
            // SAFETY: `id` is `ChildOf`'s, so `src` holds a `ChildOf` (`Copy`: reading it
            // takes the value over, nothing to drop on any path).
            let parent = unsafe { src.cast::<hierarchy::ChildOf>().read() }.0;
            return hierarchy::set_parent(world, entity, parent);
        }
        if id == h.children {
            return Err(EcsError::KeptByTheWorld { component: name });
        }
    }
    if W::SPARSE.contains(id as usize) {
        // SAFETY: `id` is sparse; `src` holds a value of its type (the caller's guarantee),
        // and the ownership rules are the same.
        return unsafe { insert_sparse::<W>(world, entity, id, src) };
    }
    let core = world.core_mut();
    let location = core
        .storage
        .location(entity)
        .ok_or(EcsError::DeadEntity(entity))?;
    if let Some(dst) = core.storage.component_ptr(entity, id) {
        if W::TRACKED.contains(id as usize) {
            core.storage.mark_changed(entity, id);
        }
        let ty = core.component_types[id as usize];
        // Moves the new value in after the old one is dropped, also if that drop unwinds
        // (the old value counts as dropped then): the world stays consistent and the new
        // value, owned by the world from here on, is neither lost nor dropped twice.
        // SAFETY: `dst` holds the old value, of this column's type, dropped below before
        // the guard drops; `src` holds a value of the same type (the caller's guarantee)
        // that is not in the world, so it does not overlap `dst`, and after the move the
        // world owns it (this function's contract on every path).
        let _move_in = unsafe { CopyOnDrop::new(src, dst, ty.layout().size()) };
        // SAFETY: `dst` holds a live value of this column type's type, not used again.
        unsafe { ty.drop_value(dst) };
        return Ok(());
    }
    let to = transition::<W>(W::ADD, location, id).ok_or(EcsError::NoSuchArchetype {
        from: W::ARCHETYPE_NAMES[location.archetype as usize],
        component: name,
    })?;
    // SAFETY: `entity` is alive at `location`; `to` has exactly the old set plus `id`, so the
    // only column left to write is `id`, written right below.
    let row = unsafe { core.storage.move_entity(entity, location, to, None) };
    // SAFETY: `to` has component `id`, the row's slot is uninitialised, `src` is a value.
    unsafe { core.storage.table_mut(to).write_raw(id, row, src) };
    Ok(())
}

pub(super) fn transition<W: WorldDef>(table: &[u16], location: Location, id: u16) -> Option<u16> {
    let components = W::COMPONENT_NAMES.len();
    let to = *table.get(location.archetype as usize * components + id as usize)?;
    (to != NO_ARCHETYPE).then_some(to)
}

/// Removes `T` from `entity` and returns it (see the world's `remove`).
pub fn remove<W: WorldDef, T: ComponentOf<W>>(
    world: &mut W,
    entity: Entity,
) -> Result<T, EcsError> {
    if const { HierarchyIds::contains(W::HIERARCHY, T::ID) } {
        let removed = if matches!(W::HIERARCHY, Some(h) if h.child_of == T::ID) {
            let old = hierarchy::remove_parent(world, entity)?;
            // SAFETY: `T` is `ChildOf` (its id is `ChildOf`'s; ids are distinct).
            unsafe { std::mem::transmute_copy::<hierarchy::ChildOf, T>(&old) }
        } else {
            let old = std::mem::ManuallyDrop::new(hierarchy::remove_children(world, entity)?);
            // SAFETY: `T` is `Children` (the only other hierarchy id); moved out of the
            // `ManuallyDrop`, so owned once.
            unsafe { std::mem::transmute_copy::<hierarchy::Children, T>(&old) }
        };
        return Ok(removed);
    }
    if const { W::SPARSE.contains(T::ID as usize) } {
        let mut out = std::mem::MaybeUninit::<T>::uninit();
        // SAFETY: `T` is the type of sparse component `T::ID` (`ComponentOf` contract) and
        // `out` is writable for one; on `Ok` it holds the value, which we own.
        unsafe { remove_sparse::<W>(world, entity, T::ID, T::NAME, out.as_mut_ptr().cast())? };
        // SAFETY: initialised by the `Ok` above.
        return Ok(unsafe { out.assume_init() });
    }
    let storage = &mut world.core_mut().storage;
    let Some(location) = storage.location(entity) else {
        return Err(EcsError::DeadEntity(entity));
    };
    let column = storage
        .column_pointers()
        .get(location.archetype as usize, T::ID)
        .cast::<T>();
    if column.is_null() {
        return Err(EcsError::MissingComponent {
            entity,
            component: T::NAME,
        });
    }
    if let Some((to, move_columns)) = W::remove_transition(location.archetype, T::ID) {
        // Grow first: nothing below may fail once the value is out.
        storage.grow(to as usize, 1);
        // SAFETY: the column holds `T`s and `location.row` is live (not moved by growing
        // another table); the mover only fills this value's hole (the generated mover of
        // a remove never moves or drops the removed column's value), so it is read once.
        let value = unsafe { column.add(location.row as usize).read() };
        // SAFETY: `entity` is alive at `location`; `move_columns` is the generated mover
        // of `location.archetype -> to`, the old set minus `T::ID`, so every column of
        // `to` is moved, none left to write; the `T` was moved out above.
        unsafe { storage.move_entity_typed(entity, location, to, move_columns) };
        return Ok(value);
    }
    let Some(to) = transition::<W>(W::REMOVE, location, T::ID) else {
        return Err(EcsError::NoSuchArchetype {
            from: W::ARCHETYPE_NAMES[location.archetype as usize],
            component: T::NAME,
        });
    };
    // Grow first: nothing below may fail once the value is out.
    storage.grow(to as usize, 1);
    // SAFETY: the column holds `T`s and `location.row` is live (not moved by growing
    // another table); the move below skips dropping this value, so it is read out once.
    let value = unsafe { column.add(location.row as usize).read() };
    // SAFETY: `entity` is alive at `location`; `to` is the old set minus `T::ID`, so every
    // column of `to` is moved, none left to write; the `T` was moved out above.
    unsafe { storage.move_entity(entity, location, to, Some(T::ID)) };
    Ok(value)
}

/// Moves `entity`'s component `id` out to `dst`.
///
/// # Safety
/// `dst` is valid for a write of one value of component `id`'s type; on `Ok` it holds the
/// value and the caller owns it.
pub(super) unsafe fn remove_raw<W: WorldDef>(
    world: &mut W,
    entity: Entity,
    id: u16,
    name: &'static str,
    dst: *mut u8,
) -> Result<(), EcsError> {
    if let Some(h) = W::HIERARCHY {
        if id == h.child_of {
            let old = hierarchy::remove_parent(world, entity)?;
            // SAFETY: `dst` is writable for one `ChildOf` (`id`'s type).
            unsafe { dst.cast::<hierarchy::ChildOf>().write(old) };
            return Ok(());
        }
        if id == h.children {
            let old = hierarchy::remove_children(world, entity)?;
            // SAFETY: `dst` is writable for one `Children` (`id`'s type); the caller owns
            // it from here.
            unsafe { dst.cast::<hierarchy::Children>().write(old) };
            return Ok(());
        }
    }
    if W::SPARSE.contains(id as usize) {
        // SAFETY: `id` is sparse; `dst` is writable for one value of its type (the
        // caller's guarantee), and the ownership rules are the same.
        return unsafe { remove_sparse::<W>(world, entity, id, name, dst) };
    }
    let core = world.core_mut();
    let location = core
        .storage
        .location(entity)
        .ok_or(EcsError::DeadEntity(entity))?;
    let src = core
        .storage
        .component_ptr(entity, id)
        .ok_or(EcsError::MissingComponent {
            entity,
            component: name,
        })?;
    let to = transition::<W>(W::REMOVE, location, id).ok_or(EcsError::NoSuchArchetype {
        from: W::ARCHETYPE_NAMES[location.archetype as usize],
        component: name,
    })?;
    let size = core.component_types[id as usize].layout().size();
    // SAFETY: `src` holds the value (of this size) and `dst` is writable for one; after the
    // copy the value belongs to the caller, so the move skips dropping it (if the move's
    // growth panics first, the table still owns the value: `dst` is raw memory, never
    // dropped). `to` is the old set minus `id`, so every column of `to` is moved, none
    // left to write.
    unsafe {
        std::ptr::copy_nonoverlapping(src, dst, size);
        core.storage.move_entity(entity, location, to, Some(id));
    }
    Ok(())
}

/// Despawns `entity`; `false` if it was dead or stale.
#[inline]
pub fn despawn<W: WorldDef>(world: &mut W, entity: Entity) -> bool {
    if const { W::HIERARCHY.is_some() } {
        hierarchy::unlink::<W>(&mut world.core_mut().storage, entity);
    }
    world.core_mut().storage.despawn(entity)
}

/// Whether `entity` is alive.
#[inline]
pub fn is_alive<W: WorldDef>(world: &W, entity: Entity) -> bool {
    world.core().storage.location(entity).is_some()
}

/// Whether `entity` is alive and has `T`.
#[inline]
pub fn has<W: WorldDef, T: ComponentOf<W>>(world: &W, entity: Entity) -> bool {
    component_ptr::<W>(&world.core().storage, entity, T::ID).is_some()
}

/// Resource `T`.
#[inline]
pub fn resource<W: WorldDef, T: ResourceOf<W>>(world: &W) -> &T {
    // SAFETY: no system runs while the caller holds `&W` outside `tick`, and every other
    // access through `&W` is shared.
    unsafe { &*T::cell(world).get() }
}

/// Resource `T`, mutably.
#[inline]
pub fn resource_mut<W: WorldDef, T: ResourceOf<W>>(world: &mut W) -> &mut T {
    // SAFETY: `&mut W` is exclusive.
    unsafe { &mut *T::cell(world).get() }
}

/// A read-only query outside systems.
#[inline]
pub fn query<W: WorldDef, D: ReadOnlyQueryData + QueryDataOf<W>, F: QueryFilterOf<W>>(
    world: &W,
) -> Query<'_, D, F> {
    // A query outside systems that matches no archetype is a compile error.
    let _matches: Bits = QueryPlan::<W, D, F>::MATCHES;
    let core = world.core();
    // SAFETY: the core's storage is `W`'s (a `WorldCore<W>` is only built by the unsafe
    // `WorldCore::new`, whose contract `#[world]` upholds, and never replaced: its fields
    // are private; one table per archetype); `D` only reads and `&W` lets nobody write meanwhile.
    unsafe { Query::__new::<W>(&core.storage, &core.executor, core.storage.frame_tick()) }
}

/// A query outside systems.
#[inline]
pub fn query_mut<W: WorldDef, D: QueryDataOf<W>, F: QueryFilterOf<W>>(
    world: &mut W,
) -> Query<'_, D, F> {
    // A query outside systems that matches no archetype is a compile error.
    let _matches: Bits = QueryPlan::<W, D, F>::MATCHES;
    let core = world.core();
    // SAFETY: the core's storage is `W`'s (a `WorldCore<W>` is only built by the unsafe
    // `WorldCore::new`, whose contract `#[world]` upholds, and never replaced: its fields
    // are private; one table per archetype); `&mut W` is exclusive for the query's lifetime.
    unsafe { Query::__new::<W>(&core.storage, &core.executor, core.storage.frame_tick()) }
}

/// The archetype name of `entity`.
pub fn archetype_name<W: WorldDef>(world: &W, entity: Entity) -> Option<&'static str> {
    let location = world.core().storage.location(entity)?;
    W::ARCHETYPE_NAMES.get(location.archetype as usize).copied()
}
