//! A misspelled `.after(...)` target, with the system listed under its right name, is
//! reported once, at the typo.
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
    systems(Update = [damage, reap.after(damge)]),
)]
pub struct Game;

fn main() {
    Game::new().tick();
}
