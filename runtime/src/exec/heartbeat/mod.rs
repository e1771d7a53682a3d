//! [`ThreadPool`] and its builder: the heartbeat executor core (`exec/core`) with its
//! own policy, random victims and no pinning.

use std::fmt;
use std::time::Duration;

use super::core::{executor_via_core, CoreConfig, PoolCore, Threads};
use super::error::BuildError;
use super::par_for_each::ParSource;

/// Configures and builds a [`ThreadPool`]; start with [`ThreadPool::builder`].
///
/// ```
/// use std::time::Duration;
/// use metronome_runtime::ThreadPool;
///
/// let pool = ThreadPool::builder()
///     .workers(2)
///     .heartbeat(Duration::from_micros(100))
///     .local_queue_size(256)
///     .thread_name(|i| format!("sim-{i}"))
///     .build()
///     .unwrap();
/// assert_eq!(pool.workers(), 2);
/// ```
pub struct ThreadPoolBuilder {
    config: CoreConfig,
    stack_size: Option<usize>,
}

impl fmt::Debug for ThreadPoolBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPoolBuilder")
            .field("workers", &self.config.pool.workers)
            .field("heartbeat", &self.config.heartbeat)
            .field("local_queue_size", &self.config.pool.local_queue_size)
            .field("stack_size", &self.stack_size)
            .field("thread_name", &self.config.pool.thread_name_debug())
            .finish()
    }
}

impl Default for ThreadPoolBuilder {
    /// Same as [`ThreadPool::builder`].
    fn default() -> Self {
        ThreadPoolBuilder {
            config: CoreConfig::default(),
            stack_size: None,
        }
    }
}

impl ThreadPoolBuilder {
    /// Number of worker threads, `1..=`[`MAX_WORKERS`](super::MAX_WORKERS). Default: the
    /// machine's available parallelism (1 if unknown).
    ///
    /// ```
    /// use metronome_runtime::ThreadPool;
    /// assert!(ThreadPool::builder().workers(0).build().is_err());
    /// ```
    pub fn workers(mut self, workers: usize) -> Self {
        self.config.pool.workers = Some(workers);
        self
    }

    /// Interval between heartbeats, i.e. how often each busy worker shares its oldest
    /// private job. Default: [`DEFAULT_HEARTBEAT`](super::DEFAULT_HEARTBEAT). Must not be zero.
    ///
    /// ```
    /// use std::time::Duration;
    /// use metronome_runtime::ThreadPool;
    /// let pool = ThreadPool::builder().workers(1).heartbeat(Duration::from_micros(50)).build();
    /// assert!(pool.is_ok());
    /// ```
    pub fn heartbeat(mut self, interval: Duration) -> Self {
        self.config.heartbeat = interval;
        self
    }

    /// Capacity of each worker's private job stack: joins nested deeper than this run
    /// serially (they are never the oldest job, so never shared first). A power of two.
    /// Default: [`DEFAULT_LOCAL_QUEUE_SIZE`](super::DEFAULT_LOCAL_QUEUE_SIZE).
    ///
    /// ```
    /// use metronome_runtime::ThreadPool;
    /// assert!(ThreadPool::builder().local_queue_size(64).build().is_ok());
    /// ```
    pub fn local_queue_size(mut self, size: usize) -> Self {
        self.config.pool.local_queue_size = size;
        self
    }

    /// Names worker `i` by `name(i)`. Default: `metronome-{i}`. The heartbeat thread is
    /// named `metronome-hb`.
    ///
    /// ```
    /// use metronome_runtime::ThreadPool;
    /// let pool = ThreadPool::builder().workers(1).thread_name(|i| format!("w{i}")).build().unwrap();
    /// let name = || std::thread::current().name().map(str::to_owned);
    /// // From a thread of no pool, `install` runs `f` on the caller (which takes part);
    /// // from a worker of another pool, on one of this pool's workers.
    /// let other = metronome_runtime::ThreadPool::builder().workers(1).build().unwrap();
    /// assert_eq!(other.install(|| pool.install(name)).as_deref(), Some("w0"));
    /// ```
    pub fn thread_name(mut self, name: impl Fn(usize) -> String + Send + Sync + 'static) -> Self {
        self.config.pool.set_thread_name(name);
        self
    }

