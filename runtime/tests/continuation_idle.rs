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
        // SAFETY: the closures run on the pool hold no thread-bound value across their
        // `par_for_each` (a lock guard there is a temporary inside one item's call).
        let pool = unsafe { ContinuationPool::builder().workers(workers).build() }.unwrap();
        assert_idle_burns_no_cpu(&pool, &format!("{workers} idle continuation workers"));
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
