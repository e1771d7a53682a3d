//! Storage tests with drop-counting, zero-sized and over-aligned components; these also
//! run under valgrind memcheck (see the README's development section).

use super::*;
use crate::entity::Location;
use std::cell::Cell;
use std::ptr::NonNull;
use std::sync::Arc;

thread_local! {
    static DROPS: Cell<usize> = const { Cell::new(0) };
}

/// A component that counts its drops and owns heap memory (so leaks show in memcheck).
#[derive(Debug)]
struct Tracked(Box<u64>);
impl Drop for Tracked {
    fn drop(&mut self) {
        DROPS.with(|d| d.set(d.get() + 1));
    }
}

#[derive(Debug, PartialEq, Clone, Copy)]
struct Marker;

#[derive(Debug, PartialEq, Clone, Copy)]
#[repr(align(64))]
struct Aligned(u8);

fn drops() -> usize {
    DROPS.with(|d| d.get())
}

const TRACKED: u16 = 0;
const MARKER: u16 = 1;
const ALIGNED: u16 = 2;

fn types() -> Vec<ColumnType> {
    vec![
        ColumnType::of::<Tracked>("Tracked"),
        ColumnType::of::<Marker>("Marker"),
        ColumnType::of::<Aligned>("Aligned"),
    ]
}

/// Archetype 0 = (Tracked, Marker, Aligned), 1 = (Tracked, Aligned), 2 = (Marker).
fn storage() -> Storage {
    let t = types();
    Storage::new(
        vec![
            Table::new(&[TRACKED, MARKER, ALIGNED], &[t[0], t[1], t[2]], 3),
            Table::new(&[TRACKED, ALIGNED], &[t[0], t[2]], 3),
            Table::new(&[MARKER], &[t[1]], 3),
        ],
        4,
    )
}

fn spawn_full(s: &mut Storage, v: u64) -> Entity {
    // SAFETY: archetype 0's three columns are written with values of their types.
    unsafe {
        s.spawn_with(0, |t, row| {
            t.write(0, row, Tracked(Box::new(v)));
            t.write(1, row, Marker);
            t.write(2, row, Aligned(v as u8));
        })
    }
}

fn tracked(s: &Storage, e: Entity) -> Option<u64> {
    // SAFETY: the column of `TRACKED` holds `Tracked`.
    s.component_ptr(e, TRACKED)
        .map(|p| unsafe { *(*p.cast::<Tracked>()).0 })
}

fn aligned(s: &Storage, e: Entity) -> Option<u8> {
    let p = s.component_ptr(e, ALIGNED)?;
    assert_eq!(
        p as usize % 64,
        0,
        "over-aligned column keeps its alignment"
    );
    // SAFETY: the column of `ALIGNED` holds `Aligned`.
    Some(unsafe { (*p.cast::<Aligned>()).0 })
}

#[test]
fn despawn_first_middle_last_keeps_other_rows() {
    let before = drops();
    let mut s = storage();
    let es: Vec<Entity> = (0..100).map(|i| spawn_full(&mut s, i)).collect();
    let mut alive: Vec<(Entity, u64)> = es.iter().copied().zip(0..).collect();
    for pick in [0usize, 49, 97, 0, 40] {
        let idx = pick.min(alive.len() - 1);
        let (e, _) = alive.remove(idx);
        assert!(s.despawn(e));
        assert!(!s.despawn(e));
        for &(e, v) in &alive {
            assert_eq!(tracked(&s, e), Some(v));
            assert_eq!(aligned(&s, e), Some(v as u8));
        }
    }
    assert_eq!(drops() - before, 5);
    assert_eq!(s.len(), 95);
    drop(s);
    assert_eq!(
        drops() - before,
        100,
        "dropping the storage drops every remaining value once"
    );
}

