//! [`BuildError`]: why a pool could not be built.

use std::fmt;
use std::io;

/// Why [`ThreadPoolBuilder::build`](crate::exec::ThreadPoolBuilder::build) failed.
///
/// ```
/// use metronome_runtime::{BuildError, ThreadPool};
///
/// let err = ThreadPool::builder().local_queue_size(100).build().unwrap_err();
/// assert!(matches!(err, BuildError::QueueSizeNotPowerOfTwo { requested: 100 }));
/// assert_eq!(err.to_string(), "`local_queue_size(100)` must be a power of two; try 128");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// `workers(0)`.
    NoWorkers,
    /// More workers than [`MAX_WORKERS`](crate::exec::MAX_WORKERS).
    TooManyWorkers {
        /// The number asked for.
        requested: usize,
    },
    /// A `local_queue_size` that is not a power of two (zero included).
    QueueSizeNotPowerOfTwo {
        /// The size asked for.
        requested: usize,
    },
    /// A zero heartbeat interval.
    ZeroHeartbeat,
    /// A world's `with_workers` on a world declared `executor = sequential`, which runs
    /// everything on the calling thread and has no workers to set.
    SequentialWorld,
    /// The operating system refused to start a thread.
    Spawn {
        /// The index of the worker (or `workers` for the heartbeat thread).
        worker: usize,
        /// The error from `std::thread::Builder::spawn`.
        source: io::Error,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::NoWorkers => write!(
                f,
                "a thread pool needs at least one worker, got `workers(0)`"
            ),
            BuildError::TooManyWorkers { requested } => write!(
                f,
                "`workers({requested})` is more than the maximum of {}",
                super::MAX_WORKERS
            ),
            BuildError::QueueSizeNotPowerOfTwo { requested } => {
                let suggestion = match requested.checked_next_power_of_two() {
                    Some(0 | 1) | None => super::DEFAULT_LOCAL_QUEUE_SIZE,
                    Some(next) => next,
                };
                write!(
                    f,
                    "`local_queue_size({requested})` must be a power of two; try {suggestion}"
                )
            }
            BuildError::ZeroHeartbeat => {
                write!(
                    f,
                    "`heartbeat` must be longer than zero; try `Duration::from_micros(100)`"
                )
            }
            BuildError::SequentialWorld => write!(
                f,
                "this world is declared `executor = sequential` and has no workers to set; declare `executor = work_stealing(workers = auto)` to choose the count at run time"
            ),
            BuildError::Spawn { worker, source } => {
                write!(f, "failed to spawn thread {worker} of the pool: {source}")
            }
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::Spawn { source, .. } => Some(source),
            _ => None,
        }
    }
}
