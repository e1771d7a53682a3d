//! The game bench's worlds without criterion, for instruction counts:
//! `valgrind --tool=callgrind target/release/examples/game_profile EXECUTOR ENEMIES TICKS`
//! with EXECUTOR `sequential` or `work_stealing/N` (metronome, N workers), or
//! `bevy/single` (the bench's bevy_ecs copy on its single-threaded executor). Builds a
//! game with ENEMIES enemies, ticks it into play, ticks TICKS more, and prints its summary
//! (the same whatever the executor; bevy's as (tally, state, fingerprint, alive)), and on
//! stderr the wall-clock time of the TICKS ticks after the warm-up (ticks per second; for
//! A/B runs of the two libraries, alternating processes).
//!
//! Build: `cargo build --profile bench -p metronome-benches --example game_profile`
//! (the binary lands in `target/release/examples/`).

#[path = "../../examples/tower_defense/rules.rs"]
#[allow(dead_code)]
mod rules;
#[path = "../../examples/tower_defense/game.rs"]
#[macro_use]
#[allow(dead_code)]
mod game;
#[path = "../benches/common/game_bevy.rs"]
#[allow(dead_code)]
mod bevy;

use rules::Setup;
use std::time::Instant;

/// Ticks before the timed ones, as in the bench: the menu, the transition into play, a
/// couple of ticks.
const WARM: u64 = 6;

tower_defense_world!(m_seq::Seq = sequential);
tower_defense_world!(m_ws::Ws = work_stealing(workers = 2));

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: game_profile sequential|work_stealing/N|bevy/single ENEMIES TICKS";
    let [executor, enemies, ticks] = &args[..] else {
        panic!("{usage}");
    };
    let setup = Setup {
        enemies: enemies.parse().expect(usage),
        waves: 1_000,
        lives: u32::MAX,
    };
    // The bench's warm-up (menu, transition into play, a couple of ticks), then `ticks`,
    // timed.
    let ticks = ticks.parse::<u64>().expect(usage);
    let timed = |tick: &mut dyn FnMut()| {
        (0..WARM).for_each(|_| tick());
        let start = Instant::now();
        (0..ticks).for_each(|_| tick());
        start.elapsed()
    };
    let (summary, time) = match executor.strip_prefix("work_stealing/") {
        None if executor == "bevy/single" => {
            let mut g = bevy::Game::new(setup, false);
            let time = timed(&mut || g.tick());
            (format!("{:?}", g.summary()), time)
        }
        None if executor == "sequential" => {
            let mut w = m_seq::new_game(m_seq::Seq::new(), setup);
            let time = timed(&mut || w.tick());
            (format!("{:?}", m_seq::summary(&mut w)), time)
        }
        Some(workers) => {
            let workers = workers.parse().expect(usage);
            let w = m_ws::Ws::with_workers(workers).expect("a worker count");
            let mut w = m_ws::new_game(w, setup);
            let time = timed(&mut || w.tick());
            (format!("{:?}", m_ws::summary(&mut w)), time)
        }
        None => panic!("{usage}"),
    };
    eprintln!(
        "{executor} {enemies}: {ticks} ticks in {:.3} ms, {:.0} ticks/s",
        time.as_secs_f64() * 1e3,
        ticks as f64 / time.as_secs_f64()
    );
    println!("{summary}");
}
