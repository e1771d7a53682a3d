//! The topology-aware pool, [`NumaPool`]: the heartbeat executor core (`exec/core`:
//! private job stack, heartbeat promotion, crossbeam deques, parking, latches, guests,
//! panics — see the `exec` README) with its own policy:
//!
//! - *placement*: worker `i` runs on a core chosen by [`worker_slots`] (node by node) and,
//!   with `pin(true)`, is pinned to one of its PUs with `core_affinity` when it starts (a
//!   refused pin is recorded in [`NumaPool::pin_status`], not fatal);
//! - *nearest-first stealing*: a worker that runs dry tries the workers of its core, cache
//!   group and node, then its node's injector, then remote nodes by distance
//!   ([`victim_tiers`], [`injector_order`]), instead of random victims;
//! - *one injector per node*: [`NumaPool::install`] from outside the pool queues the job on
//!   the caller's node (the node of the CPU it runs on; the first worker's node if that
//!   node has no worker);
//! - *memory placement* for worlds on the pool: [`NumaPool::column_alloc`] tells a world's
//!   columns to map big blocks on the pool's nodes by its [`MemoryPolicy`] (see
//!   [`crate::memory`]).
//!
//! `join`, `scope` and `par_for_each` are the heartbeat pool's: inside `install` they run
//! on this pool.

use std::fmt;
use std::sync::mpsc;
use std::time::Duration;

use crate::memory::{ColumnAlloc, MemoryPolicy, NodeMask};
use crate::topology::Topology;

use super::core::{executor_via_core, CoreConfig, PoolCore, Threads};
use super::error::BuildError;
use super::par_for_each::ParSource;

mod victims;

#[cfg(all(test, not(loom)))]
mod tests;

#[allow(deprecated)]
pub use self::victims::Slot;
pub(crate) use self::victims::StealPlan;
pub use self::victims::{injector_order, victim_tiers, worker_slots, WorkerPlace};

/// Whether a worker of a [`NumaPool`] is pinned to its CPU.
///
/// ```
/// use metronome_runtime::exec::numa::PinStatus;
/// use metronome_runtime::NumaPool;
///
/// let pool = NumaPool::builder().workers(1).build().unwrap();
/// assert_eq!(pool.pin_status(), [PinStatus::Unpinned]); // `pin` is off by default
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PinStatus {
    /// Pinning was not asked for.
    Unpinned,
    /// The worker runs only on OS CPU `cpu`.
    Pinned {
        /// The OS CPU number.
        cpu: usize,
    },
    /// The OS refused to pin the worker to `cpu` (not in the process's CPU set, not
    /// present, ...); the worker runs unpinned.
    Failed {
        /// The OS CPU number.
        cpu: usize,
    },
}

/// Configures and builds a [`NumaPool`]; start with [`NumaPool::builder`].
///
/// ```
/// use std::time::Duration;
/// use metronome_runtime::memory::MemoryPolicy;
/// use metronome_runtime::topology::Topology;
/// use metronome_runtime::NumaPool;
///
/// let pool = NumaPool::builder()
///     .workers(2)
///     .topology(Topology::detect())
///     .pin(true)
///     .memory(MemoryPolicy::Interleave)
///     .heartbeat(Duration::from_micros(100))
///     .local_queue_size(256)
///     .build()
///     .unwrap();
/// assert_eq!(pool.workers(), 2);
/// ```
pub struct NumaPoolBuilder {
    config: CoreConfig,
    topology: Option<Topology>,
    pin: bool,
    memory: MemoryPolicy,
}

impl fmt::Debug for NumaPoolBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NumaPoolBuilder")
            .field("workers", &self.config.pool.workers)
            .field("topology", &self.topology.as_ref().map(Topology::source))
            .field("pin", &self.pin)
            .field("memory", &self.memory)
            .field("heartbeat", &self.config.heartbeat)
            .field("local_queue_size", &self.config.pool.local_queue_size)
            .finish_non_exhaustive()
    }
}

impl Default for NumaPoolBuilder {
    /// Same as [`NumaPool::builder`].
    fn default() -> Self {
        NumaPoolBuilder {
            config: CoreConfig::default(),
            topology: None,
            pin: false,
            memory: MemoryPolicy::Local,
        }
    }
}

