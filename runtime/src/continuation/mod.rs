//! The work-first, continuation-stealing [`ContinuationPool`]: jobs run on stackful
//! fibers (corosensei), a join runs its child at once, and the parent's continuation is
//! what idle workers steal. The free functions [`join`](crate::exec::join),
//! [`scope`](crate::exec::scope) and [`par_for_each`](crate::exec::par_for_each) run on
//! it when called from one of its jobs.
//!
//! The protocols (private ring and lazy exposure, parking a fiber in a latch, the last
//! arriver continuing, thread-locals, panics, sleep) are written down in `README.md`
//! beside this file, reproduced here:
//!
#![doc = include_str!("README.md")]

mod cross;
mod current;
mod fiber;
mod guest;
mod guest_latch;
mod join;
mod latch;
mod par_for_each;
mod pool;
mod scope;
mod search;
mod stack;
mod stack_pool;
mod worker;

#[cfg(all(test, loom))]
mod loom_tests;
#[cfg(all(test, not(loom)))]
mod tests;

pub(crate) use self::cross::run_elsewhere;
pub use self::pool::{ContinuationPool, ContinuationPoolBuilder};
pub(crate) use self::scope::ScopeBackend;

use self::current::Located;
use crate::exec::{ParSource, Scope};

/// Size of each fiber's stack when none is configured: 2 MiB, like a Rust thread's
/// (address space only; memory is committed as the stack is touched).
///
/// ```
/// assert_eq!(metronome_runtime::continuation::DEFAULT_STACK_SIZE, 2 << 20);
/// ```
pub const DEFAULT_STACK_SIZE: usize = 2 << 20;

/// Whether the caller runs on a fiber of some continuation pool (not on a foreign stack
/// inside one of its jobs).
#[inline]
pub(crate) fn on_fiber() -> bool {
    current::current_ctx().is_some()
}

/// `join` outside every heartbeat pool: on a fiber, the continuation pool's join;
/// elsewhere (no pool, or a foreign stack inside a job: `current.rs`) `a` then `b` on
/// the caller.
#[inline(always)]
pub(crate) fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    match current::locate() {
        Located::Fiber(ctx) => join::join(ctx, a, b),
        Located::NotAWorker => (a(), b()),
        Located::Unsure => join_rechecked(a, b),
    }
}

/// `join` on a worker whose record did not name the caller's fiber at once: asks again
/// with a fresh read of the record (on a foreign stack: serially).
#[cold]
#[inline(never)]
fn join_rechecked<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    match current::current_ctx_fresh() {
        Some(ctx) => join::join(ctx, a, b),
        None => (a(), b()),
    }
}

/// `scope` outside every heartbeat pool: on a fiber, the continuation pool's scope;
/// elsewhere (no pool, or a foreign stack) serial.
pub(crate) fn scope<'scope, R>(f: impl FnOnce(&Scope<'scope>) -> R) -> R {
    match current::current_ctx() {
        Some(ctx) => scope::scope_on_fiber(ctx, f),
        None => crate::exec::scope::scope_serial(f),
    }
}

/// `par_for_each` on the current fiber (serial elsewhere).
pub(crate) fn par_for_each<S, F>(source: S, f: &F)
where
    S: ParSource,
    F: Fn(S::Item) + Sync,
{
    par_for_each::run(source, f);
}
