//! Scheduler workloads of `shared/design/BENCHMARKS.md`: tree-1k, tree-16m and fib-30 at
//! 1 and 2 workers, for serial code, a zero-cost join, metronome's `ThreadPool`, rayon and
//! chili, in one process. Each variant builds its own pool inside its benchmark and drops
//! it after, so no idle pool competes for the cores while another variant is measured.
//!
//! tree-16m is also built in pre-order (`tree-16m-pre`): the post-order tree favours a
//! right-first walk (chili's), the pre-order one a left-first walk (serial, metronome,
//! rayon); see RESULTS.md, "The chili anomaly".
//!
//! Run: `cargo bench -p metronome-benches --bench scheduler`; results in `benches/RESULTS.md`.

use std::hint::black_box;
use std::num::NonZero;
use std::sync::OnceLock;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};

/// Worker counts measured (the machine has two cores).
const THREADS: [usize; 2] = [1, 2];
/// Heartbeat of metronome and chili, as BENCHMARKS.md specifies.
const HEARTBEAT: Duration = Duration::from_micros(100);
/// `fib(FIB_N)` with a join at every call (1 346 268 joins).
const FIB_N: u64 = 30;

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

    /// The same tree allocated in pre-order: each node boxed before its children (left
    /// subtree, then right), so a left-first walk reads ascending addresses, the order
    /// the prefetchers follow (`Node::tree` allocates in post-order, which favours a
    /// right-first walk: RESULTS.md, "The chili anomaly").
    fn tree_pre(layers: u32) -> Box<Node> {
        let mut node = Box::new(Node {
            value: 1,
            left: None,
            right: None,
        });
        if layers > 1 {
            node.left = Some(Node::tree_pre(layers - 1));
            node.right = Some(Node::tree_pre(layers - 1));
        }
        node
    }
}

/// A workload: name, run serially, with a zero-cost join, on metronome, rayon and chili.
trait Workload: Sync {
    fn expected(&self) -> u64;
    fn serial(&self) -> u64;
    /// The serial code in chili's order (`b` before `a`), where the order matters.
    fn serial_rev(&self) -> Option<u64> {
        None
    }
    fn join0(&self) -> u64;
    fn metronome(&self) -> u64;
    fn rayon(&self) -> u64;
    fn chili(&self, scope: &mut chili::Scope<'_>) -> u64;
}

/// The same join signature as the pools', calling both closures in order: the floor a
/// join can reach (BENCHMARKS.md, first trap).
#[inline]
fn join0<A: FnOnce() -> RA, B: FnOnce() -> RB, RA, RB>(a: A, b: B) -> (RA, RB) {
    (a(), b())
}

struct Tree(Box<Node>, u64);

fn sum_serial(n: &Node) -> u64 {
    n.value + n.left.as_deref().map_or(0, sum_serial) + n.right.as_deref().map_or(0, sum_serial)
}

/// The plain recursion with the right child first: chili's order (its `join` runs `b`
/// first and offers `a` to thieves), so the serial baseline for chili's tree figures.
fn sum_serial_rev(n: &Node) -> u64 {
    n.value
        + n.right.as_deref().map_or(0, sum_serial_rev)
        + n.left.as_deref().map_or(0, sum_serial_rev)
}

fn sum_join0(n: &Node) -> u64 {
    let (l, r) = join0(
        || n.left.as_deref().map_or(0, sum_join0),
        || n.right.as_deref().map_or(0, sum_join0),
    );
    n.value + l + r
}

fn sum_metronome(n: &Node) -> u64 {
    let (l, r) = metronome::runtime::join(
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
    fn serial_rev(&self) -> Option<u64> {
        Some(sum_serial_rev(&self.0))
    }
    fn join0(&self) -> u64 {
        sum_join0(&self.0)
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

fn fib_join0(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = join0(|| fib_join0(n - 1), || fib_join0(n - 2));
    a + b
}

fn fib_metronome(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = metronome::runtime::join(|| fib_metronome(n - 1), || fib_metronome(n - 2));
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
    fn join0(&self) -> u64 {
        fib_join0(black_box(self.0))
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

fn run_variants(group: &mut BenchmarkGroup<'_, WallTime>, work: &dyn Workload) {
    let expected = work.expected();
    group.bench_function("serial", |b| b.iter(|| assert_eq!(work.serial(), expected)));
    if work.serial_rev().is_some() {
        group.bench_function("serial-rev", |b| {
            b.iter(|| assert_eq!(work.serial_rev(), Some(expected)))
        });
    }
    group.bench_function("join0", |b| b.iter(|| assert_eq!(work.join0(), expected)));
    for threads in THREADS {
        group.bench_function(format!("metronome/{threads}"), |b| {
            let pool = metronome::runtime::ThreadPool::builder()
                .workers(threads)
                .heartbeat(HEARTBEAT)
                .build()
                .unwrap();
            // The timing loop itself runs on a worker, as chili's runs in its scope.
            pool.install(|| b.iter(|| assert_eq!(work.metronome(), expected)));
        });
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

fn tree_1k(c: &mut Criterion) {
    let tree = Tree(Box::new(Node::tree(10)), 1023);
    let mut group = c.benchmark_group("tree-1k");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    run_variants(&mut group, &tree);
    group.finish();
}

fn tree_16m(c: &mut Criterion) {
    static TREE: OnceLock<Tree> = OnceLock::new();
    let tree = TREE.get_or_init(|| Tree(Box::new(Node::tree(24)), (1 << 24) - 1));
    let mut group = c.benchmark_group("tree-16m");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    run_variants(&mut group, tree);
    group.finish();
}

/// tree-16m allocated in pre-order (`Node::tree_pre`); both trees are kept, so each is
/// laid out by a fresh heap.
fn tree_16m_pre(c: &mut Criterion) {
    static TREE: OnceLock<Tree> = OnceLock::new();
    let tree = TREE.get_or_init(|| Tree(Node::tree_pre(24), (1 << 24) - 1));
    let mut group = c.benchmark_group("tree-16m-pre");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    run_variants(&mut group, tree);
    group.finish();
}

fn fib_30(c: &mut Criterion) {
    let mut group = c.benchmark_group("fib-30");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    run_variants(&mut group, &Fib(FIB_N));
    group.finish();
}

criterion_group!(benches, tree_1k, fib_30, tree_16m, tree_16m_pre);
criterion_main!(benches);
