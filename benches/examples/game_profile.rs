//! The game bench's worlds without criterion, for instruction counts:
//! `valgrind --tool=callgrind target/release/examples/game_profile EXECUTOR ENEMIES TICKS`
//! with EXECUTOR `sequential` or `work_stealing/N` (metronome, N workers), or
//! `bevy/single` (the bench's bevy_ecs copy on its single-threaded executor). Builds a
//! game with ENEMIES enemies, ticks it into play, ticks TICKS more, and prints its summary
//! (the same whatever the executor; bevy's as (tally, state, fingerprint, alive)).
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
    // The bench's warm-up (menu, transition into play, a couple of ticks), then `ticks`.
    let ticks = 6 + ticks.parse::<u64>().expect(usage);
    let summary = match executor.strip_prefix("work_stealing/") {
        None if executor == "bevy/single" => {
            let mut g = bevy::Game::new(setup, false);
            (0..ticks).for_each(|_| g.tick());
            format!("{:?}", g.summary())
        }
        None if executor == "sequential" => {
            let mut w = m_seq::new_game(m_seq::Seq::new(), setup);
            (0..ticks).for_each(|_| w.tick());
            format!("{:?}", m_seq::summary(&mut w))
        }
        Some(workers) => {
            let workers = workers.parse().expect(usage);
            let w = m_ws::Ws::with_workers(workers).expect("a worker count");
            let mut w = m_ws::new_game(w, setup);
            (0..ticks).for_each(|_| w.tick());
            format!("{:?}", m_ws::summary(&mut w))
        }
        None => panic!("{usage}"),
    };
    println!("{summary}");
}
