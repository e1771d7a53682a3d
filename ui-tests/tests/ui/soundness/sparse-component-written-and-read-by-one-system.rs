// A sparse component is one column for conflicts: a system may not write it through one
// query and read it through another, whatever archetypes the queries match (both would
// reach the same values).
use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Health(pub f32);
#[derive(Component)]
pub struct Slowed(pub f32);

#[system]
pub fn alias(mut writers: Query<&mut Slowed, With<Health>>, readers: Query<(&Position, &Slowed)>) {
    let _ = (writers.iter_mut().count(), readers.iter().count());
}

#[world(
    archetypes(Unit = (Position, Health), Prop = (Position)),
    sparse(Slowed),
    phases(Update),
    systems(Update = [alias]),
)]
pub struct Game;

fn main() {}
