//! A small driver for profiling `join` (callgrind, objdump): fib or a tree at shuffled
//! addresses (the `tree-16m shuffled` layout of the pools bench, smaller), summed
//! serially or on a `ThreadPool`, the timing loop on one of the pool's workers (as the
//! benches run it).
//!
//! ```sh
//! cargo build --release -p metronome-runtime --example join_profile
//! valgrind --tool=callgrind target/release/examples/join_profile pool fib 25 1 3
//! # args: serial|pool|continuation  fib|tree|unbalanced  N (fib's n, the tree's
//! #       layers, or the unbalanced tree's spine)  workers  repetitions
//! ```
//!
//! `pool` runs on a `ThreadPool` (the heartbeat pool), `continuation` on a
//! `ContinuationPool` (the loop on one of its fibers). The binary builds both kinds of
//! pool, as the pools bench does, so the free `join` keeps both branches (a binary that
//! never builds a `ContinuationPool` loses the continuation branch to LTO).
//!
//! Instructions per node: the program totals of two runs, 5 and 1 repetitions, their
//! difference divided by 4 times the node count (fib(25): 242 785 calls; a tree of `L`
//! layers: `2^L - 1` nodes; an unbalanced tree of spine `S`: `1 024 S`). Callgrind's
//! inclusive counts do not serve: they add up the recursion's levels, and lose track of
//! the calls on the continuation pool's fibers (their own stacks). Prints the median
//! time of the repetitions.

use std::hint::black_box;
use std::time::{Duration, Instant};

use metronome_runtime::{join, ContinuationPool, ThreadPool};

struct Node {
    value: u64,
    left: Option<Box<Node>>,
    right: Option<Box<Node>>,
}

fn leaf() -> Box<Node> {
    Box::new(Node {
        value: 1,
        left: None,
        right: None,
    })
}

/// A full tree of `layers` layers, each node boxed after its subtrees.
fn tree(layers: u32) -> Box<Node> {
    let left = (layers > 1).then(|| tree(layers - 1));
    let right = (layers > 1).then(|| tree(layers - 1));
    Box::new(Node {
        value: 1,
        left,
        right,
    })
}

/// A left spine of `spine` nodes whose right children are full trees of 10 layers (the
/// `unbalanced` workload of the pools bench, 1 000 deep there).
fn unbalanced(spine: u32) -> Box<Node> {
    let left = (spine > 1).then(|| unbalanced(spine - 1));
    let right = Some(tree(10));
    Box::new(Node {
        value: 1,
        left,
        right,
    })
}

/// Moves every node to a fresh box taken in a seeded random order, so that no walk
/// order streams through memory.
// The boxes are the point: each node keeps its own allocation, at a shuffled address.
#[allow(clippy::vec_box)]
fn shuffled(tree: Box<Node>) -> Box<Node> {
    fn count(n: &Node) -> usize {
        1 + n.left.as_deref().map_or(0, count) + n.right.as_deref().map_or(0, count)
    }
    fn copy(n: &Node, boxes: &mut Vec<Box<Node>>) -> Box<Node> {
        let mut fresh = boxes.pop().expect("one box per node");
        fresh.value = n.value;
        fresh.left = n.left.as_deref().map(|l| copy(l, boxes));
        fresh.right = n.right.as_deref().map(|r| copy(r, boxes));
        fresh
    }
    let mut boxes: Vec<Box<Node>> = (0..count(&tree)).map(|_| leaf()).collect();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in (1..boxes.len()).rev() {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        let j = (x.wrapping_mul(0x2545_F491_4F6C_DD1D) % (i as u64 + 1)) as usize;
        boxes.swap(i, j);
    }
    let moved = copy(&tree, &mut boxes);
    drop(tree);
    moved
}

#[inline(never)]
fn sum_serial(n: &Node) -> u64 {
    n.value + n.left.as_deref().map_or(0, sum_serial) + n.right.as_deref().map_or(0, sum_serial)
}

#[inline(never)]
fn sum_pool(n: &Node) -> u64 {
    let (x, y) = join(
        || n.left.as_deref().map_or(0, sum_pool),
        || n.right.as_deref().map_or(0, sum_pool),
    );
    n.value + x + y
}

#[inline(never)]
fn fib_serial(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    fib_serial(n - 1) + fib_serial(n - 2)
}

#[inline(never)]
fn fib_pool(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = join(|| fib_pool(n - 1), || fib_pool(n - 2));
    a + b
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "args: serial|pool|continuation fib|tree|unbalanced N workers repetitions";
    let [variant, work, n, workers, reps] = &args[..] else {
        panic!("{usage}");
    };
    let n: u64 = n.parse().expect(usage);
    let workers: usize = workers.parse().expect(usage);
    let reps: usize = reps.parse().expect(usage);
    let tree = match work.as_str() {
        "tree" => Some(shuffled(tree(n as u32))),
        "unbalanced" => Some(shuffled(unbalanced(n as u32))),
        _ => None,
    };
    let run = |pooled: bool| match (&tree, pooled) {
        (Some(t), false) => sum_serial(t),
        (Some(t), true) => sum_pool(t),
        (None, false) => fib_serial(black_box(n)),
        (None, true) => fib_pool(black_box(n)),
    };
    let time = |pooled: bool| {
        let mut times: Vec<f64> = (0..reps)
            .map(|_| {
                let start = Instant::now();
                black_box(run(pooled));
                start.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    };
    let median = match variant.as_str() {
        "serial" => time(false),
        "continuation" => {
            // SAFETY: the kernels hold only integers, references to the shared `Sync`
            // input and `Send` results across their joins, and access no thread-local.
            let pool = unsafe { ContinuationPool::builder().workers(workers).build() }
                .expect("pool builds");
            pool.install(|| time(true))
        }
        "pool" => {
            let pool = ThreadPool::builder()
                .workers(workers)
                .heartbeat(Duration::from_micros(100))
                .build()
                .expect("pool builds");
            // Entered from another pool's worker, the loop runs on one of `pool`'s
            // workers (from this thread it would take part as a guest).
            let helper = ThreadPool::builder()
                .workers(1)
                .build()
                .expect("pool builds");
            helper.install(|| pool.install(|| time(true)))
        }
        _ => panic!("{usage}"),
    };
    println!("{variant} {work} {n} on {workers} worker(s): median {median:.3} ms");
}
