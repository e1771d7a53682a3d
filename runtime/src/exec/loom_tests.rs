//! Loom models of the executor's hand-offs. The first four drive the latch and sleep
//! types directly, exhaustive over two threads; the next ones drive whole pools (see
//! below); the last ones the latches of `install`s whose waiter may free what the setter
//! still uses (`CrossLatch`, `LockLatch`).
//! Run with the command in `README.md` ("Development").

use std::mem::ManuallyDrop;
use std::ptr;
use std::sync::Arc;
use std::time::Duration;

use loom::cell::UnsafeCell;
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::thread;

use super::core::cross::{CrossLatch, WaiterPool};
use super::core::guest::Visit;
use super::job::{JobRef, StackJob};
use super::latch::{CountLatch, Latch, LockLatch, WorkerLatch};
use super::registry::{Registry, WorkerThread};
use super::scope::scope_on_worker;
use super::sleep::Sleep;
use crate::sync::{Steal, Worker};

/// The value the shared job returns.
const ANSWER: u32 = 42;

/// Worker 0 (the main thread) owns a `join` whose second job it promotes to its shared
/// deque; worker 1 tries once to steal it. Worker 0 then either takes its job back (pop)
/// or sleeps on the job's latch until the thief finished it. Checks: the result arrives
/// exactly once, the owner never reads it before the thief set the latch, and the owner
/// is always woken (loom reports a deadlock if the latch's wake-up could be lost).
#[test]
fn loom_join_latch_pop_or_steal() {
    loom::model(|| {
        let sleep = Arc::new(Sleep::new(2, 0));
        let deque: Worker<JobRef> = Worker::new_lifo();
        let stealer = deque.stealer();

        let thief = thread::spawn(move || {
            if let Steal::Success(job) = stealer.steal() {
                // SAFETY: we stole the only `JobRef`; the owner waits for its latch.
                unsafe { job.execute() };
            }
        });

        let job = StackJob::new(|| ANSWER, WorkerLatch::unbound());
        // SAFETY: `job` lives until the end of this closure; we wait for it below.
        let job_ref = unsafe { job.as_job_ref() };
        // SAFETY: the job is still private; binding precedes the push, as in `promote`.
        unsafe { WorkerLatch::bind(&job.latch, 0, &sleep) };
        // The heartbeat promotes the private job.
        deque.push(job_ref);
        // (`a` runs here.) Then take `b` back, or wait for the thief.
        let value = loop {
            if job.latch.core.probe() {
                // SAFETY: the latch is set: the thief published the result.
                break unsafe { job.take_result() }.into_return_value();
            }
            match deque.pop() {
                Some(popped) => {
                    assert_eq!(popped.id(), job_ref.id());
                    // SAFETY: we popped the only `JobRef` back.
                    break unsafe { job.take_func() }();
                }
                None => {
                    sleep.sleep(0, Some(&job.latch.core), || false);
                }
            }
        };
        assert_eq!(value, ANSWER);
        thief.join().unwrap();
    });
}

/// The promotion wakes a parked thief: worker 1 searches, parks when it sees nothing;
/// worker 0 promotes its job (push, then `notify_one`) and parks on the job's latch
/// without taking the job back. Loom reports a deadlock if either wake-up (promotion to
/// thief, latch to owner) could be lost.
#[test]
fn loom_promotion_wakes_a_parked_thief() {
    loom::model(|| {
        let sleep = Arc::new(Sleep::new(2, 0));
        let deque: Worker<JobRef> = Worker::new_lifo();
        let stealer = deque.stealer();

        let thief = {
            let sleep = sleep.clone();
            thread::spawn(move || loop {
                if let Steal::Success(job) = stealer.steal() {
                    // SAFETY: we stole the only `JobRef`; the owner waits for its latch.
                    unsafe { job.execute() };
                    return;
                }
                sleep.sleep(1, None, || !stealer.is_empty());
            })
        };

        let job = StackJob::new(|| ANSWER, WorkerLatch::unbound());
        // SAFETY: `job` lives until the end of this closure; we wait for it below.
        let job_ref = unsafe { job.as_job_ref() };
        // SAFETY: the job is still private; binding precedes the push, as in `promote`.
        unsafe { WorkerLatch::bind(&job.latch, 0, &sleep) };
        deque.push(job_ref);
        sleep.notify_one();
        while !job.latch.core.probe() {
            sleep.sleep(0, Some(&job.latch.core), || false);
        }
        // SAFETY: the latch is set: the thief published the result.
        assert_eq!(unsafe { job.take_result() }.into_return_value(), ANSWER);
        thief.join().unwrap();
    });
}