#[test]
fn moves_between_tables_keep_values_and_drop_exactly_once() {
    let before = drops();
    let mut s = storage();
    let es: Vec<Entity> = (0..20).map(|i| spawn_full(&mut s, i)).collect();
    // Move every other entity to archetype 1, dropping its Marker (a ZST, no drop).
    for &e in es.iter().step_by(2) {
        let from = s.location(e).unwrap();
        // SAFETY: archetype 1 is a subset of archetype 0: every column is moved.
        unsafe { s.move_entity(e, from, 1, None) };
        assert_eq!(s.location(e).unwrap().archetype, 1);
    }
    assert_eq!(drops() - before, 0, "moving does not drop moved values");
    for (i, &e) in es.iter().enumerate() {
        assert_eq!(tracked(&s, e), Some(i as u64));
        assert_eq!(aligned(&s, e), Some(i as u8));
    }
    // Move one to archetype 2 (only Marker): Tracked and Aligned are dropped there.
    let e = es[3];
    let from = s.location(e).unwrap();
    // SAFETY: archetype 2's only column (Marker) exists in archetype 0.
    unsafe { s.move_entity(e, from, 2, None) };
    assert_eq!(drops() - before, 1);
    assert_eq!(tracked(&s, e), None);
    assert!(s.component_ptr(e, MARKER).is_some());
    // Move Tracked out by hand (skip_drop), then into archetype 2.
    let e = es[5];
    let from = s.location(e).unwrap();
    let ptr = s.component_ptr(e, TRACKED).unwrap();
    // SAFETY: the value is read out once and the move skips dropping it.
    let taken: Tracked = unsafe { ptr.cast::<Tracked>().read() };
    // SAFETY: as above.
    unsafe { s.move_entity(e, from, 2, Some(TRACKED)) };
    assert_eq!(*taken.0, 5);
    drop(taken);
    assert_eq!(drops() - before, 2);
    for (i, &e) in es.iter().enumerate().filter(|&(i, _)| i != 3 && i != 5) {
        assert_eq!(tracked(&s, e), Some(i as u64));
    }
    drop(s);
    assert_eq!(drops() - before, 20);
}

#[test]
fn stale_handles_and_reuse() {
    let mut s = storage();
    let a = spawn_full(&mut s, 1);
    assert!(s.despawn(a));
    let b = spawn_full(&mut s, 2);
    assert_eq!(a.index(), b.index());
    assert_eq!(tracked(&s, a), None);
    assert!(!s.despawn(a));
    assert_eq!(tracked(&s, b), Some(2));
    assert_eq!(
        s.location(b),
        Some(Location {
            archetype: 0,
            row: 0
        })
    );
}

#[test]
fn growth_keeps_values() {
    let mut s = storage();
    let es: Vec<Entity> = (0..1000).map(|i| spawn_full(&mut s, i)).collect();
    for (i, &e) in es.iter().enumerate() {
        assert_eq!(tracked(&s, e), Some(i as u64));
    }
    s.reserve(1, 10_000);
    assert_eq!(s.tables()[1].len(), 0);
}

#[test]
fn counted_values_are_not_leaked() {
    // An Arc counts owners: after the table drops, only ours is left. (A column holds
    // `Send + Sync` values only: `ColumnType::of` requires it.)
    let shared = Arc::new(());
    let t = [ColumnType::of::<Arc<()>>("Arc")];
    let mut table = Table::new(&[0], &t, 1);
    table.reserve(3);
    for i in 0..3 {
        // SAFETY: one reserved row, its only column written with an `Arc<()>`.
        unsafe {
            let row = table.push_entity(Entity::from_bits(i));
            table.write(0, row, Arc::clone(&shared));
        }
    }
    assert_eq!(Arc::strong_count(&shared), 4);
    assert_eq!(table.swap_remove(0), Some(Entity::from_bits(2)));
    assert_eq!(Arc::strong_count(&shared), 3);
    drop(table);
    assert_eq!(Arc::strong_count(&shared), 1);
}

