//! The facade's integration tests, one module per file, compiled into one test binary
//! (`it`): one crate to expand, type-check and link instead of one per file, which is
//! what a `cargo test --workspace` on a fresh clone spends most of its time on.
//!
//! Adding a test file: put it in this folder (`tests/it/NAME.rs`, written as a
//! top-level test file would be) and add `pub mod NAME;` below, in alphabetical order
//! (`pub`: as at a test crate's root, public items count as used).
//! The shared example game is `common.rs` (`use crate::common::*;`). A file's
//! `macro_rules!` stay its own; a `#[path]` in a file is relative to this folder.
//!
//! A test that measures time and needs the machine to itself stays a binary of its own
//! beside this folder (`tests/predictive.rs`: its two tests take turns and time 2-6 ms
//! systems on a 2-worker pool; here the other files' tests would run beside it).
//!
//! Run one file's tests with `cargo test -p metronome --test it NAME::` (the test
//! names are `NAME::test_name`).

pub mod common;

pub mod api_example;
pub mod change_detection;
pub mod command_batches;
pub mod commands;
pub mod coordinator;
pub mod declaration_order;
pub mod events;
pub mod exclusive;
pub mod executors;
pub mod frames;
pub mod hierarchy;
pub mod hygiene;
pub mod hygiene_events;
pub mod numa_world;
pub mod panic_safety;
pub mod pressure;
pub mod queries;
pub mod query_iterators;
pub mod records;
pub mod run_conditions;
pub mod save_load;
pub mod save_panics;
pub mod schedule;
pub mod seed_bugs;
pub mod snapshot;
pub mod sparse;
pub mod stage_barrier;
pub mod states;
pub mod system_for_loops;
#[macro_use]
pub mod tower_defense;
pub mod tower_defense_save;
pub mod world_in_fn_body;
pub mod world_trait;
