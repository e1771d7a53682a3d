use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Slowed(pub f32);
pub struct NotAComponent;

#[world(
    archetypes(Mover = (Position)),
    sparse(Slowd, NotAComponent),
)]
pub struct Game;

fn main() {}
