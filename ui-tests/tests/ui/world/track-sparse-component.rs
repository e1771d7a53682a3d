use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Slowed(pub f32);

#[world(
    archetypes(Mover = (Position)),
    sparse(Slowed),
    track(Slowed),
)]
pub struct Game;

fn main() {}
