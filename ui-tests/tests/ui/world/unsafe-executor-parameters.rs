// Under `unsafe(...)` the parameters of `continuation_stealing` are checked as before,
// and `unsafe(...)` around an executor without a safety contract is an error.
use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);

#[world(
    archetypes(Mover = (Position)),
    executor = unsafe(continuation_stealing(workers = 2, local_queue_size = 100)),
)]
pub struct Game;

#[world(
    archetypes(Runner = (Position)),
    executor = unsafe(work_stealing(workers = 2)),
)]
pub struct Game2;

fn main() {}
