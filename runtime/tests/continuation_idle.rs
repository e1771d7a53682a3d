//! Process-global tests of the continuation pool: an idle pool burns no CPU (its
//! workers park, leaving requests that the next join answers), and after parking it
//! still recruits every worker. Own test binary, so no other test's threads disturb it.

mod support;
use support::*;

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use metronome_runtime::{par_for_each, ContinuationPool};

#[test]
fn idle_pool_burns_no_cpu_and_wakes_up_again() {
    for workers in [2, 4] {
        let pool = ContinuationPool::builder()
            .workers(workers)
            .build()
            .unwrap();
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
        eprintln!("{workers} idle continuation workers: {used:?} of CPU in {IDLE_WINDOW:?}");
        assert!(
            used < IDLE_BUDGET,
            "{workers} idle workers used {used:?} of CPU in {IDLE_WINDOW:?} (budget {IDLE_BUDGET:?})"
        );
        // Parked workers are recruited again: leaves of a long computation run on
        // more than one thread (the machine is shared: retry for a while).
        let threads = Mutex::new(HashSet::new());
        let start = Instant::now();
        while threads.lock().unwrap().len() < 2 && start.elapsed() < Duration::from_secs(20) {
            pool.install(|| {
                par_for_each(0..256, |_| {
                    threads.lock().unwrap().insert(std::thread::current().id());
                    let t = Instant::now();
                    while t.elapsed() < Duration::from_micros(50) {
                        std::hint::spin_loop();
                    }
                })
            });
        }
        assert!(
            threads.into_inner().unwrap().len() >= 2,
            "a parked worker never woke"
        );
    }
}
