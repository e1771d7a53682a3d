//! Interleaved A/B of a world on `sequential` against the same world on
//! `work_stealing(workers = N)`, without criterion: each round ticks every variant for
//! a fixed number of ticks in turn (the order reversed every other round) and prints the
//! ticks' mean; the summary gives each variant's median over the rounds and its ratio to
//! `sequential`, taken round by round. Also prints what the stage runner did (stages on
//! the pool, each system's prediction).
//!
//! `stage_ab schedule ROUNDS TICKS` (the ecs bench's `schedule` workload; also
//! `sequential, other busy`: the sequential world while a second thread ticks a copy of
//! it, how much slower the code runs when both cores compute, and the floor it sets for
//! two workers),
//! `stage_ab game ENEMIES ROUNDS TICKS` (the tower-defense game), or
//! `stage_ab fresh ENEMIES SAMPLES [WORKERS]`: the game bench's samples (each a fresh
//! world, 6 ticks untimed, 50 timed), `sequential` and `work_stealing` alternating; prints
//! the median ratio of the samples and the median time of each tick position (where in
//! a young world's life the time goes). With `STAGE_AB_PIN=1` (Linux), the calling
//! thread runs on CPU 0 and each pool's threads on CPU 1 (they inherit the mask the
//! calling thread had when the world was built): on a host busy with `nice`d builds,
//! where the scheduler may leave the pool thread queued behind the caller, this is the
//! quiet machine's layout, one core each (`game` too).
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

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
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

/// The game bench's sample: a fresh world, `WARM` ticks untimed, then the times of
/// `TICKS` ticks (µs each).
fn sample_ticks<W>(mut world: W, tick: impl Fn(&mut W)) -> Vec<f64> {
    const WARM: usize = 6;
    const TICKS: usize = 50;
    for _ in 0..WARM {
        tick(&mut world);
    }
    let mut times = Vec::with_capacity(TICKS);
    for _ in 0..TICKS {
        let start = Instant::now();
        tick(&mut world);
        times.push(start.elapsed().as_secs_f64() * 1e6);
    }
    // Dropped outside the timed ticks, as criterion's `iter_batched` does.
    drop(world);
    times
}

/// Restricts the calling thread to CPU `cpu` (threads it starts inherit the mask).
#[cfg(target_os = "linux")]
fn pin_to(cpu: usize) {
    unsafe extern "C" {
        fn sched_setaffinity(pid: i32, size: usize, mask: *const u64) -> i32;
    }
    let mask: u64 = 1 << cpu;
    // SAFETY: `mask` is a valid 8-byte CPU set that outlives the call; pid 0 is the
    // calling thread.
    let rc = unsafe { sched_setaffinity(0, std::mem::size_of::<u64>(), &mask) };
    assert_eq!(rc, 0, "sched_setaffinity failed");
}

#[cfg(not(target_os = "linux"))]
fn pin_to(_cpu: usize) {}

/// `fresh`: alternating samples of both executors; the median ratio of the samples' sums
/// and each tick position's median.
fn fresh(setup: Setup, samples: usize, workers: usize) {
    let mut seq_samples = Vec::new();
    let mut ws_samples = Vec::new();
    for s in 0..samples {
        let seq = || sample_ticks(g_seq::new_game(g_seq::Seq::new(), setup), |w| w.tick());
        let pin = std::env::var_os("STAGE_AB_PIN").is_some();
        let ws = || {
            if pin {
                pin_to(1);
            }
            let w = g_ws::Ws::with_workers(workers).unwrap();
            if pin {
                pin_to(0);
            }
            sample_ticks(g_ws::new_game(w, setup), |w| w.tick())
        };
        if pin && s == 0 {
            pin_to(0);
        }
        if s % 2 == 0 {
            seq_samples.push(seq());
            ws_samples.push(ws());
        } else {
            ws_samples.push(ws());
            seq_samples.push(seq());
        }
    }
    let sum = |v: &Vec<f64>| v.iter().sum::<f64>();
    let ratios: Vec<f64> = ws_samples
        .iter()
        .zip(&seq_samples)
        .map(|(w, s)| sum(w) / sum(s))
        .collect();
    let seq_sum = median(seq_samples.iter().map(sum).collect());
    let ws_sum = median(ws_samples.iter().map(sum).collect());
    println!("sample (50 ticks): sequential {seq_sum:.0} µs, work_stealing({workers}) {ws_sum:.0} µs, ratio x{:.3}", median(ratios));
    let column = |v: &Vec<Vec<f64>>, t: usize| median(v.iter().map(|s| s[t]).collect());
    let row: Vec<String> = (0..seq_samples[0].len())
        .map(|t| {
            format!(
                "{:.0}/{:.0}",
                column(&seq_samples, t),
                column(&ws_samples, t)
            )
        })
        .collect();
    println!("tick medians µs (seq/ws): {}", row.join(" "));
}

