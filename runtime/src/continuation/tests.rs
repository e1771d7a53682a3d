//! Unit tests of the continuation pool: serial order on one worker, the fiber bound, a
//! skewed tree beyond the private ring, migration, spilling, a panic while the
//! continuation is stolen, `install` across pools. (Results, scopes, panics, joins,
//! `install` from many threads and drop on every pool: `tests/conformance.rs`; idle CPU:
//! `tests/continuation_idle.rs`.)

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use super::*;
use crate::exec::test_support::{
    fib_join, fib_serial, panic_message, spin_for, sum_join, sum_serial, tree, Node,
};
use crate::exec::{join, par_for_each, scope, ThreadPool};

const WORKER_COUNTS: [usize; 3] = [1, 2, 4];
/// Depth of the left spine of the skewed tree (beyond the default private ring).
const SPINE: u32 = 600;
/// Fiber stack for the deep recursions (debug builds have big frames).
const DEEP_STACK: usize = 32 << 20;

/// Builds the pool of `builder`.
fn build(builder: ContinuationPoolBuilder) -> Result<ContinuationPool, crate::exec::BuildError> {
    // SAFETY: across their joins, scopes and `par_for_each`, the closures these tests
    // run on their pools hold only `Send` values (plain data, atomics, references to
    // `Sync` data; every lock guard is a temporary dropped before the next call), and
    // they access no thread-local after one in the same function (`thread::current()`
    // is std's own function, not inlined here).
    unsafe { builder.build() }
}

fn pool(workers: usize) -> ContinuationPool {
    build(
        ContinuationPool::builder()
            .workers(workers)
            .stack_size(DEEP_STACK),
    )
    .unwrap()
}

/// Waits until the fibers that ran a finished `install` are recycled (the caller wakes
/// as soon as the root job set its latch, a moment before its fiber returns).
fn settle(pool: &ContinuationPool) -> usize {
    let start = Instant::now();
    while pool.live_fibers() != 0 && start.elapsed() < Duration::from_secs(5) {
        std::thread::yield_now();
    }
    pool.live_fibers()
}

/// A left spine of `spine` nodes, each with a full right subtree of `layers` layers.
fn skewed(spine: u32, layers: u32, next: &mut u64) -> Option<Box<Node>> {
    if spine == 0 {
        return None;
    }
    *next += 1;
    let value = *next;
    let right = tree(layers, next);
    Some(Box::new(Node {
        value,
        left: skewed(spine - 1, layers, next),
        right,
    }))
}

#[test]
fn one_worker_runs_in_serial_program_order() {
    /// Records `enter`, `after-join` and `leaf` events of a fork/join tree.
    fn walk(id: u32, depth: u32, log: &Mutex<Vec<(u8, u32)>>) {
        log.lock().unwrap().push((0, id));
        if depth == 0 {
            log.lock().unwrap().push((2, id));
            return;
        }
        join(
            || walk(2 * id, depth - 1, log),
            || walk(2 * id + 1, depth - 1, log),
        );
        log.lock().unwrap().push((1, id));
    }
    let serial = Mutex::new(Vec::new());
    walk(1, 10, &serial); // outside any pool: plain serial recursion
    let serial = serial.into_inner().unwrap();
    // From a thread of no pool, `install` makes the caller a guest that the worker can
    // steal from: two participants. Entered from a worker of another pool, the closure
    // runs on the pool's one worker alone, which is what this test is about.
    let other = ThreadPool::builder().workers(1).build().unwrap();
    let pool = pool(1);
    for _ in 0..3 {
        let log = Mutex::new(Vec::new());
        other.install(|| pool.install(|| walk(1, 10, &log)));
        assert_eq!(log.into_inner().unwrap(), serial);
    }
    // Also across a spilling ring (depth beyond `local_queue_size`) and in par_for_each.
    let pool = build(ContinuationPool::builder().workers(1).local_queue_size(4)).unwrap();
    let log = Mutex::new(Vec::new());
    other.install(|| pool.install(|| walk(1, 10, &log)));
    assert_eq!(log.into_inner().unwrap(), serial);
    let order = Mutex::new(Vec::new());
    other
        .install(|| pool.install(|| pool.par_for_each(0..1000, |i| order.lock().unwrap().push(i))));
    assert_eq!(order.into_inner().unwrap(), (0..1000).collect::<Vec<_>>());
}

