//! Borrowed views of a world's state, for a snapshot (cloned) or a save (serialised).

use super::{Clock, EntitySlots, SnapshotIndex};
use crate::component::ComponentOf;
use crate::entity::Entity;
use crate::storage::Column;
use crate::world::WorldDef;
use std::any::TypeId;

/// The entity index of `world` (see [`EntitySlots`]).
pub fn entity_slots<W: WorldDef>(world: &W) -> EntitySlots {
    let (generations, free) = world.core().storage().entities().saved_slots();
    EntitySlots { generations, free }
}

/// The entity index of `world` as a snapshot holds it (see [`SnapshotIndex`]).
pub fn snapshot_index<W: WorldDef>(world: &W) -> SnapshotIndex {
    SnapshotIndex::of(world.core().storage().entities())
}

/// The clock and frame count of `world`.
pub fn clock<W: WorldDef>(world: &W) -> Clock {
    let core = world.core();
    core.frames().clock(core.frame())
}

/// The row owners of archetype `archetype`'s table, in storage order.
///
/// # Panics
/// If `archetype` is not an archetype of `W` (generated calls pass declared ones).
pub fn table_entities<W: WorldDef>(world: &W, archetype: usize) -> &[Entity] {
    world.core().storage().tables()[archetype].entities()
}

/// The values of component `T` in archetype `archetype`'s table, in storage order.
///
/// # Panics
/// If that table has no column `T` (generated calls name the archetype's own components).
pub fn column<W: WorldDef, T: ComponentOf<W>>(world: &W, archetype: usize) -> &[T] {
    let table = &world.core().storage().tables()[archetype];
    let slot = table.slot(T::ID);
    let column = table
        .columns()
        .get(slot as usize)
        .unwrap_or_else(|| panic!("archetype {archetype} has no column `{}`", T::NAME));
    // SAFETY: rows `0..len` of every column of a table are initialised (`Table`'s
    // invariant); the column holds `T`s (checked by `slice_of`).
    unsafe { slice_of(column, table.len()) }
}

/// The owners of sparse component `T`'s values, in storage order.
///
/// # Panics
/// If `T` is not a sparse component of `W`.
pub fn sparse_entities<W: WorldDef, T: ComponentOf<W>>(world: &W) -> &[Entity] {
    sparse_set::<W, T>(world).entities()
}

/// The values of sparse component `T`, in storage order (row `i` is
/// [`sparse_entities`]`[i]`'s).
///
/// # Panics
/// If `T` is not a sparse component of `W`.
pub fn sparse_values<W: WorldDef, T: ComponentOf<W>>(world: &W) -> &[T] {
    let set = sparse_set::<W, T>(world);
    // SAFETY: rows `0..len` of the set's values are initialised (`SparseSet`'s
    // invariant); the column holds `T`s (checked by `slice_of`).
    unsafe { slice_of(set.values(), set.len()) }
}

fn sparse_set<W: WorldDef, T: ComponentOf<W>>(world: &W) -> &crate::storage::SparseSet {
    world
        .core()
        .storage()
        .sparse()
        .set(T::ID)
        .unwrap_or_else(|| panic!("`{}` is not a sparse component", T::NAME))
}

/// Rows `0..len` of `column` as a slice of `T`.
///
/// # Panics
/// If the column does not hold `T`s (its `TypeId` differs).
///
/// # Safety
/// Rows `0..len` of `column` are initialised, and nothing writes them while the slice
/// lives.
unsafe fn slice_of<T: 'static>(column: &Column, len: usize) -> &[T] {
    assert!(
        column.column_type().type_id() == TypeId::of::<T>(),
        "column `{}` read as another type",
        column.column_type().name()
    );
    // SAFETY: the column holds `T`s (the `TypeId` check above; a `ColumnType` describes
    // one type: its fields are private), so its pointer is aligned for `T` and non-null
    // (dangling but aligned when nothing is allocated, fine for `len == 0` or a
    // zero-sized `T`); rows `0..len` are initialised and not written meanwhile (the
    // caller's guarantee; the borrow of `column` is the slice's).
    unsafe { std::slice::from_raw_parts(column.ptr().cast::<T>(), len) }
}
