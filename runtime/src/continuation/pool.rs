//! [`ContinuationPool`] and its builder.

use std::fmt;
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::exec::builder::PoolConfig;
use crate::exec::{BuildError, Executor, ParSource, Scope};

use super::current;
use super::stack::MIN_STACK_SIZE;
use super::worker::{run_worker, Registry};
use super::DEFAULT_STACK_SIZE;

/// Configures and builds a [`ContinuationPool`]; start with [`ContinuationPool::builder`].
///
/// ```
/// use metronome_runtime::ContinuationPool;
///
/// let builder = ContinuationPool::builder()
///     .workers(2)
///     .local_queue_size(256)
///     .stack_size(1 << 20)
///     .thread_name(|i| format!("cont-{i}"));
/// // SAFETY: nothing run on this pool holds a thread-bound value across a join.
/// let pool = unsafe { builder.build() }.unwrap();
/// assert_eq!(pool.workers(), 2);
/// ```
pub struct ContinuationPoolBuilder {
    config: PoolConfig,
    stack_size: usize,
}

impl fmt::Debug for ContinuationPoolBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContinuationPoolBuilder")
            .field("workers", &self.config.workers)
            .field("local_queue_size", &self.config.local_queue_size)
            .field("stack_size", &self.stack_size)
            .field("thread_name", &self.config.thread_name_debug())
            .finish()
    }
}

impl Default for ContinuationPoolBuilder {
    /// Same as [`ContinuationPool::builder`].
    fn default() -> Self {
        ContinuationPoolBuilder {
            config: PoolConfig::default(),
            stack_size: DEFAULT_STACK_SIZE,
        }
    }
}

impl ContinuationPoolBuilder {
    /// Number of worker threads, `1..=`[`MAX_WORKERS`](crate::exec::MAX_WORKERS). Default:
    /// the machine's available parallelism (1 if unknown).
    ///
    /// ```
    /// use metronome_runtime::ContinuationPool;
    /// // SAFETY: no pool is built, so nothing runs on one.
    /// assert!(unsafe { ContinuationPool::builder().workers(0).build() }.is_err());
    /// ```
    pub fn workers(mut self, workers: usize) -> Self {
        self.config.workers = Some(workers);
        self
    }

    /// How many of a fiber's most recent joins keep their continuation private (a power
    /// of two). Older ones spill to the worker's shared deque, where idle workers can
    /// steal them, so deep recursion stays stealable. Default:
    /// [`DEFAULT_LOCAL_QUEUE_SIZE`](crate::exec::DEFAULT_LOCAL_QUEUE_SIZE).
    ///
    /// ```
    /// use metronome_runtime::ContinuationPool;
    /// // SAFETY: nothing is run on these pools.
    /// assert!(unsafe { ContinuationPool::builder().local_queue_size(64).build() }.is_ok());
    /// assert!(unsafe { ContinuationPool::builder().local_queue_size(100).build() }.is_err());
    /// ```
    pub fn local_queue_size(mut self, size: usize) -> Self {
        self.config.local_queue_size = size;
        self
    }

