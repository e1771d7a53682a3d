//! Which fiber the caller runs on: each worker thread's record of the fiber it resumed,
//! checked against the stack pointer.
//!
//! A worker's scheduler stores the region top of the fiber it resumes in its thread's
//! [`Record`] (and clears it when the fiber comes back). Fiber stacks are `size`-aligned
//! regions with the fiber's context at their top, so `sp | (size - 1)` is the last byte
//! of the region holding `sp` and the context lies `HEADER` bytes below its end. That
//! context is used only if the region *is* the running fiber's, that is, if the stack
//! pointer lies inside the running fiber's stack (one compare, the join's only cost
//! here). Otherwise the caller runs on a *foreign stack* (a coroutine or a `stacker`
//! segment that a job switched to) and is treated as outside every fiber: `join`,
//! `scope` and `par_for_each` run serially there, on the caller.
//!
//! ## Migration and cached thread-local addresses
//!
//! A fiber may resume on another worker after any join, and the compiler may reuse a
//! thread-local's address computed before the join within one function (LLVM treats it
//! as constant there). So [`locate`] may read *another* worker's record, the one the
//! fiber last ran on before the join. That is harmless:
//! - `mask` is the same on every worker of a pool;
//! - `running` there is not this fiber: that worker cleared it after the fiber came back
//!   to it, before parking the fiber (so before the fiber could resume here), and it
//!   never stores this fiber's top again while the fiber runs here. The compare fails
//!   and [`current_ctx_fresh`], a function of its own (`inline(never)`), reads this
//!   thread's record afresh;
//! - the fields are atomics (`Relaxed`), so a read from another thread is no data race,
//!   and the record is alive: a worker thread exits only once no fiber of its pool is
//!   alive (`worker.rs`, `Registry::may_exit`), and a fiber only ever runs on the workers
//!   of its own pool.
//!
//! The record's atomics are `std`'s even under loom: a `const`-initialised thread-local
//! cannot hold loom's, and loom does not model thread-locals.

use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

use super::stack::{ctx_of_top, region_top, top_of_ctx, FiberCtx, MIN_STACK_SIZE};
use super::worker::Registry;

/// [`Record::mask`] on a thread that is no worker of a continuation pool.
const NOT_A_WORKER: usize = usize::MAX;

/// What a worker thread of a continuation pool records about itself.
struct Record {
    /// `stack_size - 1` of the pool whose worker runs on this thread, or
    /// [`NOT_A_WORKER`] on every other thread. The same on every worker of a pool.
    mask: AtomicUsize,
    /// The pool whose worker runs on this thread (compared, never dereferenced), or null.
    registry: AtomicPtr<Registry>,
    /// The region top (`stack::top_of_ctx`) of the fiber this worker has resumed and
    /// that has not come back yet, or 0 (the scheduler loop itself runs). A top rather
    /// than the context's address: the join's compare then needs no arithmetic, and
    /// the context's fields are read at fixed offsets from the top.
    running: AtomicUsize,
}

thread_local! {
    static RECORD: Record = const {
        Record {
            mask: AtomicUsize::new(NOT_A_WORKER),
            registry: AtomicPtr::new(ptr::null_mut()),
            running: AtomicUsize::new(0),
        }
    };
}

/// Marks this thread as a worker of `registry`'s pool, whose fiber stacks are
/// `stack_size` bytes (a power of two of at least `MIN_STACK_SIZE`, as
/// `stack::ctx_address` needs); `None` unmarks it (the worker exits).
pub(crate) fn set_worker_of(pool: Option<(&Registry, usize)>) {
    let (registry, mask) = match pool {
        Some((registry, stack_size)) => {
            debug_assert!(stack_size.is_power_of_two() && stack_size >= MIN_STACK_SIZE);
            (ptr::from_ref(registry).cast_mut(), stack_size - 1)
        }
        None => (ptr::null_mut(), NOT_A_WORKER),
    };
    RECORD.with(|record| {
        record.running.store(0, Ordering::Relaxed);
        record.registry.store(registry, Ordering::Relaxed);
        record.mask.store(mask, Ordering::Relaxed);
    });
}

