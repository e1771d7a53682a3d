//! Entering a heartbeat pool from a thread of no pool: the caller takes part.
//!
//! `install` from a thread that is neither a worker of some heartbeat pool nor a fiber of
//! a continuation pool (a game's main thread, a test's thread) does not queue `f` and
//! block: the thread takes one of the pool's *guest slots* and runs `f` itself, as a
//! worker would (`join`, `scope` and `par_for_each` inside `f` use the pool). A guest
//! slot is a worker's state that a thread borrows for the duration of one `install`:
//!
//! - a deque, whose stealer the registry holds for good (the workers search it like any
//!   worker's), and a private join stack;
//! - a heartbeat flag (`Registry::heartbeats[workers + g]`), so heartbeats and steal
//!   requests make the guest share its oldest private job, as a worker does;
//! - a sleep slot (`Sleep` has `workers + guests` of them), so a guest waiting for a
//!   stolen job helps, backs off and parks like a worker, and a thief's latch wakes it.
//!
//! Entering costs a `try_lock` (the claim), moving the deque and stack out of the slot,
//! an `Arc` increment and `Sleep::guest_arrives` (a fence, and a wake-up of the heartbeat
//! thread only if it is parked), so about what a `join` costs. Nothing wakes a worker on
//! entry: an `f` without `join` runs on the caller alone. If a worker is idle when the
//! guest enters, the guest's heartbeat flag is raised (the steal request the idle workers
//! made before it came), so its first `join` shares work at once (a world's
//! `par_for_each` splits at its first chunk while a worker waits for work); otherwise
//! it shares at the heartbeats (and at the steal request of a worker that runs dry).
//! When every slot is taken (many threads entering at once), `install` falls back to
//! queueing `f` on the injector and blocking.
//!
//! ## Why this is sound
//!
//! - *The claim.* A slot's parts sit in a `Mutex`; a guest holds its guard for the whole
//!   visit, so one thread at a time uses a slot's deque end, stack, flag and sleep slot.
//! - *Jobs outlive nothing.* Every job a guest pushes belongs to a `join` or a scope on
//!   its stack, which waits for it before returning (or unwinding), as on a worker. A
//!   scope's spawned job that a guest ran and that spawned further jobs may leave them in
//!   the guest's deque after it leaves: they are heap jobs, owned by whoever takes them,
//!   and the deque's stealer stays in the registry, so the workers still find them (and
//!   the scope's owner waits for them). The pool's workers drain every deque before they
//!   exit.
//! - *Wake-ups after leaving.* A thief sets the latch of the guest's job, then unparks
//!   the guest's sleep slot through the registry's `Sleep` (which the thief's own `Arc`
//!   keeps alive). If the guest already saw the latch and left, the token lands in the
//!   slot's parker and costs the next guest one spurious loop (the parker's contract).
//! - *Dropping the pool.* `install` borrows the pool, so it cannot be dropped while a
//!   guest is inside; the guest's `WorkerThread` holds its own `Arc` of the registry
//!   anyway.
//! - *Panics.* A panic in `f` unwinds through the joins and scopes of `f` (each of which
//!   waits for its shared jobs first) and then through [`Visit`]'s `Drop`, which clears
//!   the thread's `current` and hands the slot back; the panic then resumes in the
//!   caller, as it would from a worker.

use std::sync::Arc;

use crate::sync::{Mutex, MutexGuard, Worker};

use super::registry::{
    new_private_stack, PrivateJobSlot, Registry, WorkerThread, HEARTBEAT_RAISED,
};
use crate::exec::job::JobRef;
use crate::sync::atomic::Ordering;

/// Guest slots per heartbeat pool: how many threads from outside can take part at once
/// (a game has one main thread; a second covers a loader or a test harness).
pub(crate) const GUEST_SLOTS: usize = 2;

/// What a guest slot keeps between visits.
pub(crate) struct GuestParts {
    deque: Worker<JobRef>,
    stack: Box<[PrivateJobSlot]>,
}

/// One guest slot of a pool: the worker state a visiting thread borrows. `None` only
/// while a visit holds the lock.
pub(crate) struct GuestSlot {
    parts: Mutex<Option<GuestParts>>,
}

impl GuestSlot {
    /// A free slot with deque end `deque` and a private stack of `local_queue_size`.
    pub(crate) fn new(deque: Worker<JobRef>, local_queue_size: usize) -> Self {
        GuestSlot {
            parts: Mutex::new(Some(GuestParts {
                deque,
                stack: new_private_stack(local_queue_size),
            })),
        }
    }

    /// Claims the slot, if no other thread holds it.
    fn try_claim(&self) -> Option<MutexGuard<'_, Option<GuestParts>>> {
        // A poisoned slot is fine: `Visit::drop` puts the parts back before the guard
        // is released, also while unwinding.
        crate::sync::try_lock(&self.parts)
    }
}

