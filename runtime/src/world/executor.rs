//! The executor a world runs its stages on: the `executor = ...` configuration and the
//! built pool behind one dispatch type.

use crate::continuation::{ContinuationPool, ContinuationPoolBuilder};
use crate::exec::{BuildError, Executor, NumaPool, ThreadPool};

use crate::memory::{ColumnAlloc, MemoryPolicy};
use std::sync::Arc;

/// The `executor = ...` of a `#[world]`, as the macro validated it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecutorConfig {
    /// `sequential`.
    Sequential,
    /// `work_stealing(...)`; `workers: None` is `auto`.
    WorkStealing {
        /// Worker count, `None` for one per core.
        workers: Option<usize>,
        /// Capacity hint of each worker's queue (a power of two).
        local_queue_size: usize,
        /// Heartbeat period in microseconds.
        heartbeat_us: u64,
    },
    /// `numa_aware(...)`.
    NumaAware {
        /// Worker count, `None` for one per core.
        workers: Option<usize>,
        /// Capacity hint of each worker's queue (a power of two).
        local_queue_size: usize,
        /// Heartbeat period in microseconds.
        heartbeat_us: u64,
        /// Pin workers to cores.
        pin: bool,
        /// Interleave big column allocations over nodes (else first-touch local).
        interleave: bool,
    },
}

/// `$on_pool` with `$pool` bound to the pool of a [`WorldExecutor`] `$executor` (the
/// same code, compiled once per pool type against [`Executor`]), or `$sequential` for
/// the sequential executor: the one place that matches on the executor's kind.
macro_rules! on_executor {
    ($executor:expr, $pool:ident => $on_pool:expr, sequential => $sequential:expr) => {
        match $executor {
            WorldExecutor::Sequential => $sequential,
            WorldExecutor::Pool($pool) => $on_pool,
            WorldExecutor::Numa($pool) => $on_pool,
            WorldExecutor::Continuation($pool) => $on_pool,
        }
    };
}

/// How a world runs the systems of a stage and splits `par_for_each`.
pub enum WorldExecutor {
    /// Everything on the calling thread.
    Sequential,
    /// A pool owned by the world.
    Pool(ThreadPool),
    /// A topology-aware pool owned by the world (`numa_aware(...)`); the world's big
    /// columns follow its memory policy.
    Numa(NumaPool),
    /// A work-first continuation-stealing pool owned by the world
    /// (`unsafe(continuation_stealing(...))`). Getting a [`ContinuationPool`] takes the
    /// `unsafe` [`ContinuationPoolBuilder::build`], whose contract covers everything run
    /// on it, this world's systems included.
    Continuation(ContinuationPool),
}

impl WorldExecutor {
    /// The executor a world declared, each on its own pool; if the pool's threads cannot
    /// be started, the world runs sequentially (results are identical by construction).
    pub fn new(config: ExecutorConfig) -> WorldExecutor {
        let thread_name = |i: usize| format!("metronome-world-{i}");
        match config {
            ExecutorConfig::Sequential => WorldExecutor::Sequential,
            ExecutorConfig::WorkStealing {
                workers,
                local_queue_size,
                heartbeat_us,
            } => {
                let mut builder = ThreadPool::builder()
                    .local_queue_size(local_queue_size)
                    .heartbeat(std::time::Duration::from_micros(heartbeat_us))
                    .thread_name(thread_name);
                if let Some(workers) = workers {
                    builder = builder.workers(workers);
                }
                builder
                    .build()
                    .map_or(WorldExecutor::Sequential, WorldExecutor::Pool)
            }
            ExecutorConfig::NumaAware {
                workers,
                local_queue_size,
                heartbeat_us,
                pin,
                interleave,
            } => {
                let mut builder = NumaPool::builder()
                    .local_queue_size(local_queue_size)
                    .heartbeat(std::time::Duration::from_micros(heartbeat_us))
                    .pin(pin)
                    .memory(if interleave {
                        MemoryPolicy::Interleave
                    } else {
                        MemoryPolicy::Local
                    })
                    .thread_name(thread_name);
                if let Some(workers) = workers {
                    builder = builder.workers(workers);
                }
                builder
                    .build()
                    .map_or(WorldExecutor::Sequential, WorldExecutor::Numa)
            }
        }
    }

    /// The builder of the pool of a world declared
    /// `executor = unsafe(continuation_stealing(...))`; `workers: None` is `auto`. The
    /// world's generated code builds it (`unsafe`: the world's author accepted the
    /// contract of [`ContinuationPoolBuilder::build`] by writing `unsafe(...)`) and
    /// passes the result to [`WorldExecutor::continuation`]. (Not an
    /// [`ExecutorConfig`]: [`WorldExecutor::new`] is safe, and so must be every
    /// executor it builds.)
    ///
    /// ```
    /// use metronome_runtime::WorldExecutor;
    /// let builder = WorldExecutor::continuation_builder(Some(2), 64);
    /// // SAFETY: nothing is run on the pool.
    /// let executor = WorldExecutor::continuation(unsafe { builder.build() });
    /// assert_eq!(executor.workers(), 2);
    /// ```
    pub fn continuation_builder(
        workers: Option<usize>,
        local_queue_size: usize,
    ) -> ContinuationPoolBuilder {
        let builder = ContinuationPool::builder()
            .local_queue_size(local_queue_size)
            .thread_name(|i: usize| format!("metronome-world-{i}"));
        match workers {
            Some(workers) => builder.workers(workers),
            None => builder,
        }
    }