/// The heartbeat thread parks while every worker sleeps and must be woken by the first
/// worker that wakes up. One worker sleeps until work is published; the other thread
/// publishes it, then behaves as the heartbeat thread going idle. Loom reports a deadlock
/// if the heartbeat thread could park while the worker is awake and never be woken.
#[test]
fn loom_heartbeat_parks_only_while_all_workers_sleep() {
    loom::model(|| {
        let sleep = Arc::new(Sleep::new(1, 0));
        let work = Arc::new(AtomicBool::new(false));

        let worker = {
            let (sleep, work) = (sleep.clone(), work.clone());
            thread::spawn(move || {
                while !work.load(Ordering::SeqCst) {
                    sleep.sleep(0, None, || work.load(Ordering::SeqCst));
                }
            })
        };

        work.store(true, Ordering::SeqCst);
        sleep.notify_one();
        // Now the heartbeat side: park while the worker sleeps. The worker must wake us
        // once it leaves its sleep (the test then ends).
        sleep.heartbeat_idle(|| false);

        worker.join().unwrap();
    });
}

/// The heartbeat thread rests while every worker is busy and must be woken by the first
/// worker that runs out of work (`enter_idle`). Loom reports a deadlock if the heartbeat
/// thread could park after the worker became idle and never be woken.
#[test]
fn loom_heartbeat_rests_only_while_every_worker_is_busy() {
    loom::model(|| {
        let sleep = Arc::new(Sleep::new(1, 0));

        let worker = {
            let sleep = sleep.clone();
            thread::spawn(move || sleep.enter_idle())
        };

        sleep.heartbeat_busy(|| false);

        worker.join().unwrap();
    });
}

// ---------------------------------------------------------------------------------------
// Whole-pool models: real `Registry`s and `WorkerThread`s (their `main_loop`, `wait_until`,
// `find_work` and back-off, which under loom parks at the first fruitless search: see
// `BACK_OFF` in `registry.rs`), real
// `Scope`s, `CountLatch`es and `install`s from outside (`LockLatch`). Only the heartbeat
// thread's clock is left out. Threads are loom threads, so the thread-local `CURRENT` is
// never set: a spawn from a model worker takes the "foreign thread" path (the injector).
// ---------------------------------------------------------------------------------------

/// The preemption bound of the whole-pool models: every interleaving with at most this
/// many preemptions (a thread switch while the running thread could go on). Three
/// preemptions find the absorbed wake-up (two suffice) and keep each model under a few
/// seconds; `LOOM_MAX_PREEMPTIONS` cannot raise it (edit here to explore further). The
/// install model has two threads only and is exhaustive instead.
const POOL_PREEMPTIONS: usize = 3;

/// Runs a whole-pool model under [`POOL_PREEMPTIONS`].
fn model_pool_bounded(model: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(POOL_PREEMPTIONS);
    builder.check(model);
}

/// A registry of `workers` workers (private stacks of 4 slots; no heartbeat thread runs
/// in these models), and the workers' deque ends.
fn model_pool(workers: usize) -> (Arc<Registry>, Vec<Worker<JobRef>>) {
    Registry::new(workers, 0, 4, Duration::ZERO, None)
}

/// Starts worker `index` of `registry` on a loom thread, running its main loop until the
/// pool terminates.
fn start_worker(
    index: usize,
    registry: &Arc<Registry>,
    deque: Worker<JobRef>,
) -> thread::JoinHandle<()> {
    let registry = registry.clone();
    thread::spawn(move || WorkerThread::new(index, registry, deque).main_loop())
}