/// A thread's visit to a guest slot: holds the claim and the slot's worker state, and
/// hands them back when dropped (also while unwinding).
pub(crate) struct Visit<'a> {
    /// The slot's worker state, for the visit; taken back in `drop`.
    worker: Option<WorkerThread>,
    claim: MutexGuard<'a, Option<GuestParts>>,
    registry: &'a Registry,
    /// The thread's `current` before the visit (restored in `drop`), if `enter` set it.
    previous: Option<*const WorkerThread>,
}

impl<'a> Visit<'a> {
    /// Takes a free guest slot of `registry`'s pool, if any. The visitor is not this
    /// thread's `current` yet (see [`Visit::make_current`]).
    pub(crate) fn enter(registry: &'a Arc<Registry>) -> Option<Visit<'a>> {
        let (g, mut claim) = registry
            .guests
            .iter()
            .enumerate()
            .find_map(|(g, slot)| slot.try_claim().map(|claim| (g, claim)))?;
        let parts = claim.take().expect("a free guest slot holds its parts");
        let index = registry.num_workers() + g;
        let worker =
            WorkerThread::with_stack(index, Arc::clone(registry), parts.deque, parts.stack);
        registry.sleep.guest_arrives();
        if registry.sleep.any_idle() {
            // The idle workers' steal requests were made before the guest came (and
            // `with_stack` lowered its flag): renew one for it, so that its first `join`
            // (a `par_for_each`'s first split) shares work at once instead of at the
            // next heartbeat, up to an interval later, while a worker waits.
            registry.heartbeats[index].store(HEARTBEAT_RAISED, Ordering::Relaxed);
        }
        Some(Visit {
            worker: Some(worker),
            claim,
            registry,
            previous: None,
        })
    }

    /// The guest's worker state.
    pub(crate) fn worker(&self) -> &WorkerThread {
        self.worker.as_ref().expect("present until drop")
    }

    /// Makes the guest this thread's `current` worker until the visit ends, so `join`,
    /// `scope` and `par_for_each` run on the pool. The visit must not move afterwards
    /// (`current` points into it): callers keep it in a local and never move it.
    #[cfg(not(loom))]
    fn make_current(&mut self) {
        let worker: *const WorkerThread = self.worker();
        self.previous = Some(super::registry::set_current(worker));
    }
}

impl Drop for Visit<'_> {
    fn drop(&mut self) {
        if let Some(previous) = self.previous {
            super::registry::set_current(previous);
        }
        let worker = self.worker.take().expect("dropped once");
        debug_assert!(
            worker.top.get() == worker.bottom.get(),
            "a guest leaves with private jobs"
        );
        let (deque, stack) = worker.into_parts();
        // Hand the parts back before the claim is released (and, while unwinding,
        // poisoned): the next visitor finds them.
        *self.claim = Some(GuestParts { deque, stack });
        self.registry.sleep.guest_leaves();
    }
}

/// Runs `f` on the calling thread as a guest of `registry`'s pool and returns its
/// result, if the caller is a thread of no pool and a guest slot is free; otherwise
/// hands `f` back (`Err`) for the caller to queue it.
pub(crate) fn try_run_as_guest<F, R>(registry: &Arc<Registry>, f: F) -> Result<R, F>
where
    F: FnOnce() -> R,
{
    #[cfg(loom)]
    {
        // Loom models drive guests through `Visit` directly (`exec/loom_tests/`): std's
        // thread-locals are not per loom thread.
        let _ = registry;
        Err(f)
    }
    #[cfg(not(loom))]
    {
        if !WorkerThread::current().is_null() || crate::exec::route::on_fiber() {
            return Err(f);
        }
        let Some(mut visit) = Visit::enter(registry) else {
            return Err(f);
        };
        visit.make_current();
        // `visit` stays in this frame until after `f` (and is dropped on unwinding too).
        let value = f();
        drop(visit);
        Ok(value)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};

    use crate::exec::{current_worker_index, ThreadPool};

    /// A guest that enters while a worker is idle shares its first `join` at once: with
    /// a heartbeat of one second, the second closure reaches the idle worker within the
    /// first closure's wait only through the renewed steal request.
    #[test]
    fn a_guest_entering_beside_an_idle_worker_shares_its_first_join_at_once() {
        let pool = ThreadPool::builder()
            .workers(1)
            .heartbeat(Duration::from_secs(1))
            .build()
            .unwrap();
        // Let the worker run dry (its idle episode begins at its first empty search).
        std::thread::sleep(Duration::from_millis(50));
        let b_ran = AtomicBool::new(false);
        let (_, b_on) = pool.install(|| {
            crate::exec::join(
                || {
                    let start = Instant::now();
                    while !b_ran.load(Ordering::Acquire)
                        && start.elapsed() < Duration::from_millis(500)
                    {
                        std::hint::spin_loop();
                    }
                },
                || {
                    b_ran.store(true, Ordering::Release);
                    current_worker_index()
                },
            )
        });
        assert_eq!(b_on, Some(0), "the second closure ran on the caller");
        assert_eq!(pool.workers(), 1);
    }
}
