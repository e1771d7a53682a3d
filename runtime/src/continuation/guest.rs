//! Entering a continuation pool from a thread of no pool: the caller takes part.
//!
//! `install` from a thread that is no worker (nor guest) of any pool does not hand `f`
//! to a worker and block: the thread takes one of the pool's *guest slots*, runs `f` as
//! the pool's *root job* on a fiber of the pool itself, on its own thread, and returns
//! as soon as that fiber finished. A guest slot is a worker's state that a thread
//! borrows for one `install`: a deque end (whose stealer the registry keeps, so the
//! workers search it like a worker's), a join limit word (so an idle worker's request
//! makes the guest share its oldest continuation, and wakes a sleeper, at its next
//! join), and a few fiber stacks kept between visits.
//!
//! So entering costs a `try_lock` (the claim), a recycled stack, a fiber start and two
//! stack switches, and nothing wakes a worker: a short `f` runs on the caller alone.
//! Parked workers find a guest's work the way they find a worker's: before parking they
//! raised every slot's request flag (the guests' included), so the guest's first join
//! answers, shares its oldest head and wakes one (`Sleep::notify_one`, fenced).
//!
//! ## The root fiber may leave; the guest does not run other work
//!
//! Inside `f` the root fiber is a fiber like any other: when a thief took the head of
//! one of its joins and that head is still running when the fiber reaches the join, the
//! fiber suspends. The guest then waits for the head's latch (spinning, then yielding,
//! [`GUEST_SPIN`]); if it is set meanwhile, the guest resumes the fiber itself and the
//! fiber never leaves. Otherwise the guest parks the fiber in the latch (`Handoff`, as a
//! worker's scheduler does) and the thief, finishing last, continues it on its own
//! thread, Cilk's rule; the guest then waits for the root job's [`GuestLatch`] (and
//! sleeps on it) and leaves when it is set.
//!
//! The guest runs no other job while it waits, unlike a worker. A fiber may read the
//! record (`current.rs`) of a thread it ran on before a join through a thread-local
//! address cached before the join, so every thread a fiber ran on must outlive the
//! fiber. Workers do (they exit only once no fiber of the pool is alive); a guest's
//! thread may exit as soon as `install` returned. The root fiber finishes before its
//! latch is set (the set is the last thing its job does, and nothing after it reads a
//! thread-local), so the guest's thread outlives it; a stolen job run on another fiber
//! of the guest could outlive the visit (a head whose join belongs to another thread's
//! work, or a scope job spawned through a `&Scope` borrowed from elsewhere).
//!
//! ## Why this is sound
//!
//! - *The claim.* A slot's parts sit in a `Mutex`; a guest holds its guard for the whole
//!   visit, so one thread at a time uses a slot's deque end, stacks and limit word.
//! - *The thread is no other pool's.* Only a thread whose continuation record says "no
//!   worker" (`current::is_plain_thread`) and that is no heartbeat pool's worker or
//!   guest enters as a guest, and not while a panic unwinds (a fiber must not migrate in
//!   the middle of one). During the visit its record names this pool, exactly as a
//!   worker's does (so `install` of this pool inside `f` runs directly, and the free
//!   `join`, `scope` and `par_for_each` find the root fiber); it is reset when the visit
//!   ends.
//! - *Jobs outlive nothing.* The root job's `StackJob` stays in this frame until its
//!   latch is set (the guest returns only then). Every job the root fiber pushes
//!   belongs to one of its joins or scopes, which waits for it; a heap job left in the
//!   slot's deque (see above) is owned by whoever takes it, and the workers drain every
//!   deque, the guests' included, before they exit.
//! - *The migrating fiber.* Its context's worker and limit pointers are set anew at
//!   every resume; the guest's `WorkerThread` (in this frame) is used only while the
//!   fiber runs on the guest. The guest clears its record's running fiber before it may
//!   park the fiber, as a worker does.
//! - *Thread-bound values.* The root fiber may continue on a worker after a join: the
//!   contract of `ContinuationPoolBuilder::build` already covers every closure run on
//!   the pool, `install`'s from outside included (nothing new for the user).
//! - *Dropping the pool.* `install` borrows the pool, so it is not dropped during a
//!   visit; the guest's `WorkerThread` holds its own `Arc` of the registry anyway.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::exec::job::{JobRef, StackJob};
use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::{Mutex, MutexGuard, Worker};

/// The waker's counted reference: loom's under loom (the model checks who frees it).
type WakerRef = crate::sync::Arc<GuestWaker>;

