//! Archetype tables and the entity index: where a world's components live.
//!
//! Everything here is world-agnostic and addressed by component id; the generated world
//! supplies the ids, column types and transitions (see [`crate::world`]).

mod change_ticks;
mod column;
mod finish;
mod moves;
mod pointers;
mod removed;
mod restore;
mod sparse;
mod table;
pub mod ticks;

pub use column::{Column, ColumnType};
pub(crate) use finish::CopyOnDrop;
pub use moves::{fill_hole, move_value, MoveColumns};
pub use pointers::ColumnPointers;
pub use removed::RemovalLog;
pub use sparse::{SparseSet, SparseStorage};
pub use table::{Table, NO_SLOT};

use crate::entity::{Entity, EntityIndex, Location};

/// All tables of a world plus its entity index.
pub struct Storage {
    tables: Vec<Table>,
    index: EntityIndex,
    columns: ColumnPointers,
    /// The world's `sparse(...)` components (none unless [`Storage::set_sparse`] is called).
    sparse: SparseStorage,
    /// The tick world-side writes are stamped with, and at which systems run (see
    /// [`Storage::set_change_tick`]); only used by tables with tracked components.
    change_tick: u32,
    /// The tick every stored tick was last clamped at.
    clamped_at: u32,
    /// The change tick when the last `tick` of the world began: queries outside systems
    /// see the changes made since.
    frame_tick: u32,
    /// By component id, the removal log of each tracked component (empty for a world
    /// without tracked components).
    removed: Box<[RemovalLog]>,
}

impl Storage {
    /// A storage over `tables` (one per archetype, in declaration order, all built with
    /// the same component count).
    pub fn new(tables: Vec<Table>, entity_capacity: usize) -> Storage {
        // `u16::MAX` and `u16::MAX - 1` mark free and reserved entity slots.
        assert!(
            tables.len() < (u16::MAX - 1) as usize,
            "too many archetypes"
        );
        let components = tables.first().map_or(0, Table::component_count);
        assert!(
            tables.iter().all(|t| t.component_count() == components),
            "one component count per world"
        );
        let shift = components.next_power_of_two().trailing_zeros();
        let mut columns = ColumnPointers {
            ptrs: vec![std::ptr::null_mut(); tables.len() << shift].into_boxed_slice(),
            components,
            shift,
        };
        for (archetype, table) in tables.iter().enumerate() {
            columns.refresh(archetype, table);
        }
        Storage {
            tables,
            index: EntityIndex::with_capacity(entity_capacity),
            columns,
            sparse: SparseStorage::empty(),
            // Writes before the first tick are newer than the first frame's start.
            change_tick: 1,
            clamped_at: 1,
            frame_tick: 0,
            removed: Box::new([]),
        }
    }

    /// Gives the storage its sparse sets (a world with `sparse(...)` components); any
    /// sets it had are dropped.
    pub fn set_sparse(&mut self, sparse: SparseStorage) {
        self.sparse = sparse;
    }

    /// The sparse sets.
    #[inline(always)]
    pub fn sparse(&self) -> &SparseStorage {
        &self.sparse
    }

    /// The sparse sets, mutably.
    #[inline(always)]
    pub(crate) fn sparse_mut(&mut self) -> &mut SparseStorage {
        &mut self.sparse
    }

    /// Row 0 of every column, by archetype and component id.
    #[inline(always)]
    pub fn column_pointers(&self) -> &ColumnPointers {
        &self.columns
    }

    /// Grows `archetype`'s table for `additional` more rows, keeping the pointer matrix.
    #[inline(always)]
    pub(crate) fn grow(&mut self, archetype: usize, additional: usize) {
        let table = &mut self.tables[archetype];
        if table.capacity() - table.len() < additional {
            table.reserve(additional);
            self.columns.refresh(archetype, &self.tables[archetype]);
        }
    }

    /// Gives back every table's capacity past its live rows, keeping the pointer matrix;
    /// returns the bytes given back.
    pub(crate) fn shrink_to_fit(&mut self) -> usize {
        let mut freed = 0;
        for archetype in 0..self.tables.len() {
            freed += self.tables[archetype].shrink_to_fit();
            self.columns.refresh(archetype, &self.tables[archetype]);
        }
        freed
    }

