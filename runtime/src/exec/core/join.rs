//! `join` on a worker: the hot path of the executor.
//!
//! 1. Compare the private stack's `top` with the worker's *limit* (one `Relaxed` load):
//!    the limit is `PRIVATE_JOBS` slots above `bottom` (at most the stack's end), or
//!    `HEARTBEAT_RAISED` (above every slot) while a heartbeat is pending. Below a real
//!    limit, record `b` (steps 2-4); below the raised one, go to `join_cold`, which records
//!    `b` and promotes. At or above the limit (so no heartbeat is pending), enough jobs
//!    are private already: call `a` then `b`, recording nothing (a heartbeat shares the
//!    oldest private job, never this one before those), except at every
//!    `SAMPLE_EVERY`-th such join, which records `b` anyway so that a long chain of joins
//!    (a spine) still offers a job now and then. This unrecorded branch, most joins of a
//!    deep recursion, costs the compare and a countdown (`sample_join`).
//! 2. Wrap `b` in a [`StackJob`] in this frame and push its `JobRef` on the worker's
//!    *private* stack (two stores through `top` and its bump; no atomics).
//! 3. Run `a`. No `catch_unwind`: a guard that only runs if `a` unwinds pops or reclaims
//!    `b` (`join_unwind`), so the normal path pays nothing for panics.
//! 4. If `b`'s slot is still private (`bottom <= slot`), pop it and call `b` inline:
//!    nobody else ever saw it. Otherwise it was promoted: take it back from the deque if
//!    no thief took it, or help with other work until its latch is set (`reclaim`).

use std::mem;

use super::registry::{PrivateJobSlot, WorkerThread, HEARTBEAT_RAISED};
use crate::exec::job::StackJob;
use crate::exec::latch::{CoreLatch, WorkerLatch};

impl WorkerThread {
    /// Runs `a` and `b`, potentially in parallel; see the module docs.
    #[inline(always)]
    pub(crate) fn join<A, B, RA, RB>(&self, a: A, b: B) -> (RA, RB)
    where
        A: FnOnce() -> RA + Send,
        B: FnOnce() -> RB + Send,
        RA: Send,
        RB: Send,
    {
        let limit = self.limit();
        // `top` is read for this compare only (`join_recorded` and `join_cold` read it
        // again), so the compare takes it from memory: one load fewer on every join.
        if (self.top.get() as usize) < limit {
            // SAFETY: `limit` is `self.limit()` and `top < limit`, as just compared.
            return unsafe { self.join_recorded(limit, a, b) };
        }
        if !self.sample_join() {
            // Enough private jobs already (or the stack is full), and no heartbeat (a
            // raised flag is above every slot, so it never gets here): `b` could only be
            // shared after the older private jobs, so it is not recorded.
            return (a(), b());
        }
        self.join_cold(a, b)
    }

    /// A join whose `top` is below `limit` (the limit `join` compared it with): records
    /// `b` (`join_at`), or, if the limit is the raised flag, goes to `join_cold` to
    /// promote. Reads `top` again: only this thread writes it, and nothing ran since the
    /// compare.
    ///
    /// Out of line (but not cold: the top joins of every recursion come here): the
    /// frame of the caller, where most joins of a deep recursion run their closures
    /// unrecorded, then holds no job and saves fewer registers (callgrind figures in
    /// `benches/RESULTS.md`, issue 11 item 3).
    ///
    /// # Safety
    ///
    /// `limit` was read by `self.limit()`, and `self.top < limit`.
    #[inline(never)]
    unsafe fn join_recorded<A, B, RA, RB>(&self, limit: usize, a: A, b: B) -> (RA, RB)
    where
        A: FnOnce() -> RA + Send,
        B: FnOnce() -> RB + Send,
        RA: Send,
        RB: Send,
    {
        if limit == HEARTBEAT_RAISED {
            // A heartbeat is pending (`HEARTBEAT_RAISED` is above every slot).
            return self.join_cold(a, b);
        }
        let slot = self.top.get();
        // SAFETY: `slot == top`, and `top < limit` (the caller's guarantee); a limit other
        // than `HEARTBEAT_RAISED` is at most `end` (`limit_for`; only this thread stores
        // one, so it is the limit as of now).
        unsafe { self.join_at(slot, a, b, false) }
    }

    /// A join whose `top` reached the limit and that must not simply run serially: the
    /// heartbeat is pending, or this is a sampled join (`sample_join`), with a free slot
    /// or a full stack.
    #[cold]
    #[inline(never)]
    fn join_cold<A, B, RA, RB>(&self, a: A, b: B) -> (RA, RB)
    where
        A: FnOnce() -> RA + Send,
        B: FnOnce() -> RB + Send,
        RA: Send,
        RB: Send,
    {
        let slot = self.top.get();
        let heartbeat = self.heartbeat_pending();
        if slot < self.end {
            // SAFETY: `slot < end`: a free slot of the private stack.
            return unsafe { self.join_at(slot, a, b, heartbeat) };
        }
        // The private stack is full: this join is deeper than anything a heartbeat would
        // share before its ancestors; run it serially, but spend the heartbeat so that
        // `par_for_each` does not split forever.
        if heartbeat {
            self.promote();
        }
        (a(), b())
    }

