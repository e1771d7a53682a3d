//! A misspelled function name in a path in `systems(...)` is reported once, at the typo,
//! with rustc's suggestion.
use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);

pub mod physics {
    use super::Position;
    use metronome::prelude::*;

    #[system]
    pub fn integrate(_bodies: Query<&mut Position>) {}
}

#[world(
    archetypes(Body = (Position)),
    phases(Update),
    systems(Update = [physics::integrat]),
)]
pub struct Game;

fn main() {
    Game::new().tick();
}
