//! fib-30 on the heartbeat, NUMA and continuation pools and chili at 1 and 2 workers,
//! against the serial code and against the machine's own limit, interleaved in one
//! process: each round times every variant in turn (a few repetitions each, the median
//! kept), so that ratios compare times taken seconds apart rather than minutes apart, as
//! criterion's would on a shared host whose speed drifts.
//!
//! `serial-at-once/2` is the serial fib computed by two threads at the same time (the
//! time until both are done). Where the two hardware threads do not each compute at full
//! speed together (SMT siblings, or a virtual machine's two vCPUs on a busy host), it is
//! slower than `serial`, and no pool of two workers can beat
//! `floor = serial-at-once/2 ÷ 2 × (heartbeat/1 ÷ serial)`: a perfect split of the work
//! over two threads, each paying the pool's own cost per join. The summary prints that
//! floor next to `heartbeat/2`, so a figure above `serial` can be told apart into the
//! machine's part and the pool's.
//!
//! Run: `cargo bench --manifest-path benches/Cargo.toml --bench fib_interleaved -- [repetitions] [rounds]`
//! (defaults: 30 repetitions, 12 rounds). Results in `benches/RESULTS.md`.

use std::hint::black_box;
use std::time::Instant;

use metronome::runtime::Executor;

#[path = "common/rounds.rs"]
mod rounds;
use rounds::{interleaved, median, number_arg, positional_args};
#[path = "common/join_workloads.rs"]
mod join_workloads;
use join_workloads::*;

const VARIANTS: [&str; 9] = [
    "serial",
    "serial-at-once/2",
    "heartbeat/1",
    "heartbeat/2",
    "numa/1",
    "numa/2",
    "continuation/2",
    "chili/1",
    "chili/2",
];

/// Runs `work` once untimed, then `reps` times, and returns the median in milliseconds.
fn time(reps: usize, mut work: impl FnMut() -> u64) -> f64 {
    let expected = fib_serial(FIB_N);
    assert_eq!(work(), expected);
    let times = (0..reps)
        .map(|_| {
            let start = Instant::now();
            assert_eq!(black_box(work()), expected);
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    median(times)
}

/// The serial fib on this thread and on a second one at the same time, `reps` times; the
/// second thread spins between repetitions (as a pool's idle worker does), so both start
/// together.
fn serial_at_once(reps: usize) -> f64 {
    at_once(2, &|| fib_serial(black_box(FIB_N)), |round| {
        time(reps, round)
    })
}

/// fib on `pool`, the timing loop on one of its workers (`on_a_worker`).
fn on_pool(pool: &(impl Executor + Sync), reps: usize) -> f64 {
    on_a_worker(pool, || time(reps, || fib_metronome(black_box(FIB_N))))
}

/// One round's median of variant `which`. Each pool is built for its measurement and
/// dropped after it, so only the measured pool is alive (an idle pool of another kind,
/// chili's with its heartbeat thread, would take turns on the cores); the untimed first
/// run of `time` lets its threads start.
fn measure(which: usize, reps: usize) -> f64 {
    match VARIANTS[which] {
        "serial" => time(reps, || fib_serial(black_box(FIB_N))),
        "serial-at-once/2" => serial_at_once(reps),
        "heartbeat/1" => on_pool(&heartbeat_pool(1), reps),
        "heartbeat/2" => on_pool(&heartbeat_pool(2), reps),
        "numa/1" => on_pool(&numa_pool(1), reps),
        "numa/2" => on_pool(&numa_pool(2), reps),
        "continuation/2" => on_pool(&continuation_pool(2), reps),
        chili => {
            let pool = chili_pool(if chili == "chili/2" { 2 } else { 1 });
            let mut scope = pool.scope();
            time(reps, || fib_chili(black_box(FIB_N), &mut scope))
        }
    }
}

fn main() {
    let args = positional_args();
    let arg = |i: usize, default: usize| number_arg(&args, i, default);
    let (reps, rounds) = (arg(0, 30), arg(1, 12));
    println!("fib-{FIB_N}: {rounds} rounds of {reps} repetitions (ms)");
    let medians = interleaved(&VARIANTS, rounds, |which| measure(which, reps));
    let at = |name: &str| VARIANTS.iter().position(|v| *v == name).unwrap();
    println!("median of the rounds' medians, and of each round's ratio to serial:");
    for (which, name) in VARIANTS.iter().enumerate() {
        let ratios: Vec<f64> = (0..rounds)
            .map(|r| medians[which][r] / medians[0][r])
            .collect();
        println!(
            "  {name:<18} {:>7.3} ms  {:.3}x serial",
            median(medians[which].clone()),
            median(ratios)
        );
    }
    // Per round: the floor of two heartbeat workers on this machine (see the module docs).
    let floors: Vec<f64> = (0..rounds)
        .map(|r| {
            let serial = medians[0][r];
            let at_once = medians[at("serial-at-once/2")][r];
            let one = medians[at("heartbeat/1")][r];
            at_once / 2.0 * (one / serial) / serial
        })
        .collect();
    let split: Vec<f64> = (0..rounds)
        .map(|r| medians[at("heartbeat/2")][r] / medians[0][r] / floors[r])
        .collect();
    let slowdown: Vec<f64> = (0..rounds)
        .map(|r| medians[at("serial-at-once/2")][r] / medians[0][r])
        .collect();
    println!(
        "two threads at once: each {:.3}x slower than alone; heartbeat/2 floor {:.3}x serial; \
         heartbeat/2 at {:.3}x its floor (medians of the rounds)",
        median(slowdown),
        median(floors),
        median(split)
    );
}
