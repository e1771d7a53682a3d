//! An emptied copy of a storage, for a snapshot's restore or a load: the same tables
//! (archetypes, column types, allocation policy) and sparse sets, no rows, and a given
//! entity index.

use super::{SparseStorage, Storage, Table};
use crate::bits::Bits;
use crate::entity::EntityIndex;
use crate::storage::ColumnType;

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
}