/// The absorbed wake-up. Worker 0 waits in `wait_until` for a latch; worker 1 idles in its
/// main loop. Another thread (the thief that ran worker 0's job) sets the latch, then
/// installs a job from outside the pool and blocks on its `LockLatch`. Its `notify_one`
/// may claim worker 0, which is leaving its sleep only for its latch and then returns to
/// its job without searching (its thread ends here: it never looks at the queues again),
/// while worker 1 sleeps on. Worker 0 must pass the wake-up on; without that, loom finds
/// the interleaving where the installed job is never run (a deadlock: the installer and
/// worker 1 block forever).
#[test]
fn loom_claimed_latch_waiter_passes_the_wake_up_on() {
    model_pool_bounded(|| {
        let (registry, mut deques) = model_pool(2);
        let deque1 = deques.pop().expect("two deques");
        let deque0 = deques.pop().expect("two deques");
        let latch = Arc::new(WorkerLatch::new(0, &registry.sleep));

        let waiter = {
            let (registry, latch) = (registry.clone(), latch.clone());
            thread::spawn(move || {
                WorkerThread::new(0, registry, deque0).wait_until(&latch.core);
            })
        };
        let idler = start_worker(1, &registry, deque1);

        // SAFETY: the latch lives in the `Arc` until both threads are joined; set once.
        unsafe { WorkerLatch::set(&*latch) };
        assert_eq!(registry.in_worker_cold(|| ANSWER), ANSWER);

        waiter.join().unwrap();
        registry.terminate();
        idler.join().unwrap();
    });
}

/// Shutdown racing sleepers: two workers run their main loops with no work (search, make
/// their steal request, park at any moment), and the pool's owner terminates it
/// (`Registry::terminate`, as `ThreadPool`'s `Drop`). Loom reports a deadlock if a worker
/// could park after `terminate` and never be woken.
#[test]
fn loom_shutdown_wakes_every_sleeper() {
    model_pool_bounded(|| {
        let (registry, mut deques) = model_pool(2);
        let deque1 = deques.pop().expect("two deques");
        let deque0 = deques.pop().expect("two deques");
        let workers = [
            start_worker(0, &registry, deque0),
            start_worker(1, &registry, deque1),
        ];
        registry.terminate();
        for worker in workers {
            worker.join().unwrap();
        }
    });
}

/// Shutdown racing the heartbeat thread: one worker idles, the heartbeat thread parks in
/// `heartbeat_idle` / `heartbeat_busy` (its loop as in `run_heartbeat`, the timed sleep
/// replaced by a yield), and the owner terminates the pool. Loom reports a deadlock if the
/// heartbeat thread or the worker could park after `terminate` and never be woken.
#[test]
fn loom_shutdown_wakes_the_parked_heartbeat_thread() {
    model_pool_bounded(|| {
        let (registry, mut deques) = model_pool(1);
        let worker = start_worker(0, &registry, deques.pop().expect("one deque"));
        let heartbeat = {
            let registry = registry.clone();
            thread::spawn(move || {
                while !registry.terminating() {
                    registry.sleep.heartbeat_idle(|| registry.terminating());
                    registry.sleep.heartbeat_busy(|| registry.terminating());
                    thread::yield_now();
                }
            })
        };
        registry.terminate();
        worker.join().unwrap();
        heartbeat.join().unwrap();
    });
}

/// `install` from outside the pool: the caller injects a `StackJob` with a `LockLatch`
/// and blocks on it; the pool's only worker may be searching, about to park or parked.
/// Checks: the result arrives (the injection's `notify_one` against the worker's
/// announcement, and the `LockLatch`'s set against the caller's wait, lose no wake-up),
/// then shutdown ends the worker. Two threads: exhaustive (about 10 s).
#[test]
fn loom_install_from_outside_wakes_a_sleeping_worker() {
    loom::model(|| {
        let (registry, mut deques) = model_pool(1);
        let worker = start_worker(0, &registry, deques.pop().expect("one deque"));
        assert_eq!(registry.in_worker_cold(|| ANSWER), ANSWER);
        registry.terminate();
        worker.join().unwrap();
    });
}

/// Data the jobs of a model write, each into its own cell; loom checks that every read
/// happens after the write (through the scope's count and latch).
struct Results([UnsafeCell<u32>; 2]);

