//! The state a pool shares between its threads ([`Registry`]) and the state each worker
//! keeps to itself ([`WorkerThread`]): private job stack, shared deque, search loop.

use std::cell::Cell;
use std::ptr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;

use crate::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use crate::sync::{Injector, Stealer, Worker};

use super::guest::GuestSlot;
use super::StealOrder;
use crate::exec::back_off;
use crate::exec::job::JobRef;
use crate::exec::latch::{CoreLatch, WorkerLatch};
use crate::exec::sleep::Sleep;
use crate::exec::steal::VictimRng;
use crate::exec::unwind;

/// After `back_off::YIELD_ROUNDS`, a searching worker keeps yielding (instead of parking) until this
/// many heartbeat intervals have passed since then, capped at `MAX_IDLE_YIELD`: new work
/// appears mostly at heartbeats (promotions), so a worker that parked just before one
/// would miss it by a futex wake-up (tens of µs here), which costs short runs most.
const IDLE_HEARTBEATS: u32 = 2;
/// The cap on that yielding time, so that a long heartbeat does not make idle workers
/// burn a core for long.
const MAX_IDLE_YIELD: Duration = Duration::from_millis(1);

/// A worker's join limit while its heartbeat flag is raised: above every slot address, so
/// the next `join` takes the recording branch, which tells it from a real limit and goes
/// to its cold path to promote. (Above, not below: the unrecorded branch, taken by most
/// joins of a deep recursion, then needs no test of the flag; the recording branch, taken
/// by at most `PRIVATE_JOBS` joins above `bottom` and the sampled ones, pays it.)
pub(crate) const HEARTBEAT_RAISED: usize = usize::MAX;

/// How many jobs a worker keeps private before its joins stop recording their second
/// closure (see `join.rs`): a heartbeat shares the oldest private job, so deeper ones
/// would only wait behind them, and an unrecorded join costs no stores (on a tree at
/// random addresses the stores cost memory-level parallelism, not just instructions).
pub(crate) const PRIVATE_JOBS: usize = 3;
/// Every this many unrecorded joins, one records its second closure anyway, so that a
/// long chain of joins (a spine whose first closures go deep) still offers jobs.
pub(crate) const SAMPLE_EVERY: u32 = 64;

/// A slot of a worker's private job stack.
pub(crate) type PrivateJobSlot = Cell<Option<JobRef>>;

/// Everything a pool's threads share.
///
/// ## Memory ordering
///
/// Jobs travel through crossbeam's deques (which synchronise their own contents). The
/// `heartbeats` words are `Relaxed`: a raised flag carries no data, it only asks its worker
/// to promote a job, and a late or lost tick only delays sharing. `terminate` is `SeqCst`
/// and is followed by `Sleep::notify_all`.
pub(crate) struct Registry {
    pub(in crate::exec) stealers: Box<[Stealer<JobRef>]>,
    pub(in crate::exec) injector: Injector<JobRef>,
    pub(crate) sleep: Sleep,
    /// One word per worker: its join *limit*, the end address of its private stack
    /// while no heartbeat is pending. The heartbeat thread raises the flag by storing
    /// `HEARTBEAT_RAISED` (`tick`); the worker lowers it by storing the limit again when
    /// it promotes. So `join` tells "record" from "enough jobs private" with one compare
    /// (`top < limit`), and only a recording join tests for the flag.
    pub(crate) heartbeats: Box<[CachePadded<AtomicUsize>]>,
    terminate: AtomicBool,
    /// Number of workers; slots `workers..` of `stealers`, `heartbeats` and `sleep`
    /// belong to the guest slots.
    pub(in crate::exec) workers: usize,
    /// Where threads from outside the pool take part (see `guest.rs`).
    pub(crate) guests: Box<[GuestSlot]>,
    pub(crate) local_queue_size: usize,
    pub(crate) heartbeat_interval: Duration,
    /// The pool's victim order (a `NumaPool`'s nearest-first search and per-node
    /// injectors); `None` for a `ThreadPool`: random victims, then `injector`.
    pub(crate) order: Option<Box<dyn StealOrder>>,
}

