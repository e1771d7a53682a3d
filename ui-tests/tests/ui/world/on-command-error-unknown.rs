use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);

#[world(
    archetypes(Body = (Position)),
    executor = sequential,
    on_command_error = ignore,
)]
pub struct Game;

fn main() {}