// SAFETY: each cell is written by one job and read by the scope's owner after the scope
// ended; loom's `UnsafeCell` checks that these accesses are ordered.
unsafe impl Sync for Results {}

impl Results {
    fn new() -> Self {
        Results([UnsafeCell::new(0), UnsafeCell::new(0)])
    }
    fn write(&self, i: usize) {
        // SAFETY: job `i` is the only writer of cell `i` (loom checks the claim).
        self.0[i].with_mut(|cell| unsafe { *cell = ANSWER + i as u32 });
    }
    fn read(&self, i: usize) -> u32 {
        // SAFETY: read after the scope ended (loom checks the claim).
        self.0[i].with(|cell| unsafe { *cell })
    }
}

/// Scope counting (`CountLatch`) in the heartbeat pool, through the real `Scope`:
/// worker 0 runs a scope body that spawns two jobs, releases the body's count and waits
/// (`wait_until`, helping); worker 1 idles in its main loop and steals. Checks: the scope
/// returns only after both jobs ran (their writes are visible: loom's cells check the
/// ordering through the count's `AcqRel` decrements and the latch), each job runs once,
/// and the owner is woken whichever thread decrements last.
#[test]
fn loom_scope_waits_for_every_spawned_job() {
    model_pool_bounded(|| {
        let (registry, mut deques) = model_pool(2);
        let deque1 = deques.pop().expect("two deques");
        let deque0 = deques.pop().expect("two deques");
        let helper = start_worker(1, &registry, deque1);

        let owner = WorkerThread::new(0, registry.clone(), deque0);
        let results = Results::new();
        scope_on_worker(&owner, |s| {
            let results = &results;
            s.spawn(move |_| results.write(0));
            s.spawn(move |_| results.write(1));
        });
        assert_eq!([results.read(0), results.read(1)], [ANSWER, ANSWER + 1]);

        registry.terminate();
        helper.join().unwrap();
    });
}

/// `CountLatch` on its own, with more setters than the scope model: the body's count and
/// two jobs' counts are released by three threads in any order, and the owner sleeps on
/// the inner latch (`Sleep::sleep` with the latch, as `wait_until` does). Checks that the
/// latch is set once, after the last decrement (the jobs' writes are visible), and that
/// its owner is woken.
#[test]
fn loom_count_latch_sets_after_the_last_release() {
    loom::model(|| {
        let sleep = Arc::new(Sleep::new(1, 0));
        let count = Arc::new(CountLatch::new(0, &sleep));
        let results = Arc::new(Results::new());
        let jobs: Vec<_> = (0..2)
            .map(|i| {
                // The spawn: the body holds a count while it increments.
                count.increment();
                let (count, results, _sleep) = (count.clone(), results.clone(), sleep.clone());
                thread::spawn(move || {
                    results.write(i);
                    // SAFETY: our count keeps the latch live (the `Arc` does too).
                    unsafe { CountLatch::set(&*count) };
                })
            })
            .collect();
        // SAFETY: as above: the body's count.
        unsafe { CountLatch::set(&*count) };
        while !count.latch.core.probe() {
            sleep.sleep(0, Some(&count.latch.core), || false);
        }
        assert_eq!([results.read(0), results.read(1)], [ANSWER, ANSWER + 1]);
        for job in jobs {
            job.join().unwrap();
        }
    });
}

// ---------------------------------------------------------------------------------------
// Latches whose waiter may free what the setter still uses: `CrossLatch` (a worker waits
// for a job of another pool, whose thread sets the latch) and `LockLatch` (a thread
// outside every pool blocks). The latch lives in a heap frame that the waiter frees as
// soon as it saw the latch set (as a frame is left), and what the latch shares lives
// behind loom's `Arc`, whose counts loom checks: released exactly once, never leaked
// ("Arc leaked" at the end of an execution otherwise).
// ---------------------------------------------------------------------------------------

/// A pool of a model whose reference a latch holds (`Arc<Registry>` in the pools): what
/// the model needs of it, and a liveness flag that its drop writes (see [`PoolRef`]).
pub(crate) struct ModelPool<T> {
    inner: T,
    live: UnsafeCell<bool>,
}

