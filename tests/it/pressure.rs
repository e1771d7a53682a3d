//! Memory given back: `trim_memory` shrinks spare column and command-buffer capacity, and
//! a world following a pressure monitor trims when the level reaches `High`.

use metronome::__private::WorldDef;
use metronome::prelude::*;
use metronome::runtime::pressure::{PressureConfig, PressureLevel, PressureMonitor};

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Pos(pub u64);

#[system]
pub fn spawn_some(mut commands: Commands, q: Query<&Pos>) {
    if q.len() < 4 {
        for i in 0..500 {
            commands.spawn((Pos(i),));
        }
    }
}

#[world(
    archetypes(Body = (Pos)),
    phases(Update),
    systems(Update = [spawn_some]),
    executor = sequential,
)]
pub struct Game;

fn capacity(game: &Game) -> usize {
    game.core().storage().tables()[0].capacity()
}

/// A world with 3 live entities in a table grown for 10 000.
fn thinned() -> (Game, Vec<Entity>) {
    let mut game = Game::new();
    let es = game.spawn_batch((0..10_000).map(|i| (Pos(i),)));
    for &e in &es[3..] {
        assert!(game.despawn(e));
    }
    (game, es[..3].to_vec())
}

#[test]
fn trim_memory_gives_back_spare_capacity() {
    let (mut game, kept) = thinned();
    assert!(capacity(&game) >= 10_000);
    let freed = game.trim_memory();
    assert_eq!(capacity(&game), 3);
    assert!(freed >= 9_997 * 8, "{freed}");
    for (i, &e) in kept.iter().enumerate() {
        assert_eq!(game.get::<Pos>(e), Some(&Pos(i as u64)));
    }
    // The command buffers too: a stage that recorded 500 spawns grew its buffer.
    game.tick();
    assert_eq!(game.len(), 503);
    let freed = game.trim_memory();
    assert!(freed > 0);
    assert_eq!(game.trim_memory(), 0, "nothing left to give back");
    // The world goes on as before.
    game.spawn((Pos(7),));
    game.tick();
    assert_eq!(game.len(), 504);
}

#[test]
fn a_world_under_high_pressure_trims() {
    let dir = std::env::temp_dir().join(format!("mn-world-pressure-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let psi = dir.join("memory");
    std::fs::write(&psi, "some avg10=1.00 avg60=0 avg300=0 total=0\n").unwrap();
    let monitor = PressureMonitor::new(PressureConfig::default().psi_path(&psi));
    let (mut game, _) = thinned();
    game.follow_pressure(&monitor);
    game.update(std::time::Duration::from_millis(16));
    assert_eq!(monitor.level(), PressureLevel::None);
    assert!(capacity(&game) >= 10_000, "no trim without pressure");

    std::fs::write(&psi, "some avg10=30.00 avg60=0 avg300=0 total=0\n").unwrap();
    // The monitor reads at most every 100 ms.
    std::thread::sleep(std::time::Duration::from_millis(120));
    game.update(std::time::Duration::from_millis(16));
    assert_eq!(monitor.level(), PressureLevel::High);
    // Trimmed at the end of the frame: to the rows alive then (the 3 kept and the 500
    // the frame's system spawned).
    assert_eq!(game.len(), 503);
    assert_eq!(capacity(&game), 503, "trimmed under High");
    let _ = std::fs::remove_dir_all(&dir);
}
