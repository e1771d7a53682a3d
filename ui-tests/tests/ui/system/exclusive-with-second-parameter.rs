use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);

pub struct Game;

// An exclusive system has the whole world: it takes `&mut Game` and nothing else.
#[system]
fn rebuild(game: &mut Game, bodies: Query<&Position>) {
    let _ = (game, bodies);
}

fn main() {}
