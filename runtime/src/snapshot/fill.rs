//! Rebuilding a world from owned [`WorldData`](super::WorldData): the generated
//! `restore` and `load` call [`reset`], then [`fill_table`] per archetype (a whole column at a time) and
//! [`fill_sparse`] per sparse component, then [`finish`], all on the [`Refill`] that
//! `reset` returns. Each step checks the data it is given and says what is wrong; a world
//! left by a failed step is consistent (every row it holds is complete), and `load` drops
//! it.
//!
//! The entity index is written once: each table's row owners claim their slots as the
//! table is filled, and the first `fill_sparse` or `finish` writes the free slots and
//! those no row claimed (see `entity/rebuild.rs`).

use super::{Clock, ColumnValues, Refill, SavedIndex, TableData};
use crate::component::{Bundle, ComponentOf};
use crate::entity::Entity;
use crate::memory::ColumnAlloc;
use crate::storage::Table;
use crate::world::WorldDef;
use std::mem::ManuallyDrop;

/// Empties `world`, gives it the clock `clock`, and returns the [`Refill`] that rebuilds
/// it with the entity index `slots` (a save's [`EntitySlots`](super::EntitySlots) or a
/// snapshot's [`SnapshotIndex`](super::SnapshotIndex)): its live slots wait for
/// [`fill_table`] to give them their rows. Checks `slots` and `clock` first: on `Err` the
/// world is unchanged.
pub fn reset<'w, 'd, W: WorldDef, E: SavedIndex>(
    world: &'w mut W,
    slots: &'d E,
    clock: &Clock,
) -> Result<Refill<'w, 'd, W>, String> {
    let index = slots.rebuild()?;
    let storage = crate::world::reset(world, clock)?;
    Ok(Refill::new(world, storage, index))
}

/// `Err` naming `what` unless every length equals the first.
///
/// ```
/// use metronome_runtime::snapshot::same_lengths;
/// assert!(same_lengths("Mover", &[2, 2, 2]).is_ok());
/// assert!(same_lengths("Mover", &[2, 1]).unwrap_err().contains("Mover"));
/// ```
pub fn same_lengths(what: &str, lengths: &[usize]) -> Result<(), String> {
    match lengths.split_first() {
        Some((&first, rest)) if rest.iter().any(|&l| l != first) => Err(format!(
            "`{what}`: the row owners and the columns differ in length ({lengths:?})"
        )),
        _ => Ok(()),
    }
}

