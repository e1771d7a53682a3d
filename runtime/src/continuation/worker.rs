//! The state a continuation pool shares between its threads ([`Registry`]) and what each
//! worker thread keeps ([`WorkerThread`]): shared deque, join limit, spin credit, and
//! the scheduler loop that runs fibers. Where an idle worker looks for work and how it
//! parks is `search.rs`; the finished fibers' stacks it keeps, `stack_pool.rs`.

use std::cell::{Cell, UnsafeCell};
use std::sync::Arc;

use crossbeam_utils::CachePadded;

use crate::exec::job::JobRef;
use crate::exec::route;
use crate::exec::sleep::Sleep;
use crate::exec::steal::VictimRng;
use crate::exec::unwind::AbortIfPanic;
use crate::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use crate::sync::{Injector, Mutex, Stealer, Worker};

use super::cross::Resumable;
use super::current;
use super::fiber::{Fiber, Resumed};
use super::guest::{GuestSlot, GUEST_SLOTS};
use super::latch::{FiberLatch, Parked};
use super::stack::FiberStack;

/// The most spin credit a worker holds: that many fruitless spins in a row stop it.
const SPIN_CREDIT_MAX: u32 = 8;
/// Once spinning stopped paying, one wait in this many spins again.
const SPIN_RETRY: u32 = 16;
/// A worker's join limit while an idle worker asks it for work: below every ring
/// fill, so its next join takes the cold path and answers.
pub(crate) const REQUESTED: usize = 0;

/// Everything a pool's threads share.
///
/// ## Memory ordering
///
/// Jobs travel through crossbeam's deques, which synchronise their contents. The
/// `limits` words are `Relaxed`: a raised request carries no data, it only asks its
/// worker to share its oldest private job at its next join; a late or lost request only
/// delays sharing. `terminate` is `SeqCst` and followed by `Sleep::notify_all`; so is
/// the decrement of `live_fibers` that ends the last fiber of a terminating pool
/// (`may_exit`: workers outlive their fibers). The other counters are statistics
/// (`Relaxed`).
pub(crate) struct Registry {
    /// The stealing ends of the workers' deques, then of the guest slots' (`guest.rs`):
    /// a guest's promoted jobs are searched like a worker's.
    pub(super) stealers: Box<[Stealer<JobRef>]>,
    /// Number of worker threads (the first `workers` entries of `stealers` and
    /// `limits`).
    workers: usize,
    /// Where threads entering from outside take part (`guest.rs`), after the workers'
    /// slots: guest slot `g` has index `workers + g` in `stealers` and `limits`.
    pub(super) guests: Box<[GuestSlot]>,
    pub(super) injector: Injector<JobRef>,
    /// Fibers whose wait ended on a thread of another pool (an `install` into it from a
    /// fiber of this pool finished, `cross.rs`): any worker resumes them.
    pub(super) resumable: Resumable<Fiber>,
    pub(crate) sleep: Sleep,
    /// One word per worker and guest slot, its join *limit*: `local_queue_size` (the private ring's
    /// capacity), or [`REQUESTED`] while an idle worker asks it to share a job. A join
    /// compares the ring's fill with it: one compare for "ring full" and "request".
    pub(super) limits: Box<[CachePadded<AtomicUsize>]>,
    terminate: AtomicBool,
    pub(crate) local_queue_size: usize,
    pub(crate) stack_size: usize,
    /// Finished fibers' stacks beyond what each worker keeps (at most [`SPARE_STACKS`]),
    /// moved in and out in batches of [`STACK_BATCH`].
    pub(super) spare_stacks: Mutex<Vec<FiberStack>>,
    /// Stacks mapped since the pool started (statistic).
    pub(super) stacks_mapped: AtomicUsize,
    /// Fibers created and not finished.
    live_fibers: AtomicUsize,
    /// The most `live_fibers` seen since the last reset.
    peak_fibers: AtomicUsize,
    /// Jobs taken from another worker's deque.
    pub(super) steals: AtomicUsize,
}

