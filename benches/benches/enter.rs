//! Entering a pool from a thread outside it, as a game's main thread does at each tick:
//! `install(|| 1)` back to back and after 1 ms idle, and tree-1k (a 1 023-node tree sum)
//! with each walk entered from outside, on the metronome pools, rayon and chili (whose
//! `scope()` plus a `join` is its way in), at 1 and 2 workers. Interleaved in one
//! process: every round times each variant in turn (all pools stay built), so drift
//! of a shared machine hits all of them alike; the figures are medians of all rounds.
//!
//! Run: `cargo bench --manifest-path benches/Cargo.toml --bench enter -- [rounds] [reps]` (defaults
//! 30 and 20). Results in `benches/RESULTS.md` ("Entering from outside").
//!
//! A metronome pool's caller takes part (a guest of the pool: heartbeat, NUMA and
//! continuation pools alike): its `N` is N workers plus the caller. chili's `N` counts its caller (N - 1 threads of its own);
//! rayon's caller blocks while N workers run.

use std::hint::black_box;
use std::time::{Duration, Instant};

use metronome::runtime::Executor;

#[path = "common/join_workloads.rs"]
mod join_workloads;
use join_workloads::*;

/// What one timed call does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Call {
    /// `install(|| 1)` right after the previous call.
    BackToBack,
    /// `install(|| 1)` after 1 ms of sleep (workers and heartbeat parked or parking).
    AfterIdle,
    /// tree-1k, entered from outside, back to back.
    Tree1k,
}

impl Call {
    fn name(self) -> &'static str {
        match self {
            Call::BackToBack => "install back to back",
            Call::AfterIdle => "install after 1 ms idle",
            Call::Tree1k => "tree-1k entered from outside",
        }
    }
}

/// The median of `times`, in µs.
fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Times `reps` calls of `call` (each after 1 ms of sleep if `idle`), in µs.
fn time(reps: usize, idle: bool, mut call: impl FnMut() -> u64, expected: u64) -> Vec<f64> {
    (0..reps)
        .map(|_| {
            if idle {
                std::thread::sleep(Duration::from_millis(1));
            }
            let start = Instant::now();
            assert_eq!(black_box(call()), expected);
            start.elapsed().as_secs_f64() * 1e6
        })
        .collect()
}

fn install_one(pool: &impl Executor) -> u64 {
    pool.install(|| black_box(1))
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .filter_map(|a| a.parse().ok())
        .collect();
    let (rounds, reps) = (
        args.first().copied().unwrap_or(30),
        args.get(1).copied().unwrap_or(20),
    );
    let tree = Tree(Node::tree(10, Layout::Post), 1023);
    for workers in threads() {
        let heartbeat = heartbeat_pool(workers);
        let numa = numa_pool(workers);
        let continuation = continuation_pool(workers);
        let rayon = rayon_pool(workers);
        let chili = chili_pool(workers);
        for call in [Call::BackToBack, Call::AfterIdle, Call::Tree1k] {
            let idle = call == Call::AfterIdle;
            let expected = if call == Call::Tree1k { tree.1 } else { 1 };
            let names = [
                "serial",
                "heartbeat",
                "numa",
                "continuation",
                "rayon",
                "chili",
            ];
            let mut samples: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
            for _ in 0..rounds {
                let root = &*tree.0;
                let mut run = |i: usize, f: &mut dyn FnMut() -> u64| {
                    samples[i].extend(time(reps, idle, f, expected));
                };
                if call == Call::Tree1k {
                    run(0, &mut || sum_serial(root));
                    run(1, &mut || {
                        heartbeat.install(|| sum_metronome::<false>(root))
                    });
                    run(2, &mut || numa.install(|| sum_metronome::<false>(root)));
                    run(3, &mut || {
                        continuation.install(|| sum_metronome::<false>(root))
                    });
                    run(4, &mut || rayon.install(|| sum_rayon::<false>(root)));
                    run(5, &mut || sum_chili::<false>(root, &mut chili.scope()));
                } else {
                    run(0, &mut || black_box(1));
                    run(1, &mut || install_one(&heartbeat));
                    run(2, &mut || install_one(&numa));
                    run(3, &mut || install_one(&continuation));
                    run(4, &mut || rayon.install(|| black_box(1)));
                    run(5, &mut || {
                        let (a, _) = chili.scope().join(|_| black_box(1), |_| black_box(2));
                        a
                    });
                }
            }
            let medians: Vec<f64> = samples.into_iter().map(median).collect();
            let chili_us = medians[5];
            println!("{} / {workers} worker(s): median µs (x chili)", call.name());
            for (name, us) in names.iter().zip(&medians) {
                println!("  {name:<13} {us:>9.2}  ({:.2}x)", us / chili_us);
            }
        }
    }
}
