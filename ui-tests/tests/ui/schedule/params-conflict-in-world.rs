// Two queries of one system that only meet in this world (archetype `Unit` has
// `Position`, `Velocity` and `Health`): the world's per-column check rejects it.
use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);
#[derive(Component)]
pub struct Health(pub i32);

#[system]
fn steer(_movers: Query<&mut Position, With<Velocity>>, _units: Query<&Position, With<Health>>) {}

#[world(
    archetypes(Mover = (Position, Velocity), Unit = (Position, Velocity, Health)),
    phases(Update),
    systems(Update = [steer]),
)]
pub struct Game;

fn main() {}
