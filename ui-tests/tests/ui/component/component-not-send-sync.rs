use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);

#[derive(Component)]
pub struct Shared(std::rc::Rc<u32>);

#[derive(Component)]
pub struct Cached(std::cell::Cell<u32>);

fn main() {}