impl NumaPoolBuilder {
    /// Number of worker threads, `1..=`[`MAX_WORKERS`](super::MAX_WORKERS). Default: the
    /// machine's available parallelism (1 if unknown).
    ///
    /// ```
    /// use metronome_runtime::NumaPool;
    /// assert!(NumaPool::builder().workers(0).build().is_err());
    /// ```
    pub fn workers(mut self, workers: usize) -> Self {
        self.config.pool.workers = Some(workers);
        self
    }

    /// The machine to place workers on. Default: [`Topology::detect`]. A synthetic
    /// topology larger than the machine works (pinning to absent CPUs fails and is
    /// recorded).
    ///
    /// ```
    /// use metronome_runtime::topology::Topology;
    /// use metronome_runtime::NumaPool;
    /// let pool = NumaPool::builder().workers(4).topology(Topology::synthetic(2, 2)).build().unwrap();
    /// assert_eq!(pool.slots()[3].node, 1);
    /// ```
    pub fn topology(mut self, topology: Topology) -> Self {
        self.topology = Some(topology);
        self
    }

    /// Pin each worker to its CPU (see [`worker_slots`]). Default: `false`.
    ///
    /// ```
    /// use metronome_runtime::exec::numa::PinStatus;
    /// use metronome_runtime::NumaPool;
    /// let pool = NumaPool::builder().workers(1).pin(true).build().unwrap();
    /// assert!(matches!(pool.pin_status()[0], PinStatus::Pinned { .. } | PinStatus::Failed { .. }));
    /// ```
    pub fn pin(mut self, pin: bool) -> Self {
        self.pin = pin;
        self
    }

    /// How worlds on this pool place big column blocks. Default: [`MemoryPolicy::Local`].
    ///
    /// ```
    /// use metronome_runtime::memory::MemoryPolicy;
    /// use metronome_runtime::NumaPool;
    /// let pool = NumaPool::builder().workers(1).memory(MemoryPolicy::Interleave).build().unwrap();
    /// assert_eq!(pool.memory(), MemoryPolicy::Interleave);
    /// ```
    pub fn memory(mut self, memory: MemoryPolicy) -> Self {
        self.memory = memory;
        self
    }

    /// Interval between heartbeats (see
    /// [`ThreadPoolBuilder::heartbeat`](crate::ThreadPoolBuilder::heartbeat)). Default:
    /// [`DEFAULT_HEARTBEAT`](super::DEFAULT_HEARTBEAT). Must not be zero.
    ///
    /// ```
    /// use std::time::Duration;
    /// use metronome_runtime::NumaPool;
    /// assert!(NumaPool::builder().heartbeat(Duration::ZERO).build().is_err());
    /// ```
    pub fn heartbeat(mut self, interval: Duration) -> Self {
        self.config.heartbeat = interval;
        self
    }

    /// Capacity of each worker's private job stack, a power of two. Default:
    /// [`DEFAULT_LOCAL_QUEUE_SIZE`](super::DEFAULT_LOCAL_QUEUE_SIZE).
    ///
    /// ```
    /// use metronome_runtime::NumaPool;
    /// assert!(NumaPool::builder().local_queue_size(100).build().is_err());
    /// ```
    pub fn local_queue_size(mut self, size: usize) -> Self {
        self.config.pool.local_queue_size = size;
        self
    }

    /// Names worker `i` by `name(i)`. Default: `metronome-numa-{i}`.
    ///
    /// ```
    /// use metronome_runtime::NumaPool;
    /// let pool = NumaPool::builder().workers(1).thread_name(|i| format!("n{i}")).build().unwrap();
    /// let name = || std::thread::current().name().map(str::to_owned);
    /// // From a thread of no pool, `install` runs `f` on the caller (which takes part);
    /// // from a worker of another pool, on one of this pool's workers.
    /// let other = metronome_runtime::ThreadPool::builder().workers(1).build().unwrap();
    /// assert_eq!(other.install(|| pool.install(name)).as_deref(), Some("n0"));
    /// ```
    pub fn thread_name(mut self, name: impl Fn(usize) -> String + Send + Sync + 'static) -> Self {
        self.config.pool.set_thread_name(name);
        self
    }

