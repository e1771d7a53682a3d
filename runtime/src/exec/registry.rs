//! The state a pool shares between its threads ([`Registry`]) and the state each worker
//! keeps to itself ([`WorkerThread`]): private job stack, shared deque, search loop.

use std::cell::Cell;
use std::ptr;
use std::sync::Arc;
use std::time::Duration;

use crossbeam_utils::CachePadded;

use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::{Injector, Steal, Stealer, Worker};

use super::job::{JobRef, StackJob};
use super::latch::{CoreLatch, LockLatch, WorkerLatch};
use super::sleep::Sleep;
use super::unwind;

/// Rounds of fruitless searching (with growing spin pauses) before a worker yields.
const SPIN_ROUNDS: u32 = 16;
/// Rounds of `yield_now` after spinning, before a worker parks.
const YIELD_ROUNDS: u32 = 8;

/// Everything a pool's threads share.
///
/// ## Memory ordering
///
/// Jobs travel through crossbeam's deques (which synchronise their own contents). The
/// `heartbeats` flags are `Relaxed`: a flag carries no data, it only asks its worker to
/// promote a job, and a late or lost tick only delays sharing. `terminate` is `SeqCst`
/// and is followed by `Sleep::notify_all`.
pub(crate) struct Registry {
    stealers: Box<[Stealer<JobRef>]>,
    injector: Injector<JobRef>,
    pub(crate) sleep: Sleep,
    /// One flag per worker, set by the heartbeat thread, cleared by the worker when it
    /// promotes a job.
    pub(crate) heartbeats: Box<[CachePadded<AtomicBool>]>,
    terminate: AtomicBool,
    pub(crate) local_queue_size: usize,
    pub(crate) heartbeat_interval: Duration,
    /// A `NumaPool`'s topology-aware search and per-node injectors (set right after
    /// `new`); `None` for a `ThreadPool`: random victims, then `injector`.
    pub(crate) numa: Option<Box<super::numa::StealPlan>>,
}

impl Registry {
    /// A registry for one deque per worker; returns it with the workers' deque ends.
    pub(crate) fn new(
        workers: usize,
        local_queue_size: usize,
        heartbeat_interval: Duration,
    ) -> (Arc<Registry>, Vec<Worker<JobRef>>) {
        let deques: Vec<Worker<JobRef>> = (0..workers).map(|_| Worker::new_lifo()).collect();
        let registry = Registry {
            stealers: deques.iter().map(Worker::stealer).collect(),
            injector: Injector::new(),
            sleep: Sleep::new(workers),
            heartbeats: (0..workers)
                .map(|_| CachePadded::new(AtomicBool::new(false)))
                .collect(),
            terminate: AtomicBool::new(false),
            local_queue_size,
            heartbeat_interval,
            numa: None,
        };
        (Arc::new(registry), deques)
    }

    /// Number of workers.
    pub(crate) fn num_workers(&self) -> usize {
        self.stealers.len()
    }

    /// Whether the pool is shutting down.
    pub(crate) fn terminating(&self) -> bool {
        self.terminate.load(Ordering::SeqCst)
    }

    /// Asks every thread to exit once it finds no work.
    pub(crate) fn terminate(&self) {
        self.terminate.store(true, Ordering::SeqCst);
        self.sleep.notify_all();
    }

    /// Whether any queue visibly holds a job.
    fn has_work(&self) -> bool {
        !self.injector.is_empty()
            || self.stealers.iter().any(|s| !s.is_empty())
            || self.numa.as_ref().is_some_and(|plan| plan.has_work())
    }

    /// Sets every worker's heartbeat flag (one promotion credit each, capped at one).
    pub(crate) fn tick(&self) {
        for flag in self.heartbeats.iter() {
            flag.store(true, Ordering::Relaxed);
        }
    }

    /// Queues a job for any worker (from a thread that is not one of ours).
    pub(crate) fn inject(&self, job: JobRef) {
        self.injector.push(job);
        self.sleep.notify_one();
    }

