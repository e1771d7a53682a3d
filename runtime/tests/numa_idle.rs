//! Process-global NumaPool tests: an idle pool burns no CPU (pinned or not, on this
//! machine's topology and on a synthetic two-node one), and dropping a pool joins its
//! threads. Their own test binary, so no other test's threads disturb them.

mod support;
use support::*;

use std::sync::Mutex;

use metronome_runtime::topology::Topology;
use metronome_runtime::NumaPool;

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
        assert_idle_burns_no_cpu(&pool, &format!("{workers} idle NUMA workers"));
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
    assert_drop_joins_threads(pool, "numadrop-", "numa-heartbeat");
}
