use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);

#[world(
    archetypes(Mover = (Position)),
    track = Position,
)]
pub struct Game;

fn main() {}