    /// The tables, in archetype declaration order.
    #[inline(always)]
    pub fn tables(&self) -> &[Table] {
        &self.tables
    }

    /// One table, mutably. (Crate-private: growing a table behind the storage's back would
    /// leave its column pointers stale.)
    #[inline(always)]
    pub(crate) fn table_mut(&mut self, archetype: u16) -> &mut Table {
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
        self.grow(archetype as usize, additional);
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
        self.grow(archetype as usize, 1);
        let table = &mut self.tables[archetype as usize];
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

    /// Spawns into the flushed reservation `entity` (see [`EntityIndex::reserve_entity`]);
    /// `false`, with nothing changed and `write` not called, if `entity` is not one.
    ///
    /// # Safety
    /// As [`Storage::spawn_with`].
    pub(crate) unsafe fn spawn_reserved_with(
        &mut self,
        entity: Entity,
        archetype: u16,
        write: impl FnOnce(&mut Table, usize),
    ) -> bool {
        if !self.index.is_reserved(entity) {
            return false;
        }
        self.grow(archetype as usize, 1);
        let table = &mut self.tables[archetype as usize];
        let row = table.len();
        let filled = self.index.alloc_reserved(
            entity,
            Location {
                archetype,
                row: row as u32,
            },
        );
        debug_assert!(filled);
        // SAFETY: one row was reserved above; the caller initialises every column.
        let row = unsafe { table.push_entity(entity) };
        write(table, row);
        true
    }

    /// The entity index, mutably, for the crate's reservation bookkeeping (flush and
    /// release; never a relocation).
    #[inline(always)]
    pub(crate) fn entities_mut(&mut self) -> &mut EntityIndex {
        &mut self.index
    }

    /// Despawns `entity`, dropping its components; `false` if it was not alive.
    ///
    /// If a component's drop unwinds, the entity is despawned all the same (its other
    /// components dropped, the index and the table consistent) before the panic leaves.
    pub fn despawn(&mut self, entity: Entity) -> bool {
        let Some(location) = self.index.free(entity) else {
            return false;
        };
        if !self.removed.is_empty() {
            self.log_removals(entity, location.archetype as usize, None);
        }
        let table = &mut self.tables[location.archetype as usize];
        let (row, last) = (location.row as usize, table.len() - 1);
        // The index first: the owner of the last row, which fills the hole, is relocated
        // before any value is dropped (the table's own bookkeeping is done the same way).
        if row != last {
            self.index.relocate(table.entities()[last], location);
        }
        if self.sparse.is_empty() {
            let moved = table.swap_remove(row);
            debug_assert_eq!(moved, (row != last).then(|| table.entities()[row]));
            return true;
        }
        // The table row, then the entity's sparse values: each step runs even if a drop
        // of the one before unwinds, so every value is dropped once and nothing stays
        // behind for a later owner of the slot.
        let sparse = &mut self.sparse;
        finish::for_each_completing(2, |step| {
            if step == 0 {
                table.swap_remove(row);
            } else {
                sparse.remove_all(entity);
            }
        });
        true
    }

    /// Removes the live `entity` without dropping its table values: `take(id, ptr)` is
    /// called for each of its columns (in column order) with a pointer to the value, which
    /// it must move out. Its sparse values are not touched (the caller moves them out
    /// first). `false`, and `take` not called, if `entity` is not alive.
    ///
    /// # Safety
    /// `take` moves each value out (owning it from then on) and does not unwind.
    pub(crate) unsafe fn take_entity(
        &mut self,
        entity: Entity,
        mut take: impl FnMut(u16, *const u8),
    ) -> bool {
        let Some(location) = self.index.get(entity) else {
            return false;
        };
        let table = &mut self.tables[location.archetype as usize];
        let row = location.row as usize;
        for (column, &id) in table.columns().iter().zip(table.ids()) {
            // SAFETY: `row` is a live row of this table.
            take(id, unsafe { column.row_ptr(row) });
        }
        let freed = self.index.free(entity);
        debug_assert_eq!(freed, Some(location));
        // SAFETY: `row < len`, and `take` moved every value of the row out.
        if let Some(moved) = unsafe { table.swap_remove_moved_out(row) } {
            self.index.relocate(moved, location);
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
}

#[cfg(test)]
mod tests;