    /// Validates the configuration, places the workers and starts the threads (each pins
    /// itself, if asked, before it runs any job).
    ///
    /// ```
    /// use metronome_runtime::NumaPool;
    /// let err = NumaPool::builder().workers(2000).build().unwrap_err();
    /// assert_eq!(err.to_string(), "`workers(2000)` is more than the maximum of 1024");
    /// ```
    pub fn build(self) -> Result<NumaPool, BuildError> {
        let workers = self.config.validate()?;
        let topology = self.topology.unwrap_or_else(Topology::detect);
        let slots: Box<[WorkerPlace]> = worker_slots(&topology, workers).into();
        let plan = StealPlan::new(&topology, &slots);
        let threads = Threads {
            worker_prefix: "metronome-numa-",
            heartbeat_name: "numa-heartbeat",
            stack_size: None,
        };
        let (pinned_tx, pinned_rx) = mpsc::channel();
        let core = PoolCore::start(
            &self.config,
            workers,
            Some(Box::new(plan)),
            threads,
            |index| {
                let cpu = self.pin.then_some(slots[index].cpu);
                let pinned_tx = pinned_tx.clone();
                move || {
                    // The builder waits for every worker's status; if it gave up (a
                    // later spawn failed), nobody listens, which is fine.
                    let _ = pinned_tx.send((index, pin_to(cpu)));
                }
            },
        )?;
        drop(pinned_tx);
        let mut pins = vec![PinStatus::Unpinned; workers].into_boxed_slice();
        for (index, status) in pinned_rx.iter().take(workers) {
            pins[index] = status;
        }
        Ok(NumaPool {
            core,
            pins,
            slots,
            topology,
            memory: self.memory,
        })
    }
}

/// Pins the calling thread to OS CPU `cpu`, if one is given, and says how that went.
fn pin_to(cpu: Option<usize>) -> PinStatus {
    match cpu {
        None => PinStatus::Unpinned,
        Some(cpu) if core_affinity::set_for_current(core_affinity::CoreId { id: cpu }) => {
            PinStatus::Pinned { cpu }
        }
        Some(cpu) => PinStatus::Failed { cpu },
    }
}

/// A topology-aware heartbeat work-stealing pool: the [`ThreadPool`](crate::ThreadPool)'s
/// join, scope and parking, with workers placed (and optionally pinned) node by node,
/// nearest-first stealing, one injector per NUMA node, and a memory policy for the big
/// column blocks of worlds running on it. See the module docs of [`crate::exec::numa`].
///
/// ```
/// use metronome_runtime::topology::Topology;
/// use metronome_runtime::{join, NumaPool};
///
/// fn fib(n: u64) -> u64 {
///     if n < 2 {
///         return n;
///     }
///     let (a, b) = join(|| fib(n - 1), || fib(n - 2));
///     a + b
/// }
///
/// let pool = NumaPool::builder().workers(4).topology(Topology::synthetic(2, 2)).build().unwrap();
/// assert_eq!(pool.install(|| fib(20)), 6765);
/// ```
pub struct NumaPool {
    core: PoolCore,
    topology: Topology,
    slots: Box<[WorkerPlace]>,
    pins: Box<[PinStatus]>,
    memory: MemoryPolicy,
}

impl fmt::Debug for NumaPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NumaPool")
            .field("workers", &self.workers())
            .field("nodes", &self.topology.nodes().len())
            .field("memory", &self.memory)
            .field("pins", &self.pins)
            .finish_non_exhaustive()
    }
}

impl NumaPool {
    /// A builder with the default configuration.
    ///
    /// ```
    /// use metronome_runtime::NumaPool;
    /// let pool = NumaPool::builder().build().unwrap();
    /// assert!(pool.workers() >= 1);
    /// ```
    pub fn builder() -> NumaPoolBuilder {
        NumaPoolBuilder::default()
    }

