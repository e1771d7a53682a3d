//! `join` on a fiber: work-first, with the continuation exposed lazily.
//!
//! 1. One compare decides the fast path: `top - bottom` (the private ring's fill)
//!    against the *limit* word of the worker running the fiber, which is the ring's
//!    capacity, or `0` while an idle worker asks this one for work. So "ring full" and
//!    "request pending" cost one `Relaxed` load (through the pointer the scheduler
//!    cached in the fiber's context at resume) and one branch; both go to `join_cold`.
//! 2. Wrap `b` (the head of the parent's continuation) in a [`StackJob`] in this frame
//!    and push it on the *fiber's* private ring (no atomics). In `join_cold`, a full
//!    ring first spills its oldest job to the worker's shared deque, and a pending
//!    request is answered right after the push by sharing the *oldest* private job.
//! 3. Run the child `a` at once.
//! 4. If `b` is still private, pop it and call it inline: nobody else ever saw it.
//!    Otherwise it was shared: take it back from the deque if nobody stole it; if it was
//!    stolen, *suspend this fiber* (the rest of the parent after the join) in `b`'s latch.
//!    The worker goes on with other work; whoever finishes `b` resumes the fiber, on its
//!    own thread. The last of the two branches to finish continues after the join.

use std::mem::ManuallyDrop;
use std::panic::{self, AssertUnwindSafe};
use std::ptr;
use std::time::{Duration, Instant};

use crate::exec::job::{JobRef, StackJob};

use super::latch::FiberLatch;
use super::stack::FiberCtx;

/// How long a join whose stolen head is not finished spins on its latch before
/// suspending its fiber. Long enough for a thief to finish a small job (tree-1k: 1 023
/// nodes, about 1 µs on each of 2 workers), short next to the jobs worth suspending for.
/// Without the spin, 2 workers ran tree-1k in 2.4 µs with the former 20 µs steal grain
/// and 3.0-5.4 µs without one; with 0.5-2 µs of spin, 1.6-1.7 µs (quick runs). The
/// spin is adaptive per worker (`WorkerThread::should_spin`): where heads stay stolen
/// for long (a chain moving between workers), spinning stops paying and is skipped.
const WAIT_SPIN: Duration = Duration::from_micros(1);

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
    if depth - ctx.bottom.get() >= ctx.limit() {
        return join_cold(ctx, depth, a, b);
    }
    // The ring has a free slot at `depth` (fill below the capacity).
    join_at(ctx, depth, a, b, false)
}

/// A join whose ring is full, or whose worker was asked for work, or both.
#[cold]
#[inline(never)]
fn join_cold<A, B, RA, RB>(ctx: &FiberCtx, depth: usize, a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    let full = depth - ctx.bottom.get() >= ctx.capacity();
    if full && !ctx.worker().spills {
        // A pool of one worker: nobody could steal a spilled job (nor ask for one), so
        // run serially; deeper joins find the ring full too and run serially as well,
        // like the heartbeat pool's joins beyond its stack.
        return (a(), b());
    }
    let requested = ctx.requested();
    if full {
        if std::thread::panicking() {
            // Nothing is shared while a panic unwinds (a fiber must not migrate in the
            // middle of an unwind): run serially.
            if requested {
                answer_request(ctx);
            }
            return (a(), b());
        }
        spill_oldest(ctx);
    }
    join_at(ctx, depth, a, b, requested)
}

/// Pushes `b` at `depth` (a free slot), answers a pending request if `share`, runs `a`,
/// then runs `b` inline or, if it was shared, takes it back or waits for it.
#[inline(always)]
fn join_at<A, B, RA, RB>(ctx: &FiberCtx, depth: usize, a: A, b: B, share: bool) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    // Two bitwise copies of `b`: the job's, for a thief, and this frame's, which the
    // private path calls, so that the compiler can keep it in registers across `a`
    // instead of reading it back through the job. Exactly one copy is consumed: the
    // frame's only while the job was never shared; once it was, only the job's (run by
    // a thief, or taken back by `join_shared`), and the frame's is not touched again,
    // not even moved, since a thief may be using what it captured. Neither copy is
    // dropped implicitly (both are `ManuallyDrop`).
    let b = ManuallyDrop::new(b);
    // Unarmed: a job that stays private never touches its latch; `promote` arms it.
    // SAFETY: see above: the frame's copy is consumed only on the never-shared path,
    // where nobody can reach the job's copy.
    let job = StackJob::new(unsafe { ptr::read(&*b) }, FiberLatch::new_unarmed());
    // SAFETY: `job` stays in this frame, and we do not leave the frame before the job ran
    // or was taken back (both paths below), even when `a` panics.
    let job_ref = unsafe { job.as_job_ref() };
    ctx.slot(depth).set(Some(job_ref));
    ctx.top.set(depth + 1);
    if share {
        answer_request(ctx);
    }
    let value_a = match panic::catch_unwind(AssertUnwindSafe(a)) {
        Ok(value) => value,
        // Matched first, so that the normal path below does not merge with the landing
        // pad's (no test of `a`'s result on it).
        Err(payload) => return join_panicked(ctx, &b, &job, job_ref, payload),
    };
    // The joins nested in `a` popped their own slots (or emptied the ring from theirs up,
    // `join_shared`), so `top` is `depth + 1` again, and the job is still private iff
    // `bottom` did not pass it: `bottom < top`. Tested on the context rather than
    // against `depth`, so that `depth` need not stay in a register across `a`: this
    // path is inlined in the caller of the free `join`, whose frame the heartbeat
    // pool's join shares (one callee-saved register fewer there).
    let top = ctx.top.get();
    debug_assert_eq!(top, depth + 1);
    if ctx.bottom.get() < top {
        // Still private: pop it.
        ctx.top.set(top - 1);
        // The job was never shared: call this frame's copy of `b`; the job's copy is
        // left unconsumed.
        let b = ManuallyDrop::into_inner(b);
        return (value_a, b());
    }
    // The job was shared: from here on only its copy of `b` is used.
    join_shared(ctx, top - 1, &job, job_ref, Ok(value_a))
}

