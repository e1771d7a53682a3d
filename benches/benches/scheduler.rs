//! Scheduler workloads: tree-1k, tree-16m and fib-30 at
//! 1 and 2 workers, for serial code, a zero-cost join, metronome's `ThreadPool`, rayon and
//! chili, in one process. Each variant builds its own pool inside its benchmark and drops
//! it after, so no idle pool competes for the cores while another variant is measured.
//!
//! tree-16m is also built in pre-order (`tree-16m-pre`): the post-order tree favours a
//! right-first walk (chili's), the pre-order one a left-first walk (serial, metronome,
//! rayon); see RESULTS.md, "The chili anomaly".
//!
//! Run: `cargo bench --manifest-path benches/Cargo.toml --bench scheduler`; results in `benches/RESULTS.md`.
//! `BENCH_THREADS=1,4,8,16` measures other worker counts than the default 1 and 2.

use std::hint::black_box;
use std::sync::OnceLock;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};

#[path = "common/join_workloads.rs"]
mod join_workloads;
use join_workloads::*;

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
/// join can reach (a pool slower than this pays for its join, not for the work).
#[inline]
fn join0<A: FnOnce() -> RA, B: FnOnce() -> RB, RA, RB>(a: A, b: B) -> (RA, RB) {
    (a(), b())
}

fn sum_join0(n: &Node) -> u64 {
    let (l, r) = join0(
        || n.left.as_deref().map_or(0, sum_join0),
        || n.right.as_deref().map_or(0, sum_join0),
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
        sum_metronome::<false>(&self.0)
    }
    fn rayon(&self) -> u64 {
        sum_rayon::<false>(&self.0)
    }
    fn chili(&self, scope: &mut chili::Scope<'_>) -> u64 {
        sum_chili::<false>(&self.0, scope)
    }
}

struct Fib(u64);

fn fib_join0(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = join0(|| fib_join0(n - 1), || fib_join0(n - 2));
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
    for threads in threads() {
        // Each pool is built once per benchmark, not per sample (criterion calls the
        // closure for every sample; a pool started just before is timed cold).
        let pool = heartbeat_pool(threads);
        group.bench_function(format!("metronome/{threads}"), |b| {
            // The timing loop itself runs on a worker, as chili's runs in its scope (not
            // on this thread, which would take part as a guest: one thread more).
            on_a_worker(&pool, || b.iter(|| assert_eq!(work.metronome(), expected)));
        });
        let rayon = rayon_pool(threads);
        group.bench_function(format!("rayon/{threads}"), |b| {
            rayon.install(|| b.iter(|| assert_eq!(work.rayon(), expected)));
        });
        let chili = chili_pool(threads);
        group.bench_function(format!("chili/{threads}"), |b| {
            let mut scope = chili.scope();
            b.iter(|| assert_eq!(work.chili(&mut scope), expected));
        });
    }
}

fn tree_1k(c: &mut Criterion) {
    let tree = Tree(Node::tree(10, Layout::Post), 1023);
    let mut group = c.benchmark_group("tree-1k");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    run_variants(&mut group, &tree);
    group.finish();
}

/// tree-16m in `layout`, in group `name`. Each layout's tree is built on first use and
/// kept, so each is laid out by a fresh heap.
fn tree_16m_group(c: &mut Criterion, name: &str, layout: Layout, cell: &'static OnceLock<Tree>) {
    let tree = cell.get_or_init(|| Tree(Node::tree(24, layout), (1 << 24) - 1));
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    run_variants(&mut group, tree);
    group.finish();
}

fn tree_16m(c: &mut Criterion) {
    static TREE: OnceLock<Tree> = OnceLock::new();
    tree_16m_group(c, "tree-16m", Layout::Post, &TREE);
}

/// tree-16m allocated in pre-order (`Layout::Pre`).
fn tree_16m_pre(c: &mut Criterion) {
    static TREE: OnceLock<Tree> = OnceLock::new();
    tree_16m_group(c, "tree-16m-pre", Layout::Pre, &TREE);
}

/// tree-16m with its nodes at shuffled addresses (`Layout::Shuffled`): no walk order
/// streams through memory.
fn tree_16m_shuffled(c: &mut Criterion) {
    static TREE: OnceLock<Tree> = OnceLock::new();
    tree_16m_group(c, "tree-16m-shuffled", Layout::Shuffled, &TREE);
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

criterion_group!(
    benches,
    tree_1k,
    fib_30,
    tree_16m,
    tree_16m_pre,
    tree_16m_shuffled
);
criterion_main!(benches);
