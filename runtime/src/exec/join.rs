//! `join` on a worker: the hot path of the executor.
//!
//! 1. Wrap `b` in a [`StackJob`] in this frame and push its `JobRef` on the worker's
//!    *private* stack (two stores and an index bump; no atomics).
//! 2. If the heartbeat flag is up (one `Relaxed` load), promote the *oldest* private job
//!    to the shared deque, where thieves can see it (`WorkerThread::promote`).
//! 3. Run `a`.
//! 4. If `b`'s slot is still private (`bottom <= depth`), pop it and call `b` inline:
//!    nobody else ever saw it. Otherwise it was promoted: take it back from the deque if
//!    no thief took it, or help with other work until its latch is set.

use std::panic::{self, AssertUnwindSafe};

use super::job::{JobRef, StackJob};
use super::latch::WorkerLatch;
use super::registry::WorkerThread;

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
        let depth = self.top.get();
        if depth >= self.stack.len() {
            // The private stack is full: this join is deeper than anything a heartbeat
            // would share before its ancestors; run it serially.
            if self.heartbeat_pending() {
                self.promote();
            }
            return (a(), b());
        }
        let job = StackJob::new(b, WorkerLatch::unbound());
        // SAFETY: `job` stays in this frame, and we do not leave the frame before the job
        // ran or was taken back (both paths below), even when `a` panics.
        let job_ref = unsafe { job.as_job_ref() };
        self.stack[depth].set(Some(job_ref));
        self.top.set(depth + 1);
        if self.heartbeat_pending() {
            self.promote();
        }
        let result_a = panic::catch_unwind(AssertUnwindSafe(a));
        if self.bottom.get() <= depth {
            // Still private: nobody else can see the job. Pop it.
            self.top.set(depth);
            let value_a = match result_a {
                Ok(value) => value,
                Err(payload) => {
                    // `b` never runs.
                    // SAFETY: the job was never shared.
                    drop(unsafe { job.take_func() });
                    panic::resume_unwind(payload)
                }
            };
            // SAFETY: the job was never shared.
            let b = unsafe { job.take_func() };
            return (value_a, b());
        }
        self.join_promoted(depth, &job, job_ref, result_a)
    }

    /// The second half of a join whose `b` was promoted to the shared deque.
    #[cold]
    #[inline(never)]
    fn join_promoted<B, RA, RB>(
        &self,
        depth: usize,
        job: &StackJob<WorkerLatch, B, RB>,
        job_ref: JobRef,
        result_a: std::thread::Result<RA>,
    ) -> (RA, RB)
    where
        B: FnOnce() -> RB + Send,
        RB: Send,
    {
        // Every private job above ours was popped by the joins nested in `a`; ours and
        // everything below it were promoted, so the stack is now empty from `depth` up.
        self.top.set(depth);
        self.bottom.set(depth);
        while !job.latch.core.probe() {
            match self.deque.pop() {
                Some(popped) if popped.id() == job_ref.id() => {
                    // No thief took it: it is ours again.
                    // SAFETY: we popped its only `JobRef` from our own deque.
                    let b = unsafe { job.take_func() };
                    return match result_a {
                        Ok(value_a) => (value_a, b()),
                        Err(payload) => {
                            drop(b);
                            panic::resume_unwind(payload)
                        }
                    };
                }
                // An older promoted job (ours was stolen, since newer jobs sit above
                // older ones): help with it while the thief finishes ours.
                // SAFETY: popped from our deque just now.
                Some(other) => unsafe { self.execute(other) },
                None => self.wait_until(&job.latch.core),
            }
        }
        // SAFETY: the latch is set (observed with acquire by `probe`), so the thief has
        // finished with the job and published its result.
        let result_b = unsafe { job.take_result() };
        match result_a {
            Ok(value_a) => (value_a, result_b.into_return_value()),
            // `b`'s result (even a second panic) is dropped; `a`'s panic wins.
            Err(payload) => panic::resume_unwind(payload),
        }
    }
}