impl Registry {
    /// A registry for `workers` workers and [`GUEST_SLOTS`] guest slots; returns it with
    /// the workers' deque ends (the guests' stay in their slots).
    pub(crate) fn new(
        workers: usize,
        local_queue_size: usize,
        stack_size: usize,
    ) -> (Arc<Registry>, Vec<Worker<JobRef>>) {
        let mut deques: Vec<Worker<JobRef>> = (0..workers + GUEST_SLOTS)
            .map(|_| Worker::new_lifo())
            .collect();
        let stealers = deques.iter().map(Worker::stealer).collect();
        let guests = deques.drain(workers..).map(GuestSlot::new).collect();
        let registry = Registry {
            stealers,
            workers,
            guests,
            injector: Injector::new(),
            resumable: Resumable::new(),
            // Guests never sleep in it: they wait on their root job's latch.
            sleep: Sleep::new(workers, 0),
            limits: (0..workers + GUEST_SLOTS)
                .map(|_| CachePadded::new(AtomicUsize::new(local_queue_size)))
                .collect(),
            terminate: AtomicBool::new(false),
            local_queue_size,
            stack_size,
            spare_stacks: Mutex::new(Vec::new()),
            stacks_mapped: AtomicUsize::new(0),
            live_fibers: AtomicUsize::new(0),
            peak_fibers: AtomicUsize::new(0),
            steals: AtomicUsize::new(0),
        };
        (Arc::new(registry), deques)
    }

    pub(crate) fn num_workers(&self) -> usize {
        self.workers
    }

    pub(super) fn terminating(&self) -> bool {
        self.terminate.load(Ordering::SeqCst)
    }

    /// Whether the worker threads may exit: the pool terminates and no fiber of it is
    /// alive. Workers outlive every fiber of their pool, so a thread-local record a
    /// fiber reads through an address cached before it migrated is still alive
    /// (`current.rs`). A pool dropped inside its own job keeps its threads until that
    /// job's fiber finished.
    pub(super) fn may_exit(&self) -> bool {
        self.terminating() && self.live_fibers.load(Ordering::SeqCst) == 0
    }

    /// Counts a finished fiber; the last one of a terminating pool wakes the sleeping
    /// workers so that they exit. (`SeqCst`: either this sees `terminate`, or the
    /// terminating thread's `notify_all` comes after the decrement and the woken
    /// sleepers see it; a sleeper that read the old count before sleeping is woken
    /// here, the Dekker pair of `Sleep`.)
    pub(super) fn fiber_finished(&self) {
        if self.live_fibers.fetch_sub(1, Ordering::SeqCst) == 1 && self.terminating() {
            self.sleep.notify_all();
        }
    }

    /// Asks every thread to exit once it finds no work.
    pub(crate) fn terminate(&self) {
        self.terminate.store(true, Ordering::SeqCst);
        self.sleep.notify_all();
    }

    pub(super) fn has_work(&self) -> bool {
        !self.resumable.is_empty()
            || !self.injector.is_empty()
            || self.stealers.iter().any(|s| !s.is_empty())
    }

    /// Queues a job for any worker (from a thread that is not one of ours).
    pub(crate) fn inject(&self, job: JobRef) {
        self.injector.push(job);
        self.sleep.notify_one();
    }

    /// Runs `f` on a fiber of this pool from a thread that is not in it, and returns
    /// its result (or resumes its panic) once it finished: a worker of another pool
    /// keeps running its own pool's work meanwhile, any other thread blocks
    /// (`exec::route::run_elsewhere`).
    pub(crate) fn in_worker_cold<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        route::run_elsewhere(f, |job| self.inject(job))
    }

    /// Whether the deque of slot `index` (a worker's or a guest's) looks empty.
    pub(super) fn deque_is_empty(&self, index: usize) -> bool {
        self.stealers[index].is_empty()
    }

    /// The join limit word of slot `index` (a worker's or a guest's).
    #[cfg(all(test, loom))]
    pub(super) fn limit_of(&self, index: usize) -> usize {
        self.limits[index].load(Ordering::Relaxed)
    }

    /// Counts a fiber about to start.
    pub(super) fn fiber_started(&self) {
        let live = self.live_fibers.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak_fibers.fetch_max(live, Ordering::Relaxed);
    }

    /// A fiber queued by another pool's thread (`cross.rs`), if any.
    fn take_resumable(&self) -> Option<Fiber> {
        self.resumable.take()
    }

    /// Fibers alive now (created, not finished).
    pub(crate) fn live_fibers(&self) -> usize {
        self.live_fibers.load(Ordering::Relaxed)
    }

    /// The most fibers alive at once since the pool started or the last reset.
    pub(crate) fn peak_fibers(&self) -> usize {
        self.peak_fibers.load(Ordering::Relaxed)
    }

    /// Jobs taken from another worker's deque since the pool started.
    pub(crate) fn steals(&self) -> usize {
        self.steals.load(Ordering::Relaxed)
    }

    /// Restarts `peak_fibers` from the current count.
    pub(crate) fn reset_peak_fibers(&self) {
        self.peak_fibers
            .store(self.live_fibers.load(Ordering::Relaxed), Ordering::Relaxed);
    }
}

