// `continuation_stealing` may resume a system on another thread after a join: the world's
// author must accept that contract by writing `unsafe(continuation_stealing(...))`.
use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);

#[world(
    archetypes(Mover = (Position)),
    executor = continuation_stealing(workers = 2, local_queue_size = 64),
)]
pub struct Game;

fn main() {}
