//! The three metronome pools against rayon and chili (scheduler
//! workloads): tree-1k, tree-16m, fib-30 and `unbalanced` (a left spine 1 000 deep whose
//! every right child is a 1 023-node tree) at 1 and 2 workers, plus the serial code, in
//! one process. Each variant builds its own pool inside its benchmark and drops it after,
//! so only the measured pool is alive.
//!
//! The out-of-cache trees (tree-16m, unbalanced) are built in two allocation orders,
//! because the order decides which traversal the hardware prefetchers can follow
//! (RESULTS.md, "Scheduler", the chili anomaly): `post` boxes each node after both of
//! its subtrees (left, then right), so addresses ascend in post-order and a right-first
//! walk reads memory backwards in one stream; `pre` boxes each node before its children
//! (left subtree, then right), so addresses ascend in left-first pre-order and a
//! left-first walk reads memory forwards in one stream. The metronome pools and rayon
//! walk left-first (`a` on the caller), chili right-first (its `join` runs `b` first);
//! `serial` is the left-first recursion and `serial-rev` the right-first one. Every tree
//! is built once and kept (never freed), so each is laid out by a fresh heap; the set-up
//! prints how sequential each walk is on each layout.
//!
//! A third layout, `shuffled`, puts every node at a random address (built in post
//! order, then moved to boxes handed out in a seeded random order): no walk order
//! streams there, so it favours no pool's join.
//!
//! The metronome pools' timing loops run on one of their workers (`on_a_worker`), not
//! on the bench's thread, which would take part in the pool (a guest): so `N` is N
//! threads at work for every pool (chili's N counts its calling thread). Entering from
//! outside is measured by the `enter` bench.
//!
//! So that the layout does not decide the comparison, the out-of-cache workloads also run
//! mirrored variants, the same code with the two closures of every join swapped:
//! `chili-lf` walks left first (both trees), and on `unbalanced` the metronome pools and
//! rayon also walk right first (`heartbeat-rf`, `continuation-rf`, `numa-rf`,
//! `rayon-rf`). On each layout every kind of join then has a variant in the walk order
//! that streams there: left first on `pre`, right first on `post`.
//!
//! fib-30 also runs `serial-at-once/N`: N threads each computing the whole serial fib at
//! the same time. On a machine whose N hardware threads do not each compute at full speed
//! together (SMT siblings, a virtual machine's vCPUs on a shared host), it is slower
//! than `serial`, and a pool of N workers cannot beat `serial-at-once/N ÷ N` times its
//! own overhead per join: the figure that separates the machine's limit from the pool's.
//!
//! Run: `cargo bench --manifest-path benches/Cargo.toml --bench pools`; results in `benches/RESULTS.md`
//! ("Pools"). `POOLS_QUICK=1` shortens the measurement (noisy machines, smoke runs);
//! `BENCH_THREADS=1,4,8,16` measures other worker counts than the default 1 and 2.

use std::hint::black_box;
use std::sync::OnceLock;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};
use metronome::runtime::Executor;

#[path = "common/join_workloads.rs"]
mod join_workloads;
use join_workloads::*;

/// The share of steps of a depth-first walk (left child first, or right child first)
/// that move to a node at most one cache line away from the previous one: how much of
/// the walk is a sequential stream the prefetchers can follow.
fn sequential_share(root: &Node, right_first: bool) -> f64 {
    let mut stack = vec![root];
    let mut prev = root as *const Node as isize;
    let (mut near, mut steps) = (0u64, 0u64);
    while let Some(node) = stack.pop() {
        let addr = node as *const Node as isize;
        if steps > 0 && (addr - prev).abs() <= 64 {
            near += 1;
        }
        steps += 1;
        prev = addr;
        let (first, second) = if right_first {
            (&node.right, &node.left)
        } else {
            (&node.left, &node.right)
        };
        stack.extend(second.as_deref());
        stack.extend(first.as_deref());
    }
    near as f64 / (steps.max(2) - 1) as f64
}

/// Prints how sequential each walk order is on `tree` (a check that the layout is what
/// its name says).
fn report_layout(name: &str, tree: &Node) {
    eprintln!(
        "{name}: sequential steps: left-first {:.1}%, right-first {:.1}%",
        100.0 * sequential_share(tree, false),
        100.0 * sequential_share(tree, true)
    );
}

/// Which child a tree walk visits first. Each join's natural walk is `Natural`: left
/// first for the metronome pools and rayon (`a` runs on the caller), right first for
/// chili (`b` runs on the caller); `Mirrored` swaps the two closures, so every kind of
/// join can be measured in the walk order that streams on a given layout.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Walk {
    Natural,
    Mirrored,
}

