// World key `serde` without the cargo feature `serde`: the error names the feature.
use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);

#[world(
    serde,
    archetypes(Agent = (Position)),
    executor = sequential,
)]
pub struct Game;

fn main() {}