impl Registry {
    /// A registry for `workers` workers and `guests` guest slots (see `guest.rs`): one
    /// deque, heartbeat flag and sleep slot each, the guests' after the workers'; its
    /// workers search in `order` (random victims if `None`). Returns it with the workers'
    /// deque ends (the guests' stay in their slots).
    pub(crate) fn new(
        workers: usize,
        guests: usize,
        local_queue_size: usize,
        heartbeat_interval: Duration,
        order: Option<Box<dyn StealOrder>>,
    ) -> (Arc<Registry>, Vec<Worker<JobRef>>) {
        let mut deques: Vec<Worker<JobRef>> =
            (0..workers + guests).map(|_| Worker::new_lifo()).collect();
        let stealers = deques.iter().map(Worker::stealer).collect();
        let guest_slots = deques
            .drain(workers..)
            .map(|deque| GuestSlot::new(deque, local_queue_size))
            .collect();
        let registry = Registry {
            stealers,
            injector: Injector::new(),
            sleep: Sleep::new(workers, guests),
            heartbeats: (0..workers + guests)
                .map(|_| CachePadded::new(AtomicUsize::new(HEARTBEAT_RAISED)))
                .collect(),
            terminate: AtomicBool::new(false),
            workers,
            guests: guest_slots,
            local_queue_size,
            heartbeat_interval,
            order,
        };
        (Arc::new(registry), deques)
    }

    /// Number of workers (the pool's own threads; guests come and go).
    pub(crate) fn num_workers(&self) -> usize {
        self.workers
    }

    /// Whether the pool is shutting down.
    pub(crate) fn terminating(&self) -> bool {
        self.terminate.load(Ordering::SeqCst)
    }

    /// Asks every thread to exit once it finds no work.
    pub(crate) fn terminate(&self) {
        self.terminate.store(true, Ordering::SeqCst);
        self.sleep.notify_all();
    }

    /// Whether any queue visibly holds a job.
    fn has_work(&self) -> bool {
        !self.injector.is_empty()
            || self.stealers.iter().any(|s| !s.is_empty())
            || self.order_queues().iter().any(|queue| !queue.is_empty())
    }

    /// Raises every worker's heartbeat flag (one promotion credit each, capped at one).
    pub(crate) fn tick(&self) {
        for flag in self.heartbeats.iter() {
            flag.store(HEARTBEAT_RAISED, Ordering::Relaxed);
        }
    }

    /// Whether the calling thread is one of this pool's workers.
    pub(crate) fn is_current(&self) -> bool {
        let worker = WorkerThread::current();
        // SAFETY: a non-null `current` is this thread's live worker.
        unsafe { worker.as_ref() }.is_some_and(|w| ptr::eq(&*w.registry, self))
    }

    /// Queues a job for any worker (from a thread that is not one of ours).
    pub(crate) fn inject(&self, job: JobRef) {
        self.injector.push(job);
        self.sleep.notify_one();
    }

    /// The victim order's own job queues (none for random victims).
    pub(crate) fn order_queues(&self) -> &[Injector<JobRef>] {
        self.order.as_deref().map_or(&[], StealOrder::queues)
    }

    /// Runs `f` in this pool from a thread that is not one of its workers, and returns
    /// its result: a thread of no pool takes a guest slot and runs `f` itself
    /// (`guest.rs`); a worker of another pool queues `f` (on the victim order's outside
    /// queue, else the injector) and keeps running its own pool's work meanwhile, any
    /// other thread (or a guest when every slot is taken) queues `f` and blocks
    /// (`route::run_elsewhere`).
    pub(crate) fn in_worker_cold<R: Send>(self: &Arc<Self>, f: impl FnOnce() -> R + Send) -> R {
        let f = match super::guest::try_run_as_guest(self, f) {
            Ok(value) => return value,
            Err(f) => f,
        };
        crate::exec::route::run_elsewhere(f, |job| {
            // A job from outside is usually the root of the whole computation, and the
            // other workers are idle: grant every worker its promotion credit now, so the
            // worker that takes the job shares its first split at once instead of at the
            // next heartbeat (up to an interval later). Still at most one credit per worker.
            self.tick();
            let injector = self
                .order
                .as_deref()
                .and_then(StealOrder::outside_queue)
                .unwrap_or(&self.injector);
            injector.push(job);
            self.sleep.notify_one();
        })
    }
}

