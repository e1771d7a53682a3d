use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);

#[world(
    archetypes(Mover = (Position, Velocity)),
)]
pub fn game() {}

fn main() {}
