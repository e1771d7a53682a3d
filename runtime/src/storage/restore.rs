//! An emptied copy of a storage, for a snapshot's restore or a load: the same tables
//! (archetypes, column types, allocation policy) and sparse sets, no rows, and a given
//! entity index.

use super::{SparseStorage, Storage, Table};
use crate::bits::Bits;
use crate::entity::{Entity, EntityIndex};
use crate::storage::ColumnType;
use std::ptr::NonNull;

impl Storage {
    /// A storage with this one's tables and sparse sets, all empty, and entity index
    /// `index`. `component_types` and `sparse` are the world's (as `WorldCore::new` had
    /// them).
    pub(crate) fn emptied(
        &self,
        index: EntityIndex,
        component_types: &[ColumnType],
        sparse: Bits,
    ) -> Storage {
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
        storage.index = index;
        if !sparse.is_empty() {
            storage.set_sparse(SparseStorage::new(component_types, sparse));
        }
        storage
    }

    /// Gives the reserved slots `entities` (see [`EntityIndex::restored`]) the rows after
    /// the last of `archetype`'s table, in order: `write(table, first_row)` writes rows
    /// `first_row..first_row + entities.len()` of every column. If `entities` holds a
    /// handle that is not a reserved slot (or holds one twice), nothing changes, `write`
    /// is not called and that handle is the `Err`.
    ///
    /// # Safety
    /// `write` initialises those rows of every column of the table with values of the
    /// columns' types, and does not panic.
    pub(crate) unsafe fn fill_reserved(
        &mut self,
        archetype: u16,
        entities: &[Entity],
        write: impl FnOnce(&mut Table, usize),
    ) -> Result<(), Entity> {
        self.grow(archetype as usize, entities.len());
        let table = &mut self.tables[archetype as usize];
        let first_row = table.len();
        self.index
            .alloc_reserved_rows(entities, archetype, first_row)?;
        write(table, first_row);
        // SAFETY: `grow` reserved the rows; `write` initialised them in every column (the
        // caller's guarantee) and did not panic, so the index (updated above) and the
        // table agree from here on.
        unsafe { table.push_entities(entities) };
        Ok(())
    }

    /// Appends `entities.len()` (at least one) rows to the empty, unallocated table of
    /// `archetype`, taking over blocks that already hold their values and `entities` as
    /// the row owners: the reserved slots of `entities` are made live at rows `0..` (as
    /// [`fill_reserved`] does; if one is not reserved, `block` is not called and that
    /// handle is the `Err`), then [`Table::adopt_blocks`] gives each column
    /// `block(column)`.
    ///
    /// [`fill_reserved`]: Self::fill_reserved
    ///
    /// # Safety
    /// As [`Table::adopt_blocks`] with `rows = entities.len()`.
    pub(crate) unsafe fn fill_adopting(
        &mut self,
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
        self.index.alloc_reserved_rows(&entities, archetype, 0)?;
        let table = &mut self.tables[a];
        // SAFETY: the table is empty with capacity 0 (asserted above), `rows` is
        // `entities.len() > 0`; the blocks are the caller's guarantee.
        unsafe { table.adopt_blocks(entities.len(), block) };
        self.columns.refresh(a, &self.tables[a]);
        // SAFETY: `adopt_blocks` gave every column `entities.len()` initialised rows (the
        // caller's guarantee) and that capacity, and the table is still empty, so the
        // index (updated above) and the table agree from here on.
        unsafe { self.tables[a].adopt_entities(entities) };
        Ok(())
    }
}