// SAFETY: `live` is written once, by the drop (when no reference is left), and read by
// holders of a reference; loom's cell checks that every read happens before the drop.
unsafe impl<T: Sync> Sync for ModelPool<T> {}

impl<T> Drop for ModelPool<T> {
    fn drop(&mut self) {
        // SAFETY: the last reference is gone; loom checks the claim against every read.
        self.live.with_mut(|live| unsafe { *live = false });
    }
}

/// A counted reference to a [`ModelPool`], as a latch holds it: loom's `Arc`, whose
/// counts loom checks (released once, never leaked), plus a liveness flag of this
/// reference. Dropping the reference writes its flag; cloning it reads it; reaching the
/// pool ([`PoolRef::get`]) reads it and the pool's flag. So loom's cells report a setter
/// that clones the latch's reference, or reaches the pool, at a moment not ordered before
/// the waiter's drop of its frame (which holds the latch's reference) or of the pool.
/// Loom's `Arc` alone would not: it treats a clone as independent of a release, so it
/// never schedules a clone after the last release.
pub(crate) struct PoolRef<T> {
    pool: loom::sync::Arc<ModelPool<T>>,
    live: UnsafeCell<bool>,
}

impl<T> PoolRef<T> {
    /// A new pool, and the first reference to it.
    pub(crate) fn new(inner: T) -> Self {
        PoolRef::to(loom::sync::Arc::new(ModelPool {
            inner,
            live: UnsafeCell::new(true),
        }))
    }

    fn to(pool: loom::sync::Arc<ModelPool<T>>) -> Self {
        PoolRef {
            pool,
            live: UnsafeCell::new(true),
        }
    }

    /// The pool; asserts that this reference and the pool are live (loom checks that
    /// the reads happen before the drops).
    pub(crate) fn get(&self) -> &T {
        // SAFETY: reads; loom checks that they happen before the drops that write.
        let live =
            self.live.with(|live| unsafe { *live }) && self.pool.live.with(|live| unsafe { *live });
        assert!(live, "use of a dropped reference or pool");
        &self.pool.inner
    }
}

impl<T> Clone for PoolRef<T> {
    fn clone(&self) -> Self {
        // SAFETY: a read; loom checks it happens before this reference's drop.
        let live = self.live.with(|live| unsafe { *live });
        assert!(live, "clone of a dropped reference");
        PoolRef::to(self.pool.clone())
    }
}

impl<T> Drop for PoolRef<T> {
    fn drop(&mut self) {
        // SAFETY: we own the reference; loom checks every read happened before.
        self.live.with_mut(|live| unsafe { *live = false });
    }
}

impl WaiterPool for PoolRef<Sleep> {
    fn sleep(&self) -> &Sleep {
        self.get()
    }
}

/// The frame of a worker that installs into another pool: the job's latch and its
/// result (written by the setter before it sets the latch). When the waiter leaves it,
/// its contents are dropped (the latch's reference to the pool goes) but its memory is
/// freed only at the end of the model, so that a setter touching it too late is
/// reported by loom's cells (the reference's liveness flag) rather than reading freed
/// memory.
struct CrossFrame {
    latch: CrossLatch<PoolRef<Sleep>>,
    result: UnsafeCell<u32>,
}

// SAFETY: `result` is written by the setter before its `SET` swap and read by the waiter
// after its acquire probe saw `SET`; loom's cell checks exactly that.
unsafe impl Sync for CrossFrame {}