thread_local! {
    /// The worker running on this thread, or null.
    static CURRENT: Cell<*const WorkerThread> = const { Cell::new(ptr::null()) };
}

/// A worker's own state. Lives on its thread's stack for the thread's whole life;
/// reachable from that thread only (through [`WorkerThread::current`]).
pub(crate) struct WorkerThread {
    pub(crate) index: usize,
    pub(crate) registry: Arc<Registry>,
    /// The shared end this worker pushes promoted jobs to (thieves steal the oldest).
    pub(crate) deque: Worker<JobRef>,
    /// `registry.heartbeats[index]`, this worker's join limit (see `Registry`), cached
    /// for the join fast path.
    pub(crate) heartbeat: *const AtomicUsize,
    /// The private job stack: one slot per active `join` (its second closure). Slots
    /// below `bottom` were promoted; `bottom..top` are private. `top` and `bottom` are
    /// pointers into it (`start <= bottom <= top <= end`), so a push is a store through
    /// `top` without index arithmetic. Only owned here (kept alive for the pointers).
    _stack: Box<[PrivateJobSlot]>,
    pub(crate) top: Cell<*const PrivateJobSlot>,
    pub(crate) bottom: Cell<*const PrivateJobSlot>,
    /// One past the last slot of `stack`.
    pub(crate) end: *const PrivateJobSlot,
    /// Unrecorded joins left until the next sampled one (`sample_join`): counts down
    /// from `SAMPLE_EVERY` to 0, where it starts again.
    until_sample: Cell<u32>,
    pub(in crate::exec) rng: VictimRng,
}

impl WorkerThread {
    pub(in crate::exec) fn new(
        index: usize,
        registry: Arc<Registry>,
        deque: Worker<JobRef>,
    ) -> Self {
        let stack = new_private_stack(registry.local_queue_size);
        Self::with_stack(index, registry, deque, stack)
    }

    /// A worker (or guest) in slot `index` whose private stack is `stack` (empty).
    pub(in crate::exec) fn with_stack(
        index: usize,
        registry: Arc<Registry>,
        deque: Worker<JobRef>,
        stack: Box<[PrivateJobSlot]>,
    ) -> Self {
        let heartbeat: *const AtomicUsize = &*registry.heartbeats[index];
        let start = stack.as_ptr();
        let end = stack.as_ptr_range().end;
        // Lower the flag (a tick that raced ahead of this store is lost: one interval).
        registry.heartbeats[index].store(limit_for(start, end), Ordering::Relaxed);
        WorkerThread {
            index,
            heartbeat,
            registry,
            deque,
            _stack: stack,
            top: Cell::new(start),
            bottom: Cell::new(start),
            end,
            until_sample: Cell::new(SAMPLE_EVERY),
            rng: VictimRng::for_slot(index),
        }
    }

    /// Takes the worker apart: its deque end and private stack (a guest leaving its
    /// slot hands them back to it).
    pub(in crate::exec) fn into_parts(self) -> (Worker<JobRef>, Box<[PrivateJobSlot]>) {
        (self.deque, self._stack)
    }

    /// Whether this is a guest (a thread from outside the pool, see `guest.rs`), not one
    /// of the pool's own workers.
    pub(crate) fn is_guest(&self) -> bool {
        self.index >= self.registry.num_workers()
    }

    /// The worker on this thread, or null outside every pool.
    #[inline(always)]
    pub(crate) fn current() -> *const WorkerThread {
        CURRENT.with(Cell::get)
    }

