//! [`WorldCore`]: what every generated world owns (storage, executor, command buffers,
//! events, frames, statistics).

use crate::cell::SyncCell;
use crate::commands::{Command, CommandBuffer};
use crate::error::EcsError;
use crate::event::EventQueue;

use super::executor::*;
use super::WorldDef;
use crate::frames::{FrameState, FrameStats, Time};
use crate::stage_runner::StageRunner;
use crate::storage::{ColumnType, SparseStorage, Storage, Table};
use std::marker::PhantomData;

/// The state every world owns besides its resources and system states: world `W`'s
/// tables and entity index, its executor, its command buffers and its run plan.
///
/// A `WorldCore<W>` always describes world `W` exactly (one table per archetype of `W`,
/// each column of its component's type): it is only built by the `unsafe`
/// [`WorldCore::new`], whose contract the code `#[world]` generates upholds, and its
/// fields are private, so safe code can neither replace its storage nor build a core for
/// another world; swapping the cores of two worlds needs two worlds of the same type
/// (the type parameter), whose cores are interchangeable.
///
/// ```
/// use metronome_runtime::WorldCore;
/// fn entities<W>(core: &WorldCore<W>) -> usize {
///     core.storage().len()
/// }
/// ```
///
/// Replacing the storage does not compile:
///
/// ```compile_fail
/// use metronome_runtime::{Storage, WorldCore};
/// fn replace<W>(core: &mut WorldCore<W>) {
///     core.storage = Storage::new(Vec::new(), 0);
/// }
/// ```
pub struct WorldCore<W> {
    /// Tables and entity index.
    pub(super) storage: Storage,
    /// The executor.
    pub(super) executor: WorldExecutor,
    pub(super) component_types: Box<[ColumnType]>,
    pub(super) buffers: Box<[SyncCell<CommandBuffer>]>,
    /// Commands recorded by the systems of a stage that unwound, not applied: dropped at
    /// the start of the next phase run (not while unwinding, where a panicking drop would
    /// abort), or with the world. Only touched through `&mut` (`get_mut`); the cell
    /// keeps the core `Sync` (a command owns a `Send`, not `Sync`, bundle).
    pub(super) discarded: SyncCell<Vec<Command>>,
    /// The event queues of the systems of a stage that unwound, likewise.
    pub(super) discarded_events: SyncCell<Vec<Box<dyn EventQueue>>>,
    pub(super) plan: RunPlan,
    /// Index of each phase's first stage in the runner's per-stage state.
    pub(super) stage_base: Box<[usize]>,
    /// The predictive stage runner's state: the systems' predictors, the planner, the
    /// pool's hand-off cost.
    pub(super) runner: StageRunner,
    pub(super) errors: Vec<EcsError>,
    /// Records sent by `Outbox` parameters, in apply order, with their destination world
    /// (drained by the coordinator at each frame boundary, or by `take_outbox`).
    pub(super) outbox: Vec<(usize, crate::record::Record)>,
    pub(super) frame: u64,
    /// Set while an exclusive system of this world runs: `run_phase`/`tick` then panic.
    pub(super) in_exclusive: bool,
    /// The clock, the fixed phases' accumulators and the statistics.
    pub(super) frames: FrameState,
    /// The world this core belongs to (`fn() -> W`: no ownership of a `W`, and
    /// `Send`/`Sync` as the other fields decide).
    pub(super) _world: PhantomData<fn() -> W>,
}

