use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);

#[derive(Default)]
pub struct Time(pub f32);

#[system]
fn advance(_time: ResMut<Time>) {}

#[world(
    archetypes(Mover = (Position, Velocity)),
    phases(Update),
    systems(Update = [advance]),
)]
pub struct Game;

fn main() {}
