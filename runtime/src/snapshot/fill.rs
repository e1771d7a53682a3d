//! Rebuilding a world from owned [`WorldData`](super::WorldData): the generated
//! `restore` and `load` call [`reset`], then [`fill_table`] per archetype and
//! [`fill_sparse`] per sparse component, then [`finish`]. Each step checks the data it
//! is given and says what is wrong; a world left by a failed step is consistent (every
//! row it holds is complete), and `load` drops it.

use super::{Clock, EntitySlots, TableData};
use crate::component::{Bundle, ComponentOf};
use crate::entity::Entity;
use crate::world::WorldDef;
use std::mem::ManuallyDrop;

/// Empties `world` and gives it the entity index `slots` and the clock `clock` (the live
/// slots wait for [`fill_table`] to give them their rows). On `Err` the world is
/// unchanged.
pub fn reset<W: WorldDef>(world: &mut W, slots: &EntitySlots, clock: &Clock) -> Result<(), String> {
    crate::world::reset(world, slots, clock)
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

/// Appends one row of archetype `B::ARCHETYPE` per entity of `entities`, with the
/// bundles of `rows` (as many: [`same_lengths`] checked them), in order. Each entity
/// must be a slot that [`reset`] left waiting (live in the saved index, not yet given a
/// row): else an `Err` naming it (its row, and the ones after, are not written).
pub fn fill_table<W: WorldDef, B: Bundle<W>>(
    world: &mut W,
    entities: Vec<Entity>,
    rows: impl IntoIterator<Item = B>,
) -> Result<(), String> {
    let storage = world.core_mut().storage_mut();
    storage.reserve(B::ARCHETYPE, entities.len());
    let mut rows = rows.into_iter();
    for entity in entities {
        let Some(bundle) = rows.next() else {
            return Err(format!(
                "archetype `{}` has fewer rows than owners",
                W::ARCHETYPE_NAMES[B::ARCHETYPE as usize]
            ));
        };
        // SAFETY: `Bundle::write` initialises every column of `B::ARCHETYPE` (its
        // contract), whose table is the core's table `B::ARCHETYPE` (a `WorldCore<W>`
        // describes `W`); it is called only if the slot is waiting.
        let filled = unsafe {
            storage.spawn_reserved_with(entity, B::ARCHETYPE, |table, row| bundle.write(table, row))
        };
        if !filled {
            return Err(format!(
                "entity {entity:?} of archetype `{}` is not a live entity of the saved index, or has two rows",
                W::ARCHETYPE_NAMES[B::ARCHETYPE as usize]
            ));
        }
    }
    Ok(())
}

/// Gives sparse component `T` its values: `data.columns[i]` to `data.entities[i]`, in
/// order. Each entity must be alive (its table row filled) and listed once.
pub fn fill_sparse<W: WorldDef, T: ComponentOf<W>>(
    world: &mut W,
    data: TableData<Vec<Entity>, Vec<T>>,
) -> Result<(), String> {
    same_lengths(T::NAME, &[data.entities.len(), data.columns.len()])?;
    let storage = world.core_mut().storage_mut();
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
/// with `hierarchy`) the parent/child links are consistent.
pub fn finish<W: WorldDef>(world: &mut W) -> Result<(), String> {
    let storage = world.core().storage();
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
