//! Parking idle workers, and the heartbeat thread while the whole pool is idle.
//!
//! See `README.md` ("Sleep") for the protocol; in short:
//!
//! - A worker that found no work for a while announces itself (`state = SLEEPING`,
//!   `sleeping += 1`), checks every queue once more, and parks.
//! - Whoever publishes a job (a heartbeat promotion, a scope spawn, an `install` from
//!   outside) issues a `SeqCst` fence and, if `sleeping > 0`, claims one sleeping worker
//!   (`SLEEPING -> AWAKE`) and unparks it.
//! - The two fences order "publish, then read `sleeping`" against "announce, then check the
//!   queues" (a Dekker pattern): either the publisher sees the sleeper, or the sleeper sees
//!   the job. No wake-up is lost.
//! - A claimed worker searches every queue before it does anything else, or, if it leaves
//!   its sleep for its own latch (and returns to its job without searching), passes the
//!   wake-up on (`sleep` returns whether it was claimed; see `WorkerThread::wait_until`).
//! - The heartbeat thread parks the same way while every worker sleeps, and the first
//!   worker to wake up unparks it.
//! - *Ticks.* While a world on the pool runs a tick (`begin_tick` .. `end_tick`, see
//!   `TickActivity`), the pool is expected to get work at every stage and loop: the
//!   tick's start claims every sleeping worker at once (one wake-up for the whole tick
//!   instead of one per hand-off), and no worker parks until the tick ends (it keeps
//!   searching, with its back-off of spins and yields; a sleeper checks `ticking` after
//!   its announcement, against the tick's start: Dekker again). The heartbeat thread
//!   does not tick meanwhile: the workers that poll renew their steal requests, which
//!   share work as soon as someone can take it, without a third thread preempting the
//!   two that run the tick on a machine with as many cores as threads. Its wakers (a
//!   worker leaving its sleep or starting an idle episode, a guest arriving) skip it
//!   during a tick, and the tick's end does not wake it either (that would cost the
//!   ticking thread a futex call per tick): it rests until the first of them outside a
//!   tick, which is when work outside ticks needs it. (The heartbeat only speeds sharing
//!   up; no job waits for it.)

use std::fmt;

use crossbeam_utils::CachePadded;

use crate::sync::atomic::{fence, AtomicUsize, Ordering};
use crate::sync::{lock, Condvar, Mutex};

use super::latch::CoreLatch;

/// A thread's private wake-up token: `unpark` before `park` makes `park` return at once.
///
/// ## Memory ordering
///
/// The token is guarded by the mutex, so everything before an `unpark` happens before the
/// return of the `park` that consumes it.
pub(crate) struct Parker {
    token: Mutex<bool>,
    cond: Condvar,
}

impl Parker {
    pub(crate) fn new() -> Self {
        Parker {
            token: Mutex::new(false),
            cond: Condvar::new(),
        }
    }

    /// Blocks until a token is available, and consumes it.
    pub(crate) fn park(&self) {
        let mut token = lock(&self.token);
        while !*token {
            token = self
                .cond
                .wait(token)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *token = false;
    }

    /// Makes a token available, waking the parked thread if any.
    pub(crate) fn unpark(&self) {
        let mut token = lock(&self.token);
        *token = true;
        self.cond.notify_one();
    }
}

/// The thread is running or searching for work.
const AWAKE: usize = 0;
/// The thread announced it parks; a publisher may claim it.
const SLEEPING: usize = 1;

struct ThreadSleep {
    state: AtomicUsize,
    parker: Parker,
}

impl ThreadSleep {
    fn new() -> Self {
        ThreadSleep {
            state: AtomicUsize::new(AWAKE),
            parker: Parker::new(),
        }
    }

