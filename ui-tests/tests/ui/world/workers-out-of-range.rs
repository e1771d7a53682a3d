use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);

#[world(
    archetypes(Mover = (Position, Velocity)),
    executor = work_stealing(workers = 0),
)]
pub struct Game;

#[world(
    archetypes(Runner = (Position, Velocity)),
    executor = unsafe(continuation_stealing(workers = 2048)),
)]
pub struct Game2;

fn main() {}
