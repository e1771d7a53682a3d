use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);

#[derive(Default)]
pub struct Time(pub f32);

#[system]
fn advance(_time: Res<Time>, _clock: ResMut<Time>) {}

#[world(
    archetypes(Mover = (Position, Velocity)),
    resources(Time),
    phases(Update),
    systems(Update = [advance]),
)]
pub struct Game;

fn main() {}
