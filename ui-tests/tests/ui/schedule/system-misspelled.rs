//! A misspelled system in `systems(...)` is reported once, at the typo, even though a
//! `.after(...)` elsewhere names the system correctly.
use metronome::prelude::*;

#[derive(Component)]
pub struct Health(pub i32);

#[system]
fn damage(_units: Query<&mut Health>) {}

#[system]
fn reap(_units: Query<&Health>) {}

#[world(
    archetypes(Unit = (Health)),
    phases(Update),
    systems(Update = [damge, reap.after(damage)]),
)]
pub struct Game;

fn main() {
    Game::new().tick();
}