    /// This worker's join limit: `limit_for(bottom, end)` (as of the last promotion or
    /// reclaim), or `HEARTBEAT_RAISED` while a heartbeat is pending (a `Relaxed` load).
    #[inline(always)]
    pub(crate) fn limit(&self) -> usize {
        // SAFETY: `heartbeat` points into `self.registry`, which `self` keeps alive.
        unsafe { (*self.heartbeat).load(Ordering::Relaxed) }
    }

    /// Counts an unrecorded join; returns `true` at every `SAMPLE_EVERY`-th, which then
    /// records its second closure (see `join.rs`).
    #[inline(always)]
    pub(crate) fn sample_join(&self) -> bool {
        // A decrement in memory and a test of zero (`dec`, `je`): the store comes before
        // the test, so the common answer (`false`) costs no separate load and store; the
        // reset is paid once per `SAMPLE_EVERY` joins, out of line.
        let left = self.until_sample.get().wrapping_sub(1);
        self.until_sample.set(left);
        if left == 0 {
            self.restart_sampling();
            return true;
        }
        false
    }

    /// Starts the countdown of `sample_join` again.
    #[cold]
    fn restart_sampling(&self) {
        self.until_sample.set(SAMPLE_EVERY);
    }

    /// After a reclaim lowered `bottom`: lowers the limit with it, unless a heartbeat is
    /// pending (a compare-exchange, so a tick is never overwritten: the promotion will
    /// set the limit).
    pub(crate) fn lower_limit_after_reclaim(&self) {
        let limit = limit_for(self.bottom.get(), self.end);
        // SAFETY: see `limit`.
        let flag = unsafe { &*self.heartbeat };
        let current = flag.load(Ordering::Relaxed);
        if current != HEARTBEAT_RAISED && current != limit {
            let _ = flag.compare_exchange(current, limit, Ordering::Relaxed, Ordering::Relaxed);
        }
    }

    /// Whether this worker's heartbeat flag is raised.
    #[inline(always)]
    pub(crate) fn heartbeat_pending(&self) -> bool {
        self.limit() == HEARTBEAT_RAISED
    }

    /// Pushes a job onto the shared deque and wakes a sleeper to steal it.
    pub(crate) fn push_shared(&self, job: JobRef) {
        self.deque.push(job);
        self.registry.sleep.notify_one();
    }

    /// The heartbeat's work: clears the flag and moves the oldest private job, if any,
    /// to the shared deque.
    #[cold]
    #[inline(never)]
    pub(crate) fn promote(&self) {
        let bottom = self.bottom.get();
        let promoted = bottom < self.top.get();
        let new_bottom = if promoted {
            // SAFETY: `bottom < top <= end`, so one past it is within (or at the end of)
            // `stack`.
            unsafe { bottom.add(1) }
        } else {
            bottom
        };
        // Lower the flag, to the limit above the new bottom. SAFETY: see `limit`.
        unsafe { (*self.heartbeat).store(limit_for(new_bottom, self.end), Ordering::Relaxed) };
        if promoted {
            // SAFETY: `bottom < top <= end`, so `bottom` is a slot of `stack`, which only
            // this thread touches.
            let job = unsafe { (*bottom).get() }.expect("private job slot is empty");
            // SAFETY: only `join` pushes to the private stack, always a
            // `StackJob<WorkerLatch, ..>`, which is `repr(C)` with the latch first, so the
            // job's data pointer is its latch; the job is still private to this thread.
            unsafe { WorkerLatch::bind(job.id().cast(), self.index, &self.registry.sleep) };
            self.bottom.set(new_bottom);
            self.push_shared(job);
        }
    }

    /// Moves every private job to the shared deque, oldest first, and wakes sleepers:
    /// before a wait that may be long (an `install` into another pool), so that this
    /// pool, the waiting worker included, can run them meanwhile instead of leaving them
    /// private until the wait ends.
    pub(crate) fn share_private_jobs(&self) {
        while self.bottom.get() < self.top.get() {
            self.promote();
        }
    }

