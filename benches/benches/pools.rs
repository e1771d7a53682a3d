//! The three metronome pools against rayon and chili (BENCHMARKS.md, scheduler
//! workloads): tree-1k, tree-16m, fib-30 and `unbalanced` (a left spine 1 000 deep whose
//! every right child is a 1 023-node tree) at 1 and 2 workers, plus the serial code, in
//! one process. Each variant builds its own pool inside its benchmark and drops it after,
//! so only the measured pool is alive.
//!
//! Run: `cargo bench -p metronome-benches --bench pools`; results in `benches/RESULTS.md`
//! ("Pools"). `POOLS_QUICK=1` shortens the measurement (noisy machines, smoke runs).

use std::hint::black_box;
use std::num::NonZero;
use std::sync::OnceLock;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};
use metronome::runtime::{join, ContinuationPool, Executor, NumaPool, ThreadPool};

/// Worker counts measured (the machine has two cores).
const THREADS: [usize; 2] = [1, 2];
/// Heartbeat of the heartbeat pools and chili, as BENCHMARKS.md specifies.
const HEARTBEAT: Duration = Duration::from_micros(100);
/// `fib(FIB_N)` with a join at every call (1 346 268 joins).
const FIB_N: u64 = 30;
/// Depth of the left spine of `unbalanced`.
const SPINE: u32 = 1000;
/// Layers of each right child of the spine (1 023 nodes).
const SUBTREE_LAYERS: u32 = 10;

struct Node {
    value: u64,
    left: Option<Box<Node>>,
    right: Option<Box<Node>>,
}

impl Node {
    /// A full binary tree of `layers` layers (`2^layers - 1` nodes), value 1 each.
    fn tree(layers: u32) -> Node {
        Node {
            value: 1,
            left: (layers > 1).then(|| Box::new(Node::tree(layers - 1))),
            right: (layers > 1).then(|| Box::new(Node::tree(layers - 1))),
        }
    }

    /// A left spine of `spine` nodes whose right children are full trees of `layers`.
    fn unbalanced(spine: u32, layers: u32) -> Node {
        Node {
            value: 1,
            left: (spine > 1).then(|| Box::new(Node::unbalanced(spine - 1, layers))),
            right: Some(Box::new(Node::tree(layers))),
        }
    }
}

/// A workload, serial and on each kind of join.
trait Workload: Sync {
    fn expected(&self) -> u64;
    fn serial(&self) -> u64;
    /// On the current metronome pool (any of the three: `join` finds it).
    fn metronome(&self) -> u64;
    fn rayon(&self) -> u64;
    fn chili(&self, scope: &mut chili::Scope<'_>) -> u64;
}

struct Tree(Node, u64);

fn sum_serial(n: &Node) -> u64 {
    n.value + n.left.as_deref().map_or(0, sum_serial) + n.right.as_deref().map_or(0, sum_serial)
}

fn sum_metronome(n: &Node) -> u64 {
    let (l, r) = join(
        || n.left.as_deref().map_or(0, sum_metronome),
        || n.right.as_deref().map_or(0, sum_metronome),
    );
    n.value + l + r
}

fn sum_rayon(n: &Node) -> u64 {
    let (l, r) = rayon::join(
        || n.left.as_deref().map_or(0, sum_rayon),
        || n.right.as_deref().map_or(0, sum_rayon),
    );
    n.value + l + r
}

fn sum_chili(n: &Node, s: &mut chili::Scope<'_>) -> u64 {
    let (l, r) = s.join(
        |s| n.left.as_deref().map_or(0, |n| sum_chili(n, s)),
        |s| n.right.as_deref().map_or(0, |n| sum_chili(n, s)),
    );
    n.value + l + r
}

impl Workload for Tree {
    fn expected(&self) -> u64 {
        self.1
    }
    fn serial(&self) -> u64 {
        sum_serial(&self.0)
    }
    fn metronome(&self) -> u64 {
        sum_metronome(&self.0)
    }
    fn rayon(&self) -> u64 {
        sum_rayon(&self.0)
    }
    fn chili(&self, scope: &mut chili::Scope<'_>) -> u64 {
        sum_chili(&self.0, scope)
    }
}

struct Fib(u64);

fn fib_serial(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    fib_serial(n - 1) + fib_serial(n - 2)
}

fn fib_metronome(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = join(|| fib_metronome(n - 1), || fib_metronome(n - 2));
    a + b
}

fn fib_rayon(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = rayon::join(|| fib_rayon(n - 1), || fib_rayon(n - 2));
    a + b
}

fn fib_chili(n: u64, s: &mut chili::Scope<'_>) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = s.join(|s| fib_chili(n - 1, s), |s| fib_chili(n - 2, s));
    a + b
}

impl Workload for Fib {
    fn expected(&self) -> u64 {
        fib_serial(self.0)
    }
    fn serial(&self) -> u64 {
        fib_serial(black_box(self.0))
    }
    fn metronome(&self) -> u64 {
        fib_metronome(black_box(self.0))
    }
    fn rayon(&self) -> u64 {
        fib_rayon(black_box(self.0))
    }
    fn chili(&self, scope: &mut chili::Scope<'_>) -> u64 {
        fib_chili(black_box(self.0), scope)
    }
}

/// Measures `work` on a metronome pool; the timing loop runs inside the pool.
fn on_pool<E: Executor>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: String,
    build: impl Fn() -> E,
    work: &dyn Workload,
) {
    let expected = work.expected();
    group.bench_function(name, |b| {
        let pool = build();
        pool.install(|| b.iter(|| assert_eq!(work.metronome(), expected)));
    });
}

