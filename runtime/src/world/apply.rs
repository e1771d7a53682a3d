//! Applying the deferred commands a stage recorded, in system declaration order, and
//! reporting the ones that fail.

use crate::bits::Bits;
use crate::commands::{failure_message, BundleBatch, Command, CommandErrorPolicy};
use crate::component::DynBundle;
use crate::entity::Entity;
use crate::error::EcsError;
use crate::event::flush_events;
use crate::hierarchy::{self};

use super::WorldDef;
use super::{core::*, entity_ops::*};
use crate::storage::{Table, NO_SLOT};
use std::any::TypeId;

/// Applies the commands the systems of `stage` recorded, in system declaration order, then
/// call order. A failing command changes nothing and is recorded as an error.
///
/// Each command leaves its buffer only when it is applied: if applying one unwinds (a
/// component's `Drop` panicked), the rest are still in the buffers, for
/// [`DiscardOnUnwind`] to discard.
pub(super) fn apply_stage_commands<W: WorldDef>(world: &mut W, stage: &[u16]) {
    crate::trace::span!("commands");
    // The handles `Commands::spawn` reserved while the stage ran become reserved slots.
    world.core_mut().storage.entities_mut().flush();
    for &index in stage {
        // Reversed, so that `pop` takes them in call order; the buffer keeps its
        // allocation for the next run.
        commands_of(world, index).reverse();
        while let Some(command) = commands_of(world, index).pop() {
            apply(world, index, command);
        }
        if W::HAS_EVENTS {
            flush_system_events(world, index);
        }
    }
}

/// Merges the events system `index` sent into the world. Its queues are taken out of its
/// buffer meanwhile (the world is borrowed whole) and put back, keeping their allocations.
pub(super) fn flush_system_events<W: WorldDef>(world: &mut W, index: u16) {
    let buffer = world.core_mut().buffers[index as usize].get_mut();
    if buffer.events.is_empty() {
        return;
    }
    let mut queues = std::mem::take(&mut buffer.events);
    flush_events(world, &mut queues);
    world.core_mut().buffers[index as usize].get_mut().events = queues;
}

/// A command of system `index` failed (and changed nothing): panic or keep the error,
/// as the world's `on_command_error` says.
#[cold]
pub(super) fn command_failed<W: WorldDef>(world: &mut W, index: u16, failure: Failure) {
    let Failure {
        verb,
        entity,
        error,
    } = failure;
    match W::ON_COMMAND_ERROR {
        CommandErrorPolicy::Collect => world.core_mut().errors.push(error),
        CommandErrorPolicy::Panic => {
            let system = W::SYSTEM_NAMES.get(index as usize).copied().unwrap_or("?");
            panic!("{}", failure_message(W::NAME, system, verb, entity, &error));
        }
    }
}

/// The commands waiting in system `index`'s buffer.
#[inline(always)]
pub(super) fn commands_of<W: WorldDef>(world: &mut W, index: u16) -> &mut Vec<Command> {
    &mut world.core_mut().buffers[index as usize].get_mut().commands
}

/// A command that failed: what it was, its entity, and why.
pub(super) struct Failure {
    verb: &'static str,
    entity: Entity,
    error: EcsError,
}

/// Applies one command of system `index`; a failure (which changed nothing) goes to
/// [`command_failed`], once per entity it failed for. (The description is only built on
/// that path: a command that succeeds costs what it did before.)
pub(super) fn apply<W: WorldDef>(world: &mut W, index: u16, command: Command) {
    let (verb, entity) = command.verb_and_entity();
    let failed = |world: &mut W, entity, error| {
        command_failed(
            world,
            index,
            Failure {
                verb,
                entity,
                error,
            },
        )
    };
    match command {
        Command::SpawnBatch(batch) => {
            // Reported once per bundle that failed, as that many `spawn`s would be.
            for (entity, error) in spawn_batch_dyn(world, batch) {
                failed(world, entity, error);
            }
        }
        command => {
            if let Err(error) = apply_command(world, command) {
                failed(world, entity, error);
            }
        }
    }
}

