//! Unit tests of the heartbeat pool: stealing and splitting, a panic while `b` is
//! stolen, `par_for_each`, `install` from inside and across pools, the private stack's
//! bound, build errors. (Results, scopes, panics, joins, `install` from many threads and
//! drop on every pool: `tests/conformance.rs`; idle CPU: `tests/exec_idle.rs`.)

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::test_support::{fib_join, fib_serial, panic_message, spin_for};
use super::*;

/// Worker counts `par_for_each` runs on.
const WORKER_COUNTS: [usize; 4] = [1, 2, 4, 8];

fn pool(workers: usize) -> ThreadPool {
    ThreadPool::builder()
        .workers(workers)
        .heartbeat(Duration::from_micros(20))
        .build()
        .expect("pool builds")
}

#[test]
fn steals_happen_on_two_workers() {
    // A long computation at the root must be shared: both workers run parts of it
    // (the calling thread, a guest, runs parts too: slot 2 here).
    let pool = pool(2);
    let seen = [
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    ];
    fn walk(depth: u32, seen: &[AtomicUsize; 3]) {
        if depth == 0 {
            let index = current_worker_index().unwrap_or(2);
            seen[index].fetch_add(1, Ordering::Relaxed);
            spin_for(Duration::from_micros(20));
            return;
        }
        join(|| walk(depth - 1, seen), || walk(depth - 1, seen));
    }
    pool.install(|| walk(12, &seen));
    let counts = seen.map(AtomicUsize::into_inner);
    assert_eq!(counts.iter().sum::<usize>(), 1 << 12);
    assert!(
        counts[0] > 0 && counts[1] > 0,
        "no steal happened: {counts:?}"
    );
}

#[test]
fn scope_outside_a_pool_runs_serially() {
    let mut order = Vec::new();
    let order_ref = crate::sync::Mutex::new(&mut order);
    scope(|s| {
        s.spawn(|_| order_ref.lock().unwrap().push(1));
        s.spawn(|_| order_ref.lock().unwrap().push(2));
    });
    assert_eq!(order, [1, 2]);
}

#[test]
fn panic_while_b_is_stolen_waits_for_b() {
    // `a` panics after `b` was surely shared and stolen: `b` borrows this frame, so the
    // panic may only leave once `b` finished.
    let pool = pool(2);
    let finished = AtomicUsize::new(0);
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        pool.install(|| {
            join(
                || {
                    std::thread::sleep(Duration::from_millis(20));
                    // Raise a join so the heartbeat flag is consumed and `b` promoted.
                    join(|| (), || ());
                    std::thread::sleep(Duration::from_millis(20));
                    panic!("a after b was shared");
                },
                || {
                    std::thread::sleep(Duration::from_millis(30));
                    finished.fetch_add(1, Ordering::SeqCst);
                },
            )
        })
    }));
    assert_eq!(panic_message(result.unwrap_err()), "a after b was shared");
    // Either `b` ran (on a thief, and we waited for it) or it was discarded unrun.
    assert!(finished.load(Ordering::SeqCst) <= 1);
    assert_eq!(pool.install(|| fib_join(15)), fib_serial(15));
}

#[test]
fn par_for_each_covers_every_item_once() {
    const LEN: usize = 100_000;
    for workers in WORKER_COUNTS {
        let pool = pool(workers);
        let mut data = vec![0u32; LEN];
        pool.install(|| par_for_each(&mut data[..], |x| *x += 1));
        assert!(data.iter().all(|&x| x == 1), "{workers} workers: &mut [T]");
        let sum = AtomicUsize::new(0);
        pool.par_for_each(&data[..], |x| {
            sum.fetch_add(*x as usize, Ordering::Relaxed);
        });
        assert_eq!(sum.swap(0, Ordering::Relaxed), LEN);
        pool.install(|| {
            par_for_each(0..LEN, |i| {
                sum.fetch_add(i, Ordering::Relaxed);
            })
        });
        assert_eq!(sum.into_inner(), LEN * (LEN - 1) / 2);
    }
    // Outside any pool: serial.
    let mut data = [1, 2, 3];
    par_for_each(&mut data[..], |x| *x *= 10);
    assert_eq!(data, [10, 20, 30]);
}

