//! Moving an entity's row from one archetype's table to another's: the untyped path
//! and the typed one `#[world]` generates for each transition.

use super::{Storage, Table};
use crate::entity::{Entity, EntityIndex, Location};

impl Storage {
    /// Moves the live entity at `from` into archetype `to`; values of components that `to`
    /// lacks are dropped, except `skip_drop`'s (already moved out by the caller). Returns
    /// the new row. Columns `to` has and `from` lacks are left for the caller to write.
    ///
    /// The index is updated before any value is dropped: if a drop unwinds, the index
    /// and both tables are consistent when the panic leaves (see [`Table::move_row`]).
    ///
    /// # Safety
    /// `entity` is alive at `from`; `to != from.archetype`; the caller writes every column
    /// of `to` that `from`'s archetype lacks at the returned row before the table is read;
    /// if `skip_drop` is given, the caller moved that component's value out of `from`. If
    /// a value is dropped (`to` lacks a component of `from` other than `skip_drop`), `to`
    /// has no component `from` lacks.
    pub unsafe fn move_entity(
        &mut self,
        entity: Entity,
        from: Location,
        to: u16,
        skip_drop: Option<u16>,
    ) -> usize {
        debug_assert_ne!(from.archetype, to);
        if !self.removed.is_empty() {
            self.log_removals(entity, from.archetype as usize, Some(to as usize));
        }
        self.grow(to as usize, 1);
        let (src, dst) = two_tables(&mut self.tables, from.archetype as usize, to as usize);
        let (row, last, new_row) = (from.row as usize, src.len() - 1, dst.len());
        // The index first, before `move_row` may drop values: the moved entity's new
        // place, and the place of the source's last row owner, which fills the hole.
        let moved = (row != last).then(|| src.entities()[last]);
        relocate_moved(&mut self.index, entity, from, to, new_row, moved);
        // SAFETY: `to` indexes a table (`two_tables` checked it).
        let dst_columns = unsafe { self.columns.row(to as usize) };
        // SAFETY: `from.row` is live in `src`, room was reserved in `dst` (and its pointer
        // row refreshed), and the caller keeps the `skip_drop`, drop and write-back
        // promises.
        let done = unsafe { src.move_row(row, dst, dst_columns, skip_drop) };
        debug_assert_eq!(done, (new_row, moved));
        new_row
    }

    /// [`Storage::move_entity`] with a generated, typed column mover: moves the live
    /// entity at `from` into archetype `to`. Returns the new row; the columns `to` has and
    /// `from` lacks are left for the caller to write.
    ///
    /// # Safety
    /// `entity` is alive at `from`; `move_columns` is the mover `#[world]` generated for
    /// `from.archetype -> to` (so `to` indexes a table and differs from `from.archetype`);
    /// the caller writes the columns `to` has and `from` lacks at the returned row before
    /// the table is read, and moved out beforehand the value of the column `from` has and
    /// `to` lacks, if any.
    #[inline(always)]
    pub unsafe fn move_entity_typed(
        &mut self,
        entity: Entity,
        from: Location,
        to: u16,
        move_columns: MoveColumns,
    ) -> usize {
        debug_assert_ne!(from.archetype, to);
        if !self.removed.is_empty() {
            self.log_removals(entity, from.archetype as usize, Some(to as usize));
        }
        self.grow(to as usize, 1);
        // SAFETY: both archetypes index tables (the mover exists only for real
        // transitions, and `from` is a live location); rows taken after the growth.
        let (src_columns, dst_columns) = unsafe {
            (
                self.columns.row(from.archetype as usize),
                self.columns.row(to as usize),
            )
        };
        let (src, dst) = two_tables(&mut self.tables, from.archetype as usize, to as usize);
        let row = from.row as usize;
        let last = src.len() - 1;
        // SAFETY: room for one row was reserved in `dst` above; every column of `dst` is
        // written at `new_row` by the mover or by the caller.
        let new_row = unsafe { dst.push_entity(entity) };
        dst.carry_ticks(new_row, src, row);
        // SAFETY: the mover is this transition's (caller's guarantee); `row <= last` are
        // live in `src`, `new_row` is reserved and uninitialised in `dst`, and the rows of
        // pointers are current (taken after the growth).
        unsafe { move_columns(src_columns, dst_columns, row, last, new_row) };
        // SAFETY: `row < len`; the mover moved every column's last row into `row`.
        let moved = unsafe { src.swap_remove_entity(row) };
        relocate_moved(&mut self.index, entity, from, to, new_row, moved);
        new_row
    }
}

