//! An emptied copy of a storage, for a snapshot's restore or a load: the same tables
//! (archetypes, column types, allocation policy) and sparse sets, no rows, an empty entity
//! index; and the filling of its tables, whose row owners claim their slots of the entity
//! index being rebuilt ([`IndexRebuild`]).

use super::{SparseStorage, Storage, Table};
use crate::bits::Bits;
use crate::entity::{Entity, IndexRebuild};
use crate::storage::ColumnType;
use std::ptr::NonNull;

impl Storage {
    /// A storage with this one's tables and sparse sets, all empty, and an empty entity
    /// index. `component_types` and `sparse` are the world's (as `WorldCore::new` had
    /// them).
    pub(crate) fn emptied(&self, component_types: &[ColumnType], sparse: Bits) -> Storage {
        let tables = self
            .tables
            .iter()
            .map(|table| {
                let types: Vec<ColumnType> =
                    table.columns().iter().map(|c| *c.column_type()).collect();
                Table::new(table.ids(), &types, table.component_count())
            })
            .collect();
        let mut storage = Storage::new(tables, 0);
        if !sparse.is_empty() {
            storage.set_sparse(SparseStorage::new(component_types, sparse));
        }
        storage
    }

    /// Gives the slots of `entities` in `index` (see [`IndexRebuild::claim`]) the rows
    /// after the last of `archetype`'s table, in order: `write(table, first_row)` writes
    /// rows `first_row..first_row + entities.len()` of every column. If `entities` holds a
    /// handle that is not a live slot waiting for its row (or holds one twice), nothing
    /// changes, `write` is not called and that handle is the `Err`. The storage's own
    /// entity index is not used: `index` becomes it when every table is filled.
    ///
    /// # Safety
    /// `write` initialises those rows of every column of the table with values of the
    /// columns' types, and does not panic.
    pub(crate) unsafe fn fill_reserved(
        &mut self,
        index: &mut IndexRebuild<'_>,
        archetype: u16,
        entities: &[Entity],
        write: impl FnOnce(&mut Table, usize),
    ) -> Result<(), Entity> {
        self.grow(archetype as usize, entities.len());
        let table = &mut self.tables[archetype as usize];
        let first_row = table.len();
        index.claim(entities, archetype, first_row)?;
        write(table, first_row);
        // SAFETY: `grow` reserved the rows (the entity list's too, so `push_entities`
        // cannot panic: between the claim and the push nothing can unwind); `write`
        // initialised them in every column (the caller's guarantee) and did not panic, so
        // `index` (claimed above) and the table agree from here on.
        unsafe { table.push_entities(entities) };
        Ok(())
    }

    /// Appends `entities.len()` (at least one) rows to the empty, unallocated table of
    /// `archetype`, taking over blocks that already hold their values and `entities` as
    /// the row owners: the slots of `entities` are claimed in `index` at rows `0..` (as
    /// [`fill_reserved`] does; if one cannot be, `block` is not called and that handle is
    /// the `Err`), then [`Table::adopt_blocks`] gives each column `block(column)`.
    ///
    /// [`fill_reserved`]: Self::fill_reserved
    ///
    /// # Safety
    /// As [`Table::adopt_blocks`] with `rows = entities.len()`.
    pub(crate) unsafe fn fill_adopting(
        &mut self,
        index: &mut IndexRebuild<'_>,
        archetype: u16,
        entities: Vec<Entity>,
        block: impl FnMut(usize) -> Option<NonNull<u8>>,
    ) -> Result<(), Entity> {
        let a = archetype as usize;
        let table = &self.tables[a];
        assert!(
            table.is_empty() && table.capacity() == 0 && !entities.is_empty(),
            "only an empty, unallocated table adopts blocks"
        );
        index.claim(&entities, archetype, 0)?;
        let table = &mut self.tables[a];
        // SAFETY: the table is empty with capacity 0 (asserted above), `rows` is
        // `entities.len() > 0`; the blocks are the caller's guarantee.
        unsafe { table.adopt_blocks(entities.len(), block) };
        self.columns.refresh(a, &self.tables[a]);
        // SAFETY: `adopt_blocks` gave every column `entities.len()` initialised rows (the
        // caller's guarantee) and that capacity, and the table is still empty, so `index`
        // (claimed above) and the table agree from here on.
        unsafe { self.tables[a].adopt_entities(entities) };
        Ok(())
    }

    /// Makes `index` the storage's entity index (a rebuilt one: see [`IndexRebuild`]),
    /// dropping the one it had.
    ///
    /// # Safety
    /// `index` and the tables agree, as the storage's code relies on: every row's owner is
    /// live in `index` at that row of that table, and every live slot of `index` is the
    /// owner of the row it names; the sparse sets hold values of live entities of `index`
    /// only (they are empty until the index is complete, in a load or a restore). A
    /// rebuild whose slots were claimed only by this storage's
    /// [`fill_reserved`](Self::fill_reserved) and [`fill_adopting`](Self::fill_adopting),
    /// into tables that had no rows before, gives such an index.
    pub(crate) unsafe fn set_rebuilt_index(&mut self, index: crate::entity::EntityIndex) {
        self.index = index;
    }
}
