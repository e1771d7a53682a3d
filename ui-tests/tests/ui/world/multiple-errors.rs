use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);

#[derive(Default)]
pub struct Time(pub f32);

#[system]
fn integrate(_movers: Query<(&mut Position, &Velocity)>) {}

#[world(
    archetypes(Mover = (Position, Velocity), Ghost = (), Runner = (Velocity, Position)),
    resources(Time, Time),
    phases(Update),
    systems(Late = [integrate], Update = [integrate.after(missing)]),
    executor = sequential(workers = 4),
    capacity(entities = 0),
    colour = blue,
)]
pub struct Game;

fn main() {}