#[test]
fn live_fibers_stay_within_workers_times_depth() {
    let mut next = 0;
    let wide = tree(16, &mut next).unwrap();
    let mut next = 0;
    let deep = skewed(SPINE, 4, &mut next).unwrap();
    for workers in [2, 4] {
        let pool = pool(workers);
        for (name, root, depth) in [("wide", &wide, 16), ("deep", &deep, SPINE as usize + 4)] {
            let expected = sum_serial(root);
            pool.reset_peak_fibers();
            for _ in 0..5 {
                assert_eq!(pool.install(|| sum_join(root)), expected);
            }
            let peak = pool.peak_fibers();
            eprintln!("{name} tree, {workers} workers: peak {peak} fibers");
            assert!(peak >= 1);
            assert!(
                peak <= workers * (depth + 1),
                "{name}: {peak} fibers alive at once for {workers} workers x depth {depth}"
            );
            assert_eq!(settle(&pool), 0);
        }
    }
}

#[test]
fn skewed_tree_sum_equals_serial_on_1_2_4_workers() {
    // A left spine deeper than the private ring (the full tree: `tests/conformance.rs`).
    let mut next = 0;
    let skew = skewed(SPINE, 5, &mut next).unwrap();
    let expected_skew = sum_serial(&skew);
    for workers in WORKER_COUNTS {
        let pool = pool(workers);
        assert_eq!(
            pool.install(|| sum_join(&skew)),
            expected_skew,
            "{workers} workers"
        );
    }
}

#[test]
fn continuations_are_stolen_and_fibers_migrate() {
    // `a` is short (but joins now and then: a continuation is exposed only at a join), the
    // continuation's head `b` is long. Once the idle worker steals the continuation, `a`
    // ends first, its fiber suspends at the join, and the thief, finishing last, resumes
    // it on its own thread: the code after the join runs on another thread than the
    // code before. The machine is shared, so retry until it happened (or time out).
    let pool = pool(2);
    let (mut stolen, mut migrated) = (0, 0);
    let start = Instant::now();
    while (stolen == 0 || migrated == 0) && start.elapsed() < Duration::from_secs(20) {
        pool.install(|| {
            let before = std::thread::current().id();
            let (_, b_thread) = join(
                || {
                    for _ in 0..20 {
                        spin_for(Duration::from_micros(20));
                        join(|| (), || ());
                    }
                },
                || {
                    spin_for(Duration::from_millis(2));
                    std::thread::current().id()
                },
            );
            let after = std::thread::current().id();
            stolen += usize::from(b_thread != before);
            migrated += usize::from(after != before);
            // The fiber migrated only if `b` ran elsewhere and finished last there.
            assert!(after == before || after == b_thread);
        });
    }
    assert!(stolen > 0, "the continuation was never stolen");
    assert!(migrated > 0, "the fiber never migrated to the thief");
}

/// A chain whose only stealable part is its continuation: each link joins a short
/// side job (`a`, run first) with the rest of the chain (`b`).
fn chain_rest_first(links: u32) -> u64 {
    if links == 0 {
        return 0;
    }
    let (side, rest) = join(
        || {
            spin_for(Duration::from_micros(2));
            1
        },
        || chain_rest_first(links - 1),
    );
    side + rest
}

#[test]
fn stacks_recycled_on_another_worker_are_reused() {
    // Each move of the chain leaves the fiber it left suspended until the chain ends;
    // those fibers all finish on the worker that ends it, which so recycles the stacks
    // the other worker mapped. They must reach the other worker again through the
    // pool's spares, not be unmapped and mapped afresh at every run: a stack is mapped
    // only when all are in use or kept by the other worker.
    const LINKS: u32 = 400;
    let pool = build(ContinuationPool::builder().workers(2)).unwrap();
    let start = Instant::now();
    let mut runs = 0;
    // Until the chain has moved often enough that the stacks outnumber what one worker
    // keeps (a loaded machine moves it less; the bound holds either way).
    while runs < 10 || (pool.peak_fibers() < 200 && start.elapsed() < Duration::from_secs(3)) {
        assert_eq!(pool.install(|| chain_rest_first(LINKS)), u64::from(LINKS));
        runs += 1;
    }
    let (mapped, peak) = (pool.stacks_mapped(), pool.peak_fibers());
    assert!(
        mapped <= peak + stack_pool::POOLED_STACKS + 2,
        "{mapped} stacks mapped in {runs} runs for at most {peak} live fibers"
    );
}

