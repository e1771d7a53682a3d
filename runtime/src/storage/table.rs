//! One archetype's table: a row-owner column of [`Entity`] plus one [`Column`] per
//! component, all of one length (struct of arrays).

use super::column::{copy_value, Column, ColumnType};
use super::finish::for_each_completing;
use super::ticks::TableTicks;
use crate::entity::Entity;
use std::ptr::NonNull;

/// Marks "this archetype has no such component" in [`Table::slot`].
pub const NO_SLOT: u8 = u8::MAX;

/// The rows of one archetype.
///
/// Rows `0..len` of every column are initialised; the entity in row `r` of
/// [`Table::entities`] owns row `r` of every column.
pub struct Table {
    entities: Vec<Entity>,
    columns: Box<[Column]>,
    /// Component id of each column.
    ids: Box<[u16]>,
    /// Component id -> index into `columns` (or [`NO_SLOT`]).
    slots: Box<[u8]>,
    capacity: usize,
    /// The change ticks of the table's tracked components (`None`: none tracked).
    ticks: Option<Box<TableTicks>>,
}

impl Table {
    /// An empty table with the given columns; `ids[i]` is the component id of `types[i]`
    /// and `component_count` the number of component ids in the world.
    pub fn new(ids: &[u16], types: &[ColumnType], component_count: usize) -> Table {
        assert_eq!(ids.len(), types.len(), "one id per column");
        assert!(
            ids.len() < NO_SLOT as usize,
            "at most 254 components per archetype"
        );
        let mut slots = vec![NO_SLOT; component_count].into_boxed_slice();
        for (column, &id) in ids.iter().enumerate() {
            let slot = slots
                .get_mut(id as usize)
                .expect("a column's component id is below the component count");
            assert_eq!(*slot, NO_SLOT, "component id {id} has two columns");
            *slot = column as u8;
        }
        Table {
            entities: Vec::new(),
            columns: types.iter().map(|t| Column::new(*t)).collect(),
            ids: ids.into(),
            slots,
            capacity: 0,
            ticks: None,
        }
    }

    /// Tracks changes of the components `ids` (those of the table's components that a
    /// world lists in `track(...)`); an empty list tracks nothing. Call it on an empty table.
    pub fn track(&mut self, ids: &[u16]) {
        assert!(self.is_empty(), "tracking starts on an empty table");
        let ids: Vec<u16> = ids
            .iter()
            .copied()
            .filter(|&id| self.slot(id) != NO_SLOT)
            .collect();
        self.ticks = (!ids.is_empty()).then(|| Box::new(TableTicks::new(&ids)));
    }

    /// The change ticks of the tracked components, if any is tracked.
    #[inline(always)]
    pub fn ticks(&self) -> Option<&TableTicks> {
        self.ticks.as_deref()
    }

    /// The change ticks, mutably.
    #[inline(always)]
    pub(crate) fn ticks_mut(&mut self) -> Option<&mut TableTicks> {
        self.ticks.as_deref_mut()
    }