#[test]
fn par_for_each_chunk_tiles_the_source_with_chunks_longer_than_one_item() {
    const LEN: usize = 100_000;
    for workers in WORKER_COUNTS {
        let pool = pool(workers);
        let chunks = crate::sync::Mutex::new(Vec::new());
        pool.install(|| {
            par_for_each_chunk(0..LEN, |rows: std::ops::Range<usize>| {
                crate::sync::lock(&chunks).push(rows);
            })
        });
        let mut chunks = chunks.into_inner().unwrap_or_else(|e| e.into_inner());
        chunks.sort_by_key(|r| r.start);
        let mut next = 0;
        for rows in &chunks {
            assert_eq!(rows.start, next, "{workers} workers: a gap or an overlap");
            assert!(rows.start < rows.end && rows.end - rows.start <= par_for_each::MAX_CHUNK);
            next = rows.end;
        }
        assert_eq!(next, LEN, "{workers} workers: items left out");
        // Cheap items are walked many at a time, not one by one.
        let longest = chunks.iter().map(|r| r.end - r.start).max().unwrap_or(0);
        assert!(longest >= 64, "{workers} workers: longest chunk {longest}");
    }
    // Outside any pool: one chunk.
    let mut data = [1, 2, 3];
    par_for_each_chunk(&mut data[..], |chunk: &mut [i32]| {
        assert_eq!(chunk.len(), 3);
        chunk.iter_mut().for_each(|x| *x *= 10);
    });
    assert_eq!(data, [10, 20, 30]);
}

#[test]
fn chunks_of_a_source_are_items_of_a_source() {
    let mut chunks = par_for_each::Chunks::new(0..10, 3);
    assert_eq!(ParSource::len(&chunks), 4);
    let (mut left, mut right) = chunks.split_at(1);
    assert_eq!((ParSource::len(&left), ParSource::len(&right)), (1, 3));
    assert_eq!(left.next_item(), Some(0..3));
    assert_eq!(left.next_item(), None);
    assert_eq!(right.next_item(), Some(3..6));
    chunks = right;
    assert_eq!(chunks.next_item(), Some(6..9));
    assert_eq!(chunks.next_item(), Some(9..10));
    assert_eq!(chunks.next_item(), None);
    assert!(ParSource::is_empty(&chunks));
}

#[test]
fn par_for_each_splits_across_workers() {
    let pool = pool(2);
    // Slot 2: the calling thread, which takes part as a guest.
    let seen = [
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    ];
    pool.install(|| {
        par_for_each(0..2000, |_| {
            seen[current_worker_index().unwrap_or(2)].fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(Duration::from_micros(10));
        })
    });
    let counts = seen.map(AtomicUsize::into_inner);
    assert_eq!(counts.iter().sum::<usize>(), 2000);
    assert!(
        counts.iter().filter(|&&c| c > 0).count() >= 2,
        "the loop never split: {counts:?}"
    );
}

#[test]
fn install_from_inside_runs_directly_and_from_another_pool_returns() {
    let a = pool(2);
    let b = pool(2);
    let (same, other) = a.install(|| {
        let here = current_worker_index();
        let same = a.install(current_worker_index) == here;
        let other = b.install(|| fib_join(12));
        (same, other)
    });
    assert!(same);
    assert_eq!(other, fib_serial(12));
    assert_eq!(current_worker_index(), None);
}

#[test]
fn deep_recursion_beyond_the_private_stack_runs_serially() {
    let pool = ThreadPool::builder()
        .workers(2)
        .local_queue_size(4)
        .build()
        .unwrap();
    assert_eq!(pool.install(|| fib_join(18)), fib_serial(18));
}