pub(super) fn apply_command<W: WorldDef>(world: &mut W, command: Command) -> Result<(), EcsError> {
    match command {
        Command::Despawn(entity) => {
            // An entity despawned twice (two systems killing one enemy) is not an error.
            despawn(world, entity);
            Ok(())
        }
        Command::Spawn(entity, bundle) => {
            let result = spawn_dyn(world, entity, bundle);
            if result.is_err() {
                // The handle was handed out: it stays dead for good.
                world.core_mut().storage.entities_mut().release(entity);
            }
            result
        }
        // The first failure (`apply` reports each of them).
        Command::SpawnBatch(batch) => match spawn_batch_dyn(world, batch).into_iter().next() {
            Some((_, error)) => Err(error),
            None => Ok(()),
        },
        Command::SetParent(child, parent) => hierarchy::set_parent(world, child, parent),
        Command::Send(to, record) => {
            world.core_mut().outbox.push((to, record));
            Ok(())
        }
        Command::SendEntity(to, entity) => {
            let record = super::records::take(world, entity)?;
            world.core_mut().outbox.push((to, record));
            Ok(())
        }
        Command::Insert(entity, component) => {
            let (type_id, name) = first_component(&*component);
            let id = component_id(world.core(), type_id)
                .ok_or(EcsError::UnknownComponent { component: name })?;
            let mut result = Ok(());
            component.take(&mut |_, src| {
                // SAFETY: `src` holds a value of the type registered for `id`; `take` hands
                // ownership over, and on error we drop it through the column's drop fn.
                result = unsafe { insert_raw(world, entity, id, src, name) };
                if result.is_err() {
                    let ty = world.core().component_types[id as usize];
                    // SAFETY: the value, of this column type's type, was not moved into
                    // the world: drop it once here.
                    unsafe { ty.drop_value(src.cast_mut()) };
                }
            });
            result
        }
        Command::Remove(entity, type_id, name) => {
            let id = component_id(world.core(), type_id)
                .ok_or(EcsError::UnknownComponent { component: name })?;
            let ty = world.core().component_types[id as usize];
            let layout =
                std::alloc::Layout::from_size_align(ty.layout().size().max(1), ty.layout().align())
                    .expect("a component's layout is valid");
            let scratch = AlignedScratch::new(layout);
            // SAFETY: `scratch` is valid for one value of the component's type.
            unsafe { remove_raw(world, entity, id, name, scratch.ptr)? };
            // SAFETY: `remove_raw` moved the value into `scratch`; we own it and drop it
            // (the world is consistent already; if the drop unwinds, `scratch` is freed).
            unsafe { ty.drop_value(scratch.ptr) };
            Ok(())
        }
    }
}

/// A heap block for one value of a runtime-known layout.
pub(super) struct AlignedScratch {
    ptr: *mut u8,
    layout: std::alloc::Layout,
}

impl AlignedScratch {
    fn new(layout: std::alloc::Layout) -> Self {
        // SAFETY: `layout` has non-zero size (the caller rounds zero up to one).
        let ptr = unsafe { std::alloc::alloc(layout) };
        if ptr.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        AlignedScratch { ptr, layout }
    }
}

impl Drop for AlignedScratch {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout (its value, if any, was dropped or
        // moved out by the user of the block).
        unsafe { std::alloc::dealloc(self.ptr, self.layout) }
    }
}

pub(super) fn first_component(bundle: &dyn DynBundle) -> (TypeId, &'static str) {
    let mut first = None;
    bundle.components(&mut |t, n| {
        first.get_or_insert((t, n));
    });
    first.expect("a one-component bundle")
}

pub(super) fn component_id<W>(core: &WorldCore<W>, type_id: TypeId) -> Option<u16> {
    core.component_types
        .iter()
        .position(|t| t.type_id() == type_id)
        .map(|i| i as u16)
}

