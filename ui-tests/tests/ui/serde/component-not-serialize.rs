// World key `serde` with a component that is not `Serialize + Deserialize`: the error
// points at the component in `archetypes(...)`.
use metronome::prelude::*;
use metronome::serde::{Deserialize, Serialize};

#[derive(Component, Serialize, Deserialize)]
#[serde(crate = "metronome::serde")]
pub struct Position(pub f32);

#[derive(Component)]
pub struct Secret(pub u64);

#[world(
    serde,
    archetypes(Agent = (Position, Secret)),
    executor = sequential,
)]
pub struct Game;

fn main() {}
