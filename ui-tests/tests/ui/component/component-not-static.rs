use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);

#[derive(Component)]
pub struct Borrowed<'a>(&'a str);

fn main() {}
