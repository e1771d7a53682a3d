//! A function listed in `systems(...)` without `#[system]`: the error says to add it.
use metronome::prelude::*;

#[derive(Component)]
pub struct Health(pub i32);

fn damage(_units: Query<&mut Health>) {}

#[world(
    archetypes(Unit = (Health)),
    phases(Update),
    systems(Update = [damage]),
)]
pub struct Game;

fn main() {
    Game::new().tick();
}
