//! The ECS targets of the `for`-loop work, interleaved in one process: each round times
//! every variant of every workload in turn (the order reversed every other round) and
//! keeps each one's median; the summary gives each variant's median over the rounds and
//! its ratio to the workload's reference, taken round by round (a comparison within a
//! round is steadier than criterion's on a machine whose speed drifts, as a shared host's
//! does). The kernels are `ecs.rs`'s (`common/ecs_workloads.rs`).
//!
//! Run: `cargo bench --manifest-path benches/Cargo.toml --bench ecs_interleaved -- [rounds] [samples]`
//! (defaults: 10 rounds of 11 samples; a sample is a batch of calls of about 1 ms).
//! `-- count N` instead calls every variant N times, untimed, for instruction counts:
//! `valgrind --tool=callgrind --toggle-collect='*::metronome_simple_iter' <binary> count 100`
//! counts 100 calls of that kernel (everything it calls included).

use std::hint::black_box;
use std::time::{Duration, Instant};

#[path = "common/rounds.rs"]
mod rounds;
use rounds::{median, number_arg, positional_args};
#[path = "common/ecs_workloads.rs"]
mod ecs_workloads;
use ecs_workloads::*;

/// One way to run a workload once.
struct Variant<'a> {
    name: &'static str,
    run: Box<dyn FnMut() + 'a>,
}

/// A workload, its variants, the one the ratios divide by, and the target: variant
/// `target.0` at most `target.1` times the reference.
struct Workload<'a> {
    name: &'static str,
    variants: Vec<Variant<'a>>,
    reference: usize,
    target: (usize, f64),
    /// Calls per sample (calibrated on the reference to about 1 ms).
    batch: usize,
}

fn variant<'a>(name: &'static str, run: impl FnMut() + 'a) -> Variant<'a> {
    Variant {
        name,
        run: Box::new(run),
    }
}

/// Calls per ~1 ms sample of `run`.
fn calibrate(run: &mut dyn FnMut()) -> usize {
    for _ in 0..3 {
        run();
    }
    let start = Instant::now();
    let mut calls = 0;
    while start.elapsed() < Duration::from_millis(5) {
        run();
        calls += 1;
    }
    (calls / 5).max(1)
}

/// The median over `samples` batches of `batch` calls, in nanoseconds per call.
fn measure(run: &mut dyn FnMut(), batch: usize, samples: usize) -> f64 {
    run();
    let times = (0..samples)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..batch {
                run();
            }
            start.elapsed().as_secs_f64() * 1e9 / batch as f64
        })
        .collect();
    median(times)
}