/// Appends archetype `B::ARCHETYPE`'s rows: `entities[i]` owns row `i` of every column,
/// whose values `columns` holds (one per column of the table, each as long as
/// `entities`). Into an empty table without blocks (a load's or a restore's, unless
/// the world places its blocks on NUMA nodes) each column's buffer and `entities` are
/// taken over whole (no copy); else each column moves in with one copy. Each entity must be a
/// slot that [`reset`] left waiting (live in the saved index, not yet given a row; of
/// the saved generation, or, after a snapshot's index, the slot takes the entity's):
/// else an `Err` naming it, and nothing is written (the values are dropped with
/// `columns`). Tables are filled before the sparse components: after [`fill_sparse`],
/// an `Err`.
pub fn fill_table<W: WorldDef, B: Bundle<W>>(
    refill: &mut Refill<'_, '_, W>,
    entities: Vec<Entity>,
    columns: &mut [ColumnValues<W>],
) -> Result<(), String> {
    let name = W::ARCHETYPE_NAMES[B::ARCHETYPE as usize];
    let Some((storage, index)) = refill.tables() else {
        return Err(format!(
            "`{name}`: its rows come after the sparse components' values"
        ));
    };
    let table = &storage.tables()[B::ARCHETYPE as usize];
    // Column `slots[i]` of the table receives `columns[i]`: each table column exactly
    // once, with values of its type.
    let mut slots = Vec::with_capacity(columns.len());
    let mut given = vec![false; table.columns().len()];
    for values in columns.iter() {
        let slot = table.slot(values.id()) as usize;
        match (table.columns().get(slot), given.get_mut(slot)) {
            (Some(column), Some(seen))
                if !*seen && column.column_type().type_id() == values.type_id() =>
            {
                *seen = true;
                slots.push(slot);
            }
            _ => {
                return Err(format!(
                    "`{name}`: a column that is not one of its own, or given twice"
                ))
            }
        }
    }
    if given.contains(&false) {
        return Err(format!("`{name}`: a column is missing"));
    }
    let mut lengths = vec![entities.len()];
    lengths.extend(columns.iter().map(ColumnValues::len));
    same_lengths(name, &lengths)?;
    // An empty table without blocks, of columns from the global allocator, takes the
    // values' buffers over instead of copying them (a load's or a restore's common
    // case); a table that has rows or blocks already, or places its blocks (a world on
    // a `NumaPool`), copies.
    let adopt = table.is_empty()
        && table.capacity() == 0
        && !entities.is_empty()
        && columns
            .iter()
            .all(|values| values.is_whole_block() || values.is_zero_sized())
        && slots
            .iter()
            .all(|&slot| table.columns()[slot].column_type().alloc() == ColumnAlloc::Global);
    let failed = |entity: Entity| {
        format!(
            "entity {entity:?} of archetype `{name}` is not a live entity of the saved index, or has two rows"
        )
    };
    if adopt {
        // Column `slot` takes the buffer of the values given for it.
        let mut by_slot: Vec<Option<usize>> = vec![None; slots.len()];
        for (i, &slot) in slots.iter().enumerate() {
            by_slot[slot] = Some(i);
        }
        let block = |slot: usize| {
            let values = &mut columns[by_slot[slot].expect("every column is given")];
            if values.is_zero_sized() {
                // SAFETY: no byte to write (zero-sized values); the table owns the
                // values from here on.
                unsafe { values.move_to(std::ptr::NonNull::<u8>::dangling().as_ptr()) };
                None
            } else {
                Some(values.take_block())
            }
        };
        // SAFETY: the table is empty with capacity 0 (checked above), `entities` is not
        // empty; column `slot` gets the buffer of the values of its type (checked above)
        // when they have a non-zero size: a `Vec` buffer of exactly `entities.len()`
        // values (`is_whole_block`, lengths checked above), i.e. a global-allocator
        // block of the column's `layout_for(entities.len())` (a column's layout is its
        // type's, `ColumnType::of`), given up by `take_block`; zero-sized values are
        // handed over by `move_to`. `block` cannot panic (every column is given once:
        // `by_slot` is filled for every slot, `given` was all true).
        return unsafe { storage.fill_adopting(index, B::ARCHETYPE, entities, block) }
            .map_err(failed);
    }
    let write = |table: &mut Table, first_row: usize| {
        for (values, &slot) in columns.iter_mut().zip(&slots) {
            // SAFETY: column `slot` holds the values' type (checked above); `fill_reserved`
            // grew the table by `entities.len()` rows (the values' count, checked
            // above) past `first_row`, which are uninitialised and not the values'
            // buffer; the table owns the values from here on.
            unsafe { values.move_to(table.columns()[slot].row_ptr(first_row)) };
        }
    };
    // SAFETY: `write` initialises rows `first_row..first_row + entities.len()` of every
    // column (each column is given once, `given` is all true) with values of its type,
    // and cannot panic (copies only; the indexing is in bounds: `slots` are columns).
    unsafe { storage.fill_reserved(index, B::ARCHETYPE, &entities, write) }.map_err(failed)
}

/// Gives sparse component `T` its values: `data.columns[i]` to `data.entities[i]`, in
/// order. Each entity must be alive (its table row filled) and listed once.
pub fn fill_sparse<W: WorldDef, T: ComponentOf<W>>(
    refill: &mut Refill<'_, '_, W>,
    data: TableData<Vec<Entity>, Vec<T>>,
) -> Result<(), String> {
    // The index first: from here on no table is filled, whatever this call returns.
    let storage = refill.completed();
    same_lengths(T::NAME, &[data.entities.len(), data.columns.len()])?;
    for (entity, value) in data.entities.into_iter().zip(data.columns) {
        if storage.location(entity).is_none() {
            return Err(format!(
                "sparse `{}` of entity {entity:?}, which has no row",
                T::NAME
            ));
        }
        let set = storage
            .sparse_mut()
            .set_mut(T::ID)
            .unwrap_or_else(|| panic!("`{}` is not a sparse component", T::NAME));
        if set.contains(entity) {
            return Err(format!("entity {entity:?} has two `{}` values", T::NAME));
        }
        let value = ManuallyDrop::new(value);
        let src: *const T = &*value;
        // SAFETY: `src` holds a `T`, the set's type (the set of id `T::ID` holds
        // component `T::ID`: `ComponentOf` contract), given up here: it is the set's
        // from the call on; if the set's growth panics before it moved, it is leaked
        // (`ManuallyDrop`), never dropped twice.
        unsafe { set.insert(entity, src.cast()) };
    }
    Ok(())
}

/// The last step: every live entity of the saved index got its row, and (in a world
/// with `hierarchy`) the parent/child links are consistent. The world holds its rebuilt
/// storage from here on, also on `Err`.
pub fn finish<W: WorldDef>(mut refill: Refill<'_, '_, W>) -> Result<(), String> {
    let storage = refill.completed();
    let unfilled = storage.entities().unfilled();
    if unfilled != 0 {
        return Err(format!(
            "{unfilled} live entities of the saved index have no row in any table"
        ));
    }
    if W::HIERARCHY.is_some() {
        super::links::check_links::<W>(storage)?;
    }
    Ok(())
}