    /// The executor of a world on a continuation pool built from
    /// [`WorldExecutor::continuation_builder`]; if its threads could not be started,
    /// the world runs sequentially (results are identical by construction).
    ///
    /// ```
    /// use metronome_runtime::WorldExecutor;
    /// let builder = WorldExecutor::continuation_builder(Some(2000), 64);
    /// // SAFETY: nothing is run on the pool (2000 workers is over the maximum).
    /// let executor = WorldExecutor::continuation(unsafe { builder.build() });
    /// assert!(executor.is_sequential());
    /// ```
    pub fn continuation(pool: Result<ContinuationPool, BuildError>) -> WorldExecutor {
        pool.map_or(WorldExecutor::Sequential, WorldExecutor::Continuation)
    }

    /// How the world's columns allocate: big blocks placed by the pool's memory policy
    /// on a [`NumaPool`], the global allocator otherwise.
    pub fn column_alloc(&self) -> ColumnAlloc {
        match self {
            WorldExecutor::Numa(pool) => pool.column_alloc(),
            _ => ColumnAlloc::Global,
        }
    }

    /// Whether everything runs on the calling thread.
    pub fn is_sequential(&self) -> bool {
        matches!(self, WorldExecutor::Sequential)
    }

    /// Number of threads that run systems.
    pub fn workers(&self) -> usize {
        on_executor!(self, pool => Executor::workers(pool), sequential => 1)
    }

    /// Runs `f` inside the pool (so `join`, `scope` and `par_for_each` in it use the pool),
    /// or on the caller for the sequential executor.
    #[inline]
    pub fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        on_executor!(self, pool => pool.install(f), sequential => f())
    }

    /// Threads other than the calling one that take the systems a stage hands to the
    /// pool, and whether the calling thread takes some too, for
    /// [`PoolCost`](crate::predict::PoolCost): a heartbeat pool's `scope` called from
    /// outside it runs its body on the calling thread, taken in as a guest, beside all
    /// of its workers; a continuation pool's runs it on one of its workers.
    pub(crate) fn pool_threads(&self) -> (usize, bool) {
        match self {
            WorldExecutor::Sequential => (0, false),
            WorldExecutor::Pool(pool) => (Executor::workers(pool), true),
            WorldExecutor::Numa(pool) => (Executor::workers(pool), true),
            WorldExecutor::Continuation(pool) => (Executor::workers(pool).saturating_sub(1), true),
        }
    }

    /// One round trip of handing a job to another thread of the pool (see
    /// `stage_runner::measure_hand_off`); nothing on the sequential executor.
    pub(crate) fn hand_off_probe(&self) {
        on_executor!(
            self,
            pool => crate::stage_runner::hand_off_round_trip(pool),
            sequential => ()
        )
    }

    /// Runs a stage as planned: `dispatch` lists its systems, `(index, inline)`, in start
    /// order (longest predicted first). The handed-off ones (`inline == false`) go to the
    /// pool and the calling thread runs the first of them itself, then the inline ones,
    /// then helps with the rest until all ended; a panic in one reaches the caller after
    /// all of them ended.
    ///
    /// On a heartbeat pool (help-first: a spawned job waits in the spawner's deque, which
    /// thieves take oldest-first), the calling thread spawns the handed-off systems after
    /// the first, in start order, and then runs the first: so that no thief starts a
    /// shorter one before the longest, the spawned jobs wait on a gate the calling thread
    /// opens just before it starts the first (and, should it unwind before that, when it
    /// leaves the scope's body). On a continuation pool (work-first: spawning runs the
    /// job at once and leaves the rest of the body to thieves) the systems are simply
    /// spawned in start order.
    pub(super) fn run_planned(&self, dispatch: &[(u16, bool)], run_one: &(impl Fn(u16) + Sync)) {
        let pooled = || dispatch.iter().filter(|d| !d.1).map(|d| d.0);
        let inline = || dispatch.iter().filter(|d| d.1).map(|d| d.0);
        match self {
            WorldExecutor::Sequential => dispatch.iter().for_each(|d| run_one(d.0)),
            WorldExecutor::Pool(pool) => run_help_first(pool, pooled(), inline(), run_one),
            WorldExecutor::Numa(pool) => run_help_first(pool, pooled(), inline(), run_one),
            WorldExecutor::Continuation(pool) => pool.scope(|s| {
                for index in pooled() {
                    s.spawn(move |_| run_one(index));
                }
                inline().for_each(run_one);
            }),
        }
    }
}

/// [`WorldExecutor::run_planned`] on a help-first pool.
pub(super) fn run_help_first(
    pool: &impl Executor,
    mut pooled: impl Iterator<Item = u16> + Send,
    inline: impl Iterator<Item = u16> + Send,
    run_one: &(impl Fn(u16) + Sync),
) {
    let gate = crate::start_gate::StartGate::new();
    pool.scope(|s| {
        // Opens the gate on every exit path of the body (see `start_gate`).
        let opener = gate.opener();
        let first = pooled.next();
        for index in pooled {
            let gate = &gate;
            s.spawn(move |_| {
                gate.wait();
                run_one(index);
            });
        }
        opener.open();
        if let Some(first) = first {
            run_one(first);
        }
        inline.for_each(run_one);
    });
}

/// Stages per phase, systems per stage (declaration order), built from the constants.
pub(super) type RunPlan = Arc<[Box<[Box<[u16]>]>]>;
