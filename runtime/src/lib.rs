//! The runtime of metronome: storage, queries, commands, the stage runner and the executors.
//!
//! Usable alone as a thread pool: see [`ThreadPool`], [`join`], [`scope`] and [`par_for_each`].

pub mod exec;

pub use exec::{join, par_for_each, scope, BuildError, Executor, Scope, ThreadPool, ThreadPoolBuilder};