fn main() {
    let args = positional_args();
    let arg = |i: usize, default: usize| number_arg(&args, i, default);
    let count = args.first().map(String::as_str) == Some("count");
    let (rounds, samples) = if count {
        (0, 0)
    } else {
        (arg(0, 10), arg(1, 11))
    };

    // Every world is built once, before the first round.
    let mut m_objects = metronome_objects();
    let mut bevy_objects = bevy::objects(BIG, transform);
    let mut bevy_objects_query = bevy_objects.query::<(&Velocity, &mut Position)>();
    let mut hecs_objects_world = hecs_objects(BIG, transform);
    let mut hand = HandObjects::new(BIG, transform);

    let mut m_frag_world = m_frag::build();
    let mut bevy_frag = bevy_frag_world();
    let mut bevy_frag_query = bevy_frag.query::<&mut Data>();
    let mut hecs_frag = hecs_frag_world();
    let mut hand_frag = hand_frag_arrays();

    let mut m_sched = m_sched_seq::build();
    let mut m_sched_each = m_sched_each_seq::build();
    // The same schedule on `work_stealing(workers = 2)` (the predictive stage runner
    // decides inline or pool per stage): compare it with `metronome for`.
    let mut m_sched_ws2 = m_sched_ws2::build();
    let (mut bevy_sched_world, mut bevy_sched) = bevy_schedule_single();
    let mut hecs_sched = hecs_schedule_world();

    let mut m_get_world = m_get::build();
    let m_targets = m_get_world.resource::<Targets>().0.clone();
    let (mut bevy_get_world, mut bevy_get_schedule) = bevy_get();
    let (mut hecs_get_world, hecs_targets) = hecs_get_world();

    // `get_mut` has two metronome variants on one world: share it through a cell.
    let m_get_cell = std::cell::RefCell::new(&mut m_get_world);
    let hecs_get_cell = std::cell::RefCell::new(&mut hecs_get_world);

    let mut workloads = vec![
        Workload {
            name: "simple_iter",
            variants: vec![
                variant("metronome for", || {
                    metronome_simple_iter(black_box(&mut m_objects))
                }),
                variant("hand_soa", || hand_simple_iter(black_box(&mut hand))),
                variant("hecs for", || {
                    hecs_simple_iter(black_box(&mut hecs_objects_world))
                }),
                variant("bevy for", || {
                    bevy_simple_iter(black_box(&mut bevy_objects), &mut bevy_objects_query)
                }),
            ],
            reference: 1,
            target: (0, 1.0),
            batch: 0,
        },
        Workload {
            name: "frag_iter",
            variants: vec![
                variant("metronome for", || {
                    metronome_frag_iter(black_box(&mut m_frag_world))
                }),
                variant("hecs for", || hecs_frag_iter(black_box(&mut hecs_frag))),
                variant("bevy for", || {
                    bevy_frag_iter(black_box(&mut bevy_frag), &mut bevy_frag_query)
                }),
                variant("hand_soa", || hand_frag_iter(black_box(&mut hand_frag))),
            ],
            reference: 1,
            target: (0, 0.3),
            batch: 0,
        },
        Workload {
            name: "schedule (sequential)",
            variants: vec![
                variant("metronome for", || {
                    metronome_schedule(black_box(&mut m_sched))
                }),
                variant("hecs for", || hecs_schedule(black_box(&mut hecs_sched))),
                variant("metronome for_each", || {
                    metronome_schedule_for_each(black_box(&mut m_sched_each))
                }),
                variant("bevy single", || {
                    bevy_sched.run(black_box(&mut bevy_sched_world))
                }),
                variant("metronome for ws(2)", || {
                    metronome_schedule_ws2(black_box(&mut m_sched_ws2))
                }),
            ],
            reference: 1,
            target: (0, 0.5),
            batch: 0,
        },
        Workload {
            name: "get_mut, 10 000 shuffled",
            variants: vec![
                variant("metronome system", || {
                    metronome_get_system(&mut m_get_cell.borrow_mut())
                }),
                variant("hecs get", || {
                    hecs_get(&mut hecs_get_cell.borrow_mut(), &hecs_targets)
                }),
                variant("metronome query_mut", || {
                    metronome_get_outside(&mut m_get_cell.borrow_mut(), &m_targets)
                }),
                variant("hecs query_one_mut", || {
                    hecs_query_one_mut(&mut hecs_get_cell.borrow_mut(), &hecs_targets)
                }),
                variant("bevy system", || {
                    bevy_get_schedule.run(black_box(&mut bevy_get_world))
                }),
            ],
            reference: 1,
            target: (0, 0.7),
            batch: 0,
        },
    ];
    // The `for_each` rows, next to the `for` rows they mirror.
    let mut m_objects_each = metronome_objects();
    let mut m_frag_each = m_frag::build();
    workloads[0]
        .variants
        .push(variant("metronome for_each", move || {
            metronome_simple_iter_for_each(black_box(&mut m_objects_each))
        }));
    workloads[1]
        .variants
        .push(variant("metronome for_each", move || {
            metronome_frag_iter_for_each(black_box(&mut m_frag_each))
        }));

    if count {
        let calls = arg(1, 100);
        for w in &mut workloads {
            for v in &mut w.variants {
                for _ in 0..calls {
                    (v.run)();
                }
            }
        }
        println!("called every variant {calls} times");
        return;
    }
    for w in &mut workloads {
        w.batch = calibrate(&mut *w.variants[w.reference].run);
    }
    println!("{rounds} rounds of {samples} samples (ns per call, median of the samples)");
    // times[workload][variant][round]
    let mut times: Vec<Vec<Vec<f64>>> = workloads
        .iter()
        .map(|w| vec![Vec::new(); w.variants.len()])
        .collect();
    for round in 0..rounds {
        println!("round {round}:");
        for (w, times) in workloads.iter_mut().zip(&mut times) {
            let mut order: Vec<usize> = (0..w.variants.len()).collect();
            if round % 2 == 1 {
                order.reverse();
            }
            for v in order {
                let t = measure(&mut *w.variants[v].run, w.batch, samples);
                times[v].push(t);
            }
            let cells: Vec<String> = w
                .variants
                .iter()
                .zip(times.iter())
                .map(|(v, t)| format!("{} {:.1}", v.name, t[round]))
                .collect();
            println!("  {}: {}", w.name, cells.join("  "));
        }
    }
    println!("median of the rounds (ratio: to the reference, round by round):");
    for (w, times) in workloads.iter().zip(&times) {
        let reference = &times[w.reference];
        println!(
            "  {} (reference {}, {} calls a sample)",
            w.name, w.variants[w.reference].name, w.batch
        );
        for (v, t) in w.variants.iter().zip(times) {
            let ratios: Vec<f64> = t.iter().zip(reference).map(|(a, b)| a / b).collect();
            let below = ratios.iter().filter(|r| **r < 1.0).count();
            println!(
                "    {:22} {:11.1} ns   x{:.2}   (below the reference in {below} of {rounds} rounds)",
                v.name,
                median(t.clone()),
                median(ratios)
            );
        }
        let (which, limit) = w.target;
        let ratio = median(
            times[which]
                .iter()
                .zip(reference)
                .map(|(a, b)| a / b)
                .collect(),
        );
        println!(
            "    target: {} ≤ x{limit} {}: x{ratio:.2}, {}",
            w.variants[which].name,
            w.variants[w.reference].name,
            if ratio <= limit { "met" } else { "missed" }
        );
    }
}
