//! Which pool the calling thread belongs to, for everything that runs "on the current
//! pool": the free functions [`join`](super::join), [`scope`](super::scope) and
//! [`par_for_each`](super::par_for_each), and how an `install` from outside waits.
//!
//! The dependency between the heartbeat side (`exec`) and the continuation pool
//! (`crate::continuation`) goes one way, through this module:
//!
//! - the continuation pool is built on what every pool shares, which lives in `exec`
//!   (`job`, `latch`, `sleep`, `unwind`, `builder`, `scope`, the [`Executor`](super::Executor)
//!   trait) and never on the heartbeat core (`exec::core`);
//! - `exec` reaches the continuation pool only here: a thread that is no worker of a
//!   heartbeat pool may be a fiber of a continuation pool, and only the continuation
//!   pool can tell (its thread-locals). Every other file of `exec` asks this module.

use super::core::cross;
use super::core::registry::WorkerThread;
use super::job::JobRef;
use super::{ParSource, Scope};

/// The scope backend of a continuation pool's fiber (see `continuation/scope.rs`).
pub(crate) use crate::continuation::ScopeBackend as ContinuationScope;

/// Whether the caller runs on a fiber of some continuation pool.
#[inline]
pub(crate) fn on_fiber() -> bool {
    crate::continuation::on_fiber()
}

/// `join` on a thread that is no heartbeat pool's worker or guest: the continuation
/// pool's join on one of its fibers, else `a` then `b` on the caller.
#[inline(always)]
pub(crate) fn join_elsewhere<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    crate::continuation::join(a, b)
}

/// `scope` on a thread that is no heartbeat pool's worker or guest: the continuation
/// pool's scope on one of its fibers, else serial.
pub(crate) fn scope_elsewhere<'scope, R>(f: impl FnOnce(&Scope<'scope>) -> R) -> R {
    crate::continuation::scope(f)
}

/// `par_for_each` on a fiber of a continuation pool (`on_fiber()`).
pub(crate) fn par_for_each_on_fiber<S, F>(source: S, f: &F)
where
    S: ParSource,
    F: Fn(S::Item) + Sync,
{
    crate::continuation::par_for_each(source, f);
}

/// Runs `f` as a job that `queue` hands to another pool (or, from outside every pool,
/// to the pool), waits for it without blocking the caller's own pool, and returns its
/// result or resumes its panic: a worker of a heartbeat pool runs its pool's jobs
/// meanwhile (`core/cross.rs`), a fiber of a continuation pool suspends, any other
/// thread blocks.
pub(crate) fn run_elsewhere<R: Send>(
    f: impl FnOnce() -> R + Send,
    queue: impl FnOnce(JobRef),
) -> R {
    let worker = WorkerThread::current();
    // SAFETY: a non-null `current` is this thread's live worker (set by `run_worker`
    // and `guest::Visit`, cleared before that worker is dropped).
    match unsafe { worker.as_ref() } {
        Some(worker) => cross::run_from_worker(worker, f, queue),
        None => crate::continuation::run_elsewhere(f, queue),
    }
}
