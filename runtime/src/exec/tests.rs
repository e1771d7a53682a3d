//! Unit tests of the executor (process-global ones, such as idle CPU, live in
//! `runtime/tests/`).

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::*;

/// Worker counts every correctness test runs on.
const WORKER_COUNTS: [usize; 4] = [1, 2, 4, 8];
/// Depth of the test tree (2^depth - 1 nodes).
const TREE_DEPTH: u32 = 14;
/// `fib(FIB_N)` is computed with a join at every call.
const FIB_N: u64 = 22;
/// The "one million joins" test.
const MILLION: usize = 1_000_000;

fn pool(workers: usize) -> ThreadPool {
    ThreadPool::builder()
        .workers(workers)
        .heartbeat(Duration::from_micros(20))
        .build()
        .expect("pool builds")
}

struct Node {
    value: u64,
    left: Option<Box<Node>>,
    right: Option<Box<Node>>,
}

fn tree(depth: u32, next: &mut u64) -> Option<Box<Node>> {
    if depth == 0 {
        return None;
    }
    *next += 1;
    let value = *next;
    Some(Box::new(Node {
        value,
        left: tree(depth - 1, next),
        right: tree(depth - 1, next),
    }))
}

fn sum_serial(n: &Node) -> u64 {
    n.value + n.left.as_deref().map_or(0, sum_serial) + n.right.as_deref().map_or(0, sum_serial)
}

fn sum_join(n: &Node) -> u64 {
    let (l, r) = join(
        || n.left.as_deref().map_or(0, sum_join),
        || n.right.as_deref().map_or(0, sum_join),
    );
    n.value + l + r
}

fn fib_serial(n: u64) -> u64 {
    if n < 2 {
        n
    } else {
        fib_serial(n - 1) + fib_serial(n - 2)
    }
}

fn fib_join(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = join(|| fib_join(n - 1), || fib_join(n - 2));
    a + b
}

#[test]
fn tree_sum_equals_serial_on_1_2_4_8_workers() {
    let root = tree(TREE_DEPTH, &mut 0).unwrap();
    let expected = sum_serial(&root);
    assert_eq!(sum_join(&root), expected, "outside a pool");
    for workers in WORKER_COUNTS {
        let pool = pool(workers);
        for _ in 0..3 {
            assert_eq!(
                pool.install(|| sum_join(&root)),
                expected,
                "{workers} workers"
            );
        }
    }
}

#[test]
fn fib_equals_serial_on_1_2_4_8_workers() {
    let expected = fib_serial(FIB_N);
    for workers in WORKER_COUNTS {
        let pool = pool(workers);
        assert_eq!(
            pool.install(|| fib_join(FIB_N)),
            expected,
            "{workers} workers"
        );
        assert_eq!(Executor::install(&pool, || fib_join(FIB_N)), expected);
    }
}

#[test]
fn one_million_joins() {
    fn count(n: usize) -> usize {
        if n <= 1 {
            return n;
        }
        let (a, b) = join(|| count(n / 2), || count(n - n / 2));
        a + b
    }
    // A balanced split of MILLION leaves makes MILLION - 1 joins.
    let pool = pool(2);
    assert_eq!(pool.install(|| count(MILLION)), MILLION);
    // And a million joins in a flat loop (depth 1), with side effects on both sides.
    let hits = AtomicUsize::new(0);
    pool.install(|| {
        for _ in 0..MILLION {
            join(
                || hits.fetch_add(1, Ordering::Relaxed),
                || hits.fetch_add(1, Ordering::Relaxed),
            );
        }
    });
    assert_eq!(hits.into_inner(), 2 * MILLION);
}

#[test]
fn steals_happen_on_two_workers() {
    // A long computation at the root must be shared: both workers run parts of it.
    let pool = pool(2);
    let seen = [AtomicUsize::new(0), AtomicUsize::new(0)];
    fn walk(depth: u32, seen: &[AtomicUsize; 2]) {
        if depth == 0 {
            let index = current_worker_index().unwrap();
            seen[index].fetch_add(1, Ordering::Relaxed);
            let start = std::time::Instant::now();
            while start.elapsed() < Duration::from_micros(20) {
                std::hint::spin_loop();
            }
            return;
        }
        join(|| walk(depth - 1, seen), || walk(depth - 1, seen));
    }
    pool.install(|| walk(12, &seen));
    let counts = seen.map(AtomicUsize::into_inner);
    assert_eq!(counts[0] + counts[1], 1 << 12);
    assert!(
        counts[0] > 0 && counts[1] > 0,
        "no steal happened: {counts:?}"
    );
}

