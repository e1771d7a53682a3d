//! The tower-defense game of `examples/tower_defense.rs` as a benchmark: the same game
//! logic written for metronome (the example's own world) and for bevy_ecs 0.20 (messages,
//! `bevy_state` states with `OnEnter`/`OnExit` schedules, `run_if(in_state(..))`, an
//! exclusive referee, `ParallelCommands` in the parallel reap), both calling the same
//! `rules.rs` on every entity. Before measuring, the two are played side by side and
//! must agree tick by tick (score, kills, leaks, waves, state, a fingerprint of every
//! enemy's position, health and slow).
//!
//! Each sample builds a game with `N` enemies on the path (10 000 or 100 000), ticks it
//! through the menu into play (not timed), then times `TICKS` ticks of play (towers
//! firing, marching, shots landing, deaths and leaks, a wave entering every 25 ticks).
//! Throughput is in ticks ("elements/s" = ticks per second).
//!
//! Rows: `metronome/sequential`, `metronome/work_stealing/2` and `/3` (the same
//! `work_stealing` world with 2 and 3 workers, the thread that ticks counted: one and two
//! pool threads), `bevy/single` (bevy's single-threaded
//! executor, systems written with plain loops) and `bevy/multi/2` (its multi-threaded
//! executor and `par_iter_mut` on a 2-thread `ComputeTaskPool`).
//!
//! Run: `cargo bench --manifest-path benches/Cargo.toml --bench game -- --warm-up-time 1 --measurement-time 5`

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

#[path = "../../examples/tower_defense/rules.rs"]
#[allow(dead_code)]
mod rules;
#[path = "../../examples/tower_defense/game.rs"]
#[macro_use]
#[allow(dead_code)]
mod game;

use rules::{Setup, Tally};

tower_defense_world!(m_seq::Seq = sequential);
tower_defense_world!(m_ws::Ws = work_stealing(workers = 2));

/// Ticks timed per sample.
const TICKS: u64 = 50;
/// Ticks before the timed ones: the menu, the transition into play, a couple of ticks.
const WARM: u64 = 6;

fn setup(enemies: u32) -> Setup {
    Setup {
        enemies,
        waves: 1_000,
        lives: u32::MAX,
    }
}

#[path = "common/game_bevy.rs"]
mod bevy;

/// The bevy compute pool with 2 threads (process-wide; the first call decides its size).
fn compute_pool() {
    bevy_tasks::ComputeTaskPool::get_or_init(|| {
        bevy_tasks::TaskPoolBuilder::new().num_threads(2).build()
    });
}

fn same_screen(m: game::Screen, b: bevy::Screen) -> bool {
    matches!(
        (m, b),
        (game::Screen::Menu, bevy::Screen::Menu)
            | (game::Screen::Playing, bevy::Screen::Playing)
            | (game::Screen::Over, bevy::Screen::Over)
    )
}

/// Plays metronome (sequential and work_stealing) and bevy (single and multi) side by
/// side for `ticks` ticks, asserting after every one that they agree.
fn check_equal(setup: Setup, ticks: u64) -> Tally {
    let mut seq = m_seq::new_game(m_seq::Seq::new(), setup);
    let mut ws = m_ws::new_game(m_ws::Ws::new(), setup);
    let mut b1 = bevy::Game::new(setup, false);
    let mut b2 = bevy::Game::new(setup, true);
    for _ in 0..ticks {
        seq.tick();
        ws.tick();
        b1.tick();
        b2.tick();
        let m = m_seq::summary(&mut seq);
        assert_eq!(m, m_ws::summary(&mut ws));
        for b in [b1.summary(), b2.summary()] {
            assert_eq!(m.tally, b.0, "tick {}", m.ticks);
            assert!(same_screen(m.state, b.1), "tick {}", m.ticks);
            assert_eq!(m.fingerprint, b.2, "tick {}", m.ticks);
            assert_eq!(m.alive, b.3, "tick {}", m.ticks);
        }
    }
    m_seq::summary(&mut seq).tally
}

fn warm<W>(mut game: W, tick: impl Fn(&mut W)) -> W {
    for _ in 0..WARM {
        tick(&mut game);
    }
    game
}

fn game(c: &mut Criterion) {
    compute_pool();
    // The two versions are the same game: tick by tick, including a whole short game
    // (menu, play, waves, kills, leaks, game over, board cleared).
    let over = check_equal(
        Setup {
            enemies: 2_000,
            waves: 6,
            lives: 300,
        },
        2_000,
    );
    assert!(over.kills > 0 && over.leaks > 0, "{over:?}");
    for enemies in [10_000u32, 100_000] {
        let s = setup(enemies);
        let t = check_equal(s, WARM + TICKS);
        assert!(t.kills > 0 && t.waves > 0, "{t:?}");

        let mut g = c.benchmark_group(format!("game/{enemies}"));
        g.sample_size(10);
        g.throughput(Throughput::Elements(TICKS));
        g.bench_function("metronome/sequential", |b| {
            b.iter_batched(
                || warm(m_seq::new_game(m_seq::Seq::new(), s), |w| w.tick()),
                |mut w| {
                    for _ in 0..TICKS {
                        w.tick();
                    }
                    w
                },
                BatchSize::PerIteration,
            )
        });
        // `workers` counts the thread that ticks (it takes part): 2 is the caller and one
        // pool thread, 3 the caller and two.
        for workers in [2, 3] {
            g.bench_function(format!("metronome/work_stealing/{workers}"), |b| {
                b.iter_batched(
                    || {
                        let w = m_ws::Ws::with_workers(workers).unwrap();
                        warm(m_ws::new_game(w, s), |w| w.tick())
                    },
                    |mut w| {
                        for _ in 0..TICKS {
                            w.tick();
                        }
                        w
                    },
                    BatchSize::PerIteration,
                )
            });
        }
        for (name, parallel) in [("bevy/single", false), ("bevy/multi/2", true)] {
            g.bench_function(name, |b| {
                b.iter_batched(
                    || warm(bevy::Game::new(s, parallel), |g| g.tick()),
                    |mut g| {
                        for _ in 0..TICKS {
                            g.tick();
                        }
                        g
                    },
                    BatchSize::PerIteration,
                )
            });
        }
        g.finish();
    }
}

criterion_group!(benches, game);
criterion_main!(benches);