#[test]
fn steals_happen_on_two_workers() {
    let pool = pool(2);
    let threads = Mutex::new(std::collections::HashSet::new());
    fn walk(depth: u32, threads: &Mutex<std::collections::HashSet<ThreadId>>) {
        if depth == 0 {
            threads.lock().unwrap().insert(std::thread::current().id());
            spin_for(Duration::from_micros(20));
            return;
        }
        join(|| walk(depth - 1, threads), || walk(depth - 1, threads));
    }
    pool.install(|| walk(10, &threads));
    // The caller takes part as a guest: two or three threads ran leaves.
    assert!(
        threads.into_inner().unwrap().len() >= 2,
        "no steal happened"
    );
}

#[test]
fn install_from_outside_runs_on_the_caller() {
    // The entering thread is a guest: a closure without joins runs on it, for every
    // worker count, and the pool's fibers are all recycled afterwards.
    for workers in [1, 2] {
        let pool = pool(workers);
        let caller = std::thread::current().id();
        for _ in 0..100 {
            assert_eq!(pool.install(|| std::thread::current().id()), caller);
        }
        assert_eq!(
            pool.install(|| join(|| fib_join(12), || 5)),
            (fib_serial(12), 5)
        );
        assert_eq!(settle(&pool), 0);
    }
}

#[test]
fn a_guest_root_fiber_continues_on_the_thief_and_install_returns() {
    // The root fiber's head is stolen and still runs when the child returns: the guest
    // lets the fiber go (after its brief wait), the thief continues it on a worker, and
    // the guest waits for the root job's latch, then returns the result.
    let pool = pool(2);
    let caller = std::thread::current().id();
    let mut migrated = 0;
    for _ in 0..5 {
        let started = AtomicBool::new(false);
        let (after, value) = pool.install(|| {
            let ((), b) = join(
                || {
                    // Joins, so that a pending request is answered (shares `b`).
                    let start = Instant::now();
                    while !started.load(Ordering::Acquire)
                        && start.elapsed() < Duration::from_secs(10)
                    {
                        join(|| (), || ());
                    }
                },
                || {
                    started.store(true, Ordering::Release);
                    std::thread::sleep(Duration::from_millis(20));
                    7
                },
            );
            (std::thread::current().id(), b)
        });
        assert_eq!(value, 7);
        assert!(started.into_inner(), "the head was stolen");
        migrated += usize::from(after != caller);
    }
    // A guest descheduled for the whole sleep finds the head done and continues the
    // fiber itself (a loaded machine): most runs migrate, one is enough.
    assert!(migrated > 0, "the root fiber never continued on the thief");
    assert_eq!(settle(&pool), 0);
}

#[test]
fn a_parked_worker_is_recruited_and_splits_a_spine() {
    // `unbalanced` in small: a left spine deeper than the private ring whose every right
    // child (the head a thief gets) is a slow leaf. The second worker has parked before
    // the job arrives; the request it left recruits it at the first join, and it steals
    // the oldest heads (the spilled ones) while the first works up from the bottom.
    // (The leaves do not join, so the first worker, only popping on its way up, answers
    // no further request: the split is about the spilled share, 144 of 400 here.) The
    // machine is shared, so retry until one run gives each thread a quarter.
    const LEAVES: usize = 400;
    fn spine(n: usize, ran: &[AtomicUsize; 2], owner: ThreadId) -> usize {
        if n == 0 {
            return 0;
        }
        let (a, b) = join(
            || spine(n - 1, ran, owner),
            || {
                spin_for(Duration::from_micros(20));
                let me = usize::from(std::thread::current().id() != owner);
                ran[me].fetch_add(1, Ordering::Relaxed);
                1
            },
        );
        a + b
    }
    let pool = pool(2);
    let start = Instant::now();
    let mut best = 0;
    while best < LEAVES / 4 && start.elapsed() < Duration::from_secs(20) {
        // Long enough for the idle workers to spin, yield and park.
        std::thread::sleep(Duration::from_millis(20));
        let steals = pool.steals();
        let ran = [AtomicUsize::new(0), AtomicUsize::new(0)];
        let total = pool.install(|| spine(LEAVES, &ran, std::thread::current().id()));
        assert_eq!(total, LEAVES);
        let [owner, other] = ran.map(AtomicUsize::into_inner);
        assert_eq!(owner + other, LEAVES);
        eprintln!(
            "leaves: {owner} on the thread that took the job, {other} on the other; {} steals",
            pool.steals() - steals
        );
        if other > 0 {
            assert!(
                pool.steals() > steals,
                "leaves ran elsewhere without a steal"
            );
        }
        best = best.max(owner.min(other));
    }
    assert!(
        best >= LEAVES / 4,
        "the second worker never took a fair share (best split {best} of {LEAVES})"
    );
}

