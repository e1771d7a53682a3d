// `snapshot` needs every component and resource to be `Clone`: calling it on a world
// with one that is not is an error naming the type (the world itself compiles).
use metronome::prelude::*;

#[derive(Component, Clone)]
pub struct Position(pub f32);

#[derive(Component)]
pub struct Handle(pub std::fs::File);

#[world(
    archetypes(Agent = (Position, Handle)),
    executor = sequential,
)]
pub struct Game;

fn main() {
    let game = Game::new();
    let _ = game.snapshot();
}
