use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);

#[world(
    archetypes(Body = (Position)),
    phases(
        A = fixed,
        B = fixed(rate = 60),
        C = every(hz = 60),
        D = fixed(hz = 60.0),
    ),
)]
pub struct Game;

fn main() {}