#[test]
fn nested_scopes() {
    for workers in [1, 2, 4] {
        let pool = pool(workers);
        let total = AtomicUsize::new(0);
        let mut slots = vec![0usize; 64];
        pool.install(|| {
            scope(|outer| {
                for (i, chunk) in slots.chunks_mut(8).enumerate() {
                    let total = &total;
                    outer.spawn(move |_| {
                        scope(|inner| {
                            for (j, slot) in chunk.iter_mut().enumerate() {
                                inner.spawn(move |nested| {
                                    *slot = i * 8 + j;
                                    nested.spawn(move |_| {
                                        total.fetch_add(1, Ordering::Relaxed);
                                    });
                                });
                            }
                        });
                    });
                }
            });
        });
        assert_eq!(total.into_inner(), 64);
        assert_eq!(slots, (0..64).collect::<Vec<_>>());
    }
}

#[test]
fn pool_scope_from_outside_runs_borrowing_jobs() {
    let pool = pool(2);
    let results = crate::sync::Mutex::new(Vec::new());
    let jobs: Vec<Box<dyn FnOnce() -> usize + Send>> =
        (0..32usize).map(|i| Box::new(move || i * i) as _).collect();
    pool.scope(|s| {
        for job in jobs {
            let results = &results;
            s.spawn(move |_| results.lock().unwrap().push(job()));
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_unstable();
    assert_eq!(results, (0..32).map(|i| i * i).collect::<Vec<_>>());
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

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// Runs `f` on `pool`, expects it to panic with `expected`, then checks the pool works.
fn expect_panic(pool: &ThreadPool, expected: &str, f: impl FnOnce() + Send) {
    let result = panic::catch_unwind(AssertUnwindSafe(|| pool.install(f)));
    let payload = result.expect_err("the panic must reach the caller");
    assert_eq!(panic_message(payload), expected);
    assert_eq!(
        pool.install(|| fib_join(15)),
        fib_serial(15),
        "the pool stays usable"
    );
}

#[test]
fn panic_in_join_a_reaches_caller() {
    for workers in [1, 2] {
        let pool = pool(workers);
        expect_panic(&pool, "left", || {
            join(|| panic!("left"), || fib_join(10));
        });
        // Deep in a recursion, with promoted and stolen jobs around.
        expect_panic(&pool, "deep left", || {
            fn go(n: u32) -> u64 {
                if n == 0 {
                    panic!("deep left");
                }
                let (a, b) = join(|| go(n - 1), || fib_join(12));
                a + b
            }
            go(12);
        });
    }
}

#[test]
fn panic_in_join_b_reaches_caller() {
    for workers in [1, 2] {
        let pool = pool(workers);
        expect_panic(&pool, "right", || {
            join(|| fib_join(10), || panic!("right"));
        });
        expect_panic(&pool, "deep right", || {
            fn go(n: u32) -> u64 {
                if n == 0 {
                    panic!("deep right");
                }
                let (a, b) = join(|| fib_join(12), || go(n - 1));
                a + b
            }
            go(12);
        });
    }
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
fn panic_in_scope_spawn_reaches_caller() {
    for workers in [1, 2] {
        let pool = pool(workers);
        let ran = AtomicUsize::new(0);
        expect_panic(&pool, "spawned", || {
            scope(|s| {
                for i in 0..16 {
                    let ran = &ran;
                    s.spawn(move |_| {
                        if i == 7 {
                            panic!("spawned");
                        }
                        ran.fetch_add(1, Ordering::SeqCst);
                    });
                }
            });
        });
        assert_eq!(ran.load(Ordering::SeqCst), 15, "the other jobs still ran");
        expect_panic(&pool, "body", || {
            scope(|s| {
                s.spawn(|_| std::thread::sleep(Duration::from_millis(5)));
                panic!("body");
            });
        });
    }
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
fn par_for_each_splits_across_workers() {
    let pool = pool(2);
    let seen = [AtomicUsize::new(0), AtomicUsize::new(0)];
    pool.install(|| {
        par_for_each(0..2000, |_| {
            seen[current_worker_index().unwrap()].fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(Duration::from_micros(10));
        })
    });
    let counts = seen.map(AtomicUsize::into_inner);
    assert_eq!(counts[0] + counts[1], 2000);
    assert!(
        counts[0] > 0 && counts[1] > 0,
        "the loop never split: {counts:?}"
    );
}

#[test]
fn install_from_inside_runs_directly_and_from_another_pool_blocks() {
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
fn install_from_many_threads_at_once() {
    let pool = pool(2);
    std::thread::scope(|s| {
        for t in 0..4u64 {
            let pool = &pool;
            s.spawn(move || {
                for _ in 0..20 {
                    assert_eq!(
                        pool.install(|| fib_join(12 + t % 2)),
                        fib_serial(12 + t % 2)
                    );
                }
            });
        }
    });
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
