//! The executor conformance suite: one set of generic checks, run on every pool behind
//! the `Executor` trait (`ThreadPool`, `ContinuationPool`, `NumaPool`): tree-sum and
//! fib equal their serial values on 1, 2, 4 and 8 workers, nested scopes and
//! `par_for_each`, panics in `join` and `scope` reach the caller (the other spawned jobs
//! still run) and leave the pool usable, a panicking `a` disposes of `b` exactly once
//! (run or dropped, never leaked), a million joins (nested and in a flat loop),
//! `install` from many threads at once (4 threads running fib, and 8 threads each
//! entering 10 000 times), `install` nested into the same pool, dropping a pool while
//! idle, and dropping a pool joins its threads.
//!
//! Add a pool with one `conformance!` line: a module name, a thread-name prefix (under
//! 13 characters) and a builder expression taking the worker count and that prefix.

mod support;
use support::{fib as fib_join, thread_names};

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use metronome_runtime::exec::NumaPool;
use metronome_runtime::{join, par_for_each, scope, ContinuationPool, Executor, ThreadPool};

const WORKER_COUNTS: [usize; 4] = [1, 2, 4, 8];
/// Layers of the summed full binary tree (2^15 - 1 nodes).
const TREE_LAYERS: u32 = 15;
const FIB_N: u64 = 20;
const MILLION: usize = 1_000_000;
/// The heartbeat pools' interval: short, so that short runs share (and panic) a lot.
const HEARTBEAT: Duration = Duration::from_micros(20);

/// Drop tests read the process's thread list: one at a time.
static THREAD_LIST: Mutex<()> = Mutex::new(());

struct Node {
    value: u64,
    left: Option<Box<Node>>,
    right: Option<Box<Node>>,
}

fn tree(layers: u32, next: &mut u64) -> Option<Box<Node>> {
    if layers == 0 {
        return None;
    }
    *next += 1;
    let value = *next;
    Some(Box::new(Node {
        value,
        left: tree(layers - 1, next),
        right: tree(layers - 1, next),
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

fn panic_message(payload: Box<dyn Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

fn expect_panic<E: Executor>(pool: &E, expected: &str, f: impl FnOnce() + Send) {
    let result = panic::catch_unwind(AssertUnwindSafe(|| pool.install(f)));
    assert_eq!(panic_message(result.expect_err("a panic")), expected);
    // The pool stays usable.
    assert_eq!(pool.install(|| fib_join(12)), fib_serial(12));
}

fn tree_sum<E: Executor>(make: impl Fn(usize) -> E) {
    let mut next = 0;
    let root = tree(TREE_LAYERS, &mut next).expect("a tree");
    let expected = sum_serial(&root);
    assert_eq!(sum_join(&root), expected, "outside a pool");
    for workers in WORKER_COUNTS {
        let pool = make(workers);
        assert_eq!(pool.workers(), workers);
        for _ in 0..3 {
            assert_eq!(
                pool.install(|| sum_join(&root)),
                expected,
                "{workers} workers"
            );
        }
    }
}

fn fib<E: Executor>(make: impl Fn(usize) -> E) {
    let expected = fib_serial(FIB_N);
    for workers in WORKER_COUNTS {
        let pool = make(workers);
        assert_eq!(
            pool.install(|| fib_join(FIB_N)),
            expected,
            "{workers} workers"
        );
        // `Executor::join` from outside the pool.
        let (a, b) = pool.join(|| fib_join(FIB_N - 1), || fib_join(FIB_N - 2));
        assert_eq!(a + b, expected);
    }
}

fn scopes<E: Executor>(make: impl Fn(usize) -> E) {
    for workers in WORKER_COUNTS {
        let pool = make(workers);
        let total = AtomicUsize::new(0);
        let mut parts = [0usize; 8];
        pool.scope(|s| {
            for (i, part) in parts.iter_mut().enumerate() {
                let total = &total;
                s.spawn(move |s| {
                    *part = i * 10;
                    total.fetch_add(i, Ordering::Relaxed);
                    s.spawn(move |_| {
                        scope(|inner| {
                            inner.spawn(|_| {
                                total.fetch_add(100, Ordering::Relaxed);
                            });
                            inner.spawn(|_| {
                                let (a, b) = join(|| fib_join(10), || fib_join(9));
                                assert_eq!(a + b, fib_serial(11));
                            });
                        });
                    });
                });
            }
        });
        assert_eq!(total.into_inner(), 28 + 800, "{workers} workers");
        assert_eq!(parts, [0, 10, 20, 30, 40, 50, 60, 70]);
        let mut data = vec![1u64; 50_000];
        pool.install(|| par_for_each(&mut data[..], |x| *x += 1));
        assert!(data.iter().all(|&x| x == 2));
        let sum = AtomicUsize::new(0);
        pool.install(|| {
            par_for_each(&data[..], |x| {
                sum.fetch_add(*x as usize, Ordering::Relaxed);
            })
        });
        assert_eq!(sum.into_inner(), 100_000, "{workers} workers");
    }
}

fn panics<E: Executor>(make: impl Fn(usize) -> E) {
    for workers in [1, 2] {
        let pool = make(workers);
        expect_panic(&pool, "left", || {
            join(|| panic!("left"), || fib_join(10));
        });
        expect_panic(&pool, "right", || {
            join(|| fib_join(10), || panic!("right"));
        });
        expect_panic(&pool, "in a", || {
            fn go(n: u32) -> u64 {
                if n == 0 {
                    panic!("in a");
                }
                let (a, b) = join(|| go(n - 1), || fib_join(8));
                a + b
            }
            go(10);
        });
        expect_panic(&pool, "in b", || {
            fn go(n: u32) -> u64 {
                if n == 0 {
                    return 1;
                }
                let (a, b) = join(
                    || fib_join(10),
                    || if n == 4 { panic!("in b") } else { go(n - 1) },
                );
                a + b
            }
            go(10);
        });
        let ran = AtomicUsize::new(0);
        expect_panic(&pool, "in a spawned job", || {
            scope(|s| {
                for i in 0..16 {
                    let ran = &ran;
                    s.spawn(move |_| {
                        if i == 7 {
                            panic!("in a spawned job");
                        }
                        std::thread::sleep(Duration::from_micros(100));
                        ran.fetch_add(1, Ordering::SeqCst);
                    });
                }
            });
        });
        assert_eq!(ran.into_inner(), 15, "the other spawned jobs still ran");
        expect_panic(&pool, "in the scope body", || {
            scope(|s| {
                s.spawn(|_| std::thread::sleep(Duration::from_millis(1)));
                panic!("in the scope body");
            });
        });
        // Through the trait's own `join` and `scope`.
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            pool.join(|| fib_join(10), || panic!("trait join"))
        }));
        assert_eq!(panic_message(result.expect_err("a panic")), "trait join");
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            pool.scope(|s| s.spawn(|_| panic!("trait scope")))
        }));
        assert_eq!(panic_message(result.expect_err("a panic")), "trait scope");
        assert_eq!(pool.install(|| fib_join(12)), fib_serial(12));
        closures_are_disposed_once_when_a_panics(&pool);
    }
}

