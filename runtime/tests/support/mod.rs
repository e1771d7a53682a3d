//! What the process-global executor tests share: the idle-CPU budget, a join-based
//! `fib`, the process's CPU time and its live threads' names, and the idle-CPU and
//! drop-joins-threads checks that `exec_idle`, `numa_idle` and `continuation_idle` run
//! on their pools.
// Each test binary uses the parts it needs.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use metronome_runtime::{join, par_for_each, Executor};

/// How long an idle pool is observed.
pub const IDLE_WINDOW: Duration = Duration::from_millis(500);
/// The CPU budget over that window: 5 % of one core.
pub const IDLE_BUDGET: Duration = Duration::from_millis(25);

/// Fibonacci through `join` at every level, on whichever pool runs it.
pub fn fib(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = join(|| fib(n - 1), || fib(n - 2));
    a + b
}

/// User plus system CPU time of the whole process.
pub fn process_cpu_time() -> Duration {
    // SAFETY: `getrusage` only writes the `rusage` we pass; zeroed is a valid `rusage`.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, &mut usage), 0);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Names of this process's live threads.
pub fn thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .expect("procfs")
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .map(|name| name.trim().to_owned())
        .collect()
}

/// Warms `pool` up (parallel work wakes every thread, the heartbeat thread included), lets
/// its workers back off and park, then asserts that the whole process uses less than
/// [`IDLE_BUDGET`] of CPU over [`IDLE_WINDOW`], and that the pool still works. `workers`
/// describes the pool in messages (`"2 idle NUMA workers"`).
pub fn assert_idle_burns_no_cpu<E: Executor>(pool: &E, workers: &str) {
    for _ in 0..5 {
        assert_eq!(pool.install(|| fib(22)), 17711);
        pool.install(|| {
            par_for_each(0..10_000, |i| {
                std::hint::black_box(i);
            })
        });
    }
    // Let the workers back off and park.
    std::thread::sleep(Duration::from_millis(100));
    let before = process_cpu_time();
    std::thread::sleep(IDLE_WINDOW);
    let used = process_cpu_time() - before;
    eprintln!("{workers}: {used:?} of CPU in {IDLE_WINDOW:?}");
    assert!(
        used < IDLE_BUDGET,
        "{workers} used {used:?} of CPU in {IDLE_WINDOW:?} (budget {IDLE_BUDGET:?})"
    );
    // And it still works after sleeping.
    let mut data = vec![1u32; 1000];
    pool.install(|| par_for_each(&mut data[..], |x| *x += 1));
    assert!(data.iter().all(|&x| x == 2));
}

/// Asserts that `pool`'s 3 workers (named `{prefix}{i}`) and its heartbeat thread (named
/// `heartbeat`) run, and that dropping the pool joins them all.
pub fn assert_drop_joins_threads<E: Executor>(pool: E, prefix: &str, heartbeat: &str) {
    assert_eq!(pool.workers(), 3);
    assert_eq!(pool.install(|| fib(15)), 610);
    // A new thread names itself once it runs: wait until all of them did.
    let named = |names: &[String]| {
        let workers = names.iter().filter(|n| n.starts_with(prefix)).count();
        (workers, names.iter().any(|n| n == heartbeat))
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    while named(&thread_names()) != (3, true) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(
        named(&thread_names()),
        (3, true),
        "3 workers and the heartbeat thread run"
    );
    drop(pool);
    // `drop` joined the threads; the kernel may list a joined thread in /proc/self/task
    // a moment longer (its tid is cleared before the task is reaped), so allow a short
    // grace period: a pool whose threads keep running fails.
    let outlived = |names: &[String]| {
        names
            .iter()
            .any(|n| n.starts_with(prefix) || n == heartbeat)
    };
    let deadline = Instant::now() + Duration::from_secs(2);
    while outlived(&thread_names()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    let names = thread_names();
    assert!(!outlived(&names), "threads outlived the pool: {names:?}");
}
