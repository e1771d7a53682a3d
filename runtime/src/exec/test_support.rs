//! Workloads and helpers the pools' unit tests share (`exec`, `exec::numa`,
//! `continuation`): a summed binary tree, fib with a join at every call, panic payloads,
//! busy waiting. The checks every pool must pass live in `runtime/tests/conformance.rs`.

use std::any::Any;
use std::time::{Duration, Instant};

use super::join;

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
