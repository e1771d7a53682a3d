//! The `save` bench's world (100 000 entities × 3 small components) and the baseline's
//! rows, shared by `benches/save.rs` and `examples/save_profile.rs`.

use metronome::prelude::*;
use metronome::serde::{Deserialize, Serialize};

/// Entities in the world, rows in the baseline.
pub const N: usize = 100_000;

#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "metronome::serde")]
pub struct Position {
    pub x: f32,
    pub y: f32,
}
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "metronome::serde")]
pub struct Velocity {
    pub x: f32,
    pub y: f32,
}
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "metronome::serde")]
pub struct Health(pub i32);

#[world(
    serde,
    archetypes(Unit = (Position, Velocity, Health)),
    executor = sequential,
    capacity(entities = 100_000),
)]
pub struct Game;

/// The baseline's row: the same three components in a struct.
#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(crate = "metronome::serde")]
pub struct Row {
    pub position: Position,
    pub velocity: Velocity,
    pub health: Health,
}

pub fn row(i: usize) -> Row {
    let f = i as f32;
    Row {
        position: Position { x: f * 0.5, y: -f },
        velocity: Velocity {
            x: 1.0 / (f + 1.0),
            y: 0.25,
        },
        health: Health(i as i32 % 1000),
    }
}

pub fn world() -> Game {
    let mut game = Game::new();
    game.spawn_batch((0..N).map(|i| {
        let r = row(i);
        Unit(r.position, r.velocity, r.health)
    }));
    game
}
