use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);

#[world(
    archetypes(Body = (Position)),
    phases(Input, Physics = fixed(hz = 0), Render = fixed(hz = 20_000)),
)]
pub struct Game;

fn main() {}
