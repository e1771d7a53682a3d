use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);

pub struct Health(pub i32);

#[world(
    archetypes(Mover = (Position, Velocity), Unit = (Position, Health)),
)]
pub struct Game;

fn main() {}
