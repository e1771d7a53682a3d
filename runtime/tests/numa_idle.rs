//! Process-global NumaPool tests: an idle pool burns no CPU (pinned or not, on this
//! machine's topology and on a synthetic two-node one), and dropping a pool joins its
//! threads. Their own test binary, so no other test's threads disturb them.

mod support;
use support::*;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use metronome_runtime::topology::Topology;
use metronome_runtime::{par_for_each, NumaPool};

/// The tests of this binary measure the whole process: run them one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

#[test]
fn idle_numa_pool_burns_no_cpu() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let cases = [
        (2, Topology::detect(), true),
        (4, Topology::synthetic(2, 2), false),
    ];
    for (workers, topology, pin) in cases {
        let pool = NumaPool::builder()
            .workers(workers)
            .topology(topology)
            .pin(pin)
            .build()
            .unwrap();
        // Warm up: parallel work wakes every thread, the heartbeat thread included.
        for _ in 0..5 {
            assert_eq!(pool.install(|| fib(22)), 17711);
            pool.par_for_each(0..10_000, |i| {
                std::hint::black_box(i);
            });
        }
        // Let the workers back off and park.
        std::thread::sleep(Duration::from_millis(100));
        let before = process_cpu_time();
        std::thread::sleep(IDLE_WINDOW);
        let used = process_cpu_time() - before;
        eprintln!("{workers} idle NUMA workers: {used:?} of CPU in {IDLE_WINDOW:?}");
        assert!(
            used < IDLE_BUDGET,
            "{workers} idle NUMA workers used {used:?} of CPU in {IDLE_WINDOW:?} (budget {IDLE_BUDGET:?})"
        );
        // And it still works after sleeping.
        let mut data = vec![1u32; 1000];
        pool.install(|| par_for_each(&mut data[..], |x| *x += 1));
        assert!(data.iter().all(|&x| x == 2));
    }
}

#[test]
fn drop_joins_threads() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let pool = NumaPool::builder()
        .workers(3)
        .topology(Topology::synthetic(2, 2))
        .thread_name(|i| format!("numadrop-{i}"))
        .build()
        .unwrap();
    assert_eq!(pool.install(|| fib(15)), 610);
    // A new thread names itself once it runs: wait until all of them did.
    let named = |names: &[String]| {
        let workers = names.iter().filter(|n| n.starts_with("numadrop-")).count();
        (workers, names.iter().any(|n| n == "numa-heartbeat"))
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
            .any(|n| n.starts_with("numadrop-") || n == "numa-heartbeat")
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while outlived(&thread_names()) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    let names = thread_names();
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("numadrop-") || n == "numa-heartbeat"),
        "threads outlived the pool: {names:?}"
    );
}