/// `CrossLatch`: worker 0 of a pool waits for a job that a thread of another pool runs
/// (the waiter's side of `wait_until`: probe, else sleep in its pool's `Sleep` with the
/// latch armed), then reads the result, leaves its frame (the latch and its reference to
/// the pool go) and drops its own reference (the pool goes away). Its parker holds a
/// stale token (left by an earlier wake-up that came after it had left its sleep), so
/// it may also leave a park without the setter's wake-up, as a worker claimed by a
/// publisher does. The setter writes the result and sets the latch (`CrossLatch::set`:
/// clone the pool's reference, swap, wake worker 0 through the clone if it saw
/// `SLEEPING`, drop the clone). Checks: the waiter is always woken (loom reports a
/// deadlock otherwise) and reads the result after it was written; the setter clones the
/// latch's reference, and uses the `Sleep`, only at moments ordered before the waiter
/// dropped them ([`PoolRef`]); the pool is released exactly once, never leaked. Two
/// threads: exhaustive.
#[test]
fn loom_cross_latch_wakes_the_waiter_and_outlives_its_pool() {
    loom::model(|| {
        let pool = PoolRef::new(Sleep::new(1, 0));
        let mut frame = Box::new(ManuallyDrop::new(CrossFrame {
            latch: CrossLatch::with_pool(0, pool.clone()),
            result: UnsafeCell::new(0),
        }));
        // An earlier wake-up left a token in worker 0's parker (a setter that unparked it
        // after it had left its sleep): its park may return before this setter's wake-up.
        pool.get().wake_worker(0);
        let address = &**frame as *const CrossFrame as usize;
        let setter = thread::spawn(move || {
            let frame = address as *const CrossFrame;
            // SAFETY: the waiter frees the frame only after it saw the latch set, below;
            // only the setter writes the result, before it sets the latch.
            unsafe { (*frame).result.with_mut(|r| *r = ANSWER) };
            // SAFETY: live until the set is visible, and set once.
            unsafe { CrossLatch::set(ptr::addr_of!((*frame).latch)) };
        });
        loop {
            if frame.latch.core.probe() {
                break;
            }
            pool.get().sleep(0, Some(&frame.latch.core), || false);
        }
        // SAFETY: the acquire probe saw `SET`, which the setter's swap released.
        assert_eq!(frame.result.with(|r| unsafe { *r }), ANSWER);
        // Leave the frame (see `CrossFrame`), and the pool goes away.
        // SAFETY: not touched again (the setter is done with it once it set the latch).
        unsafe { ManuallyDrop::drop(&mut frame) };
        drop(pool);
        setter.join().unwrap();
        drop(frame);
    });
}

/// The frame of a thread outside every pool that installs into one: the job's
/// `LockLatch` and its result; left as a [`CrossFrame`] is.
struct LockFrame {
    latch: LockLatch,
    result: UnsafeCell<u32>,
}

// SAFETY: `result` is written by the setter before it takes the latch's lock to set it,
// and read by the waiter after its `wait` saw the flag under that lock; loom checks it.
unsafe impl Sync for LockFrame {}

/// `LockLatch`: the waiter makes the latch (`new`: a fresh state behind loom's `Arc`),
/// blocks in `wait` and leaves its frame (dropping its `Arc`) as soon as `wait` returns;
/// the setter writes the result and runs `LockLatch::set` (clone the `Arc`, lock, set the
/// flag, `notify_all`, unlock, drop the clone). Checks: the waiter returns only after the
/// flag was set (it reads the result written before), it is always woken (a deadlock
/// otherwise), and the state is released exactly once, by whichever side drops its
/// reference last (loom's `Arc`: no double release, no leak). Loom's mutex unlocks in one
/// step, so it cannot show the window this `Arc` exists for (a futex unlock stores
/// "unlocked", then wakes on the mutex's address); the valgrind test
/// `a_waiter_may_return_while_its_setter_still_unlocks` covers that. Two threads:
/// exhaustive.
#[test]
fn loom_lock_latch_wakes_the_waiter_and_frees_its_state_once() {
    loom::model(|| {
        let mut frame = Box::new(ManuallyDrop::new(LockFrame {
            latch: LockLatch::new(),
            result: UnsafeCell::new(0),
        }));
        let address = &**frame as *const LockFrame as usize;
        let setter = thread::spawn(move || {
            let frame = address as *const LockFrame;
            // SAFETY: the waiter frees the frame only after its `wait` returned, which
            // needs our set; only the setter writes the result, before the set.
            unsafe { (*frame).result.with_mut(|r| *r = ANSWER) };
            // SAFETY: live until the flag is visible, and set once.
            unsafe { LockLatch::set(ptr::addr_of!((*frame).latch)) };
        });
        frame.latch.wait();
        // SAFETY: `wait` saw the flag under the mutex the setter set it under.
        assert_eq!(frame.result.with(|r| unsafe { *r }), ANSWER);
        // Leave the frame (see `CrossFrame`).
        // SAFETY: not touched again (the setter is done with it once it set the flag).
        unsafe { ManuallyDrop::drop(&mut frame) };
        setter.join().unwrap();
        drop(frame);
    });
}

