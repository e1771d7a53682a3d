//! Executors: the heartbeat work-stealing [`ThreadPool`] and the topology-aware
//! [`NumaPool`] (one executor core, `core/`, with two policies), the [`Executor`] trait
//! that they and the [`ContinuationPool`](crate::ContinuationPool) implement, and the
//! free functions [`join`], [`scope`] and [`par_for_each`] that run on the pool of the
//! current thread (serially outside any pool).
//!
//! The protocols (private stack and promotion, latches, sleep, heartbeat, panics) are
//! written down in `README.md` beside this file, reproduced here:
//!
#![doc = include_str!("README.md")]

pub(crate) mod back_off;
pub(crate) mod builder;
pub(crate) mod core;
mod error;
mod heartbeat;
pub(crate) mod job;
pub(crate) mod latch;
pub mod numa;
mod par_for_each;
pub(crate) mod route;
pub(crate) mod scope;
pub(crate) mod sleep;
pub(crate) mod steal;
pub(crate) mod unwind;

/// The heartbeat core's worker state, by the path the modules beside `core` name it.
pub(crate) use self::core::registry;

#[cfg(all(test, loom))]
pub(crate) mod loom_tests;
#[cfg(all(test, not(loom)))]
pub(crate) mod test_support;
#[cfg(all(test, not(loom)))]
mod tests;

use std::time::Duration;

pub use self::error::BuildError;
pub use self::heartbeat::{ThreadPool, ThreadPoolBuilder};
pub use self::numa::{NumaPool, NumaPoolBuilder};
pub use self::par_for_each::ParSource;
pub use self::registry::current_worker_index;
pub use self::scope::Scope;

use self::registry::WorkerThread;

/// The most workers a pool may have.
///
/// ```
/// use metronome_runtime::exec::MAX_WORKERS;
/// use metronome_runtime::ThreadPool;
/// assert!(ThreadPool::builder().workers(MAX_WORKERS + 1).build().is_err());
/// ```
pub const MAX_WORKERS: usize = 1024;

/// The heartbeat interval when none is configured.
///
/// ```
/// assert_eq!(metronome_runtime::exec::DEFAULT_HEARTBEAT.as_micros(), 100);
/// ```
pub const DEFAULT_HEARTBEAT: Duration = Duration::from_micros(100);

/// The private job stack capacity when none is configured.
///
/// ```
/// assert!(metronome_runtime::exec::DEFAULT_LOCAL_QUEUE_SIZE.is_power_of_two());
/// ```
pub const DEFAULT_LOCAL_QUEUE_SIZE: usize = 256;

/// What every metronome pool offers ([`ThreadPool`], [`NumaPool`] and
/// [`ContinuationPool`](crate::ContinuationPool)). The methods are generic, so the trait
/// is not object safe: use it as a bound (`fn run<E: Executor>(pool: &E)`).
///
/// ```
/// use metronome_runtime::{Executor, ThreadPool};
///
/// fn sum_halves<E: Executor>(pool: &E, data: &[u64]) -> u64 {
///     let (left, right) = data.split_at(data.len() / 2);
///     let (a, b) = pool.join(|| left.iter().sum::<u64>(), || right.iter().sum::<u64>());
///     a + b
/// }
///
/// let pool = ThreadPool::builder().workers(2).build().unwrap();
/// assert_eq!(sum_halves(&pool, &[1, 2, 3, 4]), 10);
/// ```
pub trait Executor {
    /// Runs `f` inside the pool and returns its result (see [`ThreadPool::install`]).
    ///
    /// ```
    /// use metronome_runtime::{Executor, ThreadPool};
    /// let pool = ThreadPool::builder().workers(1).build().unwrap();
    /// assert_eq!(Executor::install(&pool, || 6 * 7), 42);
    /// ```
    fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R;

    /// Runs `a` and `b`, potentially in parallel, inside the pool; a panic in either
    /// resumes here after both finished (or `b` was discarded).
    ///
    /// ```
    /// use metronome_runtime::{Executor, ThreadPool};
    /// let pool = ThreadPool::builder().workers(2).build().unwrap();
    /// assert_eq!(Executor::join(&pool, || 1, || "b"), (1, "b"));
    /// ```
    fn join<A, B, RA, RB>(&self, a: A, b: B) -> (RA, RB)
    where
        A: FnOnce() -> RA + Send,
        B: FnOnce() -> RB + Send,
        RA: Send,
        RB: Send;

    /// Runs `f` with a [`Scope`] inside the pool; returns after every spawned job ended.
    ///
    /// ```
    /// use std::sync::Mutex;
    /// use metronome_runtime::{Executor, ThreadPool};
    ///
    /// let pool = ThreadPool::builder().workers(2).build().unwrap();
    /// let jobs: Vec<Box<dyn FnOnce() -> u32 + Send>> = vec![Box::new(|| 1), Box::new(|| 2)];
    /// let results = Mutex::new(Vec::new());
    /// Executor::scope(&pool, |s| {
    ///     for job in jobs {
    ///         let results = &results;
    ///         s.spawn(move |_| results.lock().unwrap().push(job()));
    ///     }
    /// });
    /// let mut results = results.into_inner().unwrap();
    /// results.sort();
    /// assert_eq!(results, [1, 2]);
    /// ```
    fn scope<'scope, R: Send>(&self, f: impl FnOnce(&Scope<'scope>) -> R + Send) -> R;

    /// Number of worker threads.
    ///
    /// ```
    /// use metronome_runtime::{Executor, ThreadPool};
    /// let pool = ThreadPool::builder().workers(2).build().unwrap();
    /// assert_eq!(Executor::workers(&pool), 2);
    /// ```
    fn workers(&self) -> usize;
}

