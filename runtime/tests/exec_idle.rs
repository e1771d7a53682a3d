//! Process-global executor tests: an idle pool burns no CPU, and dropping a pool joins its
//! threads. They live in their own test binary so no other test's threads disturb them.

mod support;
use support::*;

use std::sync::Mutex;

use metronome_runtime::ThreadPool;

/// The tests of this binary measure the whole process: run them one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

#[test]
fn idle_pool_burns_no_cpu() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    for workers in [2, 4] {
        let pool = ThreadPool::builder().workers(workers).build().unwrap();
        assert_idle_burns_no_cpu(&pool, &format!("{workers} idle workers"));
    }
}

#[test]
fn drop_joins_threads() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let pool = ThreadPool::builder()
        .workers(3)
        .thread_name(|i| format!("droptest-{i}"))
        .build()
        .unwrap();
    assert_drop_joins_threads(pool, "droptest-", "metronome-hb");
}