#[test]
fn build_errors_have_readable_messages() {
    let msg = |b: ThreadPoolBuilder| b.build().unwrap_err().to_string();
    assert_eq!(
        msg(ThreadPool::builder().workers(0)),
        "a thread pool needs at least one worker, got `workers(0)`"
    );
    assert_eq!(
        msg(ThreadPool::builder().workers(MAX_WORKERS + 1)),
        "`workers(1025)` is more than the maximum of 1024"
    );
    assert_eq!(
        msg(ThreadPool::builder().local_queue_size(100)),
        "`local_queue_size(100)` must be a power of two; try 128"
    );
    assert_eq!(
        msg(ThreadPool::builder().local_queue_size(0)),
        "`local_queue_size(0)` must be a power of two; try 256"
    );
    assert_eq!(
        msg(ThreadPool::builder().heartbeat(Duration::ZERO)),
        "`heartbeat` must be longer than zero; try `Duration::from_micros(100)`"
    );
    // An impossible stack size makes the OS refuse the thread.
    let err = ThreadPool::builder()
        .workers(1)
        .stack_size(usize::MAX / 2)
        .build()
        .unwrap_err();
    assert!(
        matches!(err, BuildError::Spawn { worker: 0, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("failed to spawn thread 0 of the pool: "),
        "{err}"
    );
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn default_workers_is_available_parallelism() {
    let expected = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert_eq!(
        ThreadPool::builder().build().unwrap().workers(),
        expected.min(MAX_WORKERS)
    );
}

/// Joins empty closures until `flag` is set or `limit` passed; returns whether it was
/// set. (Each join is a point where a pending heartbeat promotes the oldest private job.)
fn wait_for(flag: &std::sync::atomic::AtomicBool, limit: Duration) -> bool {
    let start = std::time::Instant::now();
    while !flag.load(Ordering::Acquire) {
        if start.elapsed() > limit {
            return false;
        }
        join(std::hint::spin_loop, || ());
    }
    true
}

#[test]
fn install_from_a_thread_of_no_pool_runs_f_on_the_caller() {
    let caller = std::thread::current().id();
    let pool = pool(2);
    assert_eq!(pool.install(|| std::thread::current().id()), caller);
    let numa = numa::NumaPool::builder().workers(2).build().unwrap();
    assert_eq!(numa.install(|| std::thread::current().id()), caller);
    // The guest is no worker, and leaves no trace after `install`.
    assert_eq!(pool.install(current_worker_index), None);
    assert!(WorkerThread::current().is_null());
}

#[test]
fn a_guests_job_is_stolen_by_a_worker() {
    // `a` waits until `b` started: `b` can only start if a worker steals it from the
    // guest (the calling thread), after a heartbeat promoted it (at one of `a`'s joins).
    use std::sync::atomic::AtomicBool;
    for workers in [1, 2] {
        let pool = pool(workers);
        let started = AtomicBool::new(false);
        let (stolen, ran_on) = pool.install(|| {
            join(
                || wait_for(&started, Duration::from_secs(20)),
                || {
                    started.store(true, Ordering::Release);
                    current_worker_index()
                },
            )
        });
        assert!(stolen, "{workers} workers: nobody stole the guest's job");
        assert!(ran_on.is_some_and(|i| i < workers), "ran on {ran_on:?}");
    }
}

#[test]
fn a_panic_in_a_guests_stolen_job_reaches_the_caller() {
    use std::sync::atomic::AtomicBool;
    let caller = std::thread::current().id();
    let pool = pool(2);
    for _ in 0..3 {
        let started = AtomicBool::new(false);
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            pool.install(|| {
                join(
                    || assert!(wait_for(&started, Duration::from_secs(20))),
                    || {
                        started.store(true, Ordering::Release);
                        panic!("stolen b");
                    },
                )
            })
        }));
        assert_eq!(panic_message(result.unwrap_err()), "stolen b");
        // The slot was handed back: the next `install` is a guest again.
        assert_eq!(pool.install(|| std::thread::current().id()), caller);
    }
    // A panic in `f` itself, on the guest.
    let result = panic::catch_unwind(AssertUnwindSafe(|| pool.install(|| panic!("in f"))));
    assert_eq!(panic_message(result.unwrap_err()), "in f");
    assert!(WorkerThread::current().is_null());
    assert_eq!(pool.install(|| fib_join(15)), fib_serial(15));
    assert_eq!(pool.install(|| std::thread::current().id()), caller);
}

#[test]
fn a_guest_of_one_pool_installs_into_another() {
    // The guest of `a` waits for `b`'s job like a worker of `a` (helping `a`), and `b`'s
    // job may install back into `a`.
    let (a, b) = (pool(1), pool(1));
    let value = a.install(|| b.install(|| a.install(|| fib_join(12)) + 1));
    assert_eq!(value, fib_serial(12) + 1);
}

