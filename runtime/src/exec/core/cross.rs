//! `install` into a pool from a thread that is not one of its workers: how the caller
//! waits depends on what the calling thread is (see `README.md`, "Installing across
//! pools").
//!
//! - A worker of a heartbeat pool (`ThreadPool`, `NumaPool`) waits like a join whose
//!   second job was stolen: it runs its own pool's jobs until the job's [`CrossLatch`]
//!   is set, and the setter (a thread of the other pool) wakes it through its pool's
//!   `Sleep`.
//! - A fiber of a `ContinuationPool` suspends until the job is done; its worker goes on
//!   with its pool's work (`continuation::run_elsewhere`).
//! - Any other thread blocks on a `LockLatch`.
//!
//! `route::run_elsewhere` tells them apart; this file has the heartbeat worker's way.
//!
//! So a worker never blocks its own pool while the job it waits for needs that pool
//! (`A.install(|| B.install(|| A.install(..)))` with one worker each).

use std::sync::Arc;

use super::registry::{Registry, WorkerThread};
use crate::exec::job::{JobRef, StackJob};
use crate::exec::latch::{CoreLatch, Latch};
use crate::exec::sleep::Sleep;

/// Runs `f` as a job that `queue` hands to another pool, from `worker`, a worker of a
/// heartbeat pool (see `route::run_elsewhere`): shares the worker's private jobs (the
/// second closures of the joins it is inside of), then waits for the job's latch while
/// running its pool's jobs (or sleeping in that pool's `Sleep`, from which the setter
/// wakes it), and returns the job's result or resumes its panic.
pub(crate) fn run_from_worker<R: Send>(
    worker: &WorkerThread,
    f: impl FnOnce() -> R + Send,
    queue: impl FnOnce(JobRef),
) -> R {
    worker.share_private_jobs();
    let job = StackJob::new(f, CrossLatch::new(worker));
    // SAFETY: we leave this frame only after `wait_until` saw the latch set (it never
    // unwinds: every job it runs catches its own panics), so the job outlives its run.
    let job_ref = unsafe { job.as_job_ref() };
    queue(job_ref);
    worker.wait_until(&job.latch.core);
    // SAFETY: the latch is set, observed with acquire by `wait_until`'s `probe`.
    unsafe { job.into_result() }.into_return_value()
}

/// The latch of a job that a worker of a heartbeat pool waits for while another pool
/// runs it.
///
/// Unlike a [`WorkerLatch`](super::latch::WorkerLatch), whose setter is a worker of the
/// same pool (and so holds that pool's `Registry`, and its `Sleep`, alive), the setter
/// here belongs to another pool: the waiter may return, and its pool be dropped, as soon
/// as the state word reads `SET`. So the latch holds the waiter's `Registry`, and the
/// setter clones it *before* setting the state and wakes the waiter through its clone.
///
/// ## Memory ordering
///
/// That of [`CoreLatch`]: the setter's `AcqRel` swap publishes the job's result, the
/// waiter's `Acquire` probe reads it; `arm` and `disarm` (the waiter, around parking)
/// are ordered with the swap on the same word, so a setter that sees `SLEEPING` wakes
/// the waiter's parker, whose token is not lost if it comes before the park.
pub(crate) struct CrossLatch<P = Arc<Registry>> {
    pub(crate) core: CoreLatch,
    owner: usize,
    registry: P,
}

/// What a [`CrossLatch`] holds of its waiter's pool: a counted reference (the pool's
/// `Arc<Registry>`) that the setter clones before it sets the latch, and through which
/// it reaches the pool's `Sleep`. Generic so that loom can check the protocol with a
/// pool that has only a `Sleep` (`exec/loom_tests/`); the pool's own latch is
/// `CrossLatch<Arc<Registry>>`.
pub(crate) trait WaiterPool: Clone {
    /// The sleep state of the waiter's pool.
    fn sleep(&self) -> &Sleep;
}

impl WaiterPool for Arc<Registry> {
    #[inline(always)]
    fn sleep(&self) -> &Sleep {
        &self.sleep
    }
}

impl CrossLatch {
    /// A latch that `worker` waits for.
    fn new(worker: &WorkerThread) -> Self {
        CrossLatch::with_pool(worker.index, Arc::clone(&worker.registry))
    }
}

impl<P: WaiterPool> CrossLatch<P> {
    /// A latch that worker `owner` of `registry`'s pool waits for.
    pub(crate) fn with_pool(owner: usize, registry: P) -> Self {
        CrossLatch {
            core: CoreLatch::new(),
            owner,
            registry,
        }
    }
}

impl<P: WaiterPool> Latch for CrossLatch<P> {
    unsafe fn set(this: *const Self) {
        // SAFETY: `*this` is live until the state reads `SET` (trait contract): read what
        // we need, and take our own reference to the waiter's registry, before setting.
        let (registry, owner) = unsafe { (P::clone(&(*this).registry), (*this).owner) };
        // SAFETY: as above; after this call `*this` is not touched again.
        if unsafe { (*this).core.set() } {
            registry.sleep().wake_worker(owner);
        }
    }
}
