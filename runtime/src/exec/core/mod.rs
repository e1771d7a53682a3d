//! The executor core of the heartbeat pools: what [`ThreadPool`](crate::ThreadPool) and
//! [`NumaPool`](crate::NumaPool) are made of. A [`PoolCore`] owns a pool's shared state
//! (the [`Registry`](registry::Registry): deques, injector, heartbeat flags, sleep
//! slots, guest slots), its worker threads and its heartbeat thread; it installs jobs
//! (the caller takes part as a guest, or waits without blocking its own pool), runs
//! `par_for_each` and stops the threads when dropped.
//!
//! What differs between the two pools is their *policy*, handed to
//! [`PoolCore::start`]:
//!
//! - *victim order* ([`StealOrder`]): where a worker that ran dry looks for work, and
//!   where a job from outside is queued. Without one (a `ThreadPool`), random victims,
//!   then the pool's injector; a `NumaPool`'s is nearest first, with one injector per
//!   node (`numa::StealPlan`);
//! - *placement*: a hook each worker thread runs before its first job (a `NumaPool`
//!   pins its workers there);
//! - *memory placement*, which only the wrapper knows (`NumaPool::column_alloc`).
//!
//! Files: `registry.rs` (the shared state and each worker's own: private stack,
//! promotion, waiting loop, back-off), `search.rs` (finding a job), `join.rs` (the
//! join hot path), `guest.rs` (entering from a thread of no pool), `cross.rs`
//! (entering from another pool's worker), `heartbeat_thread.rs` (the ticking thread),
//! `tick.rs` (a world's tick: the workers poll until it ends).

pub(crate) mod cross;
pub(crate) mod guest;
mod heartbeat_thread;
mod join;
pub(crate) mod registry;
mod search;
pub(crate) mod tick;

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::sync::{Injector, Stealer};

use self::guest::GUEST_SLOTS;
use self::registry::{run_worker, Registry};
use super::builder::{check_heartbeat, PoolConfig};
use super::par_for_each::ParSource;
use super::DEFAULT_HEARTBEAT;
use crate::exec::error::BuildError;
use crate::exec::job::JobRef;

/// A heartbeat pool's victim order: where its workers look for work once their own
/// deque is empty, and where a job from outside the pool is queued. The core's own
/// order (no `StealOrder`) is random victims, then the pool's injector.
pub(crate) trait StealOrder: Send + Sync + 'static {
    /// A job for worker `index` (one of the pool's own workers, not a guest) from the
    /// other workers' deques (`stealers`, indexed by slot) and the injectors (the pool's
    /// `injector` and the order's own [`queues`](StealOrder::queues)); `random` is a fresh
    /// random number. `None` once every queue it tried was empty.
    fn steal(
        &self,
        index: usize,
        stealers: &[Stealer<JobRef>],
        injector: &Injector<JobRef>,
        random: u64,
    ) -> Option<JobRef>;

    /// The order's own job queues (besides the pool's injector), which guests search
    /// after the injector and a sleeper checks before it parks.
    fn queues(&self) -> &[Injector<JobRef>];

    /// The queue a job from outside the pool goes to; `None`: the pool's injector.
    fn outside_queue(&self) -> Option<&Injector<JobRef>>;
}

/// The settings of a heartbeat pool's core that its builder collects: those of every
/// pool ([`PoolConfig`]) and the heartbeat interval.
pub(crate) struct CoreConfig {
    pub(crate) pool: PoolConfig,
    pub(crate) heartbeat: Duration,
}

impl Default for CoreConfig {
    fn default() -> Self {
        CoreConfig {
            pool: PoolConfig::default(),
            heartbeat: DEFAULT_HEARTBEAT,
        }
    }
}

impl CoreConfig {
    /// Checks the worker count, the private queue size and the heartbeat, in that order,
    /// and returns the worker count.
    pub(crate) fn validate(&self) -> Result<usize, BuildError> {
        let workers = self.pool.validate()?;
        check_heartbeat(self.heartbeat)?;
        Ok(workers)
    }
}

/// How to start a pool's threads: what differs between the heartbeat pools besides
/// their [`StealOrder`].
pub(crate) struct Threads<'a> {
    /// Worker `i`'s name when none is configured: `{worker_prefix}{i}`.
    pub(crate) worker_prefix: &'a str,
    /// The heartbeat thread's name.
    pub(crate) heartbeat_name: &'a str,
    /// Each worker thread's stack size in bytes (`None`: the standard library's).
    pub(crate) stack_size: Option<usize>,
}