#[test]
fn deep_recursion_spills_and_stays_correct() {
    fn chain(n: u32) -> u64 {
        if n == 0 {
            return 0;
        }
        let (a, b) = join(|| chain(n - 1), || u64::from(n));
        a + b
    }
    for workers in [1, 2] {
        // Debug builds use big frames: give the 2 000-deep recursion room.
        let pool = build(
            ContinuationPool::builder()
                .workers(workers)
                .local_queue_size(8)
                .stack_size(DEEP_STACK),
        )
        .unwrap();
        assert_eq!(pool.install(|| chain(2000)), 2000 * 2001 / 2);
    }
}

#[test]
fn panic_while_the_continuation_is_stolen_waits_for_it() {
    let pool = pool(2);
    let finished = AtomicUsize::new(0);
    for _ in 0..5 {
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            pool.install(|| {
                join(
                    || {
                        spin_for(Duration::from_millis(2));
                        join(|| (), || ());
                        spin_for(Duration::from_millis(2));
                        panic!("a after b was shared");
                    },
                    || {
                        spin_for(Duration::from_millis(3));
                        finished.fetch_add(1, Ordering::SeqCst);
                    },
                )
            })
        }));
        assert_eq!(panic_message(result.unwrap_err()), "a after b was shared");
    }
    assert!(finished.load(Ordering::SeqCst) <= 5);
    assert_eq!(pool.install(|| fib_join(15)), fib_serial(15));
}

#[test]
fn install_from_inside_runs_directly_and_from_another_pool_returns() {
    let pool = pool(2);
    let other = ThreadPool::builder().workers(1).build().unwrap();
    let nested = pool.install(|| pool.install(|| fib_join(10)));
    assert_eq!(nested, fib_serial(10));
    let across = other.install(|| pool.install(|| fib_join(12)));
    assert_eq!(across, fib_serial(12));
    let back = pool.install(|| other.install(|| fib_join(12)));
    assert_eq!(back, fib_serial(12));
}

#[test]
fn build_errors() {
    assert!(matches!(
        build(ContinuationPool::builder().workers(0)),
        Err(crate::exec::BuildError::NoWorkers)
    ));
    assert!(build(ContinuationPool::builder().workers(1).local_queue_size(3)).is_err());
    let pool = build(ContinuationPool::builder().workers(1).stack_size(1000)).unwrap();
    assert_eq!(pool.install(|| fib_join(12)), fib_serial(12));
    assert!(format!("{pool:?}").contains("workers: 1"));
}