/// The other thread of `sequential, other busy`: ticks a world while the variant runs
/// (it sets `busy` at each of its ticks, the others clear it), so the measured thread
/// runs the schedule's systems while a second thread runs the same code, as the two
/// threads of `work_stealing(2)` do. Its ratio to `sequential` is how much slower this
/// code runs when both cores compute: on a machine whose two vCPUs do not each run at
/// full speed together, it bounds what two workers can reach (`print_floor`).
///
/// Between its variant's rounds the thread blocks on a condition variable: a thread that
/// polled (a sleep of 50 µs in a loop) would wake up every few ticks of the other
/// variants and preempt one of the two threads of `work_stealing(2)`, which has no core
/// to spare, while the sequential variants leave it a core: that favoured them.
#[derive(Default)]
struct Beside {
    busy: AtomicBool,
    stop: AtomicBool,
    lock: Mutex<()>,
    wake: Condvar,
}

impl Beside {
    /// Whether the other thread ticks (set at each tick of every variant: a store, and
    /// the wake-up only when it changes to `true`).
    fn set_busy(&self, busy: bool) {
        if busy && !self.busy.swap(true, Ordering::SeqCst) {
            // Under the lock: the thread checks `busy` under it before it waits.
            let _held = self.lock.lock().unwrap();
            self.wake.notify_one();
        } else if !busy {
            self.busy.store(false, Ordering::Relaxed);
        }
    }

    /// Variant `name` ticking with `tick`, the other thread busy or not meanwhile.
    fn variant<'a>(&'a self, name: &str, busy: bool, mut tick: impl FnMut() + 'a) -> Variant<'a> {
        let run = move || {
            self.set_busy(busy);
            tick()
        };
        (name.into(), Box::new(run))
    }

    /// Ends `run`.
    fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        let _held = self.lock.lock().unwrap();
        self.wake.notify_one();
    }

    /// The other thread: ticks `world` while busy, blocks while not, until `stop`.
    fn run<W: World>(&self, mut world: W) {
        while !self.stop.load(Ordering::Relaxed) {
            if self.busy.load(Ordering::Relaxed) {
                world.tick();
                continue;
            }
            let mut held = self.lock.lock().unwrap();
            while !self.busy.load(Ordering::SeqCst) && !self.stop.load(Ordering::SeqCst) {
                held = self.wake.wait(held).unwrap();
            }
        }
    }
}

/// Ends [`Beside::run`] when dropped.
struct StopOnDrop<'a>(&'a Beside);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// What `work_stealing(2)` could reach at best, from the sequential world's systems:
/// the larger of its longest system and half of the whole (a perfect split), as a share
/// of the whole; the summary's `sequential, other busy` ratio multiplies it on a
/// machine whose cores slow each other down.
fn print_floor<W: World>(seq: &W) {
    let stats = seq.stats();
    let means: Vec<f64> = stats.systems().map(|(_, s)| s.mean.as_secs_f64()).collect();
    let total: f64 = means.iter().sum();
    let longest = means.iter().copied().fold(0.0, f64::max);
    println!(
        "floor of two workers: {:.3} of sequential (longest system {:.1} µs of {:.1} µs), \
         times the `other busy` ratio on this machine",
        longest.max(total / 2.0) / total,
        longest * 1e6,
        total * 1e6
    );
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
            let mut seq_beside = ecs_workloads::m_sched_seq::build();
            let mut ws = ecs_workloads::m_sched_ws2::build();
            let mut ws1 = ecs_workloads::m_sched_ws2::build_with_workers(1);
            // `sequential beside a busy thread`: the same sequential world while a
            // second thread ticks a copy of it (see `Beside`).
            let beside = Beside::default();
            std::thread::scope(|s| {
                s.spawn(|| beside.run(ecs_workloads::m_sched_seq::build()));
                // Stops the other thread also if a tick panics (the scope waits for it).
                let _stop = StopOnDrop(&beside);
                let mut variants: Vec<Variant<'_>> = vec![
                    beside.variant("sequential", false, || seq.tick()),
                    beside.variant("work_stealing(2)", false, || ws.tick()),
                    beside.variant("work_stealing(1)", false, || ws1.tick()),
                    beside.variant("sequential, other busy", true, || seq_beside.tick()),
                ];
                ab(&mut variants, rounds, ticks);
            });
            print_stats("sequential", &seq);
            print_stats("work_stealing(2)", &ws);
            print_stats("work_stealing(1)", &ws1);
            print_floor(&seq);
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
            let pin = std::env::var_os("STAGE_AB_PIN").is_some();
            if pin {
                pin_to(1);
            }
            let mut ws = g_ws::new_game(g_ws::Ws::with_workers(workers).unwrap(), setup);
            if pin {
                pin_to(0);
            }
            let mut seq = g_seq::new_game(g_seq::Seq::new(), setup);
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
        Some("fresh") => {
            let setup = Setup {
                enemies: num(1, 10_000) as u32,
                waves: 1_000,
                lives: u32::MAX,
            };
            fresh(setup, num(2, 20), num(3, 2));
        }
        _ => panic!("usage: stage_ab schedule ROUNDS TICKS | game ENEMIES ROUNDS TICKS [WORKERS] | fresh ENEMIES SAMPLES [WORKERS]"),
    }
}
