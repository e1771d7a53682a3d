//! `unbalanced` on every pool at one worker count, interleaved in one process: each round builds each pool in turn, times a few repetitions, drops it,
//! and keeps the median; the summary compares the continuation pool with each other
//! variant round by round. On a machine whose memory speed drifts (a shared host), a
//! comparison within a round is steadier than criterion's, which measures each variant
//! minutes apart.
//!
//! Run: `cargo bench --manifest-path benches/Cargo.toml --bench interleaved -- [post|pre|shuffled] [repetitions]
//! [rounds] [workers] [spine|side]` (defaults: post 20 12 2 spine). `spine` walks the
//! spine first (the workload as defined: the side trees are what thieves take; chili
//! with its closures swapped, `chili-lf`), `side` the side trees first (the mirror: only
//! the rest of the spine can be stolen; the metronome pools and rayon with their
//! closures swapped, chili as it comes). Results in `benches/RESULTS.md`.

use std::hint::black_box;
use std::time::Instant;

use metronome::runtime::Executor;

#[path = "common/rounds.rs"]
mod rounds;
use rounds::{interleaved, median, number_arg, positional_args};
#[path = "common/join_workloads.rs"]
mod join_workloads;
use join_workloads::*;

const VARIANTS: [&str; 6] = [
    "serial",
    "heartbeat",
    "continuation",
    "numa",
    "rayon",
    "chili",
];
const CONTINUATION: usize = 2;

/// Runs `walk` `reps` times and returns the median in milliseconds.
fn time(reps: usize, mut walk: impl FnMut() -> u64, expected: u64) -> f64 {
    let times = (0..reps)
        .map(|_| {
            let start = Instant::now();
            assert_eq!(black_box(walk()), expected);
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    median(times)
}

/// Which child every join runs first.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Walk {
    SpineFirst,
    SideFirst,
}

fn on_pool(pool: &(impl Executor + Sync), tree: &Tree, reps: usize, walk: Walk) -> f64 {
    // On a worker (see `on_a_worker`): N threads at work, as for rayon and chili.
    on_a_worker(pool, || match walk {
        Walk::SpineFirst => time(reps, || sum_metronome::<false>(&tree.0), tree.1),
        Walk::SideFirst => time(reps, || sum_metronome::<true>(&tree.0), tree.1),
    })
}

/// One round's median of variant `which` at `workers`.
fn measure(which: usize, tree: &Tree, reps: usize, workers: usize, walk: Walk) -> f64 {
    match VARIANTS[which] {
        "serial" => time(reps, || sum_serial(&tree.0), tree.1),
        "heartbeat" => on_pool(&heartbeat_pool(workers), tree, reps, walk),
        "continuation" => on_pool(&continuation_pool(workers), tree, reps, walk),
        "numa" => on_pool(&numa_pool(workers), tree, reps, walk),
        "rayon" => rayon_pool(workers).install(|| match walk {
            Walk::SpineFirst => time(reps, || sum_rayon::<false>(&tree.0), tree.1),
            Walk::SideFirst => time(reps, || sum_rayon::<true>(&tree.0), tree.1),
        }),
        _ => {
            let pool = chili_pool(workers);
            let mut scope = pool.scope();
            // chili runs `b` on the caller: swapped closures walk the spine first.
            match walk {
                Walk::SpineFirst => time(reps, || sum_chili::<true>(&tree.0, &mut scope), tree.1),
                Walk::SideFirst => time(reps, || sum_chili::<false>(&tree.0, &mut scope), tree.1),
            }
        }
    }
}

fn main() {
    let args = positional_args();
    let arg = |i: usize, default: usize| number_arg(&args, i, default);
    let layout = match args.first().map(String::as_str) {
        Some("pre") => Layout::Pre,
        Some("shuffled") => Layout::Shuffled,
        _ => Layout::Post,
    };
    let (reps, rounds, workers) = (arg(1, 20), arg(2, 12), arg(3, 2));
    let walk = match args.get(4).map(String::as_str) {
        Some("side") => Walk::SideFirst,
        _ => Walk::SpineFirst,
    };
    let tree = Tree::unbalanced(layout);
    println!(
        "unbalanced-{}, {} first, {workers} workers: {rounds} rounds of {reps} repetitions (ms)",
        layout.name(),
        if walk == Walk::SideFirst {
            "side tree"
        } else {
            "spine"
        },
    );
    let medians = interleaved(&VARIANTS, rounds, |which| measure(which, &tree, reps, workers, walk));
    println!("median of the rounds:");
    for (name, times) in VARIANTS.iter().zip(&medians) {
        let ratios: Vec<f64> = medians[CONTINUATION]
            .iter()
            .zip(times)
            .map(|(c, t)| c / t)
            .collect();
        let wins = ratios.iter().filter(|r| **r < 1.0).count();
        println!(
            "  {name:12} {:7.2} ms   continuation / {name}: {:.2} (continuation faster in {wins} of {rounds} rounds)",
            median(times.clone()),
            median(ratios)
        );
    }
}
