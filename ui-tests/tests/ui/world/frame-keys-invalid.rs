use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);

#[world(
    archetypes(Body = (Position)),
    phases(Physics = fixed(hz = 60)),
    max_fixed_steps = 0,
    stats = sometimes,
)]
pub struct Game;

fn main() {}
