//! Moving entities out of and into worlds as [`Record`]s: `take`, `put`, `transfer` and
//! `import`; the generated world's methods call these.
//!
//! A record carries the entity's components, table and sparse alike, but not its
//! hierarchy links (`ChildOf`, `Children` name entities of the world it left): `take`
//! unlinks the entity first, as `despawn` does, so its children become roots.
//!
//! Every value moves exactly once: `take` moves each out of the world into its own box
//! (nothing is dropped), `put` moves each box's value into the world (nothing is
//! dropped), and a `put` that fails changes nothing and leaves the record as it was.

use super::apply::component_id;
use super::entity_ops::insert_sparse;
use super::WorldDef;
use crate::bits::Bits;
use crate::entity::Entity;
use crate::error::EcsError;
use crate::hierarchy::{self, ChildOf};
use crate::record::{ImportReport, Record};
use std::any::TypeId;

/// Removes `entity` from `world` and returns its components (see the world's `take`).
pub fn take<W: WorldDef>(world: &mut W, entity: Entity) -> Result<Record, EcsError> {
    if world.core().storage().location(entity).is_none() {
        return Err(EcsError::DeadEntity(entity));
    }
    if const { W::HIERARCHY.is_some() } {
        hierarchy::unlink::<W>(world.core_mut().storage_mut(), entity);
    }
    let core = world.core_mut();
    let types = &core.component_types;
    let storage = &mut core.storage;
    let location = storage.location(entity).expect("alive (checked above)");
    let table_columns = storage.tables()[location.archetype as usize].ids().len();
    let mut record = Record::with_capacity(table_columns + W::SPARSE.len());
    // Sparse values first, while the entity is alive.
    for id in W::SPARSE.iter() {
        let set = storage.sparse_mut().set_mut(id as u16).expect(
            "a sparse component has a set (`WorldCore::new` builds one per `W::SPARSE` id)",
        );
        let Some(ptr) = set.get(entity) else {
            continue;
        };
        // SAFETY: `ptr` holds `entity`'s value of component `id`, whose column type is
        // `types[id]`; it is given up to the entry here and unlinked right below without
        // a drop.
        record.push_entry(unsafe { types[id].read_entry(ptr) });
        // SAFETY: the value was moved out just above.
        let removed = unsafe { set.remove_moved_out(entity) };
        debug_assert!(removed);
    }
    // SAFETY: the closure moves each value into a record entry (`read_entry`: the box is
    // allocated before the copy; an allocation failure aborts, it never unwinds) and
    // pushes it into room reserved above (no reallocation, no unwind).
    let taken = unsafe {
        storage.take_entity(entity, |id, ptr| {
            record.push_entry(types[id as usize].read_entry(ptr));
        })
    };
    debug_assert!(taken);
    Ok(record)
}

/// Where a record goes in world `W`: its archetype, each entry's component id (in the
/// record's order), and the parent its `ChildOf` names, if any.
struct Placement {
    archetype: u16,
    ids: Vec<u16>,
    parent: Option<Entity>,
}