#[test]
fn deep_joins_keep_few_jobs_private() {
    // A chain of 200 nested joins records at most `PRIVATE_JOBS` second closures, plus
    // one per `SAMPLE_EVERY` unrecorded joins: the rest run as plain calls.
    fn depth_chain(depth: usize, most_private: &AtomicUsize) {
        if depth == 0 {
            let worker = WorkerThread::current();
            // SAFETY: inside `install`, `current` is this thread's live worker (a guest).
            let worker = unsafe { &*worker };
            // SAFETY: both pointers point into the worker's private stack.
            let private = unsafe { worker.top.get().offset_from(worker.bottom.get()) };
            most_private.fetch_max(private as usize, Ordering::Relaxed);
            return;
        }
        join(|| depth_chain(depth - 1, most_private), || ());
    }
    let pool = ThreadPool::builder()
        .workers(1)
        .heartbeat(Duration::from_secs(1))
        .local_queue_size(1024)
        .build()
        .unwrap();
    let most_private = AtomicUsize::new(0);
    pool.install(|| depth_chain(200, &most_private));
    let bound = registry::PRIVATE_JOBS + 200 / registry::SAMPLE_EVERY as usize;
    let most = most_private.into_inner();
    assert!(most <= bound, "{most} private jobs (bound {bound})");
}

#[test]
fn a_raised_flag_is_spent_by_the_next_join_however_deep() {
    // Beyond `PRIVATE_JOBS` private jobs a join records nothing; a raised heartbeat flag
    // must still send it to promote (the flag is above every slot, so such a join takes
    // the recording branch, which tells the flag from a limit). Run on the pool's only
    // worker, entered from another pool's worker: no guest or idle worker raises the
    // flag meanwhile, and the heartbeat (1 s) rests while that worker is busy.
    fn nest(depth: usize, checked: &AtomicUsize) {
        if depth > 0 {
            join(|| nest(depth - 1, checked), || ());
            return;
        }
        // SAFETY: inside `install` on a worker, `current` is this thread's live worker.
        let worker = unsafe { &*WorkerThread::current() };
        // SAFETY: both pointers point into the worker's private stack.
        let private = unsafe { worker.top.get().offset_from(worker.bottom.get()) };
        assert!(
            private as usize >= registry::PRIVATE_JOBS,
            "{private} private jobs"
        );
        let shared = worker.deque.len();
        worker.registry.tick();
        join(|| (), || ());
        assert!(!worker.heartbeat_pending(), "the flag was not spent");
        assert_eq!(worker.deque.len(), shared + 1, "nothing was promoted");
        checked.fetch_add(1, Ordering::Relaxed);
    }
    let helper = pool(1);
    let pool = ThreadPool::builder()
        .workers(1)
        .heartbeat(Duration::from_secs(1))
        .build()
        .unwrap();
    let checked = AtomicUsize::new(0);
    helper.install(|| pool.install(|| nest(8, &checked)));
    assert_eq!(checked.into_inner(), 1);
}

#[test]
fn a_spines_side_jobs_are_shared() {
    // A left spine whose every second closure is a small join tree (`unbalanced` in
    // miniature): the spine's joins beyond the first few record nothing, yet the sampled
    // ones still offer work (promoted at the side trees' joins), so a worker runs some
    // of the side jobs.
    fn spine(depth: usize, by_workers: &AtomicUsize) {
        if depth == 0 {
            return;
        }
        join(
            || spine(depth - 1, by_workers),
            || {
                if current_worker_index().is_some() {
                    by_workers.fetch_add(1, Ordering::Relaxed);
                }
                assert_eq!(fib_join(14), fib_serial(14));
            },
        );
    }
    let pool = pool(1);
    let by_workers = AtomicUsize::new(0);
    pool.install(|| spine(1000, &by_workers));
    assert!(by_workers.into_inner() > 0, "no side job was shared");
}

#[test]
fn guests_help_each_others_scopes_and_leave() {
    // Two outside threads, both guests of a one-worker pool, run scopes whose jobs spawn
    // more jobs. A guest waiting for its scope may run a job of the other guest's scope,
    // which spawns into the helper's deque; the helper may then finish and leave its
    // slot with that job still in its deque. The job must stay stealable there (the
    // registry keeps the deque's stealer), or the other guest's scope never ends.
    let pool = pool(1);
    let total = AtomicUsize::new(0);
    std::thread::scope(|threads| {
        for _ in 0..2 {
            let (pool, total) = (&pool, &total);
            threads.spawn(move || {
                for _ in 0..500 {
                    pool.install(|| {
                        scope(|s| {
                            for _ in 0..4 {
                                s.spawn(|s| {
                                    s.spawn(|_| {
                                        total.fetch_add(1, Ordering::Relaxed);
                                    });
                                    total.fetch_add(1, Ordering::Relaxed);
                                });
                            }
                        })
                    });
                }
            });
        }
    });
    assert_eq!(total.into_inner(), 2 * 500 * 4 * 2);
}
