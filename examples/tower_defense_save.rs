//! The tower-defense game saved mid-game and loaded again, in both forms (feature
//! `serde`): the game is played into its first waves, saved to a file, loaded back,
//! and the loaded game and the original then go on side by side to the end of the game,
//! their summaries (score, kills, leaks, a fingerprint of every enemy on the path)
//! compared after every tick. A snapshot of the mid-game state puts the original back
//! for the second form.
//!
//! Run with `cargo run --release --example tower_defense_save --features serde
//! [-- ENEMIES]` (default: 2 000 enemies in the opening wave).

#[path = "tower_defense/rules.rs"]
#[allow(dead_code)]
mod rules;
#[path = "tower_defense/game.rs"]
#[macro_use]
mod game;

use game::Screen;
use metronome::prelude::*;
use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::time::Instant;

tower_defense_world!(world::TowerDefense + serde = work_stealing(workers = auto));

/// Ticks into the game: the menu's few ticks, then the first waves under fire.
const MID_GAME: u64 = 120;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut setup = game::Config::default().0;
    setup.enemies = match std::env::args().nth(1) {
        Some(n) => n.parse()?,
        None => 2_000,
    };
    let mut original = world::new_game(world::TowerDefense::new(), setup);
    while original.frame() < MID_GAME && original.state::<Screen>() != Screen::Over {
        original.tick();
    }
    let mid = world::summary(&mut original);
    println!(
        "tower defense, {} enemies in the opening wave: saved at tick {} ({:?}, {} alive, score {})",
        setup.enemies, mid.ticks, mid.state, mid.alive, mid.tally.score
    );
    let mid_game = original.snapshot();
    let path = std::env::temp_dir().join(format!("tower_defense_{}.save", std::process::id()));

    for format in [Format::Binary, Format::Json] {
        original.restore(&mid_game);
        let start = Instant::now();
        original.save(BufWriter::new(File::create(&path)?), format)?;
        let saved_in = start.elapsed();
        let bytes = std::fs::metadata(&path)?.len();
        let start = Instant::now();
        let mut loaded = world::TowerDefense::load(BufReader::new(File::open(&path)?), format)?;
        let loaded_in = start.elapsed();
        if world::summary(&mut loaded) != mid {
            return Err(format!("{format:?}: the loaded game is not the saved one").into());
        }
        // Side by side to the end: every tick the same.
        while original.state::<Screen>() != Screen::Over && original.frame() < 100_000 {
            original.tick();
            loaded.tick();
            let (a, b) = (world::summary(&mut original), world::summary(&mut loaded));
            if a != b {
                return Err(format!("{format:?}: tick {}: {a:?} against {b:?}", a.ticks).into());
            }
        }
        let end = world::summary(&mut loaded);
        println!(
            "  {:<6} {:>9} bytes, saved in {:>7.2} ms, loaded in {:>7.2} ms; then {} ticks in step to {:?}: score {}, {} kills, {} leaks",
            format!("{format:?}"),
            bytes,
            saved_in.as_secs_f64() * 1e3,
            loaded_in.as_secs_f64() * 1e3,
            end.ticks - mid.ticks,
            end.state,
            end.tally.score,
            end.tally.kills,
            end.tally.leaks,
        );
    }
    std::fs::remove_file(&path)?;
    Ok(())
}