use super::current;
use super::fiber::{Fiber, Resumed};
use super::guest_latch::{GuestLatch, GuestWaker};
use super::latch::{FiberLatch, Parked};
use super::stack::FiberStack;
use super::worker::{Registry, WorkerThread};

/// Guest slots per continuation pool: how many threads from outside can take part at
/// once (a game has one main thread; a second covers a loader or a test harness).
/// When every slot is taken, `install` hands `f` to a worker and blocks instead.
pub(crate) const GUEST_SLOTS: usize = 2;

/// How long a guest whose root fiber waits for a stolen head waits for that head before
/// it lets the fiber go to the thief: spinning for the first [`GUEST_SPIN_ONLY`], then
/// yielding its core between probes. The guest has nothing else to run; a head that
/// finishes within this time lets the fiber continue on the caller (no hand-off, no
/// wake-up), and the same time bounds the spin on the root job's latch afterwards.
const GUEST_SPIN: Duration = Duration::from_micros(50);
/// The part of [`GUEST_SPIN`] spent spinning without yielding.
const GUEST_SPIN_ONLY: Duration = Duration::from_micros(5);

/// What a guest slot keeps between visits.
pub(crate) struct GuestParts {
    deque: Worker<JobRef>,
    /// Stacks of root fibers that finished on the guest, for the next visit.
    stacks: Vec<FiberStack>,
    /// The waker of the guest's root job's latch (`guest_latch.rs`).
    waker: WakerRef,
}

/// One guest slot of a pool. `None` only while a visit holds the lock.
pub(crate) struct GuestSlot {
    parts: Mutex<Option<GuestParts>>,
    /// Whether a visitor is in (a hint for idle workers' requests, `Relaxed`: a late
    /// view only delays or wastes a request).
    present: AtomicBool,
}

impl GuestSlot {
    /// A free slot whose deque end is `deque` (the registry keeps its stealer).
    pub(crate) fn new(deque: Worker<JobRef>) -> Self {
        GuestSlot {
            parts: Mutex::new(Some(GuestParts {
                deque,
                stacks: Vec::new(),
                waker: WakerRef::new(GuestWaker::new()),
            })),
            present: AtomicBool::new(false),
        }
    }

    /// Whether a visitor is in now (a hint).
    pub(crate) fn is_present(&self) -> bool {
        self.present.load(Ordering::Relaxed)
    }

    /// Claims the slot, if no other thread holds it.
    fn try_claim(&self) -> Option<MutexGuard<'_, Option<GuestParts>>> {
        // A poisoned slot is fine: `Visit::drop` puts the parts back before the guard
        // is released, also while unwinding.
        crate::sync::try_lock(&self.parts)
    }
}

/// A thread's visit to a guest slot: the claim and the slot's worker state, handed back
/// when dropped.
pub(crate) struct Visit<'a> {
    /// The slot's worker state for the visit; taken back in `drop`.
    worker: Option<WorkerThread>,
    /// The slot's waker, for the root job's latch; put back in `drop`.
    waker: Option<WakerRef>,
    claim: MutexGuard<'a, Option<GuestParts>>,
    slot: &'a GuestSlot,
}

impl<'a> Visit<'a> {
    /// Takes a free guest slot of `registry`'s pool, if any.
    pub(crate) fn enter(registry: &'a Arc<Registry>) -> Option<Visit<'a>> {
        let (g, mut claim) = registry
            .guests
            .iter()
            .enumerate()
            .find_map(|(g, slot)| slot.try_claim().map(|claim| (g, claim)))?;
        let parts = claim.take().expect("a free guest slot holds its parts");
        let worker = WorkerThread::for_guest(g, Arc::clone(registry), parts.deque, parts.stacks);
        let slot = &registry.guests[g];
        slot.present.store(true, Ordering::Relaxed);
        Some(Visit {
            worker: Some(worker),
            waker: Some(parts.waker),
            claim,
            slot,
        })
    }

    /// A latch for the root job, waking the guest through the slot's waker.
    pub(crate) fn root_latch(&self) -> GuestLatch<'_> {
        GuestLatch::new(self.waker.as_ref().expect("present until drop"))
    }

    /// The guest's worker state.
    pub(crate) fn worker(&self) -> &WorkerThread {
        self.worker.as_ref().expect("present until drop")
    }