    /// Runs a job taken from a queue.
    ///
    /// # Safety
    ///
    /// `job` was taken out of a deque (so this thread owns it) and is run once.
    pub(crate) unsafe fn execute(&self, job: JobRef) {
        // Every job catches its own panics; one escaping here would leave a latch unset
        // forever, so abort instead.
        let abort = unwind::AbortIfPanic;
        // SAFETY: by the caller's guarantee.
        unsafe { job.execute() };
        std::mem::forget(abort);
    }

    /// Runs other jobs (or sleeps) until `latch` is set.
    ///
    /// A publisher may claim this worker while it sleeps here (to get a job picked up)
    /// just as its latch is set; it then leaves without the search the claim asked for.
    /// So it passes the wake-up on to another sleeper (`Sleep::sleep` says whether it was
    /// claimed, and each search discharges a claim): the job is not left waiting while
    /// the others sleep (`loom_tests::loom_claimed_latch_waiter_passes_the_wake_up_on`).
    pub(crate) fn wait_until(&self, latch: &CoreLatch) {
        let mut idle = Idle::default();
        while !latch.probe() {
            let job = self.find_work();
            // This search is the one a claim asks for.
            idle.claimed = false;
            if let Some(job) = job {
                self.busy_again(&mut idle);
                // SAFETY: taken from a queue just now.
                unsafe { self.execute(job) };
            } else {
                self.idle_step(&mut idle, Some(latch));
            }
        }
        if idle.claimed {
            self.registry.sleep.notify_one();
        }
        self.busy_again(&mut idle);
    }

    /// Ends an idle episode (the worker found work, or the latch it waited for is set):
    /// it no longer counts as idle for the heartbeat thread.
    #[inline]
    fn busy_again(&self, idle: &mut Idle) {
        if idle.counted {
            self.registry.sleep.leave_idle();
        }
        *idle = Idle::default();
    }

    /// One step of backing off after a fruitless search: spin, then yield, then park
    /// (`exec/back_off.rs`; this pool yields longer, see `IDLE_HEARTBEATS`).
    fn idle_step(&self, idle: &mut Idle, latch: Option<&CoreLatch>) {
        let round = idle.rounds;
        if !idle.counted {
            // The start of an idle episode: ask the busy workers for work, and count as
            // idle, so the heartbeat thread ticks (it rests while every worker is busy).
            idle.counted = true;
            self.request_work();
            self.registry.sleep.enter_idle();
        }
        if let Some(pause) = back_off::pause_for(round, || !self.idle_long_enough(idle)) {
            pause.run();
        } else if self.registry.sleep.ticking() {
            // A world's tick is under way: work comes at its next stage or loop, sooner
            // than a parked thread would notice. Keep polling (back off from the start)
            // and renew the steal request, which the heartbeat thread, resting during
            // the tick, does not do for us (`sleep.rs`, "Ticks").
            self.request_work();
            *idle = Idle {
                counted: true,
                claimed: idle.claimed,
                ..Idle::default()
            };
            // Under loom (no back-off) the poll is a spin loop: let the model switch.
            #[cfg(loom)]
            loom::thread::yield_now();
            return;
        } else {
            let registry = &*self.registry;
            // `ticking` too: a tick that began after the check above (its start claims
            // only the sleepers it sees; this check, after the announcement, sees it).
            let claimed = registry.sleep.sleep(self.index, latch, || {
                registry.has_work() || registry.terminating() || registry.sleep.ticking()
            });
            // Still idle (the episode goes on): back off from the start, without a new
            // request.
            *idle = Idle {
                counted: true,
                claimed,
                ..Idle::default()
            };
            return;
        }
        idle.rounds = round.saturating_add(1);
    }

    /// A steal request, made once per idle episode (when a search first comes up empty): raises the other
    /// workers' heartbeat flags, so a busy one shares its oldest private job at its next
    /// `join` (or `par_for_each` item) instead of at its next heartbeat. A worker earns
    /// one request per episode of running out of work, and each flag still holds at most
    /// one credit, so the deques are not flooded; it costs one `Relaxed` store per worker.
    fn request_work(&self) {
        for (i, flag) in self.registry.heartbeats.iter().enumerate() {
            if i != self.index {
                flag.store(HEARTBEAT_RAISED, Ordering::Relaxed);
            }
        }
    }