/// Counts how a closure was disposed of: dropped (run or not) and run.
struct Disposal<'a> {
    dropped: &'a AtomicUsize,
}

impl Drop for Disposal<'_> {
    fn drop(&mut self) {
        self.dropped.fetch_add(1, Ordering::SeqCst);
    }
}

/// When `a` panics, `b`'s closure is run or dropped unrun, exactly once: nothing it
/// owns is leaked or dropped twice, whether `b` was still private, taken back or
/// stolen (nested joins put older jobs in reach of thieves).
fn closures_are_disposed_once_when_a_panics<E: Executor>(pool: &E) {
    const ROUNDS: usize = 200;
    let (dropped, ran) = (AtomicUsize::new(0), AtomicUsize::new(0));
    for _ in 0..ROUNDS {
        expect_panic(pool, "a", || {
            let owned = Disposal { dropped: &dropped };
            let ran = &ran;
            join(
                || {
                    fib_join(8);
                    panic!("a")
                },
                move || {
                    ran.fetch_add(1, Ordering::SeqCst);
                    drop(owned);
                },
            );
        });
    }
    assert_eq!(
        dropped.into_inner(),
        ROUNDS,
        "each b disposed of once ({} ran)",
        ran.into_inner()
    );
}

fn million_joins<E: Executor>(make: impl Fn(usize) -> E) {
    fn count(n: usize) -> usize {
        if n <= 1 {
            return n;
        }
        let (a, b) = join(|| count(n / 2), || count(n - n / 2));
        a + b
    }
    let pool = make(2);
    // A balanced split of a million leaves: 999 999 joins.
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

fn install_from_many_threads<E: Executor + Sync>(make: impl Fn(usize) -> E) {
    let pool = make(2);
    std::thread::scope(|s| {
        for t in 0..4u64 {
            let pool = &pool;
            s.spawn(move || {
                for _ in 0..20 {
                    let n = 12 + t % 3;
                    assert_eq!(pool.install(|| fib_join(n)), fib_serial(n));
                }
            });
        }
    });
}

/// 8 threads each enter the pool 10 000 times at once: more than a heartbeat pool has
/// guest slots, so some take part in the pool and the others queue their job and block,
/// switching as slots free up.
fn install_from_eight_threads_10k_times<E: Executor + Sync>(make: impl Fn(usize) -> E) {
    const THREADS: usize = 8;
    const INSTALLS: usize = 10_000;
    let pool = make(2);
    let total = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (pool, total) = (&pool, &total);
            s.spawn(move || {
                for i in 0..INSTALLS {
                    let (a, b) = pool.install(|| join(|| t, || i));
                    assert_eq!((a, b), (t, i));
                    total.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    assert_eq!(total.into_inner(), THREADS * INSTALLS);
}

/// `install` inside `install` of the same pool (and a join between) runs and returns.
fn nested_install<E: Executor + Sync>(make: impl Fn(usize) -> E) {
    for workers in [1, 2] {
        let pool = make(workers);
        let value = pool.install(|| {
            let (a, b) = join(
                || pool.install(|| fib_join(12)),
                || pool.install(|| pool.install(|| fib_join(11))),
            );
            a + b
        });
        assert_eq!(value, fib_serial(13));
    }
}

/// A pool dropped while idle (never used; used, then left to park) returns from `drop`.
fn drop_while_idle<E: Executor>(make: impl Fn(usize) -> E) {
    for workers in [1, 2] {
        drop(make(workers));
        let pool = make(workers);
        assert_eq!(pool.install(|| fib_join(15)), fib_serial(15));
        // Long enough for the workers and the heartbeat thread to park.
        std::thread::sleep(Duration::from_millis(30));
        drop(pool);
    }
}

fn drop_joins_threads<E: Executor>(make: impl Fn(usize, &'static str) -> E, prefix: &'static str) {
    let _one = THREAD_LIST.lock().unwrap_or_else(|e| e.into_inner());
    let ours = || {
        thread_names()
            .iter()
            .filter(|n| n.starts_with(prefix))
            .count()
    };
    let pool = make(3, prefix);
    assert_eq!(pool.install(|| fib_join(15)), fib_serial(15));
    // A new thread names itself once it first runs: on a busy machine, give it time.
    let start = std::time::Instant::now();
    while ours() < 3 && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(ours(), 3, "three workers named {prefix}*");
    drop(pool);
    // `drop` joined the threads; the kernel may list a joined thread in /proc/self/task
    // a moment longer (its tid is cleared before the task is reaped): a short grace
    // period: a pool whose threads keep running fails.
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while ours() != 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(ours(), 0, "dropping the pool joined its threads");
}

macro_rules! conformance {
    ($module:ident, $prefix:literal, $make:expr) => {
        mod $module {
            use super::*;

            fn make_named(workers: usize, prefix: &'static str) -> impl Executor + Sync {
                #[allow(clippy::redundant_closure_call)]
                ($make)(workers, prefix)
            }

            fn make(workers: usize) -> impl Executor + Sync {
                make_named(workers, $prefix)
            }

            #[test]
            fn tree_sum_equals_serial() {
                super::tree_sum(make);
            }

            #[test]
            fn fib_equals_serial() {
                super::fib(make);
            }

            #[test]
            fn nested_scopes_and_par_for_each() {
                super::scopes(make);
            }

            #[test]
            fn panics_reach_the_caller() {
                super::panics(make);
            }

            #[test]
            fn a_million_joins() {
                super::million_joins(make);
            }

            #[test]
            fn install_from_many_threads_at_once() {
                super::install_from_many_threads(make);
            }

            #[test]
            fn install_from_eight_threads_ten_thousand_times() {
                super::install_from_eight_threads_10k_times(make);
            }

            #[test]
            fn nested_install_into_the_same_pool() {
                super::nested_install(make);
            }

            #[test]
            fn drop_while_idle() {
                super::drop_while_idle(make);
            }

            #[test]
            fn drop_joins_threads() {
                // Its own name prefix: the other tests' pools run meanwhile.
                super::drop_joins_threads(make_named, concat!($prefix, "d"));
            }
        }
    };
}

conformance!(heartbeat, "cf-hb-", |workers, prefix: &'static str| {
    ThreadPool::builder()
        .workers(workers)
        .heartbeat(HEARTBEAT)
        .thread_name(move |i| format!("{prefix}{i}"))
        .build()
        .expect("a ThreadPool")
});

conformance!(continuation, "cf-cont-", |workers, prefix: &'static str| {
    let builder = ContinuationPool::builder()
        .workers(workers)
        .thread_name(move |i| format!("{prefix}{i}"));
    // SAFETY: across their joins, scopes and `par_for_each`, the conformance closures
    // hold only `Send` values (plain data, atomics, references to `Sync` data) and
    // access no thread-local.
    unsafe { builder.build() }.expect("a ContinuationPool")
});

conformance!(numa, "cf-numa-", |workers, prefix: &'static str| {
    NumaPool::builder()
        .workers(workers)
        .heartbeat(HEARTBEAT)
        .thread_name(move |i| format!("{prefix}{i}"))
        .build()
        .expect("a NumaPool")
});