    /// Size in bytes of each fiber's stack (jobs run on fibers, not on the worker
    /// threads' stacks), rounded up to a power of two of at least 64 KiB. Memory is only
    /// committed as the stack is touched. Default: [`DEFAULT_STACK_SIZE`].
    ///
    /// ```
    /// use metronome_runtime::ContinuationPool;
    /// // SAFETY: nothing is run on this pool.
    /// let pool = unsafe { ContinuationPool::builder().workers(1).stack_size(256 << 10).build() };
    /// assert!(pool.is_ok());
    /// ```
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = bytes;
        self
    }

    /// Names worker `i` by `name(i)`. Default: `metronome-cont-{i}`.
    ///
    /// ```
    /// use metronome_runtime::{ContinuationPool, ThreadPool};
    /// let builder = ContinuationPool::builder().workers(1).thread_name(|i| format!("w{i}"));
    /// // SAFETY: the closure below holds nothing across a join (it calls none).
    /// let pool = unsafe { builder.build() }.unwrap();
    /// let name = || std::thread::current().name().map(str::to_owned);
    /// // From a thread of no pool, `install` runs the closure on the caller (a guest)...
    /// assert_eq!(pool.install(name), std::thread::current().name().map(str::to_owned));
    /// // ...from a worker of another pool, on one of this pool's workers.
    /// let other = ThreadPool::builder().workers(1).build().unwrap();
    /// assert_eq!(other.install(|| pool.install(name)).as_deref(), Some("w0"));
    /// ```
    pub fn thread_name(mut self, name: impl Fn(usize) -> String + Send + Sync + 'static) -> Self {
        self.config.set_thread_name(name);
        self
    }

    /// Validates the configuration and starts the threads.
    ///
    /// # Safety
    ///
    /// On this pool, code after a `join`, `scope` or `par_for_each` may continue on
    /// another thread than the code before it (the thread that finished last resumes
    /// it: that is continuation stealing). So every closure run on the pool, through any
    /// entry (`install`, `par_for_each`, the [`Executor`] methods, the free
    /// [`join`](crate::exec::join), [`scope`](crate::exec::scope) and
    /// [`par_for_each`](crate::exec::par_for_each) inside them, a world's systems and the
    /// closures run through the world, such as a query's `par_for_each`, on
    /// `executor = unsafe(continuation_stealing(...))`), and everything those closures
    /// call, must uphold, for every call to `join`, `scope` or `par_for_each` (or to code
    /// that calls them) made on the pool:
    ///
    /// - no frame on the stack at the call (the caller's, and its callers' up to the
    ///   closure the pool ran) holds a value bound to its thread across the call: no
    ///   `!Send` value (an `Rc`, a `MutexGuard` or other lock guard), no reference into
    ///   thread-local storage (do not call them inside `LocalKey::with`), and no
    ///   pointer or address derived from the thread's identity (a thread-local's
    ///   address, a thread id used as a key to state that the old thread owns);
    /// - code after the call, in the same function as the call (after inlining), does
    ///   not access a thread-local: the compiler may reuse the thread-local's address
    ///   computed before the call, which is the previous thread's. Access it through a
    ///   function marked `#[inline(never)]`, or before the call.
    ///
    /// `Send` values, references to `Sync` data and plain locals are fine:
    /// `std::thread::current()` simply may differ before and after the call. This holds
    /// for `install` from a thread of no pool too: the closure starts on the calling
    /// thread (which takes part in the pool) and may continue on a worker after a join,
    /// so the calling thread's own thread-locals are not the closure's across one either. The
    /// library's own code upholds this (the stage runner, `par_for_each`, `scope`, the
    /// pool's scheduler: see `continuation/README.md`, "Thread-locals"); what it cannot
    /// check is the code you run on the pool, hence this `unsafe`.
    ///
    /// ```
    /// use metronome_runtime::{join, ContinuationPool};
    /// // SAFETY: the only closure run on the pool sums plain values, holding nothing
    /// // across its join.
    /// let pool = unsafe { ContinuationPool::builder().workers(2).build() }.unwrap();
    /// assert_eq!(pool.install(|| join(|| 1, || 2)), (1, 2));
    ///
    /// // SAFETY: nothing is run on it (it is not built).
    /// let err = unsafe { ContinuationPool::builder().workers(2000).build() }.unwrap_err();
    /// assert_eq!(err.to_string(), "`workers(2000)` is more than the maximum of 1024");
    /// ```
    pub unsafe fn build(self) -> Result<ContinuationPool, BuildError> {
        let workers = self.config.validate()?;
        let stack_size = self
            .stack_size
            .max(MIN_STACK_SIZE)
            .checked_next_power_of_two()
            .unwrap_or(DEFAULT_STACK_SIZE);

        let (registry, deques) = Registry::new(workers, self.config.local_queue_size, stack_size);
        let mut pool = ContinuationPool {
            registry: registry.clone(),
            threads: Vec::with_capacity(workers),
        };
        self.config.spawn_workers(
            deques,
            "metronome-cont-",
            None,
            &mut pool.threads,
            |index, deque| {
                let registry = registry.clone();
                move || run_worker(index, registry, deque)
            },
        )?;
        Ok(pool)
    }
}

/// A work-first, continuation-stealing thread pool whose jobs run on stackful fibers.
///
/// At `join(a, b)` the worker runs the child `a` at once; the rest of the parent (`b`,
/// then everything after the join) is the continuation, which an idle worker may steal.
/// When the two branches finish on different workers, the *last* to finish continues
/// after the join, on its own thread: the parent's fiber migrates to it. So no worker
/// ever blocks at a join, and with one worker everything runs in serial program order.
/// Continuations are exposed lazily, when an idle worker asks for work (or a fiber's
/// private ring of [`local_queue_size`](ContinuationPoolBuilder::local_queue_size)
/// joins overflows): a join nobody asks about costs a few instructions. Idle workers
/// park. See `continuation/README.md` for the protocol.
///
/// # Migration
///
/// Code running in this pool may continue on another thread after any `join`,
/// `scope` or `par_for_each`, and after an `install` into another pool (the fiber waits
/// for it without blocking its worker thread). That is why
/// [`ContinuationPoolBuilder::build`] is `unsafe`: whoever builds the pool promises that
/// no code run on it holds a thread-bound value across those calls (see its "Safety"
/// section). With that promise kept, `install`, the [`Executor`] methods and the free
/// functions are safe. (A `join` or `scope` on a stack a job switched to itself, such as
/// a coroutine's, runs serially there: see `continuation/README.md`, "Thread-locals".)
///
/// ```
/// use metronome_runtime::{join, ContinuationPool};
///
/// fn fib(n: u64) -> u64 {
///     if n < 2 {
///         return n;
///     }
///     let (a, b) = join(|| fib(n - 1), || fib(n - 2));
///     a + b
/// }
///
/// // SAFETY: `fib` holds only integers across its joins.
/// let pool = unsafe { ContinuationPool::builder().workers(2).build() }.unwrap();
/// assert_eq!(pool.install(|| fib(20)), 6765);
/// ```
pub struct ContinuationPool {
    registry: Arc<Registry>,
    threads: Vec<JoinHandle<()>>,
}