/// Records that this worker resumes the fiber whose context is `ctx` (`None`: the fiber
/// came back to the scheduler). Called by the scheduler only, on its own stack.
pub(crate) fn set_running(ctx: Option<&FiberCtx>) {
    let top = ctx.map_or(0, top_of_ctx);
    RECORD.with(|record| record.running.store(top, Ordering::Relaxed));
}

/// Whether this thread is a worker of `registry`'s pool (on a fiber or on a foreign
/// stack inside one of its jobs).
pub(crate) fn on_worker_of(registry: &Registry) -> bool {
    RECORD.with(|record| ptr::eq(record.registry.load(Ordering::Relaxed), registry))
}

/// Whether this thread is no worker (nor guest) of any continuation pool now.
pub(crate) fn is_plain_thread() -> bool {
    RECORD.with(|record| record.mask.load(Ordering::Relaxed) == NOT_A_WORKER)
}

/// The address of a local of the calling frame: a point of the stack it runs on.
#[inline(always)]
fn stack_pointer() -> usize {
    let marker = 0u8;
    ptr::addr_of!(marker) as usize
}

/// Where the caller runs, as far as one compare tells: [`locate`].
pub(crate) enum Located {
    /// On this fiber (its context).
    Fiber(&'static FiberCtx),
    /// On a thread that is no worker of a continuation pool.
    NotAWorker,
    /// On a worker, but not on the fiber its record names: a foreign stack, or a record
    /// read through a thread-local address cached before a migration. Ask
    /// [`current_ctx_fresh`].
    Unsure,
}

/// The fast path of [`current_ctx`]: the thread-local read, an `or` and one compare
/// (the region top of the stack pointer is never 0, so a match also says that a fiber
/// runs).
/// The join uses it directly, so that its fast path does not merge with the result of
/// [`current_ctx_fresh`] (which would cost a test of that result for null).
#[inline(always)]
pub(crate) fn locate() -> Located {
    let (mask, running) = RECORD.with(|record| {
        (
            record.mask.load(Ordering::Relaxed),
            record.running.load(Ordering::Relaxed),
        )
    });
    let top = region_top(stack_pointer(), mask);
    if top == running {
        // SAFETY: `running` is the region top of a fiber that a worker resumed and that
        // did not come back to it yet (`set_running`, around `Fiber::resume` in
        // `worker.rs`), so its context is live (at the top of the fiber's stack, written
        // by `FiberStack::new`) and `ctx_of_top` gives its address. The stack pointer lies
        // in that fiber's stack region (the region holding it ends at that top), and only
        // that fiber runs on its stack: we are that fiber, whose stack outlives this code.
        return Located::Fiber(unsafe { ctx_of_top(top).as_ref() });
    }
    if mask == NOT_A_WORKER {
        // A stale read comes from a live worker of this fiber's pool, whose mask is a
        // stack size; see the module docs.
        Located::NotAWorker
    } else {
        Located::Unsure
    }
}

/// The context of the fiber running this code, or `None` outside every continuation
/// pool's fibers (on a thread that is no worker, or on a foreign stack).
#[inline(always)]
pub(crate) fn current_ctx() -> Option<&'static FiberCtx> {
    match locate() {
        Located::Fiber(ctx) => Some(ctx),
        Located::NotAWorker => None,
        Located::Unsure => current_ctx_fresh(),
    }
}

/// [`current_ctx`] with this thread's record read afresh: a function of its own, never
/// inlined, so the thread-local's address is computed here, on the thread that runs the
/// code now.
#[cold]
#[inline(never)]
pub(crate) fn current_ctx_fresh() -> Option<&'static FiberCtx> {
    let (mask, running) = RECORD.with(|record| {
        (
            record.mask.load(Ordering::Relaxed),
            record.running.load(Ordering::Relaxed),
        )
    });
    let top = region_top(stack_pointer(), mask);
    if top == running {
        // SAFETY: as in `locate`: `running` is the region top of the live fiber this
        // worker runs, and the stack pointer lies in that fiber's stack.
        Some(unsafe { ctx_of_top(top).as_ref() })
    } else {
        // No fiber runs here, or a foreign stack inside a job of this worker.
        None
    }
}
