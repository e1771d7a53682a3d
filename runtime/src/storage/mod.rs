//! Archetype tables and the entity index: where a world's components live.
//!
//! Everything here is world-agnostic and addressed by component id; the generated world
//! supplies the ids, column types and transitions (see [`crate::world`]).

mod column;
mod table;

pub use column::{Column, ColumnType};
pub use table::{Table, NO_SLOT};

use crate::entity::{Entity, EntityIndex, Location};

/// All tables of a world plus its entity index.
pub struct Storage {
    tables: Vec<Table>,
    index: EntityIndex,
}

impl Storage {
    /// A storage over `tables` (one per archetype, in declaration order).
    pub fn new(tables: Vec<Table>, entity_capacity: usize) -> Storage {
        assert!(tables.len() < u16::MAX as usize, "too many archetypes");
        Storage {
            tables,
            index: EntityIndex::with_capacity(entity_capacity),
        }
    }

    /// The tables, in archetype declaration order.
    #[inline(always)]
    pub fn tables(&self) -> &[Table] {
        &self.tables
    }

    /// One table, mutably.
    #[inline(always)]
    pub fn table_mut(&mut self, archetype: u16) -> &mut Table {
        &mut self.tables[archetype as usize]
    }

    /// The entity index.
    #[inline(always)]
    pub fn entities(&self) -> &EntityIndex {
        &self.index
    }

    /// Where `entity` lives, if it is alive.
    #[inline(always)]
    pub fn location(&self, entity: Entity) -> Option<Location> {
        self.index.get(entity)
    }

    /// Number of live entities.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether no entity is alive.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Reserves room for `additional` entities in `archetype`.
    pub fn reserve(&mut self, archetype: u16, additional: usize) {
        self.tables[archetype as usize].reserve(additional);
        self.index.reserve(additional);
    }

    /// Spawns one entity into `archetype`; `write(table, row)` initialises every column.
    ///
    /// # Safety
    /// `write` initialises every column of `archetype`'s table at `row` with values of
    /// the columns' types, and does not panic before it has done so.
    #[inline(always)]
    pub unsafe fn spawn_with(
        &mut self,
        archetype: u16,
        write: impl FnOnce(&mut Table, usize),
    ) -> Entity {
        let table = &mut self.tables[archetype as usize];
        table.reserve(1);
        let row = table.len();
        let entity = self.index.alloc(Location {
            archetype,
            row: row as u32,
        });
        // SAFETY: one row was reserved above; the caller initialises every column.
        let row = unsafe { table.push_entity(entity) };
        write(table, row);
        entity
    }

    /// Despawns `entity`, dropping its components; `false` if it was not alive.
    pub fn despawn(&mut self, entity: Entity) -> bool {
        let Some(location) = self.index.free(entity) else {
            return false;
        };
        let table = &mut self.tables[location.archetype as usize];
        if let Some(moved) = table.swap_remove(location.row as usize) {
            self.index.set(moved, location);
        }
        true
    }

    /// Pointer to `entity`'s value of component `id`, if alive and it has one.
    #[inline(always)]
    pub fn component_ptr(&self, entity: Entity, id: u16) -> Option<*mut u8> {
        let location = self.index.get(entity)?;
        let table = &self.tables[location.archetype as usize];
        let slot = table.slot(id);
        if slot == NO_SLOT {
            return None;
        }
        // SAFETY: `location.row` is a live row of this table, below its capacity.
        Some(unsafe { table.columns()[slot as usize].row_ptr(location.row as usize) })
    }

    /// Moves the live entity at `from` into archetype `to`; values of components that `to`
    /// lacks are dropped, except `skip_drop`'s (already moved out by the caller). Returns
    /// the new row. Columns `to` has and `from` lacks are left for the caller to write.
    ///
    /// # Safety
    /// `entity` is alive at `from`; `to != from.archetype`; the caller writes every column
    /// of `to` that `from`'s archetype lacks at the returned row before the table is read;
    /// if `skip_drop` is given, the caller moved that component's value out of `from`.
    pub unsafe fn move_entity(
        &mut self,
        entity: Entity,
        from: Location,
        to: u16,
        skip_drop: Option<u16>,
    ) -> usize {
        debug_assert_ne!(from.archetype, to);
        let (src, dst) = two_tables(&mut self.tables, from.archetype as usize, to as usize);
        dst.reserve(1);
        // SAFETY: `from.row` is live in `src`, room was reserved in `dst`, and the caller
        // keeps the `skip_drop` and write-back promises.
        let (new_row, moved) = unsafe { src.move_row(from.row as usize, dst, skip_drop) };
        if let Some(moved) = moved {
            self.index.set(moved, from);
        }
        self.index.set(
            entity,
            Location {
                archetype: to,
                row: new_row as u32,
            },
        );
        new_row
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

#[cfg(test)]
mod tests;