/// A running heartbeat pool: its shared state and its threads. Dropping it stops the
/// threads and joins them.
pub(crate) struct PoolCore {
    registry: Arc<Registry>,
    threads: Vec<JoinHandle<()>>,
}

impl PoolCore {
    /// Starts a pool of `workers` workers (a count [`CoreConfig::validate`] accepted)
    /// configured by `config`, searching by `order`, its threads started as `threads`
    /// says. Worker `i`'s thread runs `before_run(i)` (built here, run there) before its
    /// first job. A pool whose start failed half-way joins the threads that started.
    pub(crate) fn start<F>(
        config: &CoreConfig,
        workers: usize,
        order: Option<Box<dyn StealOrder>>,
        threads: Threads<'_>,
        mut before_run: impl FnMut(usize) -> F,
    ) -> Result<PoolCore, BuildError>
    where
        F: FnOnce() + Send + 'static,
    {
        let (registry, deques) = Registry::new(
            workers,
            GUEST_SLOTS,
            config.pool.local_queue_size,
            config.heartbeat,
            order,
        );
        let mut core = PoolCore {
            registry: registry.clone(),
            threads: Vec::with_capacity(workers + 1),
        };
        config.pool.spawn_workers(
            deques,
            threads.worker_prefix,
            threads.stack_size,
            &mut core.threads,
            |index, deque| {
                let registry = registry.clone();
                let before_run = before_run(index);
                move || {
                    before_run();
                    run_worker(index, registry, deque);
                }
            },
        )?;
        core.threads
            .extend(heartbeat_thread::start(&registry, threads.heartbeat_name)?);
        Ok(core)
    }

    /// Runs `f` in this pool and returns its result (see
    /// [`ThreadPool::install`](crate::ThreadPool::install)): directly on one of its
    /// workers; as a guest from a thread of no pool; otherwise queued on the policy's
    /// outside queue (else the pool's injector) while the caller waits.
    #[inline]
    pub(crate) fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        if self.registry.is_current() {
            return f();
        }
        self.registry.in_worker_cold(f)
    }

    /// [`par_for_each`](crate::exec::par_for_each) on this pool.
    pub(crate) fn par_for_each<S, F>(&self, source: S, f: F)
    where
        S: ParSource,
        F: Fn(S::Item) + Sync + Send,
    {
        self.install(|| super::par_for_each(source, f));
    }

    /// Number of worker threads.
    pub(crate) fn workers(&self) -> usize {
        self.registry.num_workers()
    }

    /// Begins a world's tick on this pool: until the returned guard drops, the workers
    /// poll instead of parking and the heartbeat thread rests (`tick.rs`).
    pub(crate) fn begin_tick(&self) -> tick::TickActivity {
        tick::TickActivity::begin(self.registry.clone())
    }
}

impl Drop for PoolCore {
    /// Stops the threads and joins them. (Dropped from inside one of its own jobs, the
    /// pool cannot join the thread it runs on; it then detaches its threads instead.)
    fn drop(&mut self) {
        self.registry.terminate();
        if self.registry.is_current() {
            return;
        }
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// Implements [`Executor`](crate::exec::Executor) for a heartbeat pool whose
/// `PoolCore` is its field `core`: every method goes through the core.
macro_rules! executor_via_core {
    ($pool:ty) => {
        impl $crate::exec::Executor for $pool {
            #[inline]
            fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
                self.core.install(f)
            }

            fn join<A, B, RA, RB>(&self, a: A, b: B) -> (RA, RB)
            where
                A: FnOnce() -> RA + Send,
                B: FnOnce() -> RB + Send,
                RA: Send,
                RB: Send,
            {
                self.core.install(|| $crate::exec::join(a, b))
            }

            fn scope<'scope, R: Send>(
                &self,
                f: impl FnOnce(&$crate::exec::Scope<'scope>) -> R + Send,
            ) -> R {
                self.core.install(|| $crate::exec::scope(f))
            }

            fn workers(&self) -> usize {
                self.core.workers()
            }
        }
    };
}
pub(crate) use executor_via_core;
