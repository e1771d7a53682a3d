use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);

#[system]
fn integrate(_movers: Vec<Position>, _speed: &Velocity) {}

fn main() {}
