//! A tower-defense game, headless: a menu, then waves of enemies march down a path past
//! 32 towers (cannons, and frost towers whose shots slow), shots land as events, kills
//! score, leaks cost lives, and the game ends when the lives are spent or every wave has
//! come and gone. Runs on the `work_stealing` executor and prints a summary.
//!
//! Run with `cargo run --release --example tower_defense [-- ENEMIES [WORKERS]]`
//! (default: 10 000 enemies in the opening wave, every core).

#[path = "tower_defense/rules.rs"]
#[allow(dead_code)]
mod rules;
#[path = "tower_defense/game.rs"]
#[macro_use]
mod game;

use std::time::Instant;

tower_defense_world!(world::TowerDefense = work_stealing(workers = auto));

fn main() {
    let mut args = std::env::args().skip(1);
    let mut setup = game::Config::default().0;
    if let Some(n) = args.next() {
        setup.enemies = n.parse().expect("ENEMIES: a number");
    }
    let workers = args.next();
    let game = match &workers {
        Some(w) => world::TowerDefense::with_workers(w.parse().expect("WORKERS: a number"))
            .expect("a work_stealing world takes a worker count"),
        None => world::TowerDefense::new(),
    };
    let mut game = world::new_game(game, setup);
    let start = Instant::now();
    let s = world::play(&mut game, 100_000);
    let time = start.elapsed();
    println!(
        "tower defense, {} enemies in the opening wave",
        setup.enemies
    );
    println!(
        "  executor     work_stealing (workers = {})",
        workers.as_deref().unwrap_or("auto")
    );
    println!("  ticks        {}", s.ticks);
    println!("  waves        {} of {}", s.tally.waves, setup.waves);
    println!("  enemies      {} spawned", s.tally.spawned);
    println!("  kills        {}", s.tally.kills);
    println!(
        "  leaks        {} ({} lives left)",
        s.tally.leaks, s.lives_left
    );
    println!("  score        {}", s.tally.score);
    println!("  final state  {:?}", s.state);
    println!(
        "  time         {:.3} s ({:.0} ticks/s)",
        time.as_secs_f64(),
        s.ticks as f64 / time.as_secs_f64()
    );
}
