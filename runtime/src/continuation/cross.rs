//! A fiber of a continuation pool that installs into another pool: it suspends until
//! the job is done instead of blocking its worker thread, so its pool keeps running
//! (the job may need it: `A.install(|| B.install(|| A.install(..)))`). The setter, a
//! thread of the other pool, cannot resume the fiber itself (a fiber runs only on its
//! own pool's workers), so it queues it on its pool's [`Resumable`] queue, where
//! any worker resumes it. See `README.md`, "Installing into another pool".

use std::mem::ManuallyDrop;
use std::ptr;
use std::sync::Arc;

use crate::exec::job::{self, JobRef, StackJob};
use crate::exec::latch::Latch;
use crate::exec::sleep::Sleep;
use crate::sync::{Injector, Steal};

use super::current;
use super::fiber::Fiber;
use super::join::{share_private_jobs, wait};
use super::latch::Handoff;
use super::worker::Registry;

/// Runs `f` as a job that `queue` hands to another pool and returns its result (or
/// resumes its panic). On a fiber, the fiber shares its private jobs (the heads of the
/// joins it is inside of) and suspends meanwhile; elsewhere (or while a
/// panic unwinds: a fiber must not migrate in the middle of an unwind), the thread
/// blocks.
pub(crate) fn run_elsewhere<R: Send>(
    f: impl FnOnce() -> R + Send,
    queue: impl FnOnce(JobRef),
) -> R {
    let ctx = match current::current_ctx() {
        Some(ctx) if !std::thread::panicking() => ctx,
        _ => return job::run_from_outside(f, queue),
    };
    share_private_jobs(ctx);
    let job = StackJob::new(
        f,
        CrossFiberLatch::with_pool(Arc::clone(&ctx.worker().registry)),
    );
    // SAFETY: we leave this frame only after `wait` returned, i.e. the latch is set; the
    // frame stays in place while the fiber is suspended (its stack does not move).
    let job_ref = unsafe { job.as_job_ref() };
    queue(job_ref);
    wait(ctx, &job.latch.handoff);
    // SAFETY: `wait` returns once the latch is set, observed with acquire (by this
    // fiber's scheduler, or by the setter that queued the fiber, through the queue).
    unsafe { job.into_result() }.into_return_value()
}

/// The latch of a job that a fiber of a continuation pool waits for while another pool
/// runs it: the fiber parks in `handoff` (the same protocol as a join's `FiberLatch`);
/// the setter queues it on `registry`, which the latch keeps alive for it.
///
/// ## Memory ordering
///
/// That of [`Handoff`]: the scheduler parks the fiber with a release CAS, the setter's
/// `AcqRel` swap publishes the job's result and, if it saw the fiber parked, acquires
/// it. The setter then pushes the fiber on the registry's queue of resumable fibers
/// (the queue synchronises its contents) and notifies a sleeping worker with the
/// `SeqCst` fence of `Sleep::notify_one`, the Dekker pair of a sleeper's announcement
/// and its check of that queue (`Registry::has_work`): no lost wake-up.
pub(crate) struct CrossFiberLatch<T = Fiber, P = Arc<Registry>> {
    pub(crate) handoff: Handoff<T>,
    registry: P,
}

/// What a [`CrossFiberLatch`] holds of its waiter's pool: a counted reference (the
/// pool's `Arc<Registry>`) that the setter clones before it queues the waiter, and
/// through which it reaches the pool's queue of resumable waiters and its `Sleep`.
/// Generic so that loom can check the protocol with a plain waiter and a pool that has
/// only these two (`loom_tests.rs`); the pool's own latch is
/// `CrossFiberLatch<Fiber, Arc<Registry>>`.
pub(crate) trait WaiterPool<T>: Clone {
    /// The pool's waiters to resume.
    fn resumable(&self) -> &Resumable<T>;
    /// The pool's sleep state.
    fn sleep(&self) -> &Sleep;
}

impl WaiterPool<Fiber> for Arc<Registry> {
    #[inline(always)]
    fn resumable(&self) -> &Resumable<Fiber> {
        &self.resumable
    }
    #[inline(always)]
    fn sleep(&self) -> &Sleep {
        &self.sleep
    }
}

impl<T, P: WaiterPool<T>> CrossFiberLatch<T, P> {
    /// A latch, not set, whose waiter belongs to `registry`'s pool.
    pub(crate) fn with_pool(registry: P) -> Self {
        CrossFiberLatch {
            handoff: Handoff::new(),
            registry,
        }
    }
}

impl<T, P: WaiterPool<T>> Latch for CrossFiberLatch<T, P> {
    unsafe fn set(this: *const Self) {
        // SAFETY: `*this` is live until the swap in `Handoff::set` (trait contract).
        let parked = unsafe { Handoff::set(ptr::addr_of!((*this).handoff)) };
        if let Some(waiter) = parked {
            // The waiter waits for this latch in its own frame and cannot run before we
            // queue it, so `*this` is still live: take our own reference to its
            // registry first, since once queued, the waiter may resume, return and drop
            // the latch's (and its pool may be dropped) while we notify.
            // SAFETY: see above.
            let registry = unsafe { P::clone(&(*this).registry) };
            registry.resumable().push(waiter);
            // Pairs, through its `SeqCst` fence, with a sleeper's announcement and its
            // check of the queue (`Registry::has_work`): no lost wake-up.
            registry.sleep().notify_one();
        }
    }
}

/// A pool's waiters whose wait a thread of another pool ended (an `install` into that
/// pool from a fiber of this one finished): any worker of the pool resumes them
/// (`Registry::take_resumable`). Never drops them: a waiter left over when the queue
/// goes is leaked, since dropping a suspended fiber would unwind its stack on a thread
/// that does not own it (and cannot happen in practice: the waiter's latch holds the
/// pool's registry alive).
///
/// ## Memory ordering
///
/// The queue synchronises its contents (a push happens before the steal that takes the
/// value). Emptiness checks are the two loads of `Injector::is_empty`.
pub(crate) struct Resumable<T> {
    queue: Injector<ManuallyDrop<T>>,
}

impl<T> Resumable<T> {
    /// An empty queue.
    pub(crate) fn new() -> Self {
        Resumable {
            queue: Injector::new(),
        }
    }

    /// Queues `waiter`.
    pub(crate) fn push(&self, waiter: T) {
        self.queue.push(ManuallyDrop::new(waiter));
    }

    /// Whether no waiter is queued.
    pub(crate) fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// A queued waiter, if any.
    pub(crate) fn take(&self) -> Option<T> {
        // Two loads while the queue is empty (nearly always): no fence.
        if self.queue.is_empty() {
            return None;
        }
        loop {
            match self.queue.steal() {
                Steal::Success(waiter) => return Some(ManuallyDrop::into_inner(waiter)),
                Steal::Empty => return None,
                Steal::Retry => {}
            }
        }
    }
}