    /// Stack size of each worker thread in bytes. Default: the standard library's.
    ///
    /// ```
    /// use metronome_runtime::ThreadPool;
    /// assert!(ThreadPool::builder().workers(1).stack_size(8 << 20).build().is_ok());
    /// ```
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = Some(bytes);
        self
    }

    /// Validates the configuration and starts the threads.
    ///
    /// ```
    /// use metronome_runtime::ThreadPool;
    /// let err = ThreadPool::builder().workers(2000).build().unwrap_err();
    /// assert_eq!(err.to_string(), "`workers(2000)` is more than the maximum of 1024");
    /// ```
    pub fn build(self) -> Result<ThreadPool, BuildError> {
        let workers = self.config.validate()?;
        let threads = Threads {
            worker_prefix: "metronome-",
            heartbeat_name: "metronome-hb",
            stack_size: self.stack_size,
        };
        let core = PoolCore::start(&self.config, workers, None, threads, |_| || ())?;
        Ok(ThreadPool { core })
    }
}

/// A heartbeat work-stealing thread pool.
///
/// `join` pushes its second closure on a worker-private stack; every heartbeat (see
/// [`ThreadPoolBuilder::heartbeat`]) a busy worker moves its oldest private job to its
/// shared deque, where idle workers steal it. Idle workers park, and so does the heartbeat
/// thread while every worker is idle. Dropping the pool joins its threads.
///
/// ```
/// use metronome_runtime::{join, ThreadPool};
///
/// fn fib(n: u64) -> u64 {
///     if n < 2 {
///         return n;
///     }
///     let (a, b) = join(|| fib(n - 1), || fib(n - 2));
///     a + b
/// }
///
/// let pool = ThreadPool::builder().workers(2).build().unwrap();
/// assert_eq!(pool.install(|| fib(20)), 6765);
/// ```
pub struct ThreadPool {
    core: PoolCore,
}

impl fmt::Debug for ThreadPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPool")
            .field("workers", &self.workers())
            .finish_non_exhaustive()
    }
}

impl ThreadPool {
    /// A builder with the default configuration.
    ///
    /// ```
    /// use metronome_runtime::ThreadPool;
    /// let pool = ThreadPool::builder().build().unwrap();
    /// assert!(pool.workers() >= 1);
    /// ```
    pub fn builder() -> ThreadPoolBuilder {
        ThreadPoolBuilder::default()
    }

    /// Runs `f` in this pool and returns its result; `join`, `scope` and
    /// `par_for_each` inside `f` use this pool. A panic in `f` resumes here.
    ///
    /// - From one of this pool's workers: runs `f` directly.
    /// - From a thread of no pool (a game's main thread): runs `f` on the calling
    ///   thread, which takes part in the pool meanwhile as a *guest*: it has a worker's
    ///   private stack, deque and heartbeat flag, so the workers steal what it shares at
    ///   the heartbeats, and it helps with their jobs while it waits for a stolen one.
    ///   Entering costs about what a `join` costs and wakes nobody: a short `f` runs on
    ///   the caller alone. A pool has two guest slots; when both are taken, the caller
    ///   queues `f` and blocks until a worker ran it.
    /// - From a worker of another pool: queues `f` and keeps running its own pool's jobs
    ///   until `f` finished (so `a.install(|| b.install(|| a.install(..)))` returns even
    ///   with one worker each).
    ///
    /// ```
    /// use metronome_runtime::ThreadPool;
    /// let pool = ThreadPool::builder().workers(2).build().unwrap();
    /// let data = vec![1, 2, 3];
    /// assert_eq!(pool.install(|| data.iter().sum::<i32>()), 6);
    /// // The caller takes part: `f` runs on it.
    /// let caller = std::thread::current().id();
    /// assert_eq!(pool.install(|| std::thread::current().id()), caller);
    /// ```
    pub fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        self.core.install(f)
    }

    /// Number of worker threads.
    ///
    /// ```
    /// use metronome_runtime::ThreadPool;
    /// assert_eq!(ThreadPool::builder().workers(3).build().unwrap().workers(), 3);
    /// ```
    pub fn workers(&self) -> usize {
        self.core.workers()
    }

    /// [`par_for_each`](crate::exec::par_for_each) on this pool.
    ///
    /// ```
    /// use metronome_runtime::ThreadPool;
    /// let pool = ThreadPool::builder().workers(2).build().unwrap();
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
}

executor_via_core!(ThreadPool);

impl ThreadPool {
    /// Begins a world's tick on this pool: until the guard drops, the workers poll
    /// instead of parking and the heartbeat thread rests (`exec/core/tick.rs`).
    pub(crate) fn begin_tick(&self) -> crate::exec::core::tick::TickActivity {
        self.core.begin_tick()
    }
}
