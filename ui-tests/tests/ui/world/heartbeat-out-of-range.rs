use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);

#[world(
    archetypes(Mover = (Position, Velocity)),
    executor = work_stealing(workers = auto, heartbeat_us = 2_000_000),
)]
pub struct Game;

fn main() {}