    /// Runs `job` (the root job, whose latch is `latch`) on a fiber on this thread until
    /// it finished or left with a thief; see the module docs. Returns once the root
    /// fiber is done with this thread; the caller then waits for `latch`.
    pub(crate) fn run_root(&self, job: JobRef, latch: &GuestLatch<'_>) {
        let worker = self.worker();
        worker.registry.fiber_started();
        let mut fiber = Fiber::new(worker.take_stack(), job);
        loop {
            match worker.resume(fiber) {
                Resumed::Finished(stack) => {
                    worker.registry.fiber_finished();
                    // SAFETY: the fiber finished; its context is ours until recycled.
                    let handoff = unsafe { stack.ctx().as_ref() }.handoff.take();
                    // Only a job run on a thief's fiber (a head, a scope job) hands over
                    // the fiber it woke; the root job's latch is a `GuestLatch`.
                    debug_assert!(handoff.is_none(), "a root fiber hands nothing over");
                    std::mem::forget(handoff);
                    worker.recycle_stack(stack);
                    return;
                }
                Resumed::Waiting(waiting, head) => {
                    // SAFETY: the fiber is suspended waiting for `head`, which lives in
                    // its quiet frame until the fiber is resumed (by us, below).
                    if wait_briefly(|| unsafe { (*head).probe() }) {
                        fiber = waiting;
                        continue;
                    }
                    if !worker.registry.deque_is_empty(worker.index) {
                        // Jobs the fiber left in the guest's deque: wake a sleeper for
                        // them now (fenced) rather than when the fiber needs them.
                        worker.notify();
                    }
                    let home: *const Parked<Fiber> = &waiting.ctx().parked;
                    // SAFETY: as in `WorkerThread::run_fiber`: the fiber waits for `head`
                    // in its own quiet frame, which lives until it is resumed; each
                    // wait parks once; `home` is the fiber's own empty slot.
                    match unsafe { FiberLatch::park(head, home, waiting) } {
                        // The thief continues it.
                        None => break,
                        // Set meanwhile: continue it here.
                        Some(again) => fiber = again,
                    }
                }
            }
        }
        if !wait_briefly(|| latch.probe()) {
            latch.wait();
        }
    }
}

impl Drop for Visit<'_> {
    fn drop(&mut self) {
        let worker = self.worker.take().expect("dropped once");
        let waker = self.waker.take().expect("dropped once");
        let (deque, stacks) = worker.into_guest_parts();
        self.slot.present.store(false, Ordering::Relaxed);
        // Handed back before the claim is released: the next visitor finds them.
        *self.claim = Some(GuestParts {
            deque,
            stacks,
            waker,
        });
    }
}

/// Whether `done` became true within [`GUEST_SPIN`] (spinning, then yielding).
fn wait_briefly(done: impl Fn() -> bool) -> bool {
    if done() {
        return true;
    }
    let start = Instant::now();
    loop {
        let elapsed = start.elapsed();
        if elapsed >= GUEST_SPIN {
            return done();
        }
        if elapsed < GUEST_SPIN_ONLY {
            for _ in 0..32 {
                std::hint::spin_loop();
            }
        } else {
            std::thread::yield_now();
        }
        if done() {
            return true;
        }
    }
}

/// Runs `f` on a fiber of `registry`'s pool, on the calling thread, as a guest, and
/// returns its result (or resumes its panic), if the caller is a thread of no pool and a
/// guest slot is free; otherwise hands `f` back (`Err`) for the caller to queue it.
pub(crate) fn try_run_as_guest<F, R>(registry: &Arc<Registry>, f: F) -> Result<R, F>
where
    F: FnOnce() -> R + Send,
    R: Send,
{
    if cfg!(loom)
        || !current::is_plain_thread()
        || crate::exec::in_heartbeat_pool()
        || std::thread::panicking()
    {
        // (Loom models drive `Visit` directly: std's thread-locals are not per loom
        // thread.)
        return Err(f);
    }
    let Some(visit) = Visit::enter(registry) else {
        return Err(f);
    };
    let _record = GuestRecord::set(registry);
    let job = StackJob::new(f, visit.root_latch());
    // SAFETY: `run_root` returns only once the latch is set (it waits for it), and
    // nothing between here and there unwinds (the fiber catches `f`'s panic into the
    // job), so the job stays in this frame until it ran.
    let job_ref = unsafe { job.as_job_ref() };
    visit.run_root(job_ref, &job.latch);
    // SAFETY: the latch is set, observed with acquire (`probe`, or `wait` under the
    // lock after the setter's store).
    let value = unsafe { job.into_result() }.into_return_value();
    drop(visit);
    Ok(value)
}

/// This thread's continuation record names the pool for the guest's visit; reset on
/// drop (also if something unwinds).
struct GuestRecord;

impl GuestRecord {
    fn set(registry: &Registry) -> GuestRecord {
        current::set_worker_of(Some((registry, registry.stack_size)));
        GuestRecord
    }
}

impl Drop for GuestRecord {
    fn drop(&mut self) {
        current::set_worker_of(None);
    }
}