/// A worker's own state. Lives on its thread's stack for the thread's whole life. The
/// scheduler loop and the fibers it runs (through `FiberCtx::worker`) use it, all on
/// this thread.
pub(crate) struct WorkerThread {
    pub(crate) index: usize,
    pub(crate) registry: Arc<Registry>,
    /// The shared end this worker pushes promoted jobs and scope spawns to.
    deque: Worker<JobRef>,
    /// `registry.limits[index]`, cached (the scheduler copies it into each fiber's
    /// context at resume).
    limit: *const AtomicUsize,
    /// Whether a full private ring spills its oldest job (more than one worker: someone
    /// may steal it); with one worker, joins beyond the ring run serially.
    pub(crate) spills: bool,
    /// Stacks of finished fibers, for reuse. Borrowed only by `take_stack` and
    /// `recycle_stack` (`stack_pool.rs`), on this worker's thread.
    pub(super) stacks: UnsafeCell<Vec<FiberStack>>,
    pub(super) rng: VictimRng,
    /// Adaptive spin credit (see `should_spin`).
    spin_credit: Cell<u32>,
    /// Waits skipped since the credit ran out.
    spin_skipped: Cell<u32>,
}

impl WorkerThread {
    pub(super) fn new(index: usize, registry: Arc<Registry>, deque: Worker<JobRef>) -> Self {
        // With one worker nobody could steal a spilled job: guests do not steal.
        let spills = registry.num_workers() > 1;
        WorkerThread::with_parts(index, registry, deque, Vec::new(), spills)
    }

    /// The state of guest slot `g` for one visit (`guest.rs`): its deque end and kept
    /// stacks. A guest's spilled jobs can always be stolen (by the workers).
    pub(super) fn for_guest(
        g: usize,
        registry: Arc<Registry>,
        deque: Worker<JobRef>,
        stacks: Vec<FiberStack>,
    ) -> Self {
        let index = registry.num_workers() + g;
        WorkerThread::with_parts(index, registry, deque, stacks, true)
    }

    /// Gives back what a guest slot keeps between visits: the deque end and the stacks.
    pub(super) fn into_guest_parts(self) -> (Worker<JobRef>, Vec<FiberStack>) {
        (self.deque, self.stacks.into_inner())
    }

    fn with_parts(
        index: usize,
        registry: Arc<Registry>,
        deque: Worker<JobRef>,
        stacks: Vec<FiberStack>,
        spills: bool,
    ) -> Self {
        let limit: *const AtomicUsize = &*registry.limits[index];
        WorkerThread {
            spills,
            index,
            registry,
            deque,
            limit,
            stacks: UnsafeCell::new(stacks),
            spin_credit: Cell::new(SPIN_CREDIT_MAX),
            spin_skipped: Cell::new(0),
            rng: VictimRng::for_slot(index),
        }
    }

    /// Whether a join waiting for a stolen head should spin before suspending: while
    /// recent spins on this worker ended with the head done, or, once they stopped
    /// paying, at one wait in `SPIN_RETRY` (to notice when they would pay again).
    pub(crate) fn should_spin(&self) -> bool {
        if self.spin_credit.get() > 0 {
            return true;
        }
        let skipped = self.spin_skipped.get() + 1;
        self.spin_skipped.set(skipped % SPIN_RETRY);
        skipped == SPIN_RETRY
    }

    /// Records whether a spin ended with the head done.
    pub(crate) fn spun(&self, paid: bool) {
        let credit = self.spin_credit.get();
        self.spin_credit.set(if paid {
            (credit + 2).min(SPIN_CREDIT_MAX)
        } else {
            credit.saturating_sub(1)
        });
    }

    /// Lowers this worker's request flag: its limit is the ring's capacity again.
    pub(crate) fn clear_request(&self) {
        // SAFETY: `limit` points into `self.registry`, which `self` keeps alive.
        unsafe { (*self.limit).store(self.registry.local_queue_size, Ordering::Relaxed) };
    }

    /// Pushes a job onto the shared deque, waking nobody (see `wake_if_sleeping` and
    /// `notify`).
    pub(crate) fn push(&self, job: JobRef) {
        self.deque.push(job);
    }

    /// Pushes a job onto the shared deque and wakes a sleeper to steal it (the fenced
    /// `Sleep::notify_one`: no lost wake-up).
    pub(crate) fn push_shared(&self, job: JobRef) {
        self.deque.push(job);
        self.notify();
    }

    /// Wakes one sleeping worker, if any: `Sleep::notify_one`, with its `SeqCst` fence
    /// (the Dekker pair with a sleeper's announcement, exec/README.md "Sleep"), after
    /// this thread's pushes.
    pub(crate) fn notify(&self) {
        self.registry.sleep.notify_one();
    }

