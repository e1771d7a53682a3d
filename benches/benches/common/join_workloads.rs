//! What the scheduler and pools benches share: the trees of the scheduler
//! workloads in both allocation orders, and the tree sum and fib written against each
//! kind of join (`#[path]`-included by `scheduler.rs` and `pools.rs`; each uses a part).
#![allow(dead_code)]

use std::time::Duration;

use metronome::runtime::{join, ContinuationPool, Executor, NumaPool, ThreadPool};

/// Worker counts measured by default (the development machine has two cores).
pub const THREADS: [usize; 2] = [1, 2];

/// The worker counts to measure: `BENCH_THREADS` (comma-separated, e.g. `2` or
/// `1,4,8,16` on a bigger machine), else [`THREADS`].
pub fn threads() -> Vec<usize> {
    match std::env::var("BENCH_THREADS") {
        Ok(list) => list
            .split(',')
            .map(|n| {
                n.trim()
                    .parse()
                    .expect("BENCH_THREADS: comma-separated worker counts")
            })
            .collect(),
        Err(_) => THREADS.to_vec(),
    }
}
/// Heartbeat of the heartbeat pools and chili.
pub const HEARTBEAT: Duration = Duration::from_micros(100);
/// The heartbeat pool (`ThreadPool`) with `workers` workers and [`HEARTBEAT`].
pub fn heartbeat_pool(workers: usize) -> ThreadPool {
    ThreadPool::builder()
        .workers(workers)
        .heartbeat(HEARTBEAT)
        .build()
        .unwrap()
}

/// Runs `f` on a worker of `pool`, as the timing loops of the scheduler benches do
/// (rayon's `install` and chili's scope run theirs on a pool thread too).
///
/// `pool.install(f)` from the bench's own thread would run `f` on that thread, which
/// then takes part in the pool (a guest of a heartbeat pool): N workers plus the caller.
/// Installing from a worker of a helper pool of one worker runs `f` on one of `pool`'s
/// workers instead, so `N` is N threads at work, as for the other pools; the helper's
/// worker waits, parked, meanwhile.
///
/// The helper pool is built once per process: criterion calls a benchmark's closure for
/// every sample, and a helper built each time would add two starting threads (its worker
/// and heartbeat) to every sample's first milliseconds.
pub fn on_a_worker<R: Send>(pool: &(impl Executor + Sync), f: impl FnOnce() -> R + Send) -> R {
    static HELPER: std::sync::OnceLock<ThreadPool> = std::sync::OnceLock::new();
    let helper = HELPER.get_or_init(|| ThreadPool::builder().workers(1).build().unwrap());
    helper.install(|| pool.install(f))
}

/// The NUMA pool with `workers` workers and [`HEARTBEAT`].
pub fn numa_pool(workers: usize) -> NumaPool {
    NumaPool::builder()
        .workers(workers)
        .heartbeat(HEARTBEAT)
        .build()
        .unwrap()
}

/// The continuation pool with `workers` workers, for the join workloads of this module
/// (and the benches' own closures).
pub fn continuation_pool(workers: usize) -> ContinuationPool {
    // SAFETY: the workloads run on it (fib, trees, `unbalanced`, loops) hold only
    // integers, references to the shared `Sync` input and `Send` results across their
    // joins, and access no thread-local.
    unsafe { ContinuationPool::builder().workers(workers).build() }.unwrap()
}

/// rayon's pool with `workers` threads.
pub fn rayon_pool(workers: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .unwrap()
}

/// chili's pool with `workers` threads and [`HEARTBEAT`].
pub fn chili_pool(workers: usize) -> chili::ThreadPool {
    chili::ThreadPool::with_config(chili::Config {
        thread_count: std::num::NonZero::new(workers),
        heartbeat_interval: HEARTBEAT,
    })
}

/// `fib(FIB_N)` with a join at every call (1 346 268 joins).
pub const FIB_N: u64 = 30;

pub struct Node {
    pub value: u64,
    pub left: Option<Box<Node>>,
    pub right: Option<Box<Node>>,
}