fn run_variants(group: &mut BenchmarkGroup<'_, WallTime>, work: &dyn Workload) {
    let expected = work.expected();
    group.bench_function("serial", |b| b.iter(|| assert_eq!(work.serial(), expected)));
    for threads in THREADS {
        on_pool(
            group,
            format!("heartbeat/{threads}"),
            || {
                ThreadPool::builder()
                    .workers(threads)
                    .heartbeat(HEARTBEAT)
                    .build()
                    .unwrap()
            },
            work,
        );
        on_pool(
            group,
            format!("continuation/{threads}"),
            || {
                ContinuationPool::builder()
                    .workers(threads)
                    .build()
                    .unwrap()
            },
            work,
        );
        on_pool(
            group,
            format!("numa/{threads}"),
            || {
                NumaPool::builder()
                    .workers(threads)
                    .heartbeat(HEARTBEAT)
                    .build()
                    .unwrap()
            },
            work,
        );
        group.bench_function(format!("rayon/{threads}"), |b| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| b.iter(|| assert_eq!(work.rayon(), expected)));
        });
        group.bench_function(format!("chili/{threads}"), |b| {
            let pool = chili::ThreadPool::with_config(chili::Config {
                thread_count: NonZero::new(threads),
                heartbeat_interval: HEARTBEAT,
            });
            let mut scope = pool.scope();
            b.iter(|| assert_eq!(work.chili(&mut scope), expected));
        });
    }
}

/// Shorter measurements when `POOLS_QUICK` is set.
fn times(warm_up: Duration, measure: Duration) -> (Duration, Duration) {
    if std::env::var_os("POOLS_QUICK").is_some() {
        (warm_up / 4, measure / 4)
    } else {
        (warm_up, measure)
    }
}

fn tree_1k(c: &mut Criterion) {
    let tree = Tree(Node::tree(10), 1023);
    let mut group = c.benchmark_group("pools/tree-1k");
    let (warm_up, measure) = times(Duration::from_millis(400), Duration::from_secs(1));
    group.warm_up_time(warm_up).measurement_time(measure);
    run_variants(&mut group, &tree);
    group.finish();
}

fn fib_30(c: &mut Criterion) {
    let mut group = c.benchmark_group("pools/fib-30");
    let (warm_up, measure) = times(Duration::from_millis(400), Duration::from_secs(2));
    group
        .sample_size(20)
        .warm_up_time(warm_up)
        .measurement_time(measure);
    run_variants(&mut group, &Fib(FIB_N));
    group.finish();
}

fn unbalanced(c: &mut Criterion) {
    let nodes = u64::from(SPINE) * ((1 << SUBTREE_LAYERS) - 1) + u64::from(SPINE);
    let tree = Tree(Node::unbalanced(SPINE, SUBTREE_LAYERS), nodes);
    let mut group = c.benchmark_group("pools/unbalanced");
    let (warm_up, measure) = times(Duration::from_millis(400), Duration::from_secs(2));
    group
        .sample_size(20)
        .warm_up_time(warm_up)
        .measurement_time(measure);
    run_variants(&mut group, &tree);
    group.finish();
}

fn tree_16m(c: &mut Criterion) {
    static TREE: OnceLock<Tree> = OnceLock::new();
    let tree = TREE.get_or_init(|| Tree(Node::tree(24), (1 << 24) - 1));
    let mut group = c.benchmark_group("pools/tree-16m");
    let (warm_up, measure) = times(Duration::from_secs(1), Duration::from_secs(3));
    group
        .sample_size(10)
        .warm_up_time(warm_up)
        .measurement_time(measure);
    run_variants(&mut group, tree);
    group.finish();
}

criterion_group!(benches, tree_1k, fib_30, unbalanced, tree_16m);
criterion_main!(benches);
