use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);

#[system]
fn idle(_still: Query<&Position, Without<Velocity>>) {}

#[world(
    archetypes(Mover = (Position, Velocity)),
    phases(Update),
    systems(Update = [idle]),
)]
pub struct Game;

fn main() {}