/// Runs `a` and `b`, potentially in parallel, and returns both results.
///
/// On a worker of a [`ThreadPool`] (or a thread that entered one through `install`), `b`
/// is pushed on the worker's private stack and `a` runs; unless a heartbeat shared `b`
/// meanwhile (and a thief took it), `b` then runs inline, so a join costs a few
/// instructions. While three jobs are private already, a join pushes nothing (but every
/// 64th): it calls `a`, then `b`. Outside any pool, runs `a` then `b` on the
/// caller. A panic in `a` or `b` resumes here once neither runs any more (if `a`
/// panics, `b` may not run at all).
///
/// ```
/// use metronome_runtime::{join, ThreadPool};
///
/// struct Node { value: u64, left: Option<Box<Node>>, right: Option<Box<Node>> }
///
/// fn tree_sum(n: &Node) -> u64 {
///     let (l, r) = join(|| n.left.as_deref().map_or(0, tree_sum),
///                       || n.right.as_deref().map_or(0, tree_sum));
///     n.value + l + r
/// }
///
/// let leaf = |value| Some(Box::new(Node { value, left: None, right: None }));
/// let root = Node { value: 1, left: leaf(2), right: leaf(3) };
/// assert_eq!(tree_sum(&root), 6); // serially, outside a pool
/// let pool = ThreadPool::builder().workers(2).build().unwrap();
/// assert_eq!(pool.install(|| tree_sum(&root)), 6);
/// ```
#[inline]
pub fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    let worker = WorkerThread::current();
    // SAFETY: a non-null `current` is this thread's live worker.
    match unsafe { worker.as_ref() } {
        Some(worker) => worker.join(a, b),
        None => route::join_elsewhere(a, b),
    }
}

/// Whether this thread is a heartbeat pool's worker or guest now (a continuation pool's
/// `install` then does not take the thread in as its guest).
pub(crate) fn in_heartbeat_pool() -> bool {
    !WorkerThread::current().is_null()
}

/// Creates a [`Scope`] in which to spawn jobs that borrow the caller's stack, runs `f`
/// with it, and returns once every spawned job finished. On a worker the jobs run in
/// parallel; outside any pool each spawned job runs at once on the caller. The first
/// panic (the body's, else a job's) resumes here after everything finished.
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use metronome_runtime::scope;
///
/// let hits = AtomicU32::new(0);
/// scope(|s| {
///     s.spawn(|_| { hits.fetch_add(1, Ordering::Relaxed); });
///     s.spawn(|_| { hits.fetch_add(2, Ordering::Relaxed); });
/// });
/// assert_eq!(hits.into_inner(), 3);
/// ```
pub fn scope<'scope, R, F>(f: F) -> R
where
    F: FnOnce(&Scope<'scope>) -> R + Send,
    R: Send,
{
    let worker = WorkerThread::current();
    // SAFETY: a non-null `current` is this thread's live worker.
    match unsafe { worker.as_ref() } {
        Some(worker) => scope::scope_on_worker(worker, f),
        None => route::scope_elsewhere(f),
    }
}

/// Calls `f` on every item of `source` (`&[T]`, `&mut [T]` or `Range<usize>`, see
/// [`ParSource`]), in parallel on the current pool, serially outside any pool.
///
/// The loop splits lazily: only when a heartbeat arrives does it cut what is left in two
/// and share one half, so there is no grain size to tune.
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use metronome_runtime::{par_for_each, ThreadPool};
///
/// let pool = ThreadPool::builder().workers(2).build().unwrap();
/// let mut data = vec![1u64; 1000];
/// let sum = AtomicUsize::new(0);
/// pool.install(|| {
///     par_for_each(&mut data[..], |x| *x += 1);
///     par_for_each(&data[..], |x| { sum.fetch_add(*x as usize, Ordering::Relaxed); });
///     par_for_each(0..10, |i| { sum.fetch_add(i, Ordering::Relaxed); });
/// });
/// assert_eq!(sum.into_inner(), 2000 + 45);
/// ```
pub fn par_for_each<S, F>(source: S, f: F)
where
    S: ParSource,
    F: Fn(S::Item) + Sync + Send,
{
    if route::on_fiber() {
        return route::par_for_each_on_fiber(source, &f);
    }
    par_for_each::run(source, &f);
}

/// Calls `f` on consecutive chunks of `source` (sub-slices, sub-ranges) that together
/// hold every item once, in parallel on the current pool, as one chunk outside any pool.
///
/// As [`par_for_each`], but the body walks a whole chunk in its own loop (the loop it
/// would write for one thread, which the compiler can vectorise), so an item costs
/// what it costs in a sequential loop. Chunks are cut at heartbeats; how many and how
/// long depends on timing, never what the items are.
///
/// ```
/// use metronome_runtime::exec::par_for_each_chunk;
/// use metronome_runtime::ThreadPool;
///
/// let pool = ThreadPool::builder().workers(2).build().unwrap();
/// let mut data = vec![1u64; 10_000];
/// pool.install(|| {
///     par_for_each_chunk(&mut data[..], |chunk: &mut [u64]| {
///         for x in chunk {
///             *x *= 3;
///         }
///     })
/// });
/// assert!(data.iter().all(|&x| x == 3));
/// ```
pub fn par_for_each_chunk<S, F>(source: S, f: F)
where
    S: ParSource,
    F: Fn(S) + Sync + Send,
{
    if crate::continuation::on_fiber() {
        let chunks = par_for_each::Chunks::new(source, par_for_each::FIBER_CHUNK);
        return crate::continuation::par_for_each(chunks, &f);
    }
    par_for_each::run_chunks(source, &f);
}