/// Checks that `world` can spawn an entity with the components `entries` lists (type id
/// and name, in order): every type is a component of `W`, the non-sparse ones are exactly
/// an archetype's set, no `Children`, and a `ChildOf` (whose parent the caller reads)
/// names a live entity.
fn place<W: WorldDef>(
    world: &W,
    entries: impl Iterator<Item = (TypeId, &'static str)>,
    parent: impl FnOnce() -> Option<Entity>,
) -> Result<Placement, EcsError> {
    let core = world.core();
    let mut ids = Vec::with_capacity(entries.size_hint().0);
    let mut table_set = Bits::EMPTY;
    let mut has_parent = false;
    for (type_id, name) in entries {
        let id =
            component_id(core, type_id).ok_or(EcsError::UnknownComponent { component: name })?;
        if let Some(h) = W::HIERARCHY {
            if id == h.children {
                return Err(EcsError::KeptByTheWorld { component: name });
            }
            has_parent |= id == h.child_of;
        }
        if !W::SPARSE.contains(id as usize) {
            table_set = table_set.with(id as usize);
        }
        ids.push(id);
    }
    let Some(archetype) = W::ARCHETYPE_SETS.iter().position(|s| *s == table_set) else {
        let mut components: Vec<_> = table_set
            .iter()
            .map(|id| core.component_types[id].name())
            .collect();
        components.sort_unstable();
        return Err(EcsError::NoArchetypeForRecord { components });
    };
    let parent = if has_parent { parent() } else { None };
    if let Some(p) = parent {
        if core.storage().location(p).is_none() {
            return Err(EcsError::DeadEntity(p));
        }
    }
    Ok(Placement {
        archetype: archetype as u16,
        ids,
        parent,
    })
}

/// Spawns an entity from `record` (see the world's `put`). On `Ok` the record is empty
/// (its values moved into the world; it keeps its allocation); on `Err` nothing changed,
/// the record included.
///
/// A record's set must be exactly an archetype's set plus any of the world's sparse
/// components; a `ChildOf` makes the new entity a child of its (live) parent; `Children`
/// is refused (the world keeps it).
pub fn put<W: WorldDef>(world: &mut W, record: &mut Record) -> Result<Entity, EcsError> {
    let placement = place::<W>(
        world,
        record.entries().iter().map(|e| (e.type_id(), e.name())),
        || record.get::<ChildOf>().map(|c| c.0),
    )?;
    // Nothing below fails: every id is a component of `W` with a value of its type, the
    // table ids are exactly the archetype's set, and the parent is alive.
    Ok(spawn_placed(world, record, placement))
}

/// Spawns `record` at `placement` (computed from this very record by [`place`]).
fn spawn_placed<W: WorldDef>(world: &mut W, record: &mut Record, placement: Placement) -> Entity {
    let Placement {
        archetype,
        ids,
        parent,
    } = placement;
    let child_of = W::HIERARCHY.map(|h| h.child_of);
    let is_table = |id: u16| !W::SPARSE.contains(id as usize);
    let mut entries = record.drain();
    let storage = &mut world.core_mut().storage;
    // The table values, in the record's order; the sparse ones wait in `rest`.
    let sparse = ids.iter().filter(|&&id| !is_table(id)).count();
    let mut rest = Vec::with_capacity(sparse);
    // SAFETY: the table ids of the record are exactly the archetype's set, each once (a
    // record holds one value per type, so one per id), and each entry's value has the
    // type of its id's column: the closure initialises every column of the row. It does
    // not unwind before: `write_raw` copies bytes, and `rest` was given room for every
    // sparse entry first.
    let entity = unsafe {
        storage.spawn_with(archetype, |table, row| {
            for (entry, &id) in (&mut entries).zip(&ids) {
                if is_table(id) {
                    entry.move_out(&mut |src| table.write_raw(id, row, src));
                } else {
                    rest.push((id, entry));
                }
            }
        })
    };
    drop(entries);
    for (id, entry) in rest {
        if Some(id) == child_of {
            // A `ChildOf` is `Copy`: dropping the entry drops nothing of note; the link is
            // made below through `set_parent`, which keeps the hierarchy consistent.
            continue;
        }
        entry.move_out(&mut |src| {
            // SAFETY: `id` is a sparse component of `W` and `src` holds a value of its
            // type (the entry's type id is its value's, matched to `id` by `place`),
            // given up here; the entity is alive, so it cannot fail.
            let inserted = unsafe { insert_sparse::<W>(world, entity, id, src) };
            debug_assert!(inserted.is_ok());
        });
    }
    if let Some(parent) = parent {
        // The entity is new and the parent alive: no cycle, no error.
        let linked = hierarchy::set_parent(world, entity, parent);
        debug_assert!(linked.is_ok());
    }
    entity
}

/// Moves `entity` from `from` to `to` (see the world's `transfer`): atomic, so on `Err`
/// the entity is still in `from`, unchanged, and `to` is unchanged.
pub fn transfer<A: WorldDef, B: WorldDef>(
    from: &mut A,
    entity: Entity,
    to: &mut B,
) -> Result<Entity, EcsError> {
    let storage = from.core().storage();
    let location = storage
        .location(entity)
        .ok_or(EcsError::DeadEntity(entity))?;
    // What `take` will hand over: the table columns and the sparse values the entity has,
    // but its hierarchy links.
    let types = &from.core().component_types;
    let links = A::HIERARCHY.map_or(Bits::EMPTY, |h| {
        Bits::EMPTY
            .with(h.child_of as usize)
            .with(h.children as usize)
    });
    // In `take`'s order: the sparse values (ids ascending), then the table columns.
    let mut entries: Vec<(TypeId, &'static str)> = Vec::new();
    for id in A::SPARSE.iter() {
        let has = storage
            .sparse()
            .set(id as u16)
            .is_some_and(|s| s.contains(entity));
        if has && !links.contains(id) {
            entries.push((types[id].type_id(), types[id].name()));
        }
    }
    for &id in storage.tables()[location.archetype as usize].ids() {
        let ty = types[id as usize];
        entries.push((ty.type_id(), ty.name()));
    }
    let placement = place::<B>(to, entries.into_iter(), || None)?;
    let mut record = take(from, entity).expect("alive (checked above)");
    // `place` saw exactly the types `take` handed over, in the same order (sparse ids
    // ascending, the links left out, then the table columns).
    debug_assert!(record.entries().iter().map(|e| e.type_id()).eq(placement
        .ids
        .iter()
        .map(|&id| to.core().component_types[id as usize].type_id())));
    Ok(spawn_placed(to, &mut record, placement))
}

/// Spawns every record of `records`, each all or nothing (see the world's `import`).
pub fn import<W: WorldDef>(
    world: &mut W,
    records: impl IntoIterator<Item = Record>,
) -> ImportReport {
    let mut report = ImportReport::default();
    for (index, mut record) in records.into_iter().enumerate() {
        match put(world, &mut record) {
            Ok(entity) => report.spawned.push(entity),
            Err(error) => report.rejected.push((index, error)),
        }
    }
    report
}

/// The records `Outbox` parameters sent since the last call, in apply order, each with
/// its destination world index (see the world's `take_outbox`).
pub fn take_outbox<W: WorldDef>(world: &mut W) -> Vec<(usize, Record)> {
    std::mem::take(&mut world.core_mut().outbox)
}

/// The world's outbox, for the coordinator (which drains it in place, keeping its
/// allocation).
pub(crate) fn outbox_mut<W: WorldDef>(world: &mut W) -> &mut Vec<(usize, Record)> {
    &mut world.core_mut().outbox
}

/// Spawns a record from every line of `reader` (see the world's `import_json_lines`):
/// each non-blank line is one JSON object keyed by component name
/// ([`parse_line`](crate::record::json::parse_line)), spawned all or nothing; a line that
/// does not read or does not fit is rejected with its 1-based number. An I/O error ends
/// the import (rejecting the line it happened on).
#[cfg(feature = "serde")]
pub fn import_json_lines<W: WorldDef>(
    world: &mut W,
    mut reader: impl std::io::BufRead,
    components: &[crate::record::json::JsonComponent],
) -> ImportReport {
    let mut report = ImportReport::default();
    let mut buffer = Vec::new();
    for number in 1.. {
        buffer.clear();
        match reader.read_until(b'\n', &mut buffer) {
            Ok(0) => break,
            Ok(_) => {}
            Err(error) => {
                let reason = format!("reading the line failed: {error}");
                report
                    .rejected
                    .push((number, EcsError::MalformedRecord { reason }));
                break;
            }
        }
        let line = match std::str::from_utf8(&buffer) {
            Ok(line) => line,
            Err(error) => {
                let reason = format!("the line is not UTF-8: {error}");
                report
                    .rejected
                    .push((number, EcsError::MalformedRecord { reason }));
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let placed = crate::record::json::parse_line(line, components)
            .and_then(|mut record| put(world, &mut record));
        match placed {
            Ok(entity) => report.spawned.push(entity),
            Err(error) => report.rejected.push((number, error)),
        }
    }
    report
}