impl<W: WorldDef> WorldCore<W> {
    /// A core for world `W`: `component_types[c]` is component `c`'s column type and
    /// `archetype_columns[a]` the component ids of archetype `a`'s columns, in column order.
    ///
    /// # Safety
    /// The arguments describe `W` exactly, as `#[world]` generates them:
    /// - `component_types[c]` is `ColumnType::of::<T>(..)` for the type `T` whose
    ///   `ComponentOf<W>::ID` is `c`, for every component of `W`, and no other entry;
    /// - `archetype_columns` has one entry per archetype of `W::ARCHETYPE_SETS`, in order;
    ///   entry `a` lists exactly the ids of `ARCHETYPE_SETS[a]`, each once, in the column
    ///   order that `W`'s `Bundle::write` impls of archetype `a` write.
    ///
    /// Everything else the world does with its storage (spawns, moves, queries, typed
    /// reads) relies on this.
    pub unsafe fn new(
        component_types: Vec<ColumnType>,
        archetype_columns: &[&[u16]],
        executor: WorldExecutor,
        entity_capacity: usize,
        commands_per_stage: usize,
    ) -> WorldCore<W> {
        debug_assert_eq!(component_types.len(), W::COMPONENT_NAMES.len());
        debug_assert_eq!(archetype_columns.len(), W::ARCHETYPE_SETS.len());
        let alloc = executor.column_alloc();
        let tables = archetype_columns
            .iter()
            .map(|ids| {
                let types: Vec<ColumnType> = ids
                    .iter()
                    .map(|&c| component_types[c as usize].with_alloc(alloc))
                    .collect();
                Table::new(ids, &types, component_types.len())
            })
            .collect();
        let systems = W::SYSTEM_PHASES.len();
        // The declared phases, then the `OnEnter`/`OnExit` lists of states (numbered after
        // them, run by `begin_tick`).
        let phases = W::SYSTEM_PHASES
            .iter()
            .map(|&p| p as usize + 1)
            .fold(W::PHASE_COUNT, usize::max);
        let mut plan: Vec<Vec<Vec<u16>>> = vec![Vec::new(); phases];
        for i in 0..systems {
            let phase = &mut plan[W::SYSTEM_PHASES[i] as usize];
            let stage = W::SYSTEM_STAGES[i] as usize;
            if phase.len() <= stage {
                phase.resize(stage + 1, Vec::new());
            }
            phase[stage].push(i as u16);
        }
        let per_system = commands_per_stage.min(1024) / systems.max(1);
        let stage_base: Box<[usize]> = plan
            .iter()
            .scan(0, |next, phase| {
                let base = *next;
                *next += phase.len();
                Some(base)
            })
            .collect();
        let stages = plan.iter().map(Vec::len).sum();
        WorldCore {
            storage: {
                let mut storage = Storage::new(tables, entity_capacity);
                if !W::SPARSE.is_empty() {
                    storage.set_sparse(SparseStorage::new(&component_types, W::SPARSE));
                }
                if !W::TRACKED.is_empty() {
                    let ids: Vec<u16> = W::TRACKED.iter().map(|id| id as u16).collect();
                    storage.track(&ids);
                }
                storage
            },
            executor,
            component_types: component_types.into(),
            buffers: (0..systems)
                .map(|_| SyncCell::new(CommandBuffer::with_capacity(per_system)))
                .collect(),
            discarded: SyncCell::new(Vec::new()),
            discarded_events: SyncCell::new(Vec::new()),
            plan: plan
                .into_iter()
                .map(|p| p.into_iter().map(Into::into).collect())
                .collect(),
            stage_base,
            runner: StageRunner::new(systems, stages),
            errors: Vec::new(),
            outbox: Vec::new(),
            frame: 0,
            in_exclusive: false,
            frames: FrameState::new::<W>(),
            _world: PhantomData,
        }
    }
}

impl<W> WorldCore<W> {
    /// The world's tables and entity index (read-only: only the world's operations change
    /// them).
    #[inline(always)]
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// The world's storage, mutably.
    #[inline(always)]
    pub(crate) fn storage_mut(&mut self) -> &mut Storage {
        &mut self.storage
    }

    /// Sets the change tick (a test of tick wrap-around starts it near `u32::MAX`).
    #[doc(hidden)]
    pub fn __set_change_tick(&mut self, tick: u32) {
        self.storage.restart_change_tick(tick);
    }

    /// The world's executor.
    #[inline(always)]
    pub fn executor(&self) -> &WorldExecutor {
        &self.executor
    }

    /// Ticks run so far (a tick that unwound is not counted).
    pub fn frame(&self) -> u64 {
        self.frame
    }

    /// Number of live entities.
    pub fn len(&self) -> usize {
        self.storage.len()
    }

    /// The world's frame and system statistics (see [`FrameStats`]).
    pub fn stats(&self) -> &FrameStats {
        &self.frames.stats
    }

    /// The cell of the built-in [`Time`] resource (its `ResourceOf` impl returns it).
    #[doc(hidden)]
    #[inline(always)]
    pub fn time_cell(&self) -> &SyncCell<Time> {
        &self.frames.time
    }

    #[inline(always)]
    pub(crate) fn frames(&self) -> &FrameState {
        &self.frames
    }

    #[inline(always)]
    pub(crate) fn frames_mut(&mut self) -> &mut FrameState {
        &mut self.frames
    }

    /// The frame state and the stage runner's state, both mutably.
    #[inline(always)]
    pub(crate) fn frames_and_runner(&mut self) -> (&mut FrameState, &mut StageRunner) {
        (&mut self.frames, &mut self.runner)
    }

    /// Gives memory back: every table's capacity past its live rows, and the capacity
    /// of the systems' command buffers (they grow again when used). Returns the bytes
    /// given back (column and entity-list bytes, command slots).
    pub fn trim_memory(&mut self) -> usize {
        let mut freed = self.storage.shrink_to_fit();
        let command = std::mem::size_of::<Command>();
        for buffer in self.buffers.iter_mut() {
            let commands = &mut buffer.get_mut().commands;
            let before = commands.capacity();
            commands.shrink_to_fit();
            freed += (before - commands.capacity()) * command;
        }
        let discarded = self.discarded.get_mut();
        let before = discarded.capacity();
        discarded.shrink_to_fit();
        freed += (before - discarded.capacity()) * command;
        freed
    }

    /// Follows `monitor`: once per frame the world polls it (a reading at most every
    /// interval) and trims its memory each time the level rises to `High` or worse.
    pub fn follow_pressure(&mut self, monitor: &crate::pressure::PressureMonitor) {
        self.frames.pressure = Some(crate::pressure::PressureWatch::new(monitor));
    }

    /// Counts a completed frame.
    #[inline(always)]
    pub(crate) fn advance_frame(&mut self) {
        self.frame += 1;
    }

    /// Whether no entity is alive.
    pub fn is_empty(&self) -> bool {
        self.storage.is_empty()
    }

    /// Errors of deferred commands since the last call.
    pub fn take_command_errors(&mut self) -> Vec<EcsError> {
        std::mem::take(&mut self.errors)
    }
}
