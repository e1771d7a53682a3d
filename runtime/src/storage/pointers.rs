//! [`ColumnPointers`]: row 0 of every column of every table, in one flat matrix.

use super::Table;

/// Row 0 of every column of every table, by archetype and component id: one flat matrix,
/// so a query reaches a table's column with one load instead of a chain of lookups.
///
/// Kept equal to the tables' column pointers: [`Storage`](super::Storage) refreshes a table's row after
/// every growth of that table (the only time a column moves).
pub struct ColumnPointers {
    /// `ptrs[(a << shift) + c]`: column `c` of table `a`, or null if `a` lacks `c` (or
    /// `c >= components`: a row is padded to a power of two, so that finding a table's
    /// row is a shift, not a multiplication, on the query's per-table path).
    pub(super) ptrs: Box<[*mut u8]>,
    pub(super) components: usize,
    /// `log2` of the row length (the next power of two of `components`).
    pub(super) shift: u32,
}

// SAFETY: the pointers address columns of component types (`Send + Sync`), and reading
// them is mediated by queries, whose construction guarantees the access is allowed.
unsafe impl Send for ColumnPointers {}
// SAFETY: as above; `&ColumnPointers` only reads the pointer values.
unsafe impl Sync for ColumnPointers {}

impl ColumnPointers {
    /// The row of `archetype`: indexed by component id, `components` entries (and null
    /// padding up to the next power of two).
    ///
    /// # Safety
    /// `archetype` is below the number of tables.
    #[inline(always)]
    pub unsafe fn row(&self, archetype: usize) -> *const *mut u8 {
        debug_assert!((archetype + 1) << self.shift <= self.ptrs.len());
        // SAFETY: the caller keeps `archetype` in bounds, so the offset stays in `ptrs`.
        unsafe { self.ptrs.as_ptr().add(archetype << self.shift) }
    }

    /// Row 0 of component `id`'s column in table `archetype`, or null if the table lacks
    /// the component (or either index is out of range).
    #[inline(always)]
    pub fn get(&self, archetype: usize, id: u16) -> *mut u8 {
        if (id as usize) < self.components {
            if let Some(&ptr) = self.ptrs.get((archetype << self.shift) + id as usize) {
                return ptr;
            }
        }
        std::ptr::null_mut()
    }

    /// Number of component ids (the length of a row).
    #[inline(always)]
    pub fn components(&self) -> usize {
        self.components
    }

    pub(super) fn refresh(&mut self, archetype: usize, table: &Table) {
        let row = &mut self.ptrs[archetype << self.shift..(archetype + 1) << self.shift];
        for (column, &id) in table.columns().iter().zip(table.ids()) {
            row[id as usize] = column.ptr();
        }
    }
}
