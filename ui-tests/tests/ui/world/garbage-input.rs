use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);

#[world(archetypes(Mover = (Position, Velocity)), executor = = , @@ phases(Update,, ) 42 "x")]
pub struct Game;

#[world(archetypes(Mover = (Position Velocity)), systems[Update])]
pub struct Game2;

#[world(archetypes = 3, phases)]
pub struct Game3;

fn main() {}
