//! Which fiber the caller runs on: each worker thread's record of the fiber it resumed,
//! checked against the stack pointer.
//!
//! A worker's scheduler stores the context of the fiber it resumes in its thread's
//! [`Record`] (and clears it when the fiber comes back). Code on a fiber finds its
//! context from the stack pointer: stacks are `size`-aligned regions with the context at
//! their top, so `(sp | (size - 1)) + 1 - HEADER` is the context of the stack holding
//! `sp`. That address is used only if it *is* the running fiber's context, that is, if
//! the stack pointer lies inside the running fiber's stack. Otherwise the caller runs on
//! a *foreign stack* (a coroutine or a `stacker` segment that a job switched to) and is
//! treated as outside every fiber: `join`, `scope` and `par_for_each` run serially there.
//!
//! ## Migration and cached thread-local addresses
//!
//! A fiber may resume on another worker after any join, and the compiler may reuse a
//! thread-local's address computed before the join within one function (LLVM treats it
//! as constant there). So [`current_ctx`] may read *another* worker's record, the one the
//! fiber last ran on before the join. That is harmless:
//! - `mask` is the same on every worker of a pool;
//! - `running` there is not this fiber: that worker cleared it after the fiber came back
//!   to it, before parking the fiber (so before the fiber could resume here), and it
//!   never stores this fiber's context again while the fiber runs here. The compare
//!   fails and [`current_ctx_fresh`], a function of its own (`inline(never)`), reads this
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

use super::stack::{ctx_address, FiberCtx};
use super::worker::Registry;

/// What a worker thread of a continuation pool records about itself.
struct Record {
    /// `stack_size - 1` of the pool whose worker runs on this thread, or 0 on every
    /// other thread. The same on every worker of a pool.
    mask: AtomicUsize,
    /// The pool whose worker runs on this thread (compared, never dereferenced), or null.
    registry: AtomicPtr<Registry>,
    /// The context of the fiber this worker has resumed and that has not come back yet,
    /// or null (the scheduler loop itself runs).
    running: AtomicPtr<FiberCtx>,
}

thread_local! {
    static RECORD: Record = const {
        Record {
            mask: AtomicUsize::new(0),
            registry: AtomicPtr::new(ptr::null_mut()),
            running: AtomicPtr::new(ptr::null_mut()),
        }
    };
}

/// Marks this thread as a worker of `registry`'s pool, whose fiber stacks are
/// `stack_size` bytes (a power of two); `None` unmarks it (the worker exits).
pub(crate) fn set_worker_of(pool: Option<(&Registry, usize)>) {
    let (registry, mask) = match pool {
        Some((registry, stack_size)) => (ptr::from_ref(registry).cast_mut(), stack_size - 1),
        None => (ptr::null_mut(), 0),
    };
    RECORD.with(|record| {
        record.running.store(ptr::null_mut(), Ordering::Relaxed);
        record.registry.store(registry, Ordering::Relaxed);
        record.mask.store(mask, Ordering::Relaxed);
    });
}

/// Records that this worker resumes the fiber whose context is `ctx` (null: the fiber
/// came back to the scheduler). Called by the scheduler only, on its own stack.
pub(crate) fn set_running(ctx: *const FiberCtx) {
    RECORD.with(|record| record.running.store(ctx.cast_mut(), Ordering::Relaxed));
}

/// Whether this thread is a worker of `registry`'s pool (on a fiber or on a foreign
/// stack inside one of its jobs).
pub(crate) fn on_worker_of(registry: &Registry) -> bool {
    RECORD.with(|record| ptr::eq(record.registry.load(Ordering::Relaxed), registry))
}

/// The address of a local of the calling frame: a point of the stack it runs on.
#[inline(always)]
fn stack_pointer() -> usize {
    let marker = 0u8;
    ptr::addr_of!(marker) as usize
}

/// The context of the fiber running this code, or `None` outside every continuation
/// pool's fibers (on a thread that is no worker, or on a foreign stack).
///
/// The fast path is the thread-local read, the address arithmetic and one compare; any
/// mismatch (a foreign stack, or a record read through a thread-local address cached
/// before a migration) goes to [`current_ctx_fresh`].
#[inline(always)]
pub(crate) fn current_ctx() -> Option<&'static FiberCtx> {
    let (mask, running) = RECORD.with(|record| {
        (
            record.mask.load(Ordering::Relaxed),
            record.running.load(Ordering::Relaxed),
        )
    });
    if mask == 0 {
        // No worker thread (a stale read comes from a live worker of this fiber's pool,
        // whose mask is not 0; see the module docs).
        return None;
    }
    let candidate = ctx_address(stack_pointer(), mask);
    if ptr::eq(candidate, running) {
        // SAFETY: `running` is the context of a fiber that a worker resumed and that did
        // not come back to it yet (`set_running`, around `Fiber::resume` in
        // `worker.rs`), so that context is live (at the top of the fiber's stack, written
        // by `FiberStack::new`). The stack pointer lies in that fiber's stack region
        // (the candidate is the context of the region holding it), and only that fiber
        // runs on its stack: we are that fiber, whose stack outlives this code.
        return Some(unsafe { &*candidate });
    }
    current_ctx_fresh()
}

/// [`current_ctx`] with this thread's record read afresh: a function of its own, never
/// inlined, so the thread-local's address is computed here, on the thread that runs the
/// code now.
#[cold]
#[inline(never)]
fn current_ctx_fresh() -> Option<&'static FiberCtx> {
    let (mask, running) = RECORD.with(|record| {
        (
            record.mask.load(Ordering::Relaxed),
            record.running.load(Ordering::Relaxed),
        )
    });
    if mask == 0 || running.is_null() {
        return None;
    }
    let candidate = ctx_address(stack_pointer(), mask);
    if ptr::eq(candidate, running) {
        // SAFETY: as in `current_ctx`: `running` is the live context of the fiber this
        // worker runs, and the stack pointer lies in that fiber's stack.
        Some(unsafe { &*candidate })
    } else {
        // A foreign stack inside a job of this worker.
        None
    }
}