    /// Claims this thread if it sleeps, and unparks it. Returns whether it did.
    fn try_wake(&self) -> bool {
        if self.state.load(Ordering::SeqCst) == SLEEPING
            && self
                .state
                .compare_exchange(SLEEPING, AWAKE, Ordering::SeqCst, Ordering::Relaxed)
                .is_ok()
        {
            self.parker.unpark();
            return true;
        }
        false
    }
}

/// The sleep state of a pool: one slot per worker plus one for the heartbeat thread.
///
/// ## Memory ordering
///
/// Every access to `sleeping` and to the `state` words is `SeqCst`. Each Dekker pair
/// also has a `SeqCst` fence on both sides (loom models `SeqCst` accesses as `AcqRel`, and
/// fences are what the C++ model guarantees most plainly): publishers fence between pushing
/// a job and reading `sleeping`, sleepers between announcing themselves and checking the
/// queues; the heartbeat thread fences between announcing itself and reading `sleeping`,
/// waking workers between decrementing `sleeping` and reading its state. The parkers'
/// mutexes order the rest.
pub(crate) struct Sleep {
    workers: Box<[CachePadded<ThreadSleep>]>,
    /// Workers between `announce` and wake-up.
    pub(crate) sleeping: CachePadded<AtomicUsize>,
    /// Where `notify_one` starts scanning, to spread wake-ups.
    next: AtomicUsize,
    /// Workers in an idle episode (searching, backing off or asleep): the heartbeat
    /// thread rests while this is zero (see `heartbeat_busy`).
    idle: CachePadded<AtomicUsize>,
    /// Guest slots that no thread occupies (see `guest.rs`): for the heartbeat thread
    /// they count as asleep, so it parks once every worker sleeps and no guest is in.
    absent: CachePadded<AtomicUsize>,
    heartbeat: ThreadSleep,
    /// The pool's own workers: `workers[..pool_workers]` (the guests' slots follow).
    pool_workers: usize,
    /// Ticks under way (a count: a tick's phases nest in it; see the module docs).
    ticking: CachePadded<AtomicUsize>,
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("workers", &self.workers.len())
            .field("sleeping", &self.sleeping.load(Ordering::Relaxed))
            .finish()
    }
}

impl Sleep {
    /// Sleep state for `workers` workers, all awake, and `guests` guest slots, all empty.
    /// The slots of the guests follow those of the workers.
    pub(crate) fn new(workers: usize, guests: usize) -> Self {
        Sleep {
            workers: (0..workers + guests)
                .map(|_| CachePadded::new(ThreadSleep::new()))
                .collect(),
            sleeping: CachePadded::new(AtomicUsize::new(0)),
            next: AtomicUsize::new(0),
            idle: CachePadded::new(AtomicUsize::new(0)),
            absent: CachePadded::new(AtomicUsize::new(guests)),
            heartbeat: ThreadSleep::new(),
            pool_workers: workers,
            ticking: CachePadded::new(AtomicUsize::new(0)),
        }
    }

    /// Parks worker `index` until a publisher wakes it or `latch` (if any) is set. Does not
    /// park at all if `has_work()` is true after the announcement. Spurious returns are
    /// allowed: the caller searches again either way.
    ///
    /// Returns whether a publisher *claimed* this worker (`notify_one`, `notify_all`)
    /// before it left: that wake-up was meant to get a job picked up, so the caller must
    /// search every queue once more, or, if it will not (its latch is set, so it returns
    /// to its job instead), pass the wake-up on with `notify_one` (see
    /// `WorkerThread::wait_until`). Otherwise a job published while every other worker
    /// sleeps could wait, unseen, until this worker runs out of work again.
    pub(crate) fn sleep(
        &self,
        index: usize,
        latch: Option<&CoreLatch>,
        has_work: impl Fn() -> bool,
    ) -> bool {
        let me = &self.workers[index];
        me.state.store(SLEEPING, Ordering::SeqCst);
        self.sleeping.fetch_add(1, Ordering::SeqCst);
        let armed = latch.is_none_or(CoreLatch::arm);
        if armed {
            // Pairs with the fence in `notify_one` (see the module docs).
            fence(Ordering::SeqCst);
            if !has_work() {
                loop {
                    me.parker.park();
                    if me.state.load(Ordering::SeqCst) != SLEEPING
                        || latch.is_some_and(CoreLatch::probe)
                    {
                        break;
                    }
                    // A stale token from an earlier wake-up: nobody claimed us, park again.
                }
            }
            if let Some(latch) = latch {
                latch.disarm();
            }
        }
        // Only a publisher moves our state from `SLEEPING` to `AWAKE` (a claim), and it can
        // do so until this swap (even if we never parked, or left for our latch): the swap
        // tells us, atomically, whether we owe a search. Its acquire half reads the claim,
        // so the claimer's job is visible to that search.
        let claimed = me.state.swap(AWAKE, Ordering::SeqCst) == AWAKE;
        self.sleeping.fetch_sub(1, Ordering::SeqCst);
        // We are awake: the pool has a running thread again, so the heartbeat must tick.
        // Pairs with the fence in `heartbeat_idle` (decrement, then read its state).
        fence(Ordering::SeqCst);
        self.wake_heartbeat_unless_ticking();
        claimed
    }