/// A workload, serial and on each kind of join.
trait Workload: Sync {
    fn expected(&self) -> u64;
    fn serial(&self) -> u64;
    /// The serial code right child first (chili's order), where the order matters.
    fn serial_rev(&self) -> Option<u64> {
        None
    }
    /// On the current metronome pool (any of the three: `join` finds it).
    fn metronome(&self, walk: Walk) -> u64;
    fn rayon(&self, walk: Walk) -> u64;
    fn chili(&self, scope: &mut chili::Scope<'_>, walk: Walk) -> u64;
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
    fn metronome(&self, walk: Walk) -> u64 {
        match walk {
            Walk::Natural => sum_metronome::<false>(&self.0),
            Walk::Mirrored => sum_metronome::<true>(&self.0),
        }
    }
    fn rayon(&self, walk: Walk) -> u64 {
        match walk {
            Walk::Natural => sum_rayon::<false>(&self.0),
            Walk::Mirrored => sum_rayon::<true>(&self.0),
        }
    }
    fn chili(&self, scope: &mut chili::Scope<'_>, walk: Walk) -> u64 {
        match walk {
            Walk::Natural => sum_chili::<false>(&self.0, scope),
            Walk::Mirrored => sum_chili::<true>(&self.0, scope),
        }
    }
}

struct Fib(u64);

impl Workload for Fib {
    fn expected(&self) -> u64 {
        fib_serial(self.0)
    }
    fn serial(&self) -> u64 {
        fib_serial(black_box(self.0))
    }
    // fib has no layout: the walk order changes nothing, so it is measured natural only.
    fn metronome(&self, _: Walk) -> u64 {
        fib_metronome(black_box(self.0))
    }
    fn rayon(&self, _: Walk) -> u64 {
        fib_rayon(black_box(self.0))
    }
    fn chili(&self, scope: &mut chili::Scope<'_>, _: Walk) -> u64 {
        fib_chili(black_box(self.0), scope)
    }
}

/// Measures `work` on a metronome pool; the timing loop runs inside the pool.
fn on_pool<E: Executor + Sync>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: String,
    build: impl Fn() -> E,
    work: &dyn Workload,
    walk: Walk,
) {
    let expected = work.expected();
    // Built once per benchmark, not per sample: criterion calls the closure for every
    // sample, and a pool started just before its sample is timed while its threads are
    // still starting (every peer's pool is built once too).
    let pool = build();
    group.bench_function(name, |b| {
        on_a_worker(&pool, || {
            b.iter(|| assert_eq!(work.metronome(walk), expected))
        });
    });
}

/// Which variants also run with their closures swapped (see [`Walk`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mirrors {
    /// None (no layout, or in cache).
    None,
    /// chili only, left first (`chili-lf`): the cheap check that its figures on a
    /// layout are the walk order's, not its scheduling's.
    Chili,
    /// Every pool: the metronome pools and rayon right first (`-rf`), chili left first
    /// (`-lf`), so on each layout every kind of join is measured in both walk orders.
    All,
}

