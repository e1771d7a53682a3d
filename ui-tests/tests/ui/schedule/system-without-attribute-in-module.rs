//! A function of another module, listed by path in `systems(...)` without `#[system]`:
//! the error names the path and says to add the attribute, at the listed path.
use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);

pub mod physics {
    use super::Position;
    use metronome::prelude::*;

    pub fn integrate(_bodies: Query<&mut Position>) {}
}

#[world(
    archetypes(Body = (Position)),
    phases(Update),
    systems(Update = [physics::integrate]),
)]
pub struct Game;

fn main() {
    Game::new().tick();
}
