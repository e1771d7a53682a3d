//! Archetype tables and the entity index: where a world's components live.
//!
//! Everything here is world-agnostic and addressed by component id; the generated world
//! supplies the ids, column types and transitions (see [`crate::world`]).

mod column;
mod finish;
mod removed;
mod restore;
mod sparse;
mod table;
pub mod ticks;

pub use column::{Column, ColumnType};
pub(crate) use finish::CopyOnDrop;
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

/// Row 0 of every column of every table, by archetype and component id: one flat matrix,
/// so a query reaches a table's column with one load instead of a chain of lookups.
///
/// Kept equal to the tables' column pointers: [`Storage`] refreshes a table's row after
/// every growth of that table (the only time a column moves).
pub struct ColumnPointers {
    /// `ptrs[(a << shift) + c]`: column `c` of table `a`, or null if `a` lacks `c` (or
    /// `c >= components`: a row is padded to a power of two, so that finding a table's
    /// row is a shift, not a multiplication, on the query's per-table path).
    ptrs: Box<[*mut u8]>,
    components: usize,
    /// `log2` of the row length (the next power of two of `components`).
    shift: u32,
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

    fn refresh(&mut self, archetype: usize, table: &Table) {
        let row = &mut self.ptrs[archetype << self.shift..(archetype + 1) << self.shift];
        for (column, &id) in table.columns().iter().zip(table.ids()) {
            row[id as usize] = column.ptr();
        }
    }
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

    /// Tracks the changes of components `ids` in every table that has them.
    pub fn track(&mut self, ids: &[u16]) {
        for table in self.tables.iter_mut() {
            table.track(ids);
        }
        self.removed = (0..self.columns.components())
            .map(|_| RemovalLog::default())
            .collect();
        let now = self.change_tick;
        self.set_change_tick(now);
    }

    /// The change tick when the world's last `tick` began (`Added`/`Changed` of a query
    /// outside systems see the changes since).
    #[inline(always)]
    pub fn frame_tick(&self) -> u32 {
        self.frame_tick
    }

    /// Advances the change tick by one (a stage begins or ends); with `frame`, also
    /// records it as the start of a frame.
    pub(crate) fn advance_change_tick(&mut self, frame: bool) {
        if frame {
            self.frame_tick = self.change_tick;
            let now = self.change_tick;
            for log in self.removed.iter_mut() {
                log.prune(now);
            }
        }
        let next = self.change_tick.wrapping_add(1);
        self.set_change_tick(next);
    }

    /// Marks `entity`'s component `id` changed now (a write through `&mut` world), if
    /// the component is tracked.
    pub(crate) fn mark_changed(&mut self, entity: Entity, id: u16) {
        if let Some(location) = self.index.get(entity) {
            if let Some(ticks) = self.tables[location.archetype as usize].ticks_mut() {
                ticks.mark_changed(id, location.row as usize);
            }
        }
    }

    /// Moves the change tick to `now` as if time had passed steadily: every stored tick
    /// (and the frame start) older than the maximum age is clamped first.
    pub fn restart_change_tick(&mut self, now: u32) {
        self.clamped_at = now.wrapping_sub(ticks::CHECK_INTERVAL);
        self.set_change_tick(now);
    }

    /// The removal log of tracked component `id` (`None` if it is not tracked).
    #[inline]
    pub fn removals(&self, id: u16) -> Option<&RemovalLog> {
        self.removed.get(id as usize)
    }

    /// Logs that `entity` loses the tracked components of table `from` that table `to`
    /// lacks (all of them when `to` is `None`: a despawn).
    fn log_removals(&mut self, entity: Entity, from: usize, to: Option<usize>) {
        let Some(ticks) = self.tables[from].ticks() else {
            return;
        };
        let now = self.change_tick;
        for &id in ticks.ids() {
            let kept = to.is_some_and(|to| self.tables[to].slot(id) != NO_SLOT);
            if !kept {
                if let Some(log) = self.removed.get_mut(id as usize) {
                    log.push(entity, now);
                }
            }
        }
    }

    /// The current change tick.
    #[inline(always)]
    pub fn change_tick(&self) -> u32 {
        self.change_tick
    }

    /// Sets the change tick: new rows and writes are stamped with it from now on. Every
    /// [`ticks::CHECK_INTERVAL`] ticks, every stored tick older than
    /// [`ticks::MAX_CHANGE_AGE`] is clamped to that age, so that ages never wrap.
    pub fn set_change_tick(&mut self, now: u32) {
        self.frame_tick = ticks::clamp(self.frame_tick, now);
        self.change_tick = now;
        let clamp = now.wrapping_sub(self.clamped_at) >= ticks::CHECK_INTERVAL;
        if clamp {
            self.clamped_at = now;
        }
        for table in self.tables.iter_mut() {
            if let Some(ticks) = table.ticks_mut() {
                ticks.set_now(now);
                if clamp {
                    ticks.clamp(now);
                }
            }
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
/// tables' rows of the [`ColumnPointers`] (row 0 of each column, by component id), `row`
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

#[cfg(test)]
mod tests;