/// `a` of the join whose job is `job` (this frame's copy of its closure: `b`) panicked:
/// drops `b` unrun if the job is still private (pops it), else takes the job back or
/// waits for its thief (`join_shared`); then resumes the panic.
#[cold]
#[inline(never)]
fn join_panicked<B, RA, RB>(
    ctx: &FiberCtx,
    b: &ManuallyDrop<B>,
    job: &StackJob<FiberLatch, B, RB>,
    job_ref: JobRef,
    payload: Box<dyn std::any::Any + Send>,
) -> (RA, RB)
where
    B: FnOnce() -> RB + Send,
    RB: Send,
{
    // The joins nested in `a` popped their own slots while unwinding (each catches the
    // panic, cleans up, and resumes it), so `top` is the join's depth + 1 again.
    let top = ctx.top.get();
    if ctx.bottom.get() < top {
        ctx.top.set(top - 1);
        // SAFETY: the job was never shared, so this frame's copy is the one to consume
        // (the job's is left unconsumed), and it is consumed once: here.
        drop(unsafe { ptr::read(&**b) });
        panic::resume_unwind(payload)
    }
    // Shared: only the job's copy is used (and `b` is not touched).
    join_shared(ctx, top - 1, job, job_ref, Err(payload))
}

/// The ring is full: moves its oldest job to the shared deque to make room. Wakes a
/// sleeping worker only if one sleeps (a `Relaxed` read, no fence): a sleeper asked
/// every worker for work before it parked, so the next join of this worker answers
/// that request with a full, fenced wake-up (`answer_request`) even if this read missed
/// it. Deep recursion (the 1 000-deep spine of `unbalanced`) spills at every level, so
/// this path must not fence.
#[cold]
#[inline(never)]
fn spill_oldest(ctx: &FiberCtx) {
    if promote(ctx) {
        ctx.worker().wake_if_sleeping();
    }
}

/// Answers a request: lowers the flag (the limit is the capacity again), shares the
/// oldest private job (unless a panic unwinds), and wakes a sleeper with the fenced
/// `Sleep::notify_one`. It notifies even when nothing was shared, so that a request
/// consumed here never leaves its parked requester asleep while spilled jobs wait in
/// the deque.
#[cold]
#[inline(never)]
fn answer_request(ctx: &FiberCtx) {
    let worker = ctx.worker();
    worker.clear_request();
    if !std::thread::panicking() {
        promote(ctx);
    }
    worker.notify();
}

/// Shares every private job of the fiber, oldest first, and wakes a sleeper: before the
/// fiber suspends for what may be long (an `install` into another pool), so that its
/// pool can run them meanwhile instead of leaving them private until it resumes.
pub(crate) fn share_private_jobs(ctx: &FiberCtx) {
    let mut shared = false;
    while promote(ctx) {
        shared = true;
    }
    if shared {
        ctx.worker().notify();
    }
}

/// Moves the oldest private job of the fiber to the current worker's shared deque
/// (without waking anyone). Returns whether there was one.
fn promote(ctx: &FiberCtx) -> bool {
    let bottom = ctx.bottom.get();
    if bottom < ctx.top.get() {
        let job = ctx.slot(bottom).take().expect("private job slot is empty");
        // SAFETY: the private ring only holds the jobs of `join_at`: `repr(C)`
        // `StackJob`s whose first field is an unarmed `FiberLatch`, so the job's data
        // pointer is its latch; it is promoted once (now), and the push below publishes
        // it after the arming.
        unsafe { FiberLatch::arm(job.id().cast()) };
        ctx.bottom.set(bottom + 1);
        ctx.worker().push(job);
        return true;
    }
    false
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
            // ran on before): put it back (it stays the newest) for the scheduler, which
            // runs it on a fresh fiber.
            Some(other) => worker.push(other),
            None => {}
        }
        // A thief has it. Spin a moment before suspending: a thief that took a small job
        // is about to finish it, and resuming here costs less than suspending, taking
        // other work on a fresh fiber and being resumed later.
        if worker.should_spin() {
            let start = Instant::now();
            while !job.latch.probe() && start.elapsed() < WAIT_SPIN {
                std::hint::spin_loop();
            }
            worker.spun(job.latch.probe());
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
    // that fiber, on its own stack (`current::current_ctx` returned the context only
    // because the stack pointer lies in the stack of the fiber the worker runs).
    unsafe { (*yielder).suspend(latch) };
    // Resumed by the setter (on its thread, after its `DONE` swap) or by our scheduler
    // after a failed park (which acquired `DONE`); either way the latch is set.
    debug_assert!(latch.probe());
}