    /// Runs `f` in this pool and returns its result; `join`, `scope` and `par_for_each`
    /// inside `f` use this pool. From one of this pool's workers, runs `f` directly. From
    /// a thread of no pool, runs `f` on the calling thread, which takes part in the pool
    /// meanwhile (a guest: the workers steal what it shares), as
    /// [`ThreadPool::install`](crate::ThreadPool::install) does. Otherwise (a worker of
    /// another pool, or every guest slot taken) queues `f` on the injector of the
    /// caller's node and waits until it finished: a worker of another pool runs its own
    /// pool's jobs meanwhile, any other thread blocks. A panic in `f` resumes here.
    ///
    /// ```
    /// use metronome_runtime::NumaPool;
    /// let pool = NumaPool::builder().workers(2).build().unwrap();
    /// assert_eq!(pool.install(|| 6 * 7), 42);
    /// ```
    pub fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        self.core.install(f)
    }

    /// [`par_for_each`](crate::exec::par_for_each) on this pool.
    ///
    /// ```
    /// use metronome_runtime::NumaPool;
    /// let pool = NumaPool::builder().workers(2).build().unwrap();
    /// let mut v = vec![1, 2, 3];
    /// pool.par_for_each(&mut v[..], |x| *x *= 2);
    /// assert_eq!(v, [2, 4, 6]);
    /// ```
    pub fn par_for_each<S, F>(&self, source: S, f: F)
    where
        S: ParSource,
        F: Fn(S::Item) + Sync + Send,
    {
        self.core.par_for_each(source, f);
    }

    /// Number of worker threads.
    ///
    /// ```
    /// use metronome_runtime::NumaPool;
    /// assert_eq!(NumaPool::builder().workers(3).build().unwrap().workers(), 3);
    /// ```
    pub fn workers(&self) -> usize {
        self.core.workers()
    }

    /// The topology the workers were placed on.
    ///
    /// ```
    /// use metronome_runtime::topology::Topology;
    /// use metronome_runtime::NumaPool;
    /// let pool = NumaPool::builder().workers(1).topology(Topology::synthetic(2, 1)).build().unwrap();
    /// assert_eq!(pool.topology().nodes().len(), 2);
    /// ```
    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    /// Where each worker runs (see [`worker_slots`]).
    ///
    /// ```
    /// use metronome_runtime::topology::Topology;
    /// use metronome_runtime::NumaPool;
    /// let pool = NumaPool::builder().workers(2).topology(Topology::synthetic(2, 1)).build().unwrap();
    /// assert_eq!((pool.slots()[0].node, pool.slots()[1].node), (0, 1));
    /// ```
    pub fn slots(&self) -> &[WorkerPlace] {
        &self.slots
    }

    /// Whether each worker got pinned (all [`PinStatus::Unpinned`] without `pin(true)`).
    ///
    /// ```
    /// use metronome_runtime::exec::numa::PinStatus;
    /// use metronome_runtime::NumaPool;
    /// // A refused pin (a CPU outside this process's set) is recorded; the worker runs.
    /// let pool = NumaPool::builder().workers(1).pin(true).build().unwrap();
    /// assert!(matches!(pool.pin_status()[0], PinStatus::Pinned { .. } | PinStatus::Failed { .. }));
    /// assert_eq!(pool.install(|| 1 + 1), 2);
    /// ```
    pub fn pin_status(&self) -> &[PinStatus] {
        &self.pins
    }

    /// The memory policy worlds on this pool use for big column blocks.
    ///
    /// ```
    /// use metronome_runtime::memory::MemoryPolicy;
    /// use metronome_runtime::NumaPool;
    /// assert_eq!(NumaPool::builder().workers(1).build().unwrap().memory(), MemoryPolicy::Local);
    /// ```
    pub fn memory(&self) -> MemoryPolicy {
        self.memory
    }

    /// The column allocation policy for worlds on this pool: big blocks placed by
    /// [`NumaPool::memory`] over the OS nodes the workers run on.
    ///
    /// ```
    /// use metronome_runtime::memory::{ColumnAlloc, MemoryPolicy};
    /// use metronome_runtime::topology::Topology;
    /// use metronome_runtime::NumaPool;
    ///
    /// let pool = NumaPool::builder()
    ///     .workers(2)
    ///     .topology(Topology::synthetic(2, 1))
    ///     .memory(MemoryPolicy::Interleave)
    ///     .build()
    ///     .unwrap();
    /// let ColumnAlloc::Placed { policy, nodes } = pool.column_alloc() else { unreachable!() };
    /// assert_eq!((policy, nodes.bits()), (MemoryPolicy::Interleave, 0b11));
    /// ```
    pub fn column_alloc(&self) -> ColumnAlloc {
        ColumnAlloc::Placed {
            policy: self.memory,
            nodes: self
                .slots
                .iter()
                .map(|slot| self.topology.nodes()[slot.node].os_index)
                .collect::<NodeMask>(),
        }
    }
}

executor_via_core!(NumaPool);

impl NumaPool {
    /// Begins a world's tick on this pool: until the guard drops, the workers poll
    /// instead of parking and the heartbeat thread rests (`exec/core/tick.rs`).
    pub(crate) fn begin_tick(&self) -> crate::exec::core::tick::TickActivity {
        self.core.begin_tick()
    }
}
