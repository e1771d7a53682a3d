//! A `Deserialize` that panics in the middle of a load, and a `Clone` that panics in the
//! middle of a snapshot or a restore: every value made is dropped exactly once (a count
//! of live values goes back to where it was), no world is half made, and the world being
//! restored is left as it was. Run under valgrind too (no leak, no invalid access).
#![cfg(feature = "serde")]

use metronome::prelude::*;
use metronome::serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};
use std::sync::Mutex;

/// Live `Tracked` values (made minus dropped).
static LIVE: AtomicIsize = AtomicIsize::new(0);
/// Values still to make (by deserialising or cloning) before one panics; 0: never.
static PANIC_IN: AtomicUsize = AtomicUsize::new(0);
/// The tests share the counters: one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// A component that counts its live values and can panic while being made.
#[derive(Component, Debug, PartialEq)]
pub struct Tracked(pub Vec<u32>);

impl Tracked {
    fn new(values: Vec<u32>) -> Self {
        if PANIC_IN.load(Ordering::SeqCst) != 0 && PANIC_IN.fetch_sub(1, Ordering::SeqCst) == 1 {
            panic!("Tracked: made one too many");
        }
        LIVE.fetch_add(1, Ordering::SeqCst);
        Tracked(values)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Clone for Tracked {
    fn clone(&self) -> Self {
        Tracked::new(self.0.clone())
    }
}

impl Serialize for Tracked {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Tracked {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Tracked::new(Vec::deserialize(deserializer)?))
    }
}

#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "metronome::serde")]
pub struct Weight(pub u32);

#[world(
    serde,
    archetypes(Item = (Weight, Tracked)),
    executor = sequential,
)]
pub struct Store;

fn store(n: u32) -> Store {
    let mut store = Store::new();
    for i in 0..n {
        store.spawn(Item(Weight(i), Tracked::new(vec![i; 3])));
    }
    store
}

fn weights(store: &Store) -> Vec<u32> {
    let mut weights: Vec<u32> = store.query::<&Weight>().iter().map(|w| w.0).collect();
    weights.sort_unstable();
    weights
}

#[test]
fn a_deserialize_panicking_midway_drops_every_value_once_and_makes_no_world() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let original = store(50);
    for format in [Format::Binary, Format::Json] {
        let mut saved = Vec::new();
        original.save(&mut saved, format).unwrap();
        let live = LIVE.load(Ordering::SeqCst);
        for panic_at in [1, 2, 25, 50] {
            PANIC_IN.store(panic_at, Ordering::SeqCst);
            let result = catch_unwind(AssertUnwindSafe(|| Store::load(&saved[..], format)));
            PANIC_IN.store(0, Ordering::SeqCst);
            assert!(result.is_err(), "{format:?}: value {panic_at} panicked");
            assert_eq!(
                LIVE.load(Ordering::SeqCst),
                live,
                "{format:?}, panic at {panic_at}"
            );
        }
        // Without the panic, the same save loads.
        let loaded = Store::load(&saved[..], format).unwrap();
        assert_eq!(LIVE.load(Ordering::SeqCst), live + 50);
        assert_eq!(weights(&loaded), weights(&original));
        drop(loaded);
        assert_eq!(LIVE.load(Ordering::SeqCst), live);
    }
}

#[test]
fn a_clone_panicking_midway_in_snapshot_or_restore_drops_every_value_once() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut store = store(40);
    let live = LIVE.load(Ordering::SeqCst);
    // In the snapshot: the copies made so far are dropped, the world is untouched.
    PANIC_IN.store(20, Ordering::SeqCst);
    let result = catch_unwind(AssertUnwindSafe(|| store.snapshot()));
    PANIC_IN.store(0, Ordering::SeqCst);
    assert!(result.is_err());
    assert_eq!(LIVE.load(Ordering::SeqCst), live);

    let snapshot = store.snapshot();
    assert_eq!(LIVE.load(Ordering::SeqCst), live + 40);
    let before = weights(&store);
    store.spawn(Item(Weight(1000), Tracked::new(vec![])));
    let after = weights(&store);
    // In the restore: the world keeps its state (the snapshot is cloned before anything
    // of the world changes), the partial clone is dropped.
    PANIC_IN.store(30, Ordering::SeqCst);
    let result = catch_unwind(AssertUnwindSafe(|| store.restore(&snapshot)));
    PANIC_IN.store(0, Ordering::SeqCst);
    assert!(result.is_err());
    assert_eq!(LIVE.load(Ordering::SeqCst), live + 41);
    assert_eq!(weights(&store), after);
    // And a restore that completes puts the snapshot's state back, the 41 values of
    // the world dropped, 40 copies of the snapshot's made.
    store.restore(&snapshot);
    assert_eq!(weights(&store), before);
    assert_eq!(LIVE.load(Ordering::SeqCst), live + 40);
    drop(snapshot);
    assert_eq!(LIVE.load(Ordering::SeqCst), live);
    drop(store);
    assert_eq!(LIVE.load(Ordering::SeqCst), live - 40);
}

#[test]
fn a_table_refused_while_loading_drops_its_values_once() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let original = store(10);
    let mut saved = Vec::new();
    original.save(&mut saved, Format::Json).unwrap();
    let text = String::from_utf8(saved).unwrap();
    // Entity 0 owns two rows: the table's columns are read, then refused whole.
    let twice = text.replacen("[[0,0],[1,0],", "[[0,0],[0,0],", 1);
    assert_ne!(
        twice, text,
        "the row owners are written as [index, generation] pairs"
    );
    let live = LIVE.load(Ordering::SeqCst);
    match Store::load(twice.as_bytes(), Format::Json) {
        Err(LoadError::Inconsistent(e)) => assert!(e.contains("two rows"), "{e}"),
        other => panic!(
            "loaded a table with an entity twice: {:?}",
            other.map(|_| ())
        ),
    }
    assert_eq!(LIVE.load(Ordering::SeqCst), live);
}