#[test]
fn join_and_scope_on_a_foreign_stack_inside_a_job_run_serially() {
    // A job that runs code on a stack of its own (a corosensei coroutine, as a generator
    // library or `stacker::grow` would): the stack pointer is not on the job's fiber, so
    // the fiber's context cannot come from it. `join`, `scope` and `par_for_each` there
    // must still be correct: they run serially on the caller.
    use corosensei::stack::DefaultStack;
    use corosensei::{Coroutine, CoroutineResult};

    fn on_foreign_stack() -> (u64, u64, usize, usize) {
        let stack = DefaultStack::new(1 << 20).expect("a coroutine stack");
        let mut co = Coroutine::with_stack(stack, |yielder, ()| {
            let (a, b) = join(|| fib_join(12), || fib_join(13));
            yielder.suspend(a + b);
            let spawned = AtomicUsize::new(0);
            let nested = scope(|s| {
                for _ in 0..8 {
                    s.spawn(|_| {
                        spawned.fetch_add(1, Ordering::Relaxed);
                    });
                }
                join(|| 3, || 4).1
            });
            let mut items = vec![1usize; 100];
            par_for_each(&mut items[..], |x| *x += 1);
            let sum: usize = items.iter().sum();
            (fib_join(10), spawned.into_inner() + nested, sum)
        });
        let first = match co.resume(()) {
            CoroutineResult::Yield(value) => value,
            CoroutineResult::Return(_) => unreachable!("the coroutine yields first"),
        };
        let (fib10, spawned, sum) = match co.resume(()) {
            CoroutineResult::Return(value) => value,
            CoroutineResult::Yield(_) => unreachable!("the coroutine yields once"),
        };
        (first, fib10, spawned, sum)
    }

    let expected = (fib_serial(12) + fib_serial(13), fib_serial(10), 8 + 4, 200);
    for workers in WORKER_COUNTS {
        let pool = std::sync::Arc::new(pool(workers));
        for _ in 0..3 {
            let (inside, after) =
                pool.install(|| (on_foreign_stack(), join(|| fib_join(14), || fib_join(15))));
            assert_eq!(inside, expected, "{workers} workers");
            assert_eq!(after, (fib_serial(14), fib_serial(15)), "{workers} workers");
            // Also from a job that a thief took (a fiber started by a steal).
            let (_, stolen) = pool.install(|| join(|| fib_join(16), on_foreign_stack));
            assert_eq!(stolen, expected, "{workers} workers");
            // And `install` of the same pool from the foreign stack runs directly.
            let nested = pool.install(|| {
                let stack = DefaultStack::new(1 << 20).expect("a coroutine stack");
                let same = pool.clone();
                let mut co =
                    Coroutine::with_stack(stack, move |_: &corosensei::Yielder<(), ()>, ()| {
                        same.install(|| join(|| fib_join(11), || fib_join(12)))
                    });
                match co.resume(()) {
                    CoroutineResult::Return(value) => value,
                    CoroutineResult::Yield(()) => unreachable!(),
                }
            });
            assert_eq!(nested, (fib_serial(11), fib_serial(12)));
        }
    }
}

#[test]
fn send_state_held_across_migrating_joins_stays_consistent() {
    // The correct form of the thread-local `Rc` case (ui-tests
    // `executor/continuation-pool-build-without-unsafe.rs`): the shared state is an
    // `Arc` (`Send`), cloned before each join and dropped after it, wherever the code
    // after the join runs. Every clone is dropped exactly once and the count returns to
    // one.
    use std::sync::Arc;
    struct Counted<'a>(Arc<u64>, &'a AtomicUsize);
    impl Drop for Counted<'_> {
        fn drop(&mut self) {
            assert_eq!(*self.0, 7);
            self.1.fetch_add(1, Ordering::Relaxed);
        }
    }
    fn walk(depth: u32, shared: &Arc<u64>, drops: &AtomicUsize, moved: &AtomicUsize) -> u64 {
        if depth == 0 {
            spin_for(Duration::from_micros(2));
            return 1;
        }
        let before = std::thread::current().id();
        let held = Counted(Arc::clone(shared), drops);
        let (a, b) = join(
            || walk(depth - 1, shared, drops, moved),
            || walk(depth - 1, shared, drops, moved),
        );
        let here = std::thread::current().id();
        moved.fetch_add(usize::from(before != here), Ordering::Relaxed);
        drop(held);
        a + b
    }
    let pool = pool(3);
    let shared = Arc::new(7u64);
    let (drops, moved) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let start = Instant::now();
    let mut runs = 0;
    while runs < 3
        || (moved.load(Ordering::Relaxed) == 0 && start.elapsed() < Duration::from_secs(20))
    {
        assert_eq!(pool.install(|| walk(10, &shared, &drops, &moved)), 1024);
        runs += 1;
    }
    // 1 023 joins per run, one clone each.
    assert_eq!(drops.into_inner(), 1023 * runs);
    assert_eq!(Arc::strong_count(&shared), 1);
    let moved = moved.into_inner();
    eprintln!(
        "{moved} of {} joins continued on another thread",
        1023 * runs
    );
    assert!(moved > 0, "no join continued on another thread");
}