    /// Number of rows.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.entities.len()
    }

    /// Whether the table has no row.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    /// The row owners, row by row.
    #[inline(always)]
    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }

    /// The column index of component `id`, or [`NO_SLOT`].
    #[inline(always)]
    pub fn slot(&self, id: u16) -> u8 {
        match self.slots.get(id as usize) {
            Some(&s) => s,
            None => NO_SLOT,
        }
    }

    /// Rows every column has room for.
    #[inline(always)]
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Number of component ids in the world the table belongs to.
    #[inline(always)]
    pub fn component_count(&self) -> usize {
        self.slots.len()
    }

    /// The component id of each column, in declaration order.
    #[inline(always)]
    pub fn ids(&self) -> &[u16] {
        &self.ids
    }

    /// The columns, in declaration order.
    #[inline(always)]
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Makes room for `additional` more rows in every column.
    pub fn reserve(&mut self, additional: usize) {
        let needed = self
            .len()
            .checked_add(additional)
            .expect("row count overflow");
        if needed <= self.capacity {
            return;
        }
        let new_cap = needed.max(self.capacity * 2).max(8);
        for column in self.columns.iter() {
            if column
                .layout_for(new_cap)
                .is_none_or(|l| l.size() > isize::MAX as usize)
            {
                panic!(
                    "column of `{}` would exceed isize::MAX bytes",
                    column.column_type().name()
                );
            }
        }
        for column in self.columns.iter_mut() {
            // SAFETY: `capacity` is the current capacity of every column, `new_cap` is
            // larger and its layout was checked above.
            unsafe { column.grow(self.capacity, new_cap) };
        }
        self.entities.reserve(new_cap - self.entities.len());
        self.capacity = new_cap;
    }

    /// Gives every column the block `block(column)` of `rows` rows that already holds
    /// the values of rows `0..rows` (a load's column, taken over instead of copied), and
    /// makes `rows` the table's capacity. The rows stay unlisted until
    /// [`push_entities`](Self::push_entities) lists their owners.
    ///
    /// # Safety
    /// The table is empty with capacity 0 and `rows > 0`; for each column of a type of
    /// non-zero size, `block` returns a global-allocator block of that column's
    /// `layout_for(rows)`, holding `rows` initialised values of its type, owned by
    /// nobody else; for a column of zero-sized values it returns nothing and hands
    /// `rows` values to the table. `block` does not panic.
    pub(crate) unsafe fn adopt_blocks(
        &mut self,
        rows: usize,
        mut block: impl FnMut(usize) -> Option<NonNull<u8>>,
    ) {
        assert!(
            self.is_empty() && self.capacity == 0 && rows > 0,
            "a table adopts blocks only when it has none"
        );
        for (slot, column) in self.columns.iter_mut().enumerate() {
            if let Some(data) = block(slot) {
                // SAFETY: the column has no block (capacity 0, checked above); `data`
                // is a global-allocator block of its `layout_for(rows)` (the caller's
                // guarantee), and `rows` becomes the capacity below.
                unsafe { column.adopt(data) };
            }
        }
        self.capacity = rows;
    }

    /// Makes `entities` the owners of rows `0..entities.len()` of the empty table,
    /// taking the `Vec` over (a load's row owners, not copied).
    ///
    /// # Safety
    /// As [`push_entities`](Self::push_entities) into an empty table: its capacity is at
    /// least `entities.len()` and every column holds initialised values of its type at
    /// those rows.
    pub(crate) unsafe fn adopt_entities(&mut self, entities: Vec<Entity>) {
        assert!(self.is_empty(), "only an empty table adopts row owners");
        debug_assert!(entities.len() <= self.capacity);
        self.entities = entities;
        if let Some(ticks) = self.ticks.as_deref_mut() {
            for _ in 0..self.entities.len() {
                ticks.push();
            }
        }
    }

    /// Gives back the capacity past the live rows (every column, and the entity list);
    /// returns the bytes given back.
    pub fn shrink_to_fit(&mut self) -> usize {
        let len = self.len();
        if len >= self.capacity {
            return 0;
        }
        let mut freed = 0;
        for column in self.columns.iter_mut() {
            // SAFETY: `capacity` is the current capacity of every column and rows
            // `len..capacity` are uninitialised (only `0..len` hold values).
            freed += unsafe { column.shrink(self.capacity, len) };
        }
        if let Some(ticks) = self.ticks.as_deref_mut() {
            ticks.shrink_to_fit();
        }
        let entities = self.entities.capacity();
        self.entities.shrink_to_fit();
        freed += (entities - self.entities.capacity()) * std::mem::size_of::<Entity>();
        self.capacity = len;
        freed
    }

    /// Starts a new row owned by `entity`: returns its index. The caller must then write
    /// every column of that row with [`Table::write`] before anything else reads it.
    ///
    /// # Safety
    /// Capacity was reserved for the row ([`Table::reserve`]) and the caller initialises
    /// every column at the returned row before the table is read or dropped.
    #[inline(always)]
    pub unsafe fn push_entity(&mut self, entity: Entity) -> usize {
        debug_assert!(self.entities.len() < self.capacity);
        let row = self.entities.len();
        self.entities.push(entity);
        if let Some(ticks) = self.ticks.as_deref_mut() {
            ticks.push();
        }
        row
    }

    /// Appends `entities` as the owners of rows `len..len + entities.len()`, whose values
    /// the caller has already written in every column (a whole table loaded at once).
    ///
    /// # Safety
    /// Capacity for the rows was reserved ([`Table::reserve`]) and every column holds
    /// initialised values of its type at those rows.
    pub(crate) unsafe fn push_entities(&mut self, entities: &[Entity]) {
        debug_assert!(self.entities.len() + entities.len() <= self.capacity);
        self.entities.extend_from_slice(entities);
        if let Some(ticks) = self.ticks.as_deref_mut() {
            for _ in entities {
                ticks.push();
            }
        }
    }

    /// Removes the owner of `row` from the entity column, moving the last row's owner
    /// into its place; returns that owner if it moved (`row` was not the last row). The
    /// columns are the caller's business (a typed move fills their holes the same way).
    ///
    /// # Safety
    /// `row < self.len()`, and the caller moves every column's last row into `row` (or
    /// drops the table's rows consistently) so that rows and owners stay aligned.
    #[inline(always)]
    pub unsafe fn swap_remove_entity(&mut self, row: usize) -> Option<Entity> {
        debug_assert!(row < self.entities.len());
        let last = self.entities.len() - 1;
        self.entities.swap_remove(row);
        if let Some(ticks) = self.ticks.as_deref_mut() {
            ticks.swap_remove(row);
        }
        (row != last).then(|| self.entities[row])
    }

    /// Writes `value` into column `column` at `row` without dropping what was there.
    ///
    /// # Safety
    /// `column` is in bounds and holds `T`; `row` is below the capacity and its slot in that
    /// column is uninitialised (or its old value was moved out).
    #[inline(always)]
    pub unsafe fn write<T>(&mut self, column: usize, row: usize, value: T) {
        // SAFETY: the caller guarantees the column's type is `T`, so the pointer is
        // aligned and in the allocation, and that the slot holds no live value.
        unsafe {
            let col = self.columns.get_unchecked(column);
            debug_assert_eq!(col.column_type().layout(), std::alloc::Layout::new::<T>());
            col.ptr().cast::<T>().add(row).write(value)
        }
    }

    /// Writes the value at `src` (of component `id`) into `row`, taking ownership of it.
    ///
    /// # Safety
    /// The table has component `id`; `src` points at an initialised value of its type,
    /// which the caller will not use or drop again; `row`'s slot is uninitialised.
    #[inline]
    pub unsafe fn write_raw(&mut self, id: u16, row: usize, src: *const u8) {
        let column = &self.columns[self.slot(id) as usize];
        let size = column.column_type().layout().size();
        // SAFETY: the caller guarantees `src` holds a value of this column's type and
        // `row` is within the capacity.
        unsafe { copy_value(src, column.row_ptr(row), size) };
    }

    /// Removes `row`, dropping its values; the last row moves into its place. Returns the
    /// entity that moved (if another row moved).
    ///
    /// If a value's drop unwinds, the table is still consistent when the panic leaves:
    /// the row owners are updated before any value is dropped, every other value of the
    /// row is still dropped and every column's last row still moves into `row`.
    pub fn swap_remove(&mut self, row: usize) -> Option<Entity> {
        let last = self.len().checked_sub(1)?;
        if row > last {
            return None;
        }
        // SAFETY: `row <= last < len`. Every column's last row moves into `row` below,
        // also if a drop unwinds (`for_each_completing` finishes the columns, and
        // `swap_remove_drop` fills its hole when the drop unwinds).
        let moved = unsafe { self.swap_remove_entity(row) };
        let columns = &mut self.columns;
        for_each_completing(columns.len(), |c| {
            // SAFETY: rows `row <= last` of every column are initialised (the columns
            // before `c` were done, the ones from `c` on not yet touched).
            unsafe { columns[c].swap_remove_drop(row, last) };
        });
        moved
    }

    /// Removes `row` after the caller moved every value of it out: each column's last row
    /// fills the hole (nothing is dropped). Returns the entity that moved into `row`, if
    /// any.
    ///
    /// # Safety
    /// `row < self.len()`, and the caller moved the value of every column at `row` out
    /// (it owns them now).
    pub(crate) unsafe fn swap_remove_moved_out(&mut self, row: usize) -> Option<Entity> {
        let last = self.len() - 1;
        // SAFETY: `row < len`; every column's hole is filled right below.
        let moved = unsafe { self.swap_remove_entity(row) };
        if row != last {
            for column in self.columns.iter() {
                let size = column.column_type().layout().size();
                // SAFETY: rows `row < last` are within the column; `last` holds a value
                // that moves (bytes, no drop) into `row`, whose value was moved out.
                unsafe { copy_value(column.row_ptr(last), column.row_ptr(row), size) };
            }
        }
        moved
    }

    /// Moves `row` into a new row of `dst` (which must have room reserved): shared
    /// components are moved, the ones `dst` lacks are dropped. Returns the new row in
    /// `dst` and the entity that moved into `row` here, if any. Columns of `dst` that this
    /// table lacks are left uninitialised at the new row: the caller writes them.
    ///
    /// The row owners of both tables are updated first; if a drop unwinds, the other
    /// columns are still moved (or dropped) and every hole filled, so both tables are
    /// consistent when the panic leaves.
    ///
    /// `dst_columns` is `dst`'s row of the world's column pointers
    /// ([`ColumnPointers::row`](super::ColumnPointers::row)): row 0 of each of its columns
    /// by component id, null where `dst` lacks the component.
    ///
    /// # Safety
    /// `row < self.len()`; `dst` has capacity for one more row; `dst_columns` is `dst`'s
    /// current row of pointers, covering every id of this table; `skip_drop`, if given,
    /// names a component of this table whose value at `row` the caller already moved out.
    /// If a value is dropped (`dst` lacks a component other than `skip_drop`), `dst` has
    /// no component this table lacks: no column is left for the caller to write when a
    /// drop can unwind.
    pub unsafe fn move_row(
        &mut self,
        row: usize,
        dst: &mut Table,
        dst_columns: *const *mut u8,
        skip_drop: Option<u16>,
    ) -> (usize, Option<Entity>) {
        let last = self.len() - 1;
        let entity = self.entities[row];
        // Bookkeeping first. SAFETY: the caller reserved room in `dst`, and every column
        // is written below (also if a drop unwinds) or by the caller (only when nothing is
        // dropped, the contract).
        let new_row = unsafe { dst.push_entity(entity) };
        dst.carry_ticks(new_row, self, row);
        // SAFETY: `row < len`, and every column's last row moves into `row` below, also if
        // a drop unwinds (`for_each_completing`, `swap_remove_drop`).
        let moved = unsafe { self.swap_remove_entity(row) };
        let (columns, ids) = (&mut self.columns, &self.ids);
        for_each_completing(columns.len(), |c| {
            let (column, id) = (&mut columns[c], ids[c]);
            // SAFETY: `id` is a component id of the world, within the row.
            let target = unsafe { *dst_columns.add(id as usize) };
            let size = column.column_type().layout().size();
            if !target.is_null() {
                // SAFETY: `row <= last` are initialised (this column not touched yet); the
                // destination slot at `new_row` is within `dst`'s reserved capacity and
                // uninitialised; the columns have the same type (same component id), so
                // the same size.
                unsafe { column.swap_remove_move(row, last, target.add(new_row * size)) };
            } else if skip_drop == Some(id) {
                // The caller moved the value out already: only fill the hole.
                if row != last {
                    // SAFETY: both rows are in bounds and distinct; row `last` is initialised.
                    unsafe { copy_value(column.row_ptr(last), column.row_ptr(row), size) };
                }
            } else {
                // SAFETY: `row <= last` are initialised (this column not touched yet).
                unsafe { column.swap_remove_drop(row, last) };
            }
        });
        (new_row, moved)
    }
}

impl Table {
    /// Gives `new_row` of `self` the change ticks `row` of `src` has for the components
    /// both track (a moved row keeps them; the others stay stamped as added now).
    #[inline(always)]
    pub(crate) fn carry_ticks(&mut self, new_row: usize, src: &Table, row: usize) {
        if let (Some(dst), Some(from)) = (self.ticks.as_deref_mut(), src.ticks.as_deref()) {
            dst.carry(new_row, from, row);
        }
    }
}

impl Drop for Table {
    fn drop(&mut self) {
        let (len, capacity) = (self.len(), self.capacity);
        let columns = &mut self.columns;
        // Every column is dropped and freed even if a value's drop unwinds.
        for_each_completing(columns.len(), |c| {
            // SAFETY: rows `0..len` are initialised and `capacity` is the allocation size;
            // the table is going away, and each column is done once.
            unsafe { columns[c].drop_and_free(len, capacity) };
        });
    }
}
