//! `join` on a fiber: work-first, with the continuation exposed lazily.
//!
//! 1. Wrap `b` (the head of the parent's continuation) in a [`StackJob`] in this frame
//!    and push it on the *fiber's* private ring (no atomics). If the ring is full, its
//!    oldest job spills to the worker's shared deque first.
//! 2. If an idle worker asked for work (one `Relaxed` load), share the *oldest* private
//!    job: push it to the worker's shared deque.
//! 3. Run the child `a` at once.
//! 4. If `b` is still private, pop it and call it inline: nobody else ever saw it.
//!    Otherwise it was shared: take it back from the deque if nobody stole it; if it was
//!    stolen, *suspend this fiber* (the rest of the parent after the join) in `b`'s latch.
//!    The worker goes on with other work; whoever finishes `b` resumes the fiber, on its
//!    own thread. The last of the two branches to finish continues after the join.

use std::panic::{self, AssertUnwindSafe};

use crate::exec::job::{JobRef, StackJob};

use super::latch::FiberLatch;
use super::stack::FiberCtx;

/// Runs `a` and `b` on the fiber whose context is `ctx`; see the module docs.
#[inline(always)]
pub(crate) fn join<A, B, RA, RB>(ctx: &FiberCtx, a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    let depth = ctx.top.get();
    if depth - ctx.bottom.get() == ctx.capacity() && spill_oldest(ctx) {
        return (a(), b());
    }
    let job = StackJob::new(b, FiberLatch::new());
    // SAFETY: `job` stays in this frame, and we do not leave the frame before the job ran
    // or was taken back (both paths below), even when `a` panics.
    let job_ref = unsafe { job.as_job_ref() };
    ctx.slot(depth).set(Some(job_ref));
    ctx.top.set(depth + 1);
    if ctx.worker().requested() {
        share_oldest(ctx);
    }
    let result_a = panic::catch_unwind(AssertUnwindSafe(a));
    if ctx.bottom.get() <= depth {
        // Still private: pop it.
        ctx.top.set(depth);
        let value_a = match result_a {
            Ok(value) => value,
            // `b` never runs; the job (and its closure) drop with this frame.
            Err(payload) => panic::resume_unwind(payload),
        };
        // SAFETY: the job was never shared.
        let b = unsafe { job.take_func() };
        return (value_a, b());
    }
    join_shared(ctx, depth, &job, job_ref, result_a)
}

/// The ring is full: moves its oldest job to the shared deque to make room. Returns
/// `true` if the join must run serially instead (while a panic unwinds, nothing is
/// shared: a fiber must not migrate in the middle of an unwind).
#[cold]
#[inline(never)]
fn spill_oldest(ctx: &FiberCtx) -> bool {
    if std::thread::panicking() {
        return true;
    }
    promote(ctx);
    false
}

/// Answers a request: clears the flag and shares the oldest private job.
#[cold]
#[inline(never)]
fn share_oldest(ctx: &FiberCtx) {
    ctx.worker().clear_request();
    if !std::thread::panicking() {
        promote(ctx);
    }
}

/// Moves the oldest private job of the fiber to the current worker's shared deque.
fn promote(ctx: &FiberCtx) {
    let bottom = ctx.bottom.get();
    if bottom < ctx.top.get() {
        let job = ctx.slot(bottom).take().expect("private job slot is empty");
        ctx.bottom.set(bottom + 1);
        ctx.worker().push_shared(job);
    }
}

/// The second half of a join whose `b` was shared.
#[cold]
#[inline(never)]
fn join_shared<B, RA, RB>(
    ctx: &FiberCtx,
    depth: usize,
    job: &StackJob<FiberLatch, B, RB>,
    job_ref: JobRef,
    result_a: std::thread::Result<RA>,
) -> (RA, RB)
where
    B: FnOnce() -> RB + Send,
    RB: Send,
{
    // Every private job above ours was popped by the joins nested in `a`; ours and every
    // older one were shared, so the ring is empty from `depth` up.
    ctx.top.set(depth);
    ctx.bottom.set(depth);
    if !job.latch.probe() {
        // `a` may have suspended and resumed elsewhere: ask the context, not a cached
        // worker, where we run now.
        let worker = ctx.worker();
        match worker.pop() {
            Some(popped) if popped.id() == job_ref.id() => {
                // Nobody took it: run it inline.
                // SAFETY: we popped its only `JobRef`.
                let b = unsafe { job.take_func() };
                return match result_a {
                    Ok(value_a) => (value_a, b()),
                    Err(payload) => {
                        drop(b);
                        panic::resume_unwind(payload)
                    }
                };
            }
            // Another job (ours was stolen, or lies in the deque of a worker this fiber
            // ran on before): leave it for the scheduler, which runs it on a fresh fiber.
            Some(other) => worker.push_back(other),
            None => {}
        }
        wait(ctx, &job.latch);
    }
    // SAFETY: the latch is set (observed with acquire), so whoever ran the job is done
    // with it and published its result.
    let result_b = unsafe { job.take_result() };
    match result_a {
        Ok(value_a) => (value_a, result_b.into_return_value()),
        // `b`'s result (even a second panic) is dropped; `a`'s panic wins.
        Err(payload) => panic::resume_unwind(payload),
    }
}

/// Suspends the current fiber until `latch` is set. On return the fiber may run on
/// another worker thread.
pub(crate) fn wait(ctx: &FiberCtx, latch: &FiberLatch) {
    if latch.probe() {
        return;
    }
    let yielder = ctx.yielder.get();
    // SAFETY: the yielder lives on this fiber's stack for the fiber's whole life; we are
    // that fiber (the context came from our stack pointer).
    unsafe { (*yielder).suspend(latch) };
    // Resumed by the setter (on its thread, after its `DONE` swap) or by our scheduler
    // after a failed park (which acquired `DONE`); either way the latch is set.
    debug_assert!(latch.probe());
}
