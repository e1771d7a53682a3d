use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Health(pub f32);

#[world(
    archetypes(Mover = (Position)),
    track(Health),
)]
pub struct Game;

fn main() {}