    /// Runs `f` on a worker from a thread outside this pool, blocking until it returns.
    pub(crate) fn in_worker_cold<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        let job = StackJob::new(f, LockLatch::new());
        // SAFETY: we block on the job's latch below before leaving this frame, so the job
        // outlives its execution.
        let job_ref = unsafe { job.as_job_ref() };
        self.inject(job_ref);
        job.latch.wait();
        // SAFETY: `wait` returned, so the latch is set (under its mutex: acquire).
        unsafe { job.into_result() }.into_return_value()
    }
}

thread_local! {
    /// The worker running on this thread, or null.
    static CURRENT: Cell<*const WorkerThread> = const { Cell::new(ptr::null()) };
}

/// A worker's own state. Lives on its thread's stack for the thread's whole life;
/// reachable from that thread only (through [`WorkerThread::current`]).
pub(crate) struct WorkerThread {
    pub(crate) index: usize,
    pub(crate) registry: Arc<Registry>,
    /// The shared end this worker pushes promoted jobs to (thieves steal the oldest).
    pub(crate) deque: Worker<JobRef>,
    /// `registry.heartbeats[index]`, cached for the join fast path.
    pub(crate) heartbeat: *const AtomicBool,
    /// The private job stack: one slot per active `join` (its second closure). Slots
    /// below `bottom` were promoted; `bottom..top` are private.
    pub(crate) stack: Box<[Cell<Option<JobRef>>]>,
    pub(crate) top: Cell<usize>,
    pub(crate) bottom: Cell<usize>,
    rng: Cell<u64>,
}

impl WorkerThread {
    fn new(index: usize, registry: Arc<Registry>, deque: Worker<JobRef>) -> Self {
        let heartbeat: *const AtomicBool = &*registry.heartbeats[index];
        let stack = (0..registry.local_queue_size)
            .map(|_| Cell::new(None))
            .collect();
        WorkerThread {
            index,
            heartbeat,
            registry,
            deque,
            stack,
            top: Cell::new(0),
            bottom: Cell::new(0),
            rng: Cell::new(
                0x9E37_79B9_7F4A_7C15 ^ (index as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03),
            ),
        }
    }

    /// The worker on this thread, or null outside every pool.
    #[inline(always)]
    pub(crate) fn current() -> *const WorkerThread {
        CURRENT.with(Cell::get)
    }

    /// Whether this worker's heartbeat flag is raised (a `Relaxed` load).
    #[inline(always)]
    pub(crate) fn heartbeat_pending(&self) -> bool {
        // SAFETY: `heartbeat` points into `self.registry`, which `self` keeps alive.
        unsafe { (*self.heartbeat).load(Ordering::Relaxed) }
    }

    /// Pushes a job onto the shared deque and wakes a sleeper to steal it.
    pub(crate) fn push_shared(&self, job: JobRef) {
        self.deque.push(job);
        self.registry.sleep.notify_one();
    }

    /// The heartbeat's work: clears the flag and moves the oldest private job, if any,
    /// to the shared deque.
    #[cold]
    #[inline(never)]
    pub(crate) fn promote(&self) {
        // SAFETY: see `heartbeat_pending`.
        unsafe { (*self.heartbeat).store(false, Ordering::Relaxed) };
        let bottom = self.bottom.get();
        if bottom < self.top.get() {
            let job = self.stack[bottom].get().expect("private job slot is empty");
            // SAFETY: only `join` pushes to the private stack, always a
            // `StackJob<WorkerLatch, ..>`, which is `repr(C)` with the latch first, so the
            // job's data pointer is its latch; the job is still private to this thread.
            unsafe { WorkerLatch::bind(job.id().cast(), self.index, &self.registry.sleep) };
            self.bottom.set(bottom + 1);
            self.push_shared(job);
        }
    }

    /// Finds a job: own deque, then other workers' deques, then the injector.
    pub(crate) fn find_work(&self) -> Option<JobRef> {
        if let Some(job) = self.deque.pop() {
            return Some(job);
        }
        self.steal()
    }

