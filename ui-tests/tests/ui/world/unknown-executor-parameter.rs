use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);

#[world(
    archetypes(Mover = (Position, Velocity)),
    executor = numa_aware(workers = 4, threads = 8),
)]
pub struct Game;

fn main() {}
