//! What the three pool builders ([`ThreadPoolBuilder`](crate::ThreadPoolBuilder),
//! [`NumaPoolBuilder`](crate::NumaPoolBuilder),
//! [`ContinuationPoolBuilder`](crate::ContinuationPoolBuilder)) share: the settings they
//! all take ([`PoolConfig`]), their validation, and starting named threads.

use std::thread::{self, JoinHandle};
use std::time::Duration;

use super::error::BuildError;
use super::{DEFAULT_LOCAL_QUEUE_SIZE, MAX_WORKERS};

/// Names worker `i` of a pool.
type ThreadName = Box<dyn Fn(usize) -> String + Send + Sync + 'static>;

/// The settings every pool builder has: worker count, private queue size, thread names.
pub(crate) struct PoolConfig {
    /// `None`: the machine's available parallelism.
    pub(crate) workers: Option<usize>,
    pub(crate) local_queue_size: usize,
    /// `None`: the pool's default prefix followed by the worker's index.
    pub(crate) thread_name: Option<ThreadName>,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            workers: None,
            local_queue_size: DEFAULT_LOCAL_QUEUE_SIZE,
            thread_name: None,
        }
    }
}

impl PoolConfig {
    /// Sets the thread names (`name(i)` for worker `i`).
    pub(crate) fn set_thread_name(
        &mut self,
        name: impl Fn(usize) -> String + Send + Sync + 'static,
    ) {
        self.thread_name = Some(Box::new(name));
    }

    /// Whether a thread-name function was set (for the builders' `Debug`).
    pub(crate) fn thread_name_debug(&self) -> Option<&'static str> {
        self.thread_name.as_ref().map(|_| "..")
    }

    /// Checks the worker count and the private queue size, in that order, and returns the
    /// worker count (the machine's available parallelism, at most [`MAX_WORKERS`], if none
    /// was set).
    pub(crate) fn validate(&self) -> Result<usize, BuildError> {
        let workers = self.workers.unwrap_or_else(|| {
            thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(MAX_WORKERS)
        });
        if workers == 0 {
            return Err(BuildError::NoWorkers);
        }
        if workers > MAX_WORKERS {
            return Err(BuildError::TooManyWorkers { requested: workers });
        }
        if !self.local_queue_size.is_power_of_two() {
            return Err(BuildError::QueueSizeNotPowerOfTwo {
                requested: self.local_queue_size,
            });
        }
        Ok(workers)
    }

    /// Starts one thread per element of `deques`: worker `index` is named by the
    /// configured names (else `{default_prefix}{index}`), gets a `stack_size`-byte stack
    /// if given, and runs `start(index, deque)`. Pushes each handle on `threads` as soon as
    /// it runs, so that a pool dropped after a failed spawn joins the ones that started.
    pub(crate) fn spawn_workers<D, F>(
        &self,
        deques: Vec<D>,
        default_prefix: &str,
        stack_size: Option<usize>,
        threads: &mut Vec<JoinHandle<()>>,
        mut start: impl FnMut(usize, D) -> F,
    ) -> Result<(), BuildError>
    where
        F: FnOnce() + Send + 'static,
    {
        for (index, deque) in deques.into_iter().enumerate() {
            let name = match &self.thread_name {
                Some(name) => name(index),
                None => format!("{default_prefix}{index}"),
            };
            threads.push(spawn(index, name, stack_size, start(index, deque))?);
        }
        Ok(())
    }
}

/// `Err(ZeroHeartbeat)` for a zero heartbeat interval.
pub(crate) fn check_heartbeat(interval: Duration) -> Result<(), BuildError> {
    if interval.is_zero() {
        return Err(BuildError::ZeroHeartbeat);
    }
    Ok(())
}

/// Starts thread number `index` of a pool (a worker's index, or the worker count for the
/// heartbeat thread) named `name`, with a `stack_size`-byte stack if given, running `f`.
pub(crate) fn spawn(
    index: usize,
    name: String,
    stack_size: Option<usize>,
    f: impl FnOnce() + Send + 'static,
) -> Result<JoinHandle<()>, BuildError> {
    let builder = thread::Builder::new().name(name);
    let builder = match stack_size {
        Some(bytes) => builder.stack_size(bytes),
        None => builder,
    };
    builder.spawn(f).map_err(|source| BuildError::Spawn {
        worker: index,
        source,
    })
}
