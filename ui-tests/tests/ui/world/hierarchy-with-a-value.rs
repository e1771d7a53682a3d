use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);

#[world(
    archetypes(Node = (Position)),
    hierarchy = true,
)]
pub struct Game;

fn main() {}
