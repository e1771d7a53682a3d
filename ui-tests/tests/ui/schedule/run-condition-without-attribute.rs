//! A function named in `run_if(...)` without `#[system]`: the error says to add it, at
//! the condition's path, and nothing else is reported.
use metronome::prelude::*;

#[derive(Component)]
pub struct Health(pub i32);

#[system]
fn heal(_units: Query<&mut Health>) {}

fn wounded(units: Query<&Health>) -> bool {
    units.iter().any(|h| h.0 < 10)
}

#[world(
    archetypes(Unit = (Health)),
    phases(Update),
    systems(Update = [heal.run_if(wounded)]),
)]
pub struct Game;

fn main() {
    Game::new().tick();
}
