//! A fiber of a continuation pool that installs into another pool: it suspends until
//! the job is done instead of blocking its worker thread, so its pool keeps running
//! (the job may need it: `A.install(|| B.install(|| A.install(..)))`). The setter, a
//! thread of the other pool, cannot resume the fiber itself (a fiber runs only on its
//! own pool's workers), so it queues it on its pool (`Registry::resume_later`), where
//! any worker resumes it. See `README.md`, "Installing into another pool".

use std::ptr;
use std::sync::Arc;

use crate::exec::job::{self, JobRef, StackJob};
use crate::exec::latch::Latch;

use super::join::{share_private_jobs, wait};
use super::latch::{FiberLatch, Handoff};
use super::current;
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
        CrossFiberLatch {
            handoff: FiberLatch::new(),
            registry: Arc::clone(&ctx.worker().registry),
        },
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
pub(crate) struct CrossFiberLatch {
    handoff: FiberLatch,
    registry: Arc<Registry>,
}

impl Latch for CrossFiberLatch {
    unsafe fn set(this: *const Self) {
        // SAFETY: `*this` is live until the swap in `Handoff::set` (trait contract).
        let parked = unsafe { Handoff::set(ptr::addr_of!((*this).handoff)) };
        if let Some(fiber) = parked {
            // The fiber waits for this latch in its own frame and cannot run before we
            // queue it, so `*this` is still live: take our own reference to its
            // registry first, since once queued, the fiber may resume, return and drop
            // the latch's (and its pool may be dropped) while we notify.
            // SAFETY: see above.
            let registry = unsafe { Arc::clone(&(*this).registry) };
            registry.resume_later(fiber);
        }
    }
}