impl fmt::Debug for ContinuationPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContinuationPool")
            .field("workers", &self.workers())
            .finish_non_exhaustive()
    }
}

impl ContinuationPool {
    /// Begins a world's tick on this pool: until the guard drops, the workers poll
    /// instead of parking (`exec/core/tick.rs`).
    pub(crate) fn begin_tick(&self) -> crate::exec::core::tick::TickActivity {
        crate::exec::core::tick::TickActivity::begin(self.registry.clone())
    }
}

impl ContinuationPool {
    /// A builder with the default configuration.
    ///
    /// ```
    /// use metronome_runtime::ContinuationPool;
    /// // SAFETY: the closures run on this pool below hold nothing across a join.
    /// let pool = unsafe { ContinuationPool::builder().build() }.unwrap();
    /// assert!(pool.workers() >= 1);
    /// ```
    pub fn builder() -> ContinuationPoolBuilder {
        ContinuationPoolBuilder::default()
    }

    /// Runs `f` on a fiber of this pool and returns its result; `join`, `scope` and
    /// `par_for_each` inside `f` use this pool. Called from inside this pool (a job, or
    /// a stack a job switched to, such as a coroutine's), runs `f` directly. Called from a
    /// worker of another pool, that worker keeps running its own pool's work until `f`
    /// finished (a fiber of another continuation pool suspends). Called from any other
    /// thread (a game's main thread), the caller takes part: it runs `f` on a fiber of
    /// this pool on its own thread, idle workers steal the continuations of its joins,
    /// and after a join whose other half a worker finished last `f` may continue on
    /// that worker while the caller waits (as for every closure run on the pool, see
    /// [`ContinuationPoolBuilder::build`]). Entering so costs well under a µs and wakes
    /// nobody unless `f` has work to share; with more such threads at once than the
    /// pool's guest slots (2), the others hand `f` to a worker and block until it
    /// finished. A panic in `f` resumes here.
    ///
    /// ```
    /// use metronome_runtime::ContinuationPool;
    /// // SAFETY: the closures run on this pool below hold nothing across a join.
    /// let pool = unsafe { ContinuationPool::builder().workers(2).build() }.unwrap();
    /// let data = vec![1, 2, 3];
    /// assert_eq!(pool.install(|| data.iter().sum::<i32>()), 6);
    /// ```
    pub fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        if self.is_current() {
            return f();
        }
        match super::guest::try_run_as_guest(&self.registry, f) {
            Ok(value) => value,
            Err(f) => self.registry.in_worker_cold(f),
        }
    }

    /// Number of worker threads.
    ///
    /// ```
    /// use metronome_runtime::ContinuationPool;
    /// // SAFETY: the closures run on this pool below hold nothing across a join.
    /// assert_eq!(unsafe { ContinuationPool::builder().workers(3).build() }.unwrap().workers(), 3);
    /// ```
    pub fn workers(&self) -> usize {
        self.registry.num_workers()
    }

    /// [`par_for_each`](crate::exec::par_for_each) on this pool.
    ///
    /// ```
    /// use metronome_runtime::ContinuationPool;
    /// // SAFETY: the closures run on this pool below hold nothing across a join.
    /// let pool = unsafe { ContinuationPool::builder().workers(2).build() }.unwrap();
    /// let mut v = vec![1, 2, 3];
    /// pool.par_for_each(&mut v[..], |x| *x *= 2);
    /// assert_eq!(v, [2, 4, 6]);
    /// ```
    pub fn par_for_each<S, F>(&self, source: S, f: F)
    where
        S: ParSource,
        F: Fn(S::Item) + Sync + Send,
    {
        self.install(|| super::par_for_each(source, &f));
    }

    /// Fibers alive now: one per job started from a queue and not finished, whether
    /// running or suspended at a join. Instrumentation.
    ///
    /// ```
    /// use metronome_runtime::ContinuationPool;
    /// // SAFETY: the closures run on this pool below hold nothing across a join.
    /// let pool = unsafe { ContinuationPool::builder().workers(1).build() }.unwrap();
    /// assert_eq!(pool.install(|| 7), 7);
    /// // The root job's fiber is recycled a moment after `install` returned.
    /// while pool.live_fibers() != 0 {
    ///     std::thread::yield_now();
    /// }
    /// ```
    pub fn live_fibers(&self) -> usize {
        self.registry.live_fibers()
    }

    /// The most fibers alive at once since the pool started or since
    /// [`reset_peak_fibers`](Self::reset_peak_fibers). Bounded by about workers ×
    /// join depth. Instrumentation.
    ///
    /// ```
    /// use metronome_runtime::ContinuationPool;
    /// // SAFETY: the closures run on this pool below hold nothing across a join.
    /// let pool = unsafe { ContinuationPool::builder().workers(1).build() }.unwrap();
    /// pool.install(|| metronome_runtime::join(|| 1, || 2));
    /// assert_eq!(pool.peak_fibers(), 1); // one worker: the root job's fiber only
    /// ```
    pub fn peak_fibers(&self) -> usize {
        self.registry.peak_fibers()
    }

    /// Restarts [`peak_fibers`](Self::peak_fibers) from the current count.
    ///
    /// ```
    /// use metronome_runtime::ContinuationPool;
    /// // SAFETY: the closures run on this pool below hold nothing across a join.
    /// let pool = unsafe { ContinuationPool::builder().workers(1).build() }.unwrap();
    /// pool.install(|| ());
    /// pool.reset_peak_fibers();
    /// // 0, or 1 if the root fiber was not recycled yet.
    /// assert!(pool.peak_fibers() <= 1);
    /// ```
    pub fn reset_peak_fibers(&self) {
        self.registry.reset_peak_fibers();
    }

    /// Jobs that a worker took from another worker's deque (continuation heads and
    /// scope spawns) since the pool started. Instrumentation: with one worker it stays 0.
    ///
    /// ```
    /// use metronome_runtime::ContinuationPool;
    /// // SAFETY: the closures run on this pool below hold nothing across a join.
    /// let pool = unsafe { ContinuationPool::builder().workers(1).build() }.unwrap();
    /// pool.install(|| metronome_runtime::join(|| 1, || 2));
    /// assert_eq!(pool.steals(), 0);
    /// ```
    pub fn steals(&self) -> usize {
        self.registry.steals()
    }

    /// Fiber stacks mapped since the pool started.
    #[cfg(all(test, not(loom)))]
    pub(crate) fn stacks_mapped(&self) -> usize {
        self.registry.stacks_mapped()
    }

    /// Whether the caller runs on one of this pool's worker threads: on a fiber, or on a
    /// foreign stack inside one of its jobs (where blocking the thread on a job of this
    /// pool could wait for itself).
    fn is_current(&self) -> bool {
        current::on_worker_of(&self.registry)
    }
}

