//! Loom models of the executor's hand-offs, exhaustive over every interleaving of two
//! threads. Run with the command in `README.md` ("Development").

use std::sync::Arc;

use loom::sync::atomic::{AtomicBool, Ordering};
use loom::thread;

use super::job::{JobRef, StackJob};
use super::latch::WorkerLatch;
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
        let sleep = Arc::new(Sleep::new(2));
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
                None => sleep.sleep(0, Some(&job.latch.core), || false),
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
        let sleep = Arc::new(Sleep::new(2));
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
        let sleep = Arc::new(Sleep::new(1));
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
        let sleep = Arc::new(Sleep::new(1));

        let worker = {
            let sleep = sleep.clone();
            thread::spawn(move || sleep.enter_idle())
        };

        sleep.heartbeat_busy(|| false);

        worker.join().unwrap();
    });
}