#[test]
fn a_table_takes_over_vec_buffers_and_drops_their_values_once() {
    // A load's path: an empty table without blocks adopts `Vec` buffers of exactly its
    // row count (no copy), then grows and frees them as its own blocks.
    let before = drops();
    let t = types();
    let mut table = Table::new(&[TRACKED, MARKER, ALIGNED], &[t[0], t[1], t[2]], 3);
    let mut tracked: Vec<Tracked> = (0..5).map(|i| Tracked(Box::new(i))).collect();
    let mut aligned: Vec<Aligned> = (0..5).map(Aligned).collect();
    tracked.shrink_to_fit();
    aligned.shrink_to_fit();
    assert_eq!((tracked.capacity(), aligned.capacity()), (5, 5));
    let mut tracked = std::mem::ManuallyDrop::new(tracked);
    let mut aligned = std::mem::ManuallyDrop::new(aligned);
    let blocks = [
        NonNull::new(tracked.as_mut_ptr().cast::<u8>()),
        None,
        NonNull::new(aligned.as_mut_ptr().cast::<u8>()),
    ];
    // SAFETY: the table is new (empty, capacity 0); the blocks are the buffers of `Vec`s
    // of exactly 5 values of the columns' types (global allocator, `Layout::array` of
    // 5 = the columns' `layout_for(5)`), given up (`ManuallyDrop`); the zero-sized
    // column gets none.
    unsafe { table.adopt_blocks(5, |slot| blocks[slot]) };
    let entities: Vec<Entity> = (0..5).map(Entity::from_bits).collect();
    // SAFETY: the 5 rows of every column hold values (adopted; `Marker` has no bytes).
    unsafe { table.push_entities(&entities) };
    assert_eq!((table.len(), table.capacity()), (5, 5));
    assert_eq!(table.columns()[0].ptr(), blocks[0].unwrap().as_ptr());
    assert_eq!(table.columns()[2].ptr(), blocks[2].unwrap().as_ptr());
    // SAFETY: row 4 of column 0 holds a `Tracked`, row 3 of column 2 an `Aligned`.
    unsafe {
        assert_eq!(*(*table.columns()[0].row_ptr(4).cast::<Tracked>()).0, 4);
        assert_eq!((*table.columns()[2].row_ptr(3).cast::<Aligned>()).0, 3);
    }
    // Growing reallocates the adopted blocks as the table's own.
    table.reserve(100);
    assert!(table.capacity() >= 105);
    // SAFETY: row 2 of column 0 holds a `Tracked`.
    unsafe { assert_eq!(*(*table.columns()[0].row_ptr(2).cast::<Tracked>()).0, 2) };
    assert_eq!(drops(), before);
    drop(table);
    assert_eq!(drops(), before + 5);
}

// ---------------------------------------------------------------------------------------
// A component whose drop panics (issue 10, case 4): every path that drops values leaves
// the storage consistent, and drops each value exactly once.
// ---------------------------------------------------------------------------------------

thread_local! {
    /// Whether the next `Volatile` drop panics (then it disarms).
    static ARMED: Cell<bool> = const { Cell::new(false) };
    static VOLATILE_DROPS: Cell<usize> = const { Cell::new(0) };
}

/// Owns heap memory (a double drop is a double free, a lost drop a leak under memcheck).
struct Volatile(Box<u64>);
impl Drop for Volatile {
    fn drop(&mut self) {
        VOLATILE_DROPS.with(|d| d.set(d.get() + 1));
        if ARMED.with(|a| a.replace(false)) {
            panic!("volatile {} went off", self.0);
        }
    }
}

fn arm() {
    ARMED.with(|a| a.set(true));
}

fn volatile_drops() -> usize {
    VOLATILE_DROPS.with(|d| d.get())
}

const VOLATILE: u16 = 0;
const TRACKED_TOO: u16 = 1;

/// Archetype 0 = (Volatile, Tracked), 1 = (Tracked); `n` entities in archetype 0, both
/// values `i` for entity `i`.
fn volatile_storage(n: u64) -> (Storage, Vec<Entity>) {
    let t = [
        ColumnType::of::<Volatile>("Volatile"),
        ColumnType::of::<Tracked>("Tracked"),
    ];
    let mut s = Storage::new(
        vec![
            Table::new(&[VOLATILE, TRACKED_TOO], &t, 2),
            Table::new(&[TRACKED_TOO], &t[1..], 2),
        ],
        4,
    );
    let es = (0..n)
        .map(|i| {
            // SAFETY: archetype 0's two columns are written with values of their types.
            unsafe {
                s.spawn_with(0, |t, row| {
                    t.write(0, row, Volatile(Box::new(i)));
                    t.write(1, row, Tracked(Box::new(i)));
                })
            }
        })
        .collect();
    (s, es)
}

/// The `(Volatile, Tracked)` values of `e`, read through the index.
fn values(s: &Storage, e: Entity) -> (Option<u64>, Option<u64>) {
    // SAFETY: the columns of these ids hold these types.
    unsafe {
        (
            s.component_ptr(e, VOLATILE)
                .map(|p| *(*p.cast::<Volatile>()).0),
            s.component_ptr(e, TRACKED_TOO)
                .map(|p| *(*p.cast::<Tracked>()).0),
        )
    }
}

fn unwinds(f: impl FnOnce()) {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    assert!(result.is_err(), "expected the drop to panic");
}

