use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);

#[world(
    archetypes(Mover = (Position, Velocity)),
    capacity(entities = 0, commands_per_stage = 2_000_000),
)]
pub struct Game;

#[world(
    archetypes(Runner = (Position, Velocity)),
    capacity(entities = 4_294_967_296),
)]
pub struct Game2;

fn main() {}