/// The archetype of a bundle found at run time and the component ids of its values, in
/// the order its `take` hands them out: the bundle's components (`components`, as
/// [`DynBundle::components`]) must be exactly one archetype's set, with no duplicate.
fn bundle_archetype<W: WorldDef>(
    core: &WorldCore<W>,
    components: impl FnOnce(&mut dyn FnMut(TypeId, &'static str)),
    type_name: &'static str,
) -> Result<(u16, Vec<u16>), EcsError> {
    let mut ids: Vec<u16> = Vec::new();
    let mut set = Bits::EMPTY;
    let mut unknown = None;
    let mut duplicate = false;
    components(&mut |type_id, name| match component_id(core, type_id) {
        Some(id) => {
            duplicate |= set.contains(id as usize);
            set = set.with(id as usize);
            ids.push(id);
        }
        None => unknown = unknown.or(Some(name)),
    });
    if let Some(component) = unknown {
        return Err(EcsError::UnknownComponent { component });
    }
    let archetype = W::ARCHETYPE_SETS.iter().position(|s| *s == set);
    let (Some(archetype), false) = (archetype, duplicate) else {
        return Err(EcsError::NoArchetypeForBundle { bundle: type_name });
    };
    Ok((archetype as u16, ids))
}

/// Spawns each bundle of `batch` into its reserved handle, in order (deferred
/// `spawn_batch`): the archetype is found once. Returns the handles that failed, with
/// why (each one given back, dead for good); all of them if the bundles match no
/// archetype.
pub(super) fn spawn_batch_dyn<W: WorldDef>(
    world: &mut W,
    batch: Box<dyn BundleBatch>,
) -> Vec<(Entity, EcsError)> {
    let core = world.core_mut();
    let (archetype, ids) =
        match bundle_archetype(core, |out| batch.components(out), batch.type_name()) {
            Ok(found) => found,
            Err(error) => {
                let failed: Vec<_> = batch
                    .entities()
                    .iter()
                    .map(|&entity| (entity, error.clone()))
                    .collect();
                for &(entity, _) in &failed {
                    core.storage.entities_mut().release(entity);
                }
                // The bundles are dropped here, before any failure is reported (a report
                // may panic, and a drop while unwinding that panicked would abort).
                drop(batch);
                return failed;
            }
        };
    core.storage
        .grow(archetype as usize, batch.entities().len());
    let mut failed = Vec::new();
    batch.spawn_each(&mut |entity, take| {
        // SAFETY: the bundles' components are exactly the archetype's set (checked by
        // `bundle_archetype` on the first bundle, no duplicates; every bundle of the
        // batch is of one type, whose values all list the same components: `DynBundle`'s
        // contract) and `ids` are their ids in `take`'s order (the same contract), so
        // `take` writes every column once, each with a value of its type.
        let spawned = unsafe {
            core.storage
                .spawn_reserved_with(entity, archetype, |table: &mut Table, row| {
                    let mut ids = ids.iter();
                    take(&mut |_, src| {
                        let &id = ids.next().expect("one id per component");
                        debug_assert_ne!(table.slot(id), NO_SLOT);
                        table.write_raw(id, row, src);
                    })
                })
        };
        if !spawned {
            // `take` was not called: the bundle is dropped by `spawn_each`.
            core.storage.entities_mut().release(entity);
            failed.push((entity, EcsError::DeadEntity(entity)));
        }
    });
    failed
}

/// Spawns a bundle whose archetype is found at run time into the reserved handle
/// `entity` (deferred `spawn`).
pub(super) fn spawn_dyn<W: WorldDef>(
    world: &mut W,
    entity: Entity,
    bundle: Box<dyn DynBundle>,
) -> Result<(), EcsError> {
    let core = world.core_mut();
    let (archetype, ids) =
        bundle_archetype(core, |out| bundle.components(out), bundle.type_name())?;
    let mut ids = ids.into_iter();
    // SAFETY: the bundle's components are exactly the archetype's set (checked above, no
    // duplicates), so `take` writes every column once, each with a value of its type.
    let spawned = unsafe {
        core.storage
            .spawn_reserved_with(entity, archetype, |table: &mut Table, row| {
                bundle.take(&mut |_, src| {
                    let id = ids.next().expect("one id per component");
                    debug_assert_ne!(table.slot(id), NO_SLOT);
                    table.write_raw(id, row, src);
                })
            })
    };
    if spawned {
        Ok(())
    } else {
        Err(EcsError::DeadEntity(entity))
    }
}