/// Updates `index` for a move of `entity` from `from` to row `new_row` of `to`: `moved`,
/// the source's last row owner if it fills the hole, now lives at `from`.
#[inline(always)]
fn relocate_moved(
    index: &mut EntityIndex,
    entity: Entity,
    from: Location,
    to: u16,
    new_row: usize,
    moved: Option<Entity>,
) {
    if let Some(moved) = moved {
        index.relocate(moved, from);
    }
    index.relocate(
        entity,
        Location {
            archetype: to,
            row: new_row as u32,
        },
    );
}

/// Moves the columns of one row from an archetype to the archetype one insert or remove
/// away, with every column's type known: generated by `#[world]` for each transition of
/// its `ADD`/`REMOVE` tables (see [`WorldDef::add_transition`](crate::WorldDef::add_transition)).
///
/// Called as `move_columns(src, dst, row, last, new_row)`: `src` and `dst` are the two
/// tables' rows of the [`ColumnPointers`](super::ColumnPointers) (row 0 of each column, by component id), `row`
/// the moved row in the source, `last` the source's last row, `new_row` the row pushed in
/// the destination. Each column both tables have moves its value from `row` to `new_row`;
/// in every source column, row `last` then fills the hole at `row`. The source column the
/// destination lacks (a remove) is only hole-filled: its value was moved out before.
///
/// # Safety
/// The function must be the one generated for this pair of archetypes; `src`/`dst` are
/// their current pointer rows, `row <= last` are live source rows, and `new_row` is an
/// uninitialised, reserved destination row.
pub type MoveColumns = unsafe fn(*const *mut u8, *const *mut u8, usize, usize, usize);

/// One column of a generated [`MoveColumns`]: moves the `T` at `row` of column `src` to
/// `new_row` of column `dst`, then the `T` at `last` into `row`.
///
/// # Safety
/// Both columns hold `T`s; `row <= last` are initialised in `src`; `new_row` of `dst` is
/// within its capacity and uninitialised. Afterwards row `last` of `src` is uninitialised.
#[inline(always)]
pub unsafe fn move_value<T>(src: *mut u8, dst: *mut u8, row: usize, last: usize, new_row: usize) {
    let (src, dst) = (src.cast::<T>(), dst.cast::<T>());
    // SAFETY: the caller guarantees the rows are initialised (source) and reserved and
    // uninitialised (destination) in columns of `T`s; each value is read once and
    // written once, so nothing is dropped or duplicated.
    unsafe {
        dst.add(new_row).write(src.add(row).read());
        if row != last {
            src.add(row).write(src.add(last).read());
        }
    }
}

/// One column of a generated [`MoveColumns`]: the `T` at `row` of column `src` was moved
/// out already; moves the `T` at `last` into `row`.
///
/// # Safety
/// The column holds `T`s; `row <= last`; `last` is initialised and `row`'s value was
/// moved out. Afterwards row `last` is uninitialised.
#[inline(always)]
pub unsafe fn fill_hole<T>(src: *mut u8, row: usize, last: usize) {
    let src = src.cast::<T>();
    if row != last {
        // SAFETY: the caller guarantees both rows are in the column and `last` holds a
        // value that moves (not copies) into the emptied `row`.
        unsafe { src.add(row).write(src.add(last).read()) };
    }
}

/// Two distinct tables mutably.
fn two_tables(tables: &mut [Table], a: usize, b: usize) -> (&mut Table, &mut Table) {
    if a < b {
        let (left, right) = tables.split_at_mut(b);
        (&mut left[a], &mut right[0])
    } else {
        let (left, right) = tables.split_at_mut(a);
        (&mut right[0], &mut left[b])
    }
}
