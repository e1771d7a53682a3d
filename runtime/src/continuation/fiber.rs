//! [`Fiber`]: a corosensei coroutine on a [`FiberStack`] that may migrate between
//! worker threads.

use std::ptr::NonNull;

use corosensei::{Coroutine, CoroutineResult};

use crate::exec::job::JobRef;
use crate::exec::unwind::AbortIfPanic;

use super::latch::FiberLatch;
use super::stack::{FiberCtx, FiberStack, FiberYielder};

type Co = Coroutine<(), *const FiberLatch, (), FiberStack>;

/// How a resumed fiber came back to its scheduler.
pub(crate) enum Resumed {
    /// It waits for this latch (in its own frame) to be set.
    Waiting(Fiber, *const FiberLatch),
    /// Its job finished; this is its stack back (its context may hold a handoff).
    Finished(FiberStack),
}

/// A job running on its own stack, suspendable at a join, a scope's end, or an
/// `install` into another pool.
///
/// The fiber is the *continuation* of the joins it waits at: when the other branch of
/// such a join finishes on another worker, that worker resumes the fiber (see
/// `README.md`).
pub(crate) struct Fiber {
    co: Co,
    ctx: NonNull<FiberCtx>,
}

// SAFETY: a `Coroutine` is `!Send` because values on its stack (thread-local
// references, `Rc`s shared with thread-locals, lock guards) might not tolerate running
// on another thread. A fiber is only ever suspended inside this pool's `join` or `scope`,
// or in an `install` into another pool (`cross.rs`); `FiberYielder::suspend` is called
// nowhere else (`join::wait`), and at those points
// - the executor's own frames hold no thread-bound state: every per-worker value is
//   read afresh through `FiberCtx::worker` after each resume, and the fiber's context
//   comes from the stack pointer checked against the worker's record of the running
//   fiber (`current.rs`), where a record read through a thread-local address cached
//   before a migration only sends the check to a fresh read;
// - the user's frames hold no thread-bound value either: that is the `# Safety`
//   contract of `ContinuationPoolBuilder::build`, the only way to get a pool (an
//   `unsafe fn`; a world gets one only from `executor = unsafe(continuation_stealing(..))`,
//   whose generated code calls it), and the only way to run code on a fiber;
// - the join's frames hold `Send` closures and results, and a `catch_unwind` result
//   (`Send` payload); a fiber never suspends while a panic unwinds (`join_cold`,
//   `scope_on_fiber`, and an `install` into another pool blocks its thread instead).
// The coroutine itself (stack pointer and stack) is plain data.
unsafe impl Send for Fiber {}

impl Fiber {
    /// A fiber that will execute `job` on `stack` when first resumed.
    pub(crate) fn new(stack: FiberStack, job: JobRef) -> Fiber {
        stack.reset();
        let ctx = stack.ctx();
        let ctx_addr = ctx.as_ptr() as usize;
        let co = Co::with_stack(stack, move |yielder: &FiberYielder, ()| {
            // SAFETY: the context lives at the top of this very stack.
            let ctx = unsafe { &*(ctx_addr as *const FiberCtx) };
            ctx.yielder.set(yielder);
            // Jobs catch their own panics (`StackJob`, scope jobs); one escaping here
            // would leave its latch unset forever.
            let abort = AbortIfPanic;
            // SAFETY: the job was taken out of a queue by the scheduler that built this
            // fiber, which runs it exactly once, here.
            unsafe { job.execute() };
            std::mem::forget(abort);
        });
        Fiber { co, ctx }
    }

    /// This fiber's context.
    pub(crate) fn ctx(&self) -> &FiberCtx {
        // SAFETY: the context lives in the fiber's stack, owned by `self.co`.
        unsafe { self.ctx.as_ref() }
    }

    /// Runs the fiber until it waits or finishes.
    pub(crate) fn resume(mut self) -> Resumed {
        match self.co.resume(()) {
            CoroutineResult::Yield(latch) => Resumed::Waiting(self, latch),
            CoroutineResult::Return(()) => Resumed::Finished(self.co.into_stack()),
        }
    }
}