    /// Pushes `b` at `slot`, promotes the oldest private job if `promote`, runs `a`, then
    /// runs or reclaims `b`.
    ///
    /// # Safety
    ///
    /// `slot == self.top` and `slot < self.end`.
    #[inline(always)]
    unsafe fn join_at<A, B, RA, RB>(
        &self,
        slot: *const PrivateJobSlot,
        a: A,
        b: B,
        promote: bool,
    ) -> (RA, RB)
    where
        A: FnOnce() -> RA + Send,
        B: FnOnce() -> RB + Send,
        RA: Send,
        RB: Send,
    {
        let job = StackJob::new(b, WorkerLatch::unbound());
        // SAFETY: `job` stays in this frame, and we do not leave the frame before the job
        // ran or was taken back: below after `a` returns, in `JoinGuard::drop` if it
        // unwinds.
        let job_ref = unsafe { job.as_job_ref() };
        // SAFETY: `slot` is a free slot of the private stack (caller's guarantee), which
        // only this thread touches; `slot + 1 <= end`.
        unsafe {
            (*slot).set(Some(job_ref));
            self.top.set(slot.add(1));
        }
        if promote {
            self.promote();
        }
        let guard = JoinGuard {
            worker: self,
            slot,
            job: &job,
        };
        let value_a = a();
        mem::forget(guard);
        if self.bottom.get() <= slot {
            // Still private: nobody else can see the job. Pop it.
            self.top.set(slot);
            // SAFETY: the job was never shared.
            let b = unsafe { job.take_func() };
            return (value_a, b());
        }
        (value_a, self.join_promoted(slot, &job))
    }

    /// The second half of a join whose `b` was promoted to the shared deque.
    #[cold]
    #[inline(never)]
    fn join_promoted<B, RB>(
        &self,
        slot: *const PrivateJobSlot,
        job: &StackJob<WorkerLatch, B, RB>,
    ) -> RB
    where
        B: FnOnce() -> RB + Send,
        RB: Send,
    {
        if self.reclaim(slot, job_id(job), &job.latch.core) {
            // SAFETY: `reclaim` popped its only `JobRef` from our own deque.
            let b = unsafe { job.take_func() };
            return b();
        }
        // SAFETY: the latch is set (observed with acquire by `probe`), so the thief has
        // finished with the job and published its result.
        unsafe { job.take_result() }.into_return_value()
    }

    /// `a` of the join at `slot` is unwinding: pop `b` and drop it unrun, or, if it was
    /// promoted, take it back (and drop it) or wait until its thief finished it (and drop
    /// its result, even a second panic: `a`'s panic wins). Only then may the unwinding
    /// leave the frame that holds the job.
    #[cold]
    #[inline(never)]
    fn join_unwind<B, RB>(&self, slot: *const PrivateJobSlot, job: &StackJob<WorkerLatch, B, RB>)
    where
        B: FnOnce() -> RB + Send,
        RB: Send,
    {
        // The joins nested in `a` popped their own slots while unwinding, so `top` is
        // `slot + 1`, as after a normal return.
        if self.bottom.get() <= slot {
            self.top.set(slot);
            // SAFETY: the job was never shared.
            drop(unsafe { job.take_func() });
        } else if self.reclaim(slot, job_id(job), &job.latch.core) {
            // SAFETY: `reclaim` popped its only `JobRef` from our own deque.
            drop(unsafe { job.take_func() });
        } else {
            // SAFETY: the latch is set (acquire), so the thief published its result.
            drop(unsafe { job.take_result() });
        }
    }

    /// After `a`, for the join at `slot` whose job `id` was promoted: every private job
    /// above it was popped by the joins nested in `a`, and it and everything below it were
    /// promoted, so the stack is empty from `slot` up. Pops our deque until the job comes
    /// back (returns `true`: nobody stole it) or, once the deque is empty, helps with other
    /// work until `latch` is set (returns `false`).
    fn reclaim(&self, slot: *const PrivateJobSlot, id: *const (), latch: &CoreLatch) -> bool {
        self.top.set(slot);
        self.bottom.set(slot);
        self.lower_limit_after_reclaim();
        while !latch.probe() {
            match self.deque.pop() {
                Some(popped) if popped.id() == id => return true,
                // An older promoted job (ours was stolen, since newer jobs sit above
                // older ones): help with it while the thief finishes ours.
                // SAFETY: popped from our deque just now.
                Some(other) => unsafe { self.execute(other) },
                None => self.wait_until(latch),
            }
        }
        false
    }
}

/// The identity of a `StackJob`'s `JobRef`: its address.
fn job_id<B, RB>(job: &StackJob<WorkerLatch, B, RB>) -> *const () {
    (job as *const StackJob<WorkerLatch, B, RB>).cast()
}

/// Runs `join_unwind` if `a` unwinds; forgotten when `a` returns.
struct JoinGuard<'a, B, RB>
where
    B: FnOnce() -> RB + Send,
    RB: Send,
{
    worker: &'a WorkerThread,
    slot: *const PrivateJobSlot,
    job: &'a StackJob<WorkerLatch, B, RB>,
}

impl<B, RB> Drop for JoinGuard<'_, B, RB>
where
    B: FnOnce() -> RB + Send,
    RB: Send,
{
    fn drop(&mut self) {
        self.worker.join_unwind(self.slot, self.job);
    }
}