#[test]
fn a_despawn_whose_drop_panics_leaves_the_storage_consistent() {
    for victim in [0, 2, 4] {
        let (before, tracked_before) = (volatile_drops(), drops());
        let (mut s, es) = volatile_storage(5);
        arm();
        unwinds(|| {
            s.despawn(es[victim]);
        });
        // The entity is gone, its other value dropped too, each once.
        assert_eq!(volatile_drops() - before, 1);
        assert_eq!(drops() - tracked_before, 1);
        assert_eq!(s.location(es[victim]), None);
        assert_eq!(s.len(), 4);
        assert_eq!(s.tables()[0].len(), 4);
        for (i, &e) in es.iter().enumerate().filter(|&(i, _)| i != victim) {
            assert_eq!(values(&s, e), (Some(i as u64), Some(i as u64)));
            let location = s.location(e).unwrap();
            assert_eq!(s.tables()[0].entities()[location.row as usize], e);
        }
        drop(s);
        assert_eq!(volatile_drops() - before, 5);
        assert_eq!(drops() - tracked_before, 5);
    }
}

#[test]
fn a_move_whose_drop_panics_leaves_both_tables_consistent() {
    for mover in [0, 2, 4] {
        let (before, tracked_before) = (volatile_drops(), drops());
        let (mut s, es) = volatile_storage(5);
        let from = s.location(es[mover]).unwrap();
        arm();
        // SAFETY: archetype 1 (Tracked) is a subset of archetype 0: nothing to write; the
        // Volatile is dropped.
        unwinds(|| unsafe {
            s.move_entity(es[mover], from, 1, None);
        });
        assert_eq!(volatile_drops() - before, 1);
        assert_eq!(drops() - tracked_before, 0, "the Tracked moved");
        assert_eq!(s.location(es[mover]).map(|l| l.archetype), Some(1));
        assert_eq!(values(&s, es[mover]), (None, Some(mover as u64)));
        assert_eq!((s.tables()[0].len(), s.tables()[1].len()), (4, 1));
        for (i, &e) in es.iter().enumerate() {
            let location = s.location(e).unwrap();
            let table = &s.tables()[location.archetype as usize];
            assert_eq!(table.entities()[location.row as usize], e);
            if i != mover {
                assert_eq!(values(&s, e), (Some(i as u64), Some(i as u64)));
            }
        }
        drop(s);
        assert_eq!(volatile_drops() - before, 5);
        assert_eq!(drops() - tracked_before, 5);
    }
}

#[test]
fn a_table_whose_drop_panics_drops_every_other_value_and_frees_its_columns() {
    let (before, tracked_before) = (volatile_drops(), drops());
    let (s, _) = volatile_storage(6);
    arm();
    unwinds(move || drop(s));
    assert_eq!(volatile_drops() - before, 6);
    assert_eq!(drops() - tracked_before, 6);
}

#[test]
#[should_panic(expected = "component id 0 has two columns")]
fn a_table_rejects_two_columns_of_one_component() {
    let t = ColumnType::of::<Tracked>("Tracked");
    Table::new(&[0, 0], &[t, t], 1);
}

#[test]
fn shrink_to_fit_gives_back_spare_capacity_and_keeps_values() {
    let before = drops();
    let mut s = storage();
    let es: Vec<Entity> = (0..1_000).map(|i| spawn_full(&mut s, i)).collect();
    for &e in &es[10..] {
        assert!(s.despawn(e));
    }
    let spare = s.tables()[0].capacity();
    assert!(spare >= 1_000);
    let freed = s.shrink_to_fit();
    assert_eq!(s.tables()[0].capacity(), 10);
    // Tracked (8 bytes) and Aligned (64 bytes) per row given back, plus the entity list.
    assert!(freed >= (spare - 10) * 72, "{freed}");
    assert_eq!(s.shrink_to_fit(), 0, "nothing left to give back");
    for (i, &e) in es[..10].iter().enumerate() {
        assert_eq!(tracked(&s, e), Some(i as u64));
        assert_eq!(aligned(&s, e), Some(i as u8));
    }
    // Empty tables free their blocks; the storage grows again as usual.
    for &e in &es[..10] {
        assert!(s.despawn(e));
    }
    s.shrink_to_fit();
    assert_eq!(s.tables()[0].capacity(), 0);
    let e = spawn_full(&mut s, 77);
    assert_eq!(tracked(&s, e), Some(77));
    assert_eq!(aligned(&s, e), Some(77));
    drop(s);
    assert_eq!(drops() - before, 1_001, "every value dropped once");
}
