//! A `#[system]` with a mistake, listed in a world that the crate uses: only the mistake
//! is reported, not a follow-up error where the world names the system.
use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);

#[system]
fn integrate(_movers: Vec<Position>) {}

#[world(
    archetypes(Prop = (Position)),
    phases(Update),
    systems(Update = [integrate]),
)]
pub struct Game;

fn main() {
    let mut game = Game::new();
    game.spawn(Prop(Position(0.0)));
    game.tick();
}
