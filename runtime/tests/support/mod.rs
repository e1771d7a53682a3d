//! What the process-global executor tests share: the idle-CPU budget, a join-based
//! `fib`, the process's CPU time and its live threads' names.
// Each test binary uses the parts it needs.
#![allow(dead_code)]

use std::time::Duration;

use metronome_runtime::join;

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