/// The order in which a tree's nodes are allocated: the order decides which walk the
/// hardware prefetchers can follow (RESULTS.md, "The chili anomaly").
#[derive(Clone, Copy, Debug)]
pub enum Layout {
    /// Each node after both of its subtrees (left, then right): `Box::new` of a node
    /// whose children are built first.
    Post,
    /// Each node before its children (left subtree, then right).
    Pre,
    /// Each node at a random place: built in post order, then every node moved to one of
    /// as many fresh boxes, handed out in a seeded random order, so that no walk order
    /// streams through memory (each step is a cache miss whichever child goes first).
    Shuffled,
}

impl Layout {
    pub fn name(self) -> &'static str {
        match self {
            Layout::Post => "post",
            Layout::Pre => "pre",
            Layout::Shuffled => "shuffled",
        }
    }
}

impl Node {
    pub fn leaf() -> Box<Node> {
        Box::new(Node {
            value: 1,
            left: None,
            right: None,
        })
    }

    /// A node of value 1 whose children `left` and `right` build, allocated in the order
    /// `layout` names: after both subtrees (`Post`) or before them (`Pre`).
    fn with_children(
        layout: Layout,
        left: impl FnOnce() -> Option<Box<Node>>,
        right: impl FnOnce() -> Option<Box<Node>>,
    ) -> Box<Node> {
        match layout {
            Layout::Post => {
                let left = left();
                let right = right();
                Box::new(Node {
                    value: 1,
                    left,
                    right,
                })
            }
            Layout::Pre => {
                let mut node = Node::leaf();
                node.left = left();
                node.right = right();
                node
            }
            Layout::Shuffled => unreachable!("shuffled trees are built in post order, then moved"),
        }
    }

    /// A full binary tree of `layers` layers (`2^layers - 1` nodes), value 1 each.
    pub fn tree(layers: u32, layout: Layout) -> Box<Node> {
        if let Layout::Shuffled = layout {
            return shuffle_addresses(Node::tree(layers, Layout::Post));
        }
        let child = || (layers > 1).then(|| Node::tree(layers - 1, layout));
        Node::with_children(layout, child, child)
    }
}

/// Moves every node of `tree` to a fresh box, the boxes taken in a seeded random order
/// (Fisher-Yates with xorshift64*), so the nodes' addresses follow no walk order.
// The boxes are the point: each node keeps its own allocation, at a shuffled address.
#[allow(clippy::vec_box)]
pub fn shuffle_addresses(tree: Box<Node>) -> Box<Node> {
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
    let mut boxes: Vec<Box<Node>> = (0..count(&tree)).map(|_| Node::leaf()).collect();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in (1..boxes.len()).rev() {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        let j = (x.wrapping_mul(0x2545_F491_4F6C_DD1D) % (i as u64 + 1)) as usize;
        boxes.swap(i, j);
    }
    let shuffled = copy(&tree, &mut boxes);
    // Freed after the copy: the old nodes' memory is not reused by the new ones.
    drop(tree);
    shuffled
}

/// A tree and its expected sum.
pub struct Tree(pub Box<Node>, pub u64);

/// Depth of the left spine of `unbalanced`.
pub const SPINE: u32 = 1000;
/// Layers of each right child of the spine (1 023 nodes).
pub const SUBTREE_LAYERS: u32 = 10;

impl Node {
    /// A left spine of `spine` nodes whose right children are full trees of `layers`.
    pub fn unbalanced(spine: u32, layers: u32, layout: Layout) -> Box<Node> {
        if let Layout::Shuffled = layout {
            return shuffle_addresses(Node::unbalanced(spine, layers, Layout::Post));
        }
        Node::with_children(
            layout,
            || (spine > 1).then(|| Node::unbalanced(spine - 1, layers, layout)),
            || Some(Node::tree(layers, layout)),
        )
    }
}

impl Tree {
    /// `unbalanced` (a left spine of [`SPINE`] nodes, each right child
    /// a full tree of [`SUBTREE_LAYERS`] layers) in `layout`, with its node count.
    pub fn unbalanced(layout: Layout) -> Tree {
        let nodes = u64::from(SPINE) * ((1 << SUBTREE_LAYERS) - 1) + u64::from(SPINE);
        Tree(Node::unbalanced(SPINE, SUBTREE_LAYERS, layout), nodes)
    }
}

