use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);

#[derive(Component)]
pub struct Health(pub i32);

#[system]
fn heal(_units: Query<(&Position, &mut Health)>) {}

#[world(
    archetypes(Mover = (Position, Velocity)),
    phases(Update),
    systems(Update = [heal]),
)]
pub struct Game;

fn main() {}
