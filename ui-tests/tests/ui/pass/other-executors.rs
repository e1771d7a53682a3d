//! Every executor form of `#[world(executor = ...)]` is accepted.
use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);

mod seq {
    use super::Position;
    use metronome::prelude::*;

    #[world(archetypes(A = (Position)), executor = sequential)]
    pub struct Seq;
}

mod ws {
    use super::Position;
    use metronome::prelude::*;

    #[world(archetypes(A = (Position)), executor = work_stealing(workers = auto))]
    pub struct Ws;
}

mod implicit {
    use super::Position;
    use metronome::prelude::*;

    #[world(archetypes(A = (Position)))]
    pub struct Implicit;
}

mod numa {
    use super::Position;
    use metronome::prelude::*;

    #[world(
        archetypes(A = (Position)),
        executor = numa_aware(workers = 2, local_queue_size = 64, heartbeat_us = 1_000_000, pin = false, memory = interleave),
    )]
    pub struct Numa;
}

mod cont {
    use super::Position;
    use metronome::prelude::*;

    #[world(
        archetypes(A = (Position)),
        executor = unsafe(continuation_stealing(workers = 1024, local_queue_size = 1)),
        capacity(entities = 4_294_967_295, commands_per_stage = 1),
    )]
    pub struct Cont;
}

fn main() {
    let mut seq = seq::Seq::new();
    seq.spawn(seq::A(Position(1.0)));
    seq.tick();
    ws::Ws::new().tick();
    implicit::Implicit::new().tick();
    numa::Numa::new().tick();
    // Only compiled: `Cont::new()` would reserve 2^32 - 1 entity slots up front.
    let _ = cont::Cont::SCHEDULE;
}