pub fn sum_serial(n: &Node) -> u64 {
    n.value + n.left.as_deref().map_or(0, sum_serial) + n.right.as_deref().map_or(0, sum_serial)
}

/// The plain recursion with the right child first: chili's traversal order.
pub fn sum_serial_rev(n: &Node) -> u64 {
    n.value
        + n.right.as_deref().map_or(0, sum_serial_rev)
        + n.left.as_deref().map_or(0, sum_serial_rev)
}

/// The children of `n` in the order `join` gets them: `(a, b)`, swapped if `SWAP`.
#[inline(always)]
pub fn children<const SWAP: bool>(n: &Node) -> (Option<&Node>, Option<&Node>) {
    if SWAP {
        (n.right.as_deref(), n.left.as_deref())
    } else {
        (n.left.as_deref(), n.right.as_deref())
    }
}

/// `a` = left child, unless `SWAP` (then the walk is right first).
pub fn sum_metronome<const SWAP: bool>(n: &Node) -> u64 {
    let (a, b) = children::<SWAP>(n);
    let (x, y) = join(
        || a.map_or(0, sum_metronome::<SWAP>),
        || b.map_or(0, sum_metronome::<SWAP>),
    );
    n.value + x + y
}

/// `a` = left child, unless `SWAP` (then the walk is right first).
pub fn sum_rayon<const SWAP: bool>(n: &Node) -> u64 {
    let (a, b) = children::<SWAP>(n);
    let (x, y) = rayon::join(
        || a.map_or(0, sum_rayon::<SWAP>),
        || b.map_or(0, sum_rayon::<SWAP>),
    );
    n.value + x + y
}

/// `a` = left child, unless `SWAP`: chili runs `b` first, so the natural walk is right
/// first and the swapped one left first.
pub fn sum_chili<const SWAP: bool>(n: &Node, s: &mut chili::Scope<'_>) -> u64 {
    let (a, b) = children::<SWAP>(n);
    let (x, y) = s.join(
        |s| a.map_or(0, |n| sum_chili::<SWAP>(n, s)),
        |s| b.map_or(0, |n| sum_chili::<SWAP>(n, s)),
    );
    n.value + x + y
}

pub fn fib_serial(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    fib_serial(n - 1) + fib_serial(n - 2)
}

pub fn fib_metronome(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = join(|| fib_metronome(n - 1), || fib_metronome(n - 2));
    a + b
}

pub fn fib_rayon(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = rayon::join(|| fib_rayon(n - 1), || fib_rayon(n - 2));
    a + b
}

pub fn fib_chili(n: u64, s: &mut chili::Scope<'_>) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = s.join(|s| fib_chili(n - 1, s), |s| fib_chili(n - 2, s));
    a + b
}

/// Runs `measure` with a round function that runs `work` on this thread and on
/// `threads - 1` helper threads at the same time and returns this thread's result once
/// all are done; the helpers spin between rounds (as a pool's idle workers do), so every
/// round starts on all threads together. `serial-at-once/N` of the pools bench and of
/// `fib_interleaved`: how much slower one thread computes while N compute at once.
pub fn at_once<R>(
    threads: usize,
    work: &(dyn Fn() -> u64 + Sync),
    measure: impl FnOnce(&dyn Fn() -> u64) -> R,
) -> R {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    /// Stops the helpers when the measurement ends, also if it panics (the scope would
    /// otherwise wait for them for ever).
    struct Stop<'a>(&'a AtomicBool);
    impl Drop for Stop<'_> {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Release);
        }
    }

    let started = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        for _ in 1..threads {
            s.spawn(|| {
                let mut seen = 0;
                loop {
                    let round = started.load(Ordering::Acquire);
                    if round == seen {
                        if stop.load(Ordering::Acquire) {
                            return;
                        }
                        std::hint::spin_loop();
                        continue;
                    }
                    seen = round;
                    std::hint::black_box(work());
                    finished.fetch_add(1, Ordering::Release);
                }
            });
        }
        let _stop = Stop(&stop);
        let round = || {
            let all_done = finished.load(Ordering::Relaxed) + threads - 1;
            started.fetch_add(1, Ordering::Release);
            let result = work();
            while finished.load(Ordering::Acquire) < all_done {
                std::hint::spin_loop();
            }
            result
        };
        measure(&round)
    })
}
