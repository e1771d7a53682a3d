//! The runtime of metronome: storage, queries, commands, the stage runner and the executors.
//!
//! Usable alone as a thread pool: see [`ThreadPool`], [`join`], [`scope`] and [`par_for_each`].
//! The ECS half ([`Storage`], [`Query`], [`Commands`], [`world`]) is what `#[world]`
//! generates code against.

#![deny(missing_docs)]
// Edition 2024 allows `if let .. && cond` chains, and clippy then asks to collapse a
// nested `if` into one. The nested forms written before the move to 2024 stay as they
// are (the same meaning, and no churn under concurrent changes); new code may chain.
#![allow(clippy::collapsible_if)]

mod bits;
mod cell;
mod commands;
mod component;
mod condition;
pub mod continuation;
pub mod coordinator;
mod entity;
mod error;
pub mod event;
pub mod exec;
pub mod hierarchy;
mod listed;
mod loop_trial;

pub mod frames;
pub mod memory;
mod param;
pub mod pressure;
pub mod record;

pub mod predict;
mod query;
#[cfg(feature = "serde")]
pub mod save;
mod schedule;
pub mod snapshot;
mod stage_runner;
mod start_gate;
pub mod state;
pub mod storage;
mod sync;
mod system;
pub mod topology;
mod trace;
pub mod world;
mod world_trait;

pub use bits::{Bits, BitsIter};
pub use cell::SyncCell;
pub use commands::{CommandBuffer, CommandErrorPolicy, Commands, EntityCommands};
pub use component::{Bundle, Component, ComponentOf, DynBundle, ResourceOf, MAX_COMPONENT_SIZE};
pub use condition::{
    check_condition, concat_access, condition_output, in_state, ConditionMeta, ConditionOutput,
    RunCondition,
};
pub use continuation::{ContinuationPool, ContinuationPoolBuilder};
pub use coordinator::{Coordinator, Outbox, Rejected};
pub use entity::{Entity, EntityIndex, Location};
pub use error::EcsError;
pub use event::{EventCursor, EventOf, EventReader, EventWriter, Events};
pub use exec::{
    join, par_for_each, scope, BuildError, Executor, NumaPool, NumaPoolBuilder, Scope, ThreadPool,
    ThreadPoolBuilder,
};
pub use hierarchy::{ChildOf, Children, HierarchyIds};
pub use listed::{names_an_item, ListedSystem, NoItem, NotASystem};

pub use frames::{FrameStats, RunConfig, SystemStats, Time};
pub use memory::MemoryPolicy;
pub use param::{
    LastRun, Local, ParamState, RemovalReader, RemovedComponents, Res, ResMut, SystemParam,
};
pub use query::{
    matching, Added, Changed, DataAccess, IdList, Mut, Query, QueryData, QueryDataOf, QueryFilter,
    QueryFilterOf, QueryIter, QueryIterMut, QueryPlan, ReadOnlyQueryData, Tracked, TrackedFetch,
    TrackedOf, With, Without,
};
pub use record::{ImportReport, Record};
pub use schedule::{
    check_system, names_in_order, phase_stages, place_stages, queries_match, run_order,
    stage_count, PhaseSchedule, Schedule, SystemInfo,
};
pub use snapshot::Snapshot;
pub use state::{NextState, State, StateOf};
pub use storage::{ColumnType, Storage, Table};
pub use system::{is_exclusive, params_conflict, self_conflict, ParamAccess, System, SystemMeta};
pub use topology::Topology;
pub use world::{ExecutorConfig, WorldCore, WorldDef, WorldExecutor};
pub use world_trait::World;
