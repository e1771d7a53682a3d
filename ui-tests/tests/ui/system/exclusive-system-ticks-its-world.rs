use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);

// An exclusive system runs inside a tick: it may not tick its world again.
#[system]
fn rebuild(game: &mut Game) {
    game.spawn((Position(0.0),));
    game.tick();
}

#[world(
    archetypes(Body = (Position)),
    phases(Update),
    systems(Update = [rebuild]),
    executor = sequential,
)]
pub struct Game;

fn main() {}