    /// Whether the idle search has yielded for `IDLE_HEARTBEATS` heartbeat intervals (or
    /// `MAX_IDLE_YIELD`), so that parking now will not miss the next promotion. Reads the
    /// clock only while idle.
    fn idle_long_enough(&self, idle: &mut Idle) -> bool {
        let now = Instant::now();
        let since = *idle.since.get_or_insert(now);
        let wait = (self.registry.heartbeat_interval * IDLE_HEARTBEATS).min(MAX_IDLE_YIELD);
        now.duration_since(since) >= wait
    }

    /// The worker's life: run jobs until the pool terminates.
    pub(in crate::exec) fn main_loop(&self) {
        let mut idle = Idle::default();
        loop {
            if let Some(job) = self.find_work() {
                self.busy_again(&mut idle);
                // SAFETY: taken from a queue just now.
                unsafe { self.execute(job) };
            } else if self.registry.terminating() {
                self.busy_again(&mut idle);
                return;
            } else {
                self.idle_step(&mut idle, None);
            }
        }
    }
}

/// A worker's progress in backing off after fruitless searches.
#[derive(Default)]
struct Idle {
    /// Fruitless search rounds so far.
    rounds: u32,
    /// When the time-bounded part of the yielding began.
    since: Option<Instant>,
    /// Whether this episode made its steal request and counts in `Sleep::idle`.
    counted: bool,
    /// Whether a publisher claimed the worker in its last sleep and it has not searched
    /// since (see `wait_until`).
    claimed: bool,
}

/// The join limit of a worker whose oldest private slot is `bottom`: `PRIVATE_JOBS`
/// slots above it, at most `end` (so a join below the limit has a free slot).
#[inline]
fn limit_for(bottom: *const PrivateJobSlot, end: *const PrivateJobSlot) -> usize {
    (bottom as usize + PRIVATE_JOBS * std::mem::size_of::<PrivateJobSlot>()).min(end as usize)
}

/// A private job stack of `size` empty slots.
pub(in crate::exec) fn new_private_stack(size: usize) -> Box<[PrivateJobSlot]> {
    (0..size).map(|_| Cell::new(None)).collect()
}

/// Points this thread's `current` at `worker` (or clears it), returning the previous
/// value.
pub(in crate::exec) fn set_current(worker: *const WorkerThread) -> *const WorkerThread {
    CURRENT.with(|c| c.replace(worker))
}

/// The body of worker thread `index`.
pub(crate) fn run_worker(index: usize, registry: Arc<Registry>, deque: Worker<JobRef>) {
    let worker = WorkerThread::new(index, registry, deque);
    CURRENT.with(|c| c.set(&worker));
    worker.main_loop();
    CURRENT.with(|c| c.set(ptr::null()));
}

/// The index of the worker running the current thread, or `None` outside every pool.
///
/// Cheap (one thread-local read and one compare): use it to ask "am I on a worker?". A
/// thread that entered a pool from outside (`install` from a thread of no pool runs `f`
/// on the calling thread, which takes part in the pool meanwhile) is no worker: `None`.
///
/// ```
/// use metronome_runtime::exec::current_worker_index;
/// use metronome_runtime::ThreadPool;
///
/// assert_eq!(current_worker_index(), None);
/// let pool = ThreadPool::builder().workers(2).build().unwrap();
/// // `install` from a thread of no pool runs `f` on that thread:
/// assert_eq!(pool.install(current_worker_index), None);
/// // a job that a worker runs:
/// let (_, index) = pool.install(|| metronome_runtime::join(|| (), current_worker_index));
/// assert!(matches!(index, None | Some(0 | 1)));
/// ```
pub fn current_worker_index() -> Option<usize> {
    let worker = WorkerThread::current();
    // SAFETY: a non-null `CURRENT` points to the live `WorkerThread` of this thread.
    let worker = unsafe { worker.as_ref() }?;
    (!worker.is_guest()).then_some(worker.index)
}