    /// Wakes the heartbeat thread if it is parked, unless a tick is under way: it does
    /// not tick during one (see the module docs, "Ticks"). Outside a tick no wake-up is
    /// lost: the caller's update, fence, read of `ticking` and of the heartbeat's state,
    /// against the heartbeat's state store, fence, read of `ticking` and its counters in
    /// each of its rests (Dekker).
    #[inline]
    fn wake_heartbeat_unless_ticking(&self) {
        if !self.ticking() {
            self.heartbeat.try_wake();
        }
    }

    /// A tick of a world on this pool begins (see the module docs and `TickActivity`).
    /// The outermost one claims every sleeping worker (a claimed worker searches, then
    /// polls until the tick ends).
    pub(crate) fn begin_tick(&self) {
        if self.ticking.fetch_add(1, Ordering::SeqCst) != 0 {
            return;
        }
        // Pairs with the fence in `sleep` (announce, then check `ticking` through
        // `has_work`): either we see the sleeper, or it sees the tick and does not park.
        fence(Ordering::SeqCst);
        if self.sleeping.load(Ordering::SeqCst) == 0 {
            return;
        }
        for worker in &self.workers[..self.pool_workers] {
            worker.try_wake();
        }
    }

    /// The tick begun by the matching `begin_tick` ended. (The heartbeat thread, resting,
    /// is left to the next waker outside a tick: see the module docs.)
    pub(crate) fn end_tick(&self) {
        self.ticking.fetch_sub(1, Ordering::SeqCst);
    }

    /// Whether a tick of a world on this pool is under way: workers do not park, the
    /// heartbeat thread does not tick. (A hint for the back-off; the Dekker pairs above
    /// make it exact where a wake-up depends on it.)
    #[inline]
    pub(crate) fn ticking(&self) -> bool {
        self.ticking.load(Ordering::SeqCst) > 0
    }

    /// Whether the heartbeat thread announced a rest (parked or about to park). For tests.
    #[cfg(all(test, not(loom)))]
    pub(crate) fn heartbeat_resting(&self) -> bool {
        self.heartbeat.state.load(Ordering::SeqCst) == SLEEPING
    }