impl Executor for ContinuationPool {
    fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        ContinuationPool::install(self, f)
    }

    fn join<A, B, RA, RB>(&self, a: A, b: B) -> (RA, RB)
    where
        A: FnOnce() -> RA + Send,
        B: FnOnce() -> RB + Send,
        RA: Send,
        RB: Send,
    {
        self.install(|| crate::exec::join(a, b))
    }

    fn scope<'scope, R: Send>(&self, f: impl FnOnce(&Scope<'scope>) -> R + Send) -> R {
        self.install(|| crate::exec::scope(f))
    }

    fn workers(&self) -> usize {
        ContinuationPool::workers(self)
    }
}

impl Drop for ContinuationPool {
    /// Stops the threads and joins them. (Dropped from inside one of its own jobs, the
    /// pool cannot join the thread it runs on; it then detaches its threads instead.)
    fn drop(&mut self) {
        self.registry.terminate();
        if self.is_current() {
            return;
        }
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tick_tests {
    use super::ContinuationPool;
    use crate::exec::test_support::check_a_tick_keeps_one_worker_awake;

    /// As on the heartbeat pools (`exec/core/tick.rs`): a tick's start wakes the parked
    /// worker, which does not park again until the tick ends, and parks once it ended.
    #[test]
    fn a_tick_wakes_the_parked_workers_until_it_ends() {
        // SAFETY: nothing runs on the pool.
        let pool = unsafe { ContinuationPool::builder().workers(1).build() }.unwrap();
        check_a_tick_keeps_one_worker_awake(&pool.registry.sleep, || pool.begin_tick(), || {});
    }
}
