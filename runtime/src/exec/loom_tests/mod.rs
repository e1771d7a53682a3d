//! Loom models of the executor's hand-offs. The first four drive the latch and sleep
//! types directly, exhaustive over two threads; the last ones the latches of `install`s
//! whose waiter may free what the setter still uses (`CrossLatch`, `LockLatch`). The
//! models on whole pools (workers, `install`, scopes, guests) are in `pools.rs`.
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

mod pools;

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

/// A tick's start claims a worker going to sleep: the worker announces its sleep and
/// checks `ticking` (as `idle_step` passes it in `has_work`) while the tick begins
/// (`begin_tick`: increment, fence, read of `sleeping`, claim). One sees the other: the
/// worker does not park, or is claimed. Loom reports a deadlock if it could stay parked
/// for the whole tick. Two threads: exhaustive.
#[test]
fn loom_tick_start_claims_a_sleeping_worker() {
    loom::model(|| {
        let sleep = Arc::new(Sleep::new(1, 0));
        let worker = {
            let sleep = sleep.clone();
            thread::spawn(move || {
                sleep.sleep(0, None, || sleep.ticking());
            })
        };
        sleep.begin_tick();
        worker.join().unwrap();
    });
}

/// The heartbeat thread rests during a tick (`heartbeat_during_tick`, entered while the
/// tick is under way, as `run_heartbeat` does) until a waker outside a tick claims it.
/// The tick ends, then a worker runs out of work (`enter_idle`) or a guest arrives
/// (`guest_arrives`): against the heartbeat's state store, fence, read of `ticking`, the
/// waker's fence, read of `ticking` and of its state: one sees the other, and the
/// heartbeat returns. Loom reports a deadlock if it could stay parked. Two threads each:
/// exhaustive.
#[test]
fn loom_heartbeat_resting_after_a_tick_is_woken_by_the_next_waker() {
    for guest in [false, true] {
        loom::model(move || {
            let sleep = Arc::new(Sleep::new(1, 1));
            sleep.begin_tick();
            let heartbeat = {
                let sleep = sleep.clone();
                thread::spawn(move || sleep.heartbeat_during_tick(|| false))
            };
            sleep.end_tick();
            if guest {
                sleep.guest_arrives();
            } else {
                sleep.enter_idle();
            }
            heartbeat.join().unwrap();
        });
    }
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