/// A registry of `workers` workers and `guests` guest slots (private stacks of 4 slots),
/// and the workers' deque ends.
fn model_pool_with_guests(workers: usize, guests: usize) -> (Arc<Registry>, Vec<Worker<JobRef>>) {
    Registry::new(workers, guests, 4, Duration::ZERO, None)
}

/// A guest's job stolen by a worker, and the guest leaving: the main thread enters the
/// pool's only guest slot (`Visit`, as `install` from a thread of no pool), its heartbeat
/// flag is raised (as by a tick), and it joins: the join promotes `b` to the guest's
/// deque (waking the sleeping worker) and runs `a`; the worker, in its main loop, may
/// steal `b`. The guest takes `b` back or waits (helping, then parking in its sleep slot)
/// until the thief's latch wakes it, then leaves; a second visit takes the same slot
/// again (the thief's late wake-up may land in it) and joins once more. Checks: both
/// results arrive, nobody deadlocks (every wake-up reaches its parker), and the slot is
/// free again after each visit.
#[test]
fn loom_guest_job_stolen_then_guest_leaves() {
    model_pool_bounded(|| {
        let (registry, mut deques) = model_pool_with_guests(1, 1);
        let worker = start_worker(0, &registry, deques.pop().expect("one deque"));
        for _ in 0..2 {
            let visit = Visit::enter(&registry).expect("the slot is free");
            registry.tick();
            let (a, b) = visit.worker().join(|| ANSWER, || ANSWER + 1);
            assert_eq!((a, b), (ANSWER, ANSWER + 1));
            drop(visit);
        }
        registry.terminate();
        worker.join().unwrap();
    });
}

/// More outside threads than guest slots: two threads enter a pool of one worker and one
/// guest slot at once. Whoever gets the slot runs a join as a guest (its second job
/// promoted, maybe stolen); the other finds the slot taken and queues its job on the
/// injector, blocking on a `LockLatch` (the fallback of `install`). The guest's helping
/// may run the injected job. Checks: both get their results and the pool shuts down.
#[test]
fn loom_guest_slots_full_falls_back_to_the_injector() {
    model_pool_bounded(|| {
        let (registry, mut deques) = model_pool_with_guests(1, 1);
        let worker = start_worker(0, &registry, deques.pop().expect("one deque"));
        let enter = |registry: &Arc<Registry>| match Visit::enter(registry) {
            Some(visit) => {
                registry.tick();
                let (a, b) = visit.worker().join(|| ANSWER, || ANSWER + 1);
                a + b
            }
            None => registry.in_worker_cold(|| 2 * ANSWER + 1),
        };
        let other = {
            let registry = registry.clone();
            thread::spawn(move || enter(&registry))
        };
        assert_eq!(enter(&registry), 2 * ANSWER + 1);
        assert_eq!(other.join().unwrap(), 2 * ANSWER + 1);
        registry.terminate();
        worker.join().unwrap();
    });
}

/// A guest arriving wakes the parked heartbeat thread: the pool's one worker sleeps and
/// its guest slot is empty, so the heartbeat thread may park (`heartbeat_idle`) at any
/// moment; a guest arrives (`guest_arrives`: decrement, fence, read the heartbeat's
/// state). Against the heartbeat's state store, fence, read of the counters, one sees the
/// other: the heartbeat thread returns from `heartbeat_idle`. Loom reports a deadlock if
/// it could stay parked with the guest in. Two threads: exhaustive.
#[test]
fn loom_guest_arrival_wakes_the_parked_heartbeat() {
    loom::model(|| {
        let sleep = Arc::new(Sleep::new(1, 1));
        // The worker announced its sleep (as in `Sleep::sleep`).
        sleep.sleeping.fetch_add(1, Ordering::SeqCst);
        let heartbeat = {
            let sleep = sleep.clone();
            thread::spawn(move || sleep.heartbeat_idle(|| false))
        };
        sleep.guest_arrives();
        heartbeat.join().unwrap();
        assert!(!sleep.all_resting());
    });
}