    /// After a push that needs no guaranteed wake-up (a spill): wakes a sleeper only if
    /// a `Relaxed` read of the sleeper count sees one, so the common case (nobody
    /// sleeps) pays no fence. A sleeper this read misses asked every worker for work
    /// before it parked, and that request is answered with `notify`.
    pub(crate) fn wake_if_sleeping(&self) {
        if self.registry.sleep.sleeping.load(Ordering::Relaxed) != 0 {
            self.notify();
        }
    }

    /// Pops this worker's own deque (newest first).
    pub(crate) fn pop(&self) -> Option<JobRef> {
        self.deque.pop()
    }

    /// Runs `job` on a new fiber, then whatever fibers its completion hands over.
    fn run_job(&self, job: JobRef) {
        self.registry.fiber_started();
        let fiber = Fiber::new(self.take_stack(), job);
        self.run_fiber(fiber);
    }

    /// Resumes `fiber` on this thread until it waits or finishes: points its context at
    /// this worker and records it as the running fiber (`current.rs`) for the time it
    /// runs.
    #[inline]
    pub(super) fn resume(&self, fiber: Fiber) -> Resumed {
        let ctx = fiber.ctx();
        ctx.worker.set(self);
        ctx.limit.set(self.limit);
        current::set_running(Some(ctx));
        let resumed = fiber.resume();
        // Cleared before the fiber can be parked (and resumed by another thread), see
        // `current.rs`.
        current::set_running(None);
        resumed
    }

    /// Resumes `fiber` on this worker until it parks or finishes; a finished fiber may
    /// hand over the fiber it woke (the continuation after a join), which runs next.
    fn run_fiber(&self, mut fiber: Fiber) {
        let abort = AbortIfPanic;
        loop {
            match self.resume(fiber) {
                Resumed::Waiting(waiting, latch) => {
                    let home: *const Parked<Fiber> = &waiting.ctx().parked;
                    // SAFETY: the fiber suspended at a join or scope end, waiting for
                    // `latch` in its own (now quiet) frame, which lives until it is
                    // resumed; each wait parks once. `home` is the fiber's own slot, in
                    // its context: empty (it is filled only here, and emptied before the
                    // fiber is resumed), and live as long as the fiber, which the slot
                    // keeps until the setter or this call takes it out.
                    match unsafe { FiberLatch::park(latch, home, waiting) } {
                        None => break,
                        Some(again) => fiber = again,
                    }
                }
                Resumed::Finished(stack) => {
                    self.registry.fiber_finished();
                    // SAFETY: the fiber finished; its context is ours until recycled.
                    let next = unsafe { stack.ctx().as_ref() }.handoff.take();
                    self.recycle_stack(stack);
                    match next {
                        Some(next) => fiber = next,
                        None => break,
                    }
                }
            }
        }
        std::mem::forget(abort);
    }

    /// The worker's life: run jobs until the pool terminates.
    pub(super) fn main_loop(&self) {
        let mut idle = 0u32;
        loop {
            // Resumable fibers first: each is a waiter whose install across pools ended.
            if let Some(fiber) = self.registry.take_resumable() {
                self.run_fiber(fiber);
                idle = 0;
            } else if let Some(job) = self.find_work() {
                self.run_job(job);
                idle = 0;
            } else if self.registry.may_exit() {
                return;
            } else {
                self.idle_step(&mut idle);
            }
        }
    }
}

/// The body of worker thread `index`.
pub(crate) fn run_worker(index: usize, registry: Arc<Registry>, deque: Worker<JobRef>) {
    current::set_worker_of(Some((&registry, registry.stack_size)));
    let worker = WorkerThread::new(index, registry, deque);
    worker.main_loop();
    current::set_worker_of(None);
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn spinning_stops_after_fruitless_spins_and_is_retried_now_and_then() {
        let (registry, mut deques) = Registry::new(2, 64, 64 << 10);
        let worker = WorkerThread::new(0, registry, deques.remove(0));
        for _ in 0..SPIN_CREDIT_MAX {
            assert!(worker.should_spin());
            worker.spun(false);
        }
        // Out of credit: one wait in SPIN_RETRY spins.
        let spins = (0..3 * SPIN_RETRY).filter(|_| worker.should_spin()).count();
        assert_eq!(spins, 3);
        // A retry that pays brings spinning back.
        while !worker.should_spin() {}
        worker.spun(true);
        assert!(worker.should_spin() && worker.should_spin());
    }
}

impl crate::exec::core::tick::TickedPool for Registry {
    fn sleep(&self) -> &Sleep {
        &self.sleep
    }
}
