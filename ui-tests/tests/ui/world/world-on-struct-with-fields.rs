use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);

#[world(
    archetypes(Mover = (Position, Velocity)),
)]
pub struct Game {
    pub movers: Vec<Position>,
}

fn main() {}
