//! Interleaved A/B of a world on `sequential` against the same world on
//! `work_stealing(workers = N)`, without criterion: each round ticks every variant for
//! a fixed number of ticks in turn (the order reversed every other round) and prints the
//! ticks' mean; the summary gives each variant's median over the rounds and its ratio to
//! `sequential`, taken round by round. Also prints what the stage runner did (stages on
//! the pool, each system's prediction).
//!
//! `stage_ab schedule ROUNDS TICKS` (the ecs bench's `schedule` workload) or
//! `stage_ab game ENEMIES ROUNDS TICKS` (the tower-defense game).
//!
//! Build: `cargo build --profile bench --manifest-path benches/Cargo.toml --example stage_ab`

#[path = "../benches/common/ecs_workloads.rs"]
mod ecs_workloads;
#[path = "../../examples/tower_defense/rules.rs"]
#[allow(dead_code)]
mod rules;
#[path = "../../examples/tower_defense/game.rs"]
#[macro_use]
#[allow(dead_code)]
mod game;

use std::time::Instant;

use metronome::World;
use rules::Setup;

tower_defense_world!(g_seq::Seq = sequential);
tower_defense_world!(g_ws::Ws = work_stealing(workers = 2));

/// One variant: a name and a closure that ticks its world once.
type Variant<'a> = (String, Box<dyn FnMut() + 'a>);

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs the rounds and prints the summary (variant 0 is the reference).
fn ab(variants: &mut [Variant<'_>], rounds: usize, ticks: usize) {
    for v in variants.iter_mut() {
        for _ in 0..ticks {
            (v.1)();
        }
    }
    let mut times = vec![Vec::new(); variants.len()];
    for round in 0..rounds {
        let mut order: Vec<usize> = (0..variants.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for i in order {
            let start = Instant::now();
            for _ in 0..ticks {
                (variants[i].1)();
            }
            times[i].push(start.elapsed().as_secs_f64() * 1e6 / ticks as f64);
        }
        let row: Vec<String> = variants
            .iter()
            .zip(&times)
            .map(|(v, t)| format!("{} {:.1}", v.0, t[round]))
            .collect();
        println!("round {round}: {}", row.join("  "));
    }
    for (v, t) in variants.iter().zip(&times) {
        let ratios: Vec<f64> = t.iter().zip(&times[0]).map(|(a, b)| a / b).collect();
        println!(
            "{:24} {:9.1} µs/tick  x{:.3} of {}",
            v.0,
            median(t.clone()),
            median(ratios),
            variants[0].0
        );
    }
}

fn print_stats<W: World>(name: &str, w: &W) {
    let stats = w.stats();
    println!(
        "{name}: stage runs {} on the pool {}",
        stats.stage_runs(),
        stats.stages_on_pool()
    );
    for (system, s) in stats.systems() {
        println!(
            "  {system:12} runs {:6} on pool {:6} mean {:?} predicted {:?}",
            s.runs, s.on_pool, s.mean, s.predicted
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize, d: usize| args.get(i).map_or(d, |a| a.parse().expect("a number"));
    match args.first().map(String::as_str) {
        Some("schedule") => {
            let (rounds, ticks) = (num(1, 10), num(2, 2000));
            let mut seq = ecs_workloads::m_sched_seq::build();
            let mut ws = ecs_workloads::m_sched_ws2::build();
            {
                let mut variants: Vec<Variant<'_>> = vec![
                    ("sequential".into(), Box::new(|| seq.tick())),
                    ("work_stealing(2)".into(), Box::new(|| ws.tick())),
                ];
                ab(&mut variants, rounds, ticks);
            }
            print_stats("work_stealing(2)", &ws);
        }
        Some("game") => {
            let enemies = num(1, 10_000) as u32;
            let (rounds, ticks) = (num(2, 10), num(3, 50));
            let setup = Setup {
                enemies,
                waves: 1_000,
                lives: u32::MAX,
            };
            let workers = num(4, 2);
            let mut seq = g_seq::new_game(g_seq::Seq::new(), setup);
            let mut ws = g_ws::new_game(g_ws::Ws::with_workers(workers).unwrap(), setup);
            {
                let mut variants: Vec<Variant<'_>> = vec![
                    ("sequential".into(), Box::new(|| seq.tick())),
                    (format!("work_stealing({workers})"), Box::new(|| ws.tick())),
                ];
                ab(&mut variants, rounds, ticks);
            }
            assert_eq!(g_seq::summary(&mut seq), g_ws::summary(&mut ws));
            print_stats("work_stealing", &ws);
        }
        _ => panic!("usage: stage_ab schedule ROUNDS TICKS | game ENEMIES ROUNDS TICKS [WORKERS]"),
    }
}
