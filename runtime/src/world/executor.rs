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
        /// Threads that run systems, the calling thread counted (see
        /// [`WorldExecutor::build`]); `None` for one per core.
        workers: Option<usize>,
        /// Capacity hint of each worker's queue (a power of two).
        local_queue_size: usize,
        /// Heartbeat period in microseconds.
        heartbeat_us: u64,
    },
    /// `numa_aware(...)`.
    NumaAware {
        /// Threads that run systems, the calling thread counted (see
        /// [`WorldExecutor::build`]); `None` for one per core.
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
    ///
    /// A heartbeat pool's `workers` count the calling thread (see
    /// [`WorldExecutor::build`]): `workers = 1` is the sequential executor.
    ///
    /// ```
    /// use metronome_runtime::{ExecutorConfig, WorldExecutor};
    /// let config = |workers| ExecutorConfig::WorkStealing { workers, local_queue_size: 256, heartbeat_us: 100 };
    /// assert_eq!(WorldExecutor::new(config(Some(3))).workers(), 3);
    /// assert!(WorldExecutor::new(config(Some(1))).is_sequential());
    /// ```
    pub fn new(config: ExecutorConfig) -> WorldExecutor {
        let workers = match config {
            ExecutorConfig::Sequential => return WorldExecutor::Sequential,
            ExecutorConfig::WorkStealing { workers, .. }
            | ExecutorConfig::NumaAware { workers, .. } => workers,
        };
        Self::build(config, workers).unwrap_or(WorldExecutor::Sequential)
    }

    /// The executor `config` describes with `workers` threads (`None`: `auto`, one per
    /// core) instead of its declared count.
    ///
    /// **The calling thread counts.** A world's stages and parallel loops run on the
    /// thread that calls `tick` (entering the pool as a guest, see `exec/core/guest.rs`)
    /// *and* on the pool's own threads, so a heartbeat pool (`work_stealing`,
    /// `numa_aware`) of `workers = n` starts `n - 1` threads: `n` threads in all run
    /// the systems, one per core with `auto`, as in Bevy's task pools where the main
    /// thread is a worker. `workers = 1` (or `auto` on one core) starts none: the world
    /// runs as on `sequential`. (A world ticked from a worker of another pool, which
    /// does not take part, runs on the `n - 1`.) Measured on 2 cores, a third thread
    /// made the tower-defense game slower, not faster (`benches/RESULTS.md`).
    ///
    /// Errors: `workers` is 0 or over [`MAX_WORKERS`](crate::exec::MAX_WORKERS), the
    /// configuration is invalid, the threads could not be started, or `config` is
    /// `sequential` (no workers to set).
    ///
    /// ```
    /// use metronome_runtime::{ExecutorConfig, WorldExecutor};
    /// let config = ExecutorConfig::WorkStealing { workers: None, local_queue_size: 256, heartbeat_us: 100 };
    /// // The caller and one pool thread.
    /// let executor = WorldExecutor::build(config, Some(2)).unwrap();
    /// assert_eq!(executor.workers(), 2);
    /// assert!(WorldExecutor::build(config, Some(0)).is_err());
    /// ```
    pub fn build(
        config: ExecutorConfig,
        workers: Option<usize>,
    ) -> Result<WorldExecutor, BuildError> {
        let threads = match workers {
            Some(0) => return Err(BuildError::NoWorkers),
            Some(n) if n > crate::exec::MAX_WORKERS => {
                return Err(BuildError::TooManyWorkers { requested: n })
            }
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        // The calling thread is one of them.
        let pool_threads = threads - 1;
        let thread_name = |i: usize| format!("metronome-world-{i}");
        match config {
            ExecutorConfig::Sequential => Err(BuildError::SequentialWorld),
            _ if pool_threads == 0 => Ok(WorldExecutor::Sequential),
            ExecutorConfig::WorkStealing {
                local_queue_size,
                heartbeat_us,
                ..
            } => ThreadPool::builder()
                .workers(pool_threads)
                .local_queue_size(local_queue_size)
                .heartbeat(std::time::Duration::from_micros(heartbeat_us))
                .thread_name(thread_name)
                .build()
                .map(WorldExecutor::Pool),
            ExecutorConfig::NumaAware {
                local_queue_size,
                heartbeat_us,
                pin,
                interleave,
                ..
            } => NumaPool::builder()
                .workers(pool_threads)
                .local_queue_size(local_queue_size)
                .heartbeat(std::time::Duration::from_micros(heartbeat_us))
                .pin(pin)
                .memory(if interleave {
                    MemoryPolicy::Interleave
                } else {
                    MemoryPolicy::Local
                })
                .thread_name(thread_name)
                .build()
                .map(WorldExecutor::Numa),
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

    /// Number of threads that run systems: a heartbeat pool's threads and the calling
    /// thread, which takes part (see [`WorldExecutor::build`]); a continuation pool's
    /// threads (the caller waits); 1 on the sequential executor.
    pub fn workers(&self) -> usize {
        match self {
            WorldExecutor::Sequential => 1,
            WorldExecutor::Pool(pool) => Executor::workers(pool) + 1,
            WorldExecutor::Numa(pool) => Executor::workers(pool) + 1,
            WorldExecutor::Continuation(pool) => Executor::workers(pool),
        }
    }

    /// Begins a tick of the world on its pool (`tick` and `run_phase` hold the guard):
    /// the pool's sleeping workers are woken once, and poll for the tick's hand-offs
    /// until the guard drops, while a heartbeat pool's heartbeat thread rests
    /// (`exec/core/tick.rs`). `None` on the sequential executor.
    #[inline]
    pub(crate) fn begin_tick(&self) -> Option<crate::exec::core::tick::TickActivity> {
        on_executor!(self, pool => Some(pool.begin_tick()), sequential => None)
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
    /// `stage_runner`, the hand-off cost); nothing on the sequential executor.
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
    /// then helps with the rest until all ended (the split of the work between the calling
    /// thread and the others that the plan's time on the pool assumes: see
    /// `StagePlanner::plan`); every one of them runs even if another panics, and the panic
    /// reaches the caller after all of them ended.
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
            WorldExecutor::Sequential => super::run_each(dispatch.iter().map(|d| d.0), run_one),
            WorldExecutor::Pool(pool) => run_help_first(pool, pooled(), inline(), run_one),
            WorldExecutor::Numa(pool) => run_help_first(pool, pooled(), inline(), run_one),
            WorldExecutor::Continuation(pool) => pool.scope(|s| {
                for index in pooled() {
                    s.spawn(move |_| run_one(index));
                }
                super::run_each(inline(), run_one);
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
        // The first handed-off system, then the inline ones: all of them even if one
        // panics (see `run_each`).
        super::run_each(first.into_iter().chain(inline), run_one);
    });
}

/// Stages per phase, systems per stage (declaration order), built from the constants.
pub(super) type RunPlan = Arc<[Box<[Box<[u16]>]>]>;

#[cfg(test)]
mod tests {
    use super::*;

    fn work_stealing(workers: Option<usize>) -> ExecutorConfig {
        ExecutorConfig::WorkStealing {
            workers,
            local_queue_size: 64,
            heartbeat_us: 100,
        }
    }

    /// The pool's own threads, or `None` for the sequential executor.
    fn pool_threads(executor: &WorldExecutor) -> Option<usize> {
        match executor {
            WorldExecutor::Sequential => None,
            WorldExecutor::Pool(pool) => Some(Executor::workers(pool)),
            WorldExecutor::Numa(pool) => Some(Executor::workers(pool)),
            WorldExecutor::Continuation(pool) => Some(Executor::workers(pool)),
        }
    }

    #[test]
    fn a_heartbeat_pools_workers_count_the_calling_thread() {
        for n in [2, 3] {
            let executor = WorldExecutor::with_workers(work_stealing(None), n).unwrap();
            assert_eq!(pool_threads(&executor), Some(n - 1), "workers = {n}");
            assert_eq!(executor.workers(), n);
            assert_eq!(executor.pool_threads(), (n - 1, true));
            let declared = WorldExecutor::new(work_stealing(Some(n)));
            assert_eq!(pool_threads(&declared), Some(n - 1));
        }
        let numa = ExecutorConfig::NumaAware {
            workers: Some(2),
            local_queue_size: 64,
            heartbeat_us: 100,
            pin: false,
            interleave: false,
        };
        assert_eq!(pool_threads(&WorldExecutor::new(numa)), Some(1));
    }

    #[test]
    fn one_worker_is_the_calling_thread_alone() {
        assert!(WorldExecutor::new(work_stealing(Some(1))).is_sequential());
        assert!(WorldExecutor::with_workers(work_stealing(Some(4)), 1)
            .unwrap()
            .is_sequential());
        let auto = WorldExecutor::new(work_stealing(None));
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(auto.workers(), cores);
    }

    #[test]
    fn zero_or_too_many_workers_are_refused() {
        assert!(matches!(
            WorldExecutor::with_workers(work_stealing(None), 0),
            Err(BuildError::NoWorkers)
        ));
        let over = crate::exec::MAX_WORKERS + 1;
        assert!(matches!(
            WorldExecutor::with_workers(work_stealing(None), over),
            Err(BuildError::TooManyWorkers { requested }) if requested == over
        ));
    }
}
