//! Installing into one pool from a worker of another: every pair of pool kinds
//! (`ThreadPool`, `NumaPool`, `ContinuationPool`, two distinct pools each), one worker
//! each, nested A -> B -> A and A -> B -> A -> B, a panic in the innermost install, and
//! joins inside the nested installs. A worker that installs into another pool keeps its
//! own pool's work moving while it waits, so none of these may hang; each case runs
//! under a watchdog that fails it after 10 s instead of hanging the suite.

mod support;
use support::fib;

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::Duration;

use metronome_runtime::exec::NumaPool;
use metronome_runtime::{join, ContinuationPool, Executor, ThreadPool};

/// How long a case may take before it counts as deadlocked, unless the environment
/// variable `CROSS_POOL_WATCHDOG_S` sets another number of seconds (`.ci/valgrind` does).
fn watchdog_limit() -> Duration {
    let seconds = std::env::var("CROSS_POOL_WATCHDOG_S")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    Duration::from_secs(seconds)
}

fn heartbeat_pool(workers: usize) -> ThreadPool {
    ThreadPool::builder()
        .workers(workers)
        .build()
        .expect("a ThreadPool")
}

fn numa_pool(workers: usize) -> NumaPool {
    NumaPool::builder()
        .workers(workers)
        .build()
        .expect("a NumaPool")
}

/// Every continuation pool of this file is built here.
fn continuation_pool(workers: usize) -> ContinuationPool {
    let builder = ContinuationPool::builder().workers(workers);
    // SAFETY: the closures this file runs on continuation pools hold only `Send` values
    // (integers, references to pools and atomics) across their `join`s and installs, and
    // touch no thread-local after one.
    unsafe { builder.build() }.expect("a ContinuationPool")
}

/// Runs `case` on its own thread; fails if it does not finish within
/// [`watchdog_limit`] (the hung thread is left behind), resumes its panic if it panicked.
fn watchdog(case: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let outcome = panic::catch_unwind(AssertUnwindSafe(case));
        let _ = done.send(outcome);
    });
    let limit = watchdog_limit();
    match finished.recv_timeout(limit) {
        Ok(Ok(())) => {}
        Ok(Err(payload)) => panic::resume_unwind(payload),
        Err(_) => panic!("deadlock: the case did not finish within {limit:?}"),
    }
}

fn panic_message(payload: Box<dyn Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// A -> B -> A.
fn aba<A: Executor + Sync, B: Executor + Sync>(a: &A, b: &B) -> u32 {
    a.install(|| b.install(|| a.install(|| 42)))
}

/// A -> B -> A -> B.
fn abab<A: Executor + Sync, B: Executor + Sync>(a: &A, b: &B) -> u32 {
    a.install(|| b.install(|| a.install(|| b.install(|| 42))))
}

/// Joins at every level, installing into the other pool from the first branch (while
/// the second is pending) and from the second.
fn joins<A: Executor + Sync, B: Executor + Sync>(a: &A, b: &B) -> u64 {
    a.install(|| {
        let (x, y) = join(
            || {
                b.install(|| {
                    let (x, y) = join(|| a.install(|| fib(10)), || fib(11));
                    x + y
                })
            },
            || {
                b.install(|| {
                    let (x, y) = join(|| fib(11), || a.install(|| fib(10)));
                    x + y
                })
            },
        );
        x + y
    })
}

/// The worker that waits for another pool shares the joins it is inside of: the second
/// closure of the join around the install runs (on this pool) while the install waits.
/// The inner job waits for that closure, so keeping it private until the install
/// returned would never finish.
fn private_jobs_run_meanwhile<A, B>(make_a: fn(usize) -> A, make_b: fn(usize) -> B)
where
    A: Executor + Sync + 'static,
    B: Executor + Sync + 'static,
{
    use std::sync::atomic::{AtomicBool, Ordering};
    watchdog(move || {
        let (a, b) = (make_a(1), make_b(1));
        let second_ran = AtomicBool::new(false);
        let ((), x) = a.install(|| {
            join(
                || {
                    b.install(|| {
                        while !second_ran.load(Ordering::Acquire) {
                            std::thread::yield_now();
                        }
                    })
                },
                || {
                    second_ran.store(true, Ordering::Release);
                    fib(10)
                },
            )
        });
        assert_eq!(x, 55);
    });
}

/// The checks for pools made by `make_a` and `make_b`, one worker each.
fn nested_installs_return<A, B>(make_a: fn(usize) -> A, make_b: fn(usize) -> B)
where
    A: Executor + Sync + 'static,
    B: Executor + Sync + 'static,
{
    watchdog(move || {
        let (a, b) = (make_a(1), make_b(1));
        assert_eq!(aba(&a, &b), 42);
        assert_eq!(aba(&b, &a), 42);
        assert_eq!(abab(&a, &b), 42);
        assert_eq!(abab(&b, &a), 42);
        assert_eq!(joins(&a, &b), 2 * (89 + 55));
        assert_eq!(joins(&b, &a), 2 * (89 + 55));
    });
}

fn inner_panic_reaches_the_caller<A, B>(make_a: fn(usize) -> A, make_b: fn(usize) -> B)
where
    A: Executor + Sync + 'static,
    B: Executor + Sync + 'static,
{
    watchdog(move || {
        let (a, b) = (make_a(1), make_b(1));
        for _ in 0..2 {
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
                a.install(|| b.install(|| a.install(|| -> u32 { panic!("innermost") })))
            }));
            let payload = outcome.expect_err("the innermost panic must reach the caller");
            assert_eq!(panic_message(payload), "innermost");
            // Both pools are still usable, across pools and on their own.
            assert_eq!(aba(&a, &b), 42);
            assert_eq!(a.install(|| fib(15)), 610);
            assert_eq!(b.install(|| fib(15)), 610);
        }
    });
}

fn two_workers_each<A, B>(make_a: fn(usize) -> A, make_b: fn(usize) -> B)
where
    A: Executor + Sync + 'static,
    B: Executor + Sync + 'static,
{
    watchdog(move || {
        let (a, b) = (make_a(2), make_b(2));
        for _ in 0..20 {
            assert_eq!(joins(&a, &b), 2 * (89 + 55));
            assert_eq!(abab(&b, &a), 42);
        }
    });
}

macro_rules! cross {
    ($name:ident, $a:expr, $b:expr) => {
        mod $name {
            use super::*;

            #[test]
            fn nested_installs_return() {
                super::nested_installs_return($a, $b);
            }

            #[test]
            fn inner_panic_reaches_the_caller() {
                super::inner_panic_reaches_the_caller($a, $b);
            }

            #[test]
            fn private_jobs_run_meanwhile() {
                super::private_jobs_run_meanwhile($a, $b);
            }

            #[test]
            fn two_workers_each() {
                super::two_workers_each($a, $b);
            }
        }
    };
}

cross!(heartbeat_heartbeat, heartbeat_pool, heartbeat_pool);
cross!(heartbeat_numa, heartbeat_pool, numa_pool);
cross!(heartbeat_continuation, heartbeat_pool, continuation_pool);
cross!(numa_heartbeat, numa_pool, heartbeat_pool);
cross!(numa_numa, numa_pool, numa_pool);
cross!(numa_continuation, numa_pool, continuation_pool);
cross!(continuation_heartbeat, continuation_pool, heartbeat_pool);
cross!(continuation_numa, continuation_pool, numa_pool);
cross!(
    continuation_continuation,
    continuation_pool,
    continuation_pool
);
