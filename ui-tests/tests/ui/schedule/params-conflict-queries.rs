use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);

#[system]
fn integrate(_movers: Query<&mut Position>, _all: Query<(&Position, &Velocity)>) {}

#[world(
    archetypes(Mover = (Position, Velocity)),
    phases(Update),
    systems(Update = [integrate]),
)]
pub struct Game;

fn main() {}
