//! Loom models on whole pools: real `Registry`s and `WorkerThread`s, `install`s from
//! outside, scopes (and `CountLatch` released by three threads), and guests (see
//! `mod.rs` for the command).

use super::*;

// ---------------------------------------------------------------------------------------
// Whole-pool models: real `Registry`s and `WorkerThread`s (their `main_loop`, `wait_until`,
// `find_work` and back-off, which under loom parks at the first fruitless search: see
// `BACK_OFF` in `core/registry.rs`), real
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

/// A tick on a pool: the only worker runs its main loop (it may be parked when the
/// tick begins, or park at any moment before it sees the tick); the owner begins a tick
/// (claiming the sleepers), installs a job from outside and blocks on it (the worker,
/// polling during the tick, runs it), ends the tick (the worker may park again) and
/// terminates the pool. Loom reports a deadlock if the job could be left unrun or the
/// worker parked for good. Bounded (the polling worker spins under loom).
#[test]
fn loom_tick_wakes_the_pool_and_lets_it_park_after() {
    model_pool_bounded(|| {
        let (registry, mut deques) = model_pool(1);
        let worker = start_worker(0, &registry, deques.pop().expect("one deque"));
        registry.sleep.begin_tick();
        assert_eq!(registry.in_worker_cold(|| ANSWER), ANSWER);
        registry.sleep.end_tick();
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
