//! An ordering cycle is reported once, and the world's uses add no follow-up error.
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
    systems(Update = [damage.after(reap), reap.after(damage)]),
)]
pub struct Game;

fn main() {
    let mut game = Game::new();
    game.spawn(Unit(Health(3)));
    game.tick();
}