    /// Parks the heartbeat thread, if a tick is under way, until a waker outside a tick
    /// claims it (a worker leaving its sleep or starting an idle episode, a guest
    /// arriving, shutdown), or until `stop()`; returns at once if no tick is under way.
    /// Our state store, fence, read of `ticking`, against a waker's fence, read of
    /// `ticking` and of our state: a waker that comes after the tick sees us.
    pub(crate) fn heartbeat_during_tick(&self, stop: impl Fn() -> bool) {
        if !self.ticking() {
            return;
        }
        let hb = &self.heartbeat;
        hb.state.store(SLEEPING, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        if self.ticking() {
            while !stop() {
                hb.parker.park();
                if hb.state.load(Ordering::SeqCst) != SLEEPING {
                    break;
                }
            }
        }
        hb.state.store(AWAKE, Ordering::SeqCst);
    }

    /// Called after publishing a job: wakes one sleeping worker, if any.
    pub(crate) fn notify_one(&self) {
        // Pairs with the fence in `sleep`: orders our push before the read of `sleeping`.
        fence(Ordering::SeqCst);
        if self.sleeping.load(Ordering::SeqCst) == 0 {
            return;
        }
        let n = self.workers.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        for i in 0..n {
            if self.workers[(start + i) % n].try_wake() {
                return;
            }
        }
    }

    /// Wakes every worker and the heartbeat thread (used on shutdown).
    pub(crate) fn notify_all(&self) {
        fence(Ordering::SeqCst);
        for worker in self.workers.iter() {
            worker.try_wake();
        }
        self.heartbeat.parker.unpark();
    }

    /// Unparks worker `index`, which waits for a latch that was just set.
    pub(crate) fn wake_worker(&self, index: usize) {
        self.workers[index].parker.unpark();
    }

    /// A worker starts an idle episode (its search came up empty): the heartbeat thread
    /// must tick again if it rests in `heartbeat_busy`.
    pub(crate) fn enter_idle(&self) {
        self.idle.fetch_add(1, Ordering::SeqCst);
        // Pairs with the fence in `heartbeat_busy` (its state, then `idle`): one of us sees
        // the other (Dekker).
        fence(Ordering::SeqCst);
        self.wake_heartbeat_unless_ticking();
    }

    /// Whether some worker is in an idle episode (searching, backing off or asleep): a
    /// thief for a job shared now. (A hint: it may change at once.)
    pub(crate) fn any_idle(&self) -> bool {
        self.idle.load(Ordering::SeqCst) > 0
    }

    /// A worker's idle episode ended (it found work or its latch was set).
    pub(crate) fn leave_idle(&self) {
        self.idle.fetch_sub(1, Ordering::SeqCst);
    }

    /// Parks the heartbeat thread while every worker is busy (no worker in an idle
    /// episode), or until `stop()`: a promotion then has no thief to take it, and each
    /// tick would preempt a busy worker (on a machine with as many cores as workers, the
    /// heartbeat thread has no core of its own). A worker that runs out of work makes its
    /// own steal request and wakes this thread (`enter_idle`), so sharing resumes at once.
    /// Returns at once if some worker is idle. The heartbeat only speeds sharing up (a job
    /// no heartbeat promotes runs on its owner), so a late wake-up costs time, never
    /// progress.
    pub(crate) fn heartbeat_busy(&self, stop: impl Fn() -> bool) {
        if self.idle.load(Ordering::SeqCst) > 0 {
            return;
        }
        let hb = &self.heartbeat;
        hb.state.store(SLEEPING, Ordering::SeqCst);
        // Store our state, fence, read `idle`; against the worker's increment, fence, read
        // of our state in `enter_idle`: one of us sees the other (Dekker).
        fence(Ordering::SeqCst);
        while self.idle.load(Ordering::SeqCst) == 0 && !stop() {
            hb.parker.park();
            if hb.state.load(Ordering::SeqCst) != SLEEPING {
                break;
            }
        }
        hb.state.store(AWAKE, Ordering::SeqCst);
    }

    /// A guest entered its slot: the pool has a running thread again, so the heartbeat
    /// must tick (its promotions are how the guest's work reaches the workers).
    pub(crate) fn guest_arrives(&self) {
        self.absent.fetch_sub(1, Ordering::SeqCst);
        // Pairs with the fence in `heartbeat_idle` (its state, then `absent`): one of us
        // sees the other (Dekker). Costs a load unless the heartbeat thread is parked.
        fence(Ordering::SeqCst);
        self.wake_heartbeat_unless_ticking();
    }

    /// A guest left its slot.
    pub(crate) fn guest_leaves(&self) {
        self.absent.fetch_add(1, Ordering::SeqCst);
    }

    /// Whether every slot rests: each worker and guest announced its sleep, or the guest
    /// slot is empty. (Two loads, not one snapshot: a hint, see `heartbeat_idle`.)
    pub(crate) fn all_resting(&self) -> bool {
        self.sleeping.load(Ordering::SeqCst) + self.absent.load(Ordering::SeqCst)
            >= self.workers.len()
    }

    /// Parks the heartbeat thread while every worker sleeps and no guest is in (or until
    /// `stop()`). Returns at once if some worker or guest is awake.
    ///
    /// Each thread that stops resting (a worker leaving its sleep, a guest arriving)
    /// first updates its counter, fences, then reads our state: against our state store,
    /// fence, reads of both counters, one of us sees the other, per counter (Dekker).
    pub(crate) fn heartbeat_idle(&self, stop: impl Fn() -> bool) {
        if !self.all_resting() {
            return;
        }
        let hb = &self.heartbeat;
        hb.state.store(SLEEPING, Ordering::SeqCst);
        // Store our state, fence, read the counters; against the worker's decrement (or
        // the guest's), fence, read of our state: one of us sees the other (Dekker).
        fence(Ordering::SeqCst);
        while self.all_resting() && !stop() {
            hb.parker.park();
            if hb.state.load(Ordering::SeqCst) != SLEEPING {
                break;
            }
        }
        hb.state.store(AWAKE, Ordering::SeqCst);
    }
}
