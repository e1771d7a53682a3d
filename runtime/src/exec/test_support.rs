//! Workloads and helpers the pools' unit tests share (`exec`, `exec::numa`,
//! `continuation`): a summed binary tree, fib with a join at every call, panic payloads,
//! busy waiting, and the check of a world's tick on a pool of one worker. The checks every pool must pass live in `runtime/tests/conformance.rs`.

use std::any::Any;
use std::time::{Duration, Instant};

use super::join;
use super::sleep::Sleep;
use crate::sync::atomic::Ordering;

pub(crate) struct Node {
    pub(crate) value: u64,
    pub(crate) left: Option<Box<Node>>,
    pub(crate) right: Option<Box<Node>>,
}

/// A full binary tree of `layers` layers (2^layers - 1 nodes) valued `*next + 1, ..` in
/// preorder.
pub(crate) fn tree(layers: u32, next: &mut u64) -> Option<Box<Node>> {
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

pub(crate) fn sum_serial(n: &Node) -> u64 {
    n.value + n.left.as_deref().map_or(0, sum_serial) + n.right.as_deref().map_or(0, sum_serial)
}

pub(crate) fn sum_join(n: &Node) -> u64 {
    let (l, r) = join(
        || n.left.as_deref().map_or(0, sum_join),
        || n.right.as_deref().map_or(0, sum_join),
    );
    n.value + l + r
}

pub(crate) fn fib_serial(n: u64) -> u64 {
    if n < 2 {
        n
    } else {
        fib_serial(n - 1) + fib_serial(n - 2)
    }
}

pub(crate) fn fib_join(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = join(|| fib_join(n - 1), || fib_join(n - 2));
    a + b
}

/// The message of a panic payload (`""` if it is neither `&str` nor `String`).
pub(crate) fn panic_message(payload: Box<dyn Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// Busy-waits for `duration` (a sleeping thread would let its worker's peers idle).
pub(crate) fn spin_for(duration: Duration) {
    let start = Instant::now();
    while start.elapsed() < duration {
        std::hint::spin_loop();
    }
}

/// Waits up to 5 s for `condition`; whether it came true.
pub(crate) fn eventually(condition: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    false
}

/// The tick rule (`exec/core/tick.rs`) on a pool of one worker parking in `sleep`: the
/// idle worker parks; `begin_tick` wakes it; it does not park again until the tick ends
/// (sampled over 50 ms, far beyond its back-off of about a millisecond), and `during`
/// holds meanwhile; once the tick ended, it parks again (an idle pool between frames
/// uses no CPU).
pub(crate) fn check_a_tick_keeps_one_worker_awake<T>(
    sleep: &Sleep,
    begin_tick: impl FnOnce() -> T,
    during: impl FnOnce(),
) {
    let parked = || sleep.sleeping.load(Ordering::SeqCst) == 1;
    assert!(eventually(parked), "an idle worker parks");
    let tick = begin_tick();
    assert!(
        eventually(|| !parked()),
        "the tick's start wakes the worker"
    );
    during();
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(50) {
        assert!(!parked(), "the worker parked during the tick");
        std::thread::sleep(Duration::from_micros(200));
    }
    drop(tick);
    assert!(!sleep.ticking());
    assert!(eventually(parked), "the worker parks once the tick ended");
}