    fn next_random(&self) -> u64 {
        // xorshift64*
        let mut x = self.rng.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn steal(&self) -> Option<JobRef> {
        if let Some(plan) = &self.registry.numa {
            let (stealers, injector) = (&self.registry.stealers, &self.registry.injector);
            return plan.steal(self.index, stealers, injector, self.next_random());
        }
        let stealers = &self.registry.stealers;
        let n = stealers.len();
        loop {
            let mut retry = false;
            let start = (self.next_random() % n as u64) as usize;
            for i in 0..n {
                let victim = (start + i) % n;
                if victim == self.index {
                    continue;
                }
                match stealers[victim].steal() {
                    Steal::Success(job) => return Some(job),
                    Steal::Retry => retry = true,
                    Steal::Empty => {}
                }
            }
            match self.registry.injector.steal() {
                Steal::Success(job) => return Some(job),
                Steal::Retry => retry = true,
                Steal::Empty => {}
            }
            if !retry {
                return None;
            }
        }
    }

    /// Runs a job taken from a queue.
    ///
    /// # Safety
    ///
    /// `job` was taken out of a deque (so this thread owns it) and is run once.
    pub(crate) unsafe fn execute(&self, job: JobRef) {
        // Every job catches its own panics; one escaping here would leave a latch unset
        // forever, so abort instead.
        let abort = unwind::AbortIfPanic;
        // SAFETY: by the caller's guarantee.
        unsafe { job.execute() };
        std::mem::forget(abort);
    }

    /// Runs other jobs (or sleeps) until `latch` is set.
    pub(crate) fn wait_until(&self, latch: &CoreLatch) {
        let mut idle = 0u32;
        while !latch.probe() {
            if let Some(job) = self.find_work() {
                // SAFETY: taken from a queue just now.
                unsafe { self.execute(job) };
                idle = 0;
            } else {
                self.idle_step(&mut idle, Some(latch));
            }
        }
    }

    /// One step of backing off after a fruitless search: spin, then yield, then park.
    fn idle_step(&self, idle: &mut u32, latch: Option<&CoreLatch>) {
        if *idle < SPIN_ROUNDS {
            for _ in 0..(1u32 << (*idle).min(6)) {
                std::hint::spin_loop();
            }
        } else if *idle < SPIN_ROUNDS + YIELD_ROUNDS {
            std::thread::yield_now();
        } else {
            let registry = &*self.registry;
            registry.sleep.sleep(self.index, latch, || {
                registry.has_work() || registry.terminating()
            });
            *idle = 0;
            return;
        }
        *idle += 1;
    }

    /// The worker's life: run jobs until the pool terminates.
    fn main_loop(&self) {
        let mut idle = 0u32;
        loop {
            if let Some(job) = self.find_work() {
                // SAFETY: taken from a queue just now.
                unsafe { self.execute(job) };
                idle = 0;
            } else if self.registry.terminating() {
                return;
            } else {
                self.idle_step(&mut idle, None);
            }
        }
    }
}

/// The body of worker thread `index`.
pub(crate) fn run_worker(index: usize, registry: Arc<Registry>, deque: Worker<JobRef>) {
    let worker = WorkerThread::new(index, registry, deque);
    CURRENT.with(|c| c.set(&worker));
    worker.main_loop();
    CURRENT.with(|c| c.set(ptr::null()));
}

/// The index of the worker running the current thread, or `None` outside every pool.
///
/// Cheap (one thread-local read): use it to ask "am I on a worker?".
///
/// ```
/// use metronome_runtime::exec::current_worker_index;
/// use metronome_runtime::ThreadPool;
///
/// assert_eq!(current_worker_index(), None);
/// let pool = ThreadPool::builder().workers(2).build().unwrap();
/// let index = pool.install(current_worker_index);
/// assert!(matches!(index, Some(0 | 1)));
/// ```
pub fn current_worker_index() -> Option<usize> {
    let worker = WorkerThread::current();
    // SAFETY: a non-null `CURRENT` points to the live `WorkerThread` of this thread.
    (!worker.is_null()).then(|| unsafe { (*worker).index })
}