fn run_variants(group: &mut BenchmarkGroup<'_, WallTime>, work: &dyn Workload, mirrors: Mirrors) {
    let expected = work.expected();
    group.bench_function("serial", |b| b.iter(|| assert_eq!(work.serial(), expected)));
    if work.serial_rev().is_some() {
        group.bench_function("serial-rev", |b| {
            b.iter(|| assert_eq!(work.serial_rev(), Some(expected)))
        });
    }
    let ours: &[Walk] = match mirrors {
        Mirrors::All => &[Walk::Natural, Walk::Mirrored],
        Mirrors::None | Mirrors::Chili => &[Walk::Natural],
    };
    let chilis: &[Walk] = match mirrors {
        Mirrors::None => &[Walk::Natural],
        Mirrors::Chili | Mirrors::All => &[Walk::Natural, Walk::Mirrored],
    };
    for threads in threads() {
        for &walk in ours {
            let suffix = if walk == Walk::Mirrored { "-rf" } else { "" };
            on_pool(
                group,
                format!("heartbeat{suffix}/{threads}"),
                || heartbeat_pool(threads),
                work,
                walk,
            );
            on_pool(
                group,
                format!("continuation{suffix}/{threads}"),
                || continuation_pool(threads),
                work,
                walk,
            );
            on_pool(
                group,
                format!("numa{suffix}/{threads}"),
                || numa_pool(threads),
                work,
                walk,
            );
            let rayon = rayon_pool(threads);
            group.bench_function(format!("rayon{suffix}/{threads}"), |b| {
                rayon.install(|| b.iter(|| assert_eq!(work.rayon(walk), expected)));
            });
        }
        for &walk in chilis {
            let suffix = if walk == Walk::Mirrored { "-lf" } else { "" };
            let pool = chili_pool(threads);
            group.bench_function(format!("chili{suffix}/{threads}"), |b| {
                let mut scope = pool.scope();
                b.iter(|| assert_eq!(work.chili(&mut scope, walk), expected));
            });
        }
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
    // Kept, like the big trees: its freed nodes would be reused by the next tree built.
    static TREE: OnceLock<Tree> = OnceLock::new();
    let tree = TREE.get_or_init(|| Tree(Node::tree(10, Layout::Post), 1023));
    let mut group = c.benchmark_group("pools/tree-1k");
    let (warm_up, measure) = times(Duration::from_millis(400), Duration::from_secs(1));
    group.warm_up_time(warm_up).measurement_time(measure);
    run_variants(&mut group, tree, Mirrors::None);
    group.finish();
}

fn fib_30(c: &mut Criterion) {
    let mut group = c.benchmark_group("pools/fib-30");
    let (warm_up, measure) = times(Duration::from_millis(400), Duration::from_secs(2));
    group
        .sample_size(20)
        .warm_up_time(warm_up)
        .measurement_time(measure);
    run_variants(&mut group, &Fib(FIB_N), Mirrors::None);
    for threads in threads().into_iter().filter(|&n| n > 1) {
        serial_at_once(&mut group, &Fib(FIB_N), threads);
    }
    group.finish();
}

/// `serial-at-once/N`: N threads each run the whole serial workload at the same time (the
/// bench's thread and N − 1 helpers that spin between rounds, as a pool's idle workers
/// do between iterations); the time is until all N are done. Its ratio to `serial` is
/// how much slower one thread computes while N compute at once on this machine (shared
/// execution units or a host that does not give every vCPU a core of its own), so
/// `serial-at-once/N ÷ N` is the time a perfect split of one run over N threads would
/// take: the floor that a pool's N-worker figure is measured against.
fn serial_at_once<W: Workload>(group: &mut BenchmarkGroup<'_, WallTime>, work: &W, threads: usize) {
    let expected = work.expected();
    at_once(threads, &|| work.serial(), |round| {
        group.bench_function(format!("serial-at-once/{threads}"), |b| {
            b.iter(|| assert_eq!(round(), expected))
        });
    });
}

const LAYOUTS: [Layout; 3] = [Layout::Post, Layout::Pre, Layout::Shuffled];

/// How one out-of-cache workload is measured, on both layouts.
struct LayoutBench {
    name: &'static str,
    build: fn(Layout) -> Tree,
    times: (Duration, Duration),
    samples: usize,
    mirrors: Mirrors,
}

/// One group per layout; each tree is built on first use and kept (see the module docs).
fn layout_groups(c: &mut Criterion, trees: &'static [OnceLock<Tree>; 3], bench: LayoutBench) {
    for (layout, cell) in LAYOUTS.into_iter().zip(trees) {
        let name = format!("pools/{}-{}", bench.name, layout.name());
        let tree = cell.get_or_init(|| {
            let tree = (bench.build)(layout);
            report_layout(&name, &tree.0);
            tree
        });
        let mut group = c.benchmark_group(name);
        let (warm_up, measure) = times(bench.times.0, bench.times.1);
        group
            .sample_size(bench.samples)
            .warm_up_time(warm_up)
            .measurement_time(measure);
        run_variants(&mut group, tree, bench.mirrors);
        group.finish();
    }
}

fn unbalanced(c: &mut Criterion) {
    static TREES: [OnceLock<Tree>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    layout_groups(
        c,
        &TREES,
        LayoutBench {
            name: "unbalanced",
            build: |layout| Tree::unbalanced(layout),
            times: (Duration::from_millis(400), Duration::from_secs(2)),
            samples: 20,
            mirrors: Mirrors::All,
        },
    );
}

fn tree_16m(c: &mut Criterion) {
    static TREES: [OnceLock<Tree>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    layout_groups(
        c,
        &TREES,
        LayoutBench {
            name: "tree-16m",
            build: |layout| Tree(Node::tree(24, layout), (1 << 24) - 1),
            times: (Duration::from_secs(1), Duration::from_secs(3)),
            samples: 10,
            mirrors: Mirrors::Chili,
        },
    );
}

criterion_group!(benches, tree_1k, fib_30, unbalanced, tree_16m);
criterion_main!(benches);
