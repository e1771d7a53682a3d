//! The `save` bench's world (100 000 entities × 3 small components) and the baseline's
//! rows, shared by `benches/save.rs` and `examples/save_profile.rs`.

use metronome::prelude::*;
use metronome::serde::{Deserialize, Serialize};

/// Entities in the world, rows in the baseline.
pub const N: usize = 100_000;

#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "metronome::serde")]
pub struct Position {
    pub x: f32,
    pub y: f32,
}
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "metronome::serde")]
pub struct Velocity {
    pub x: f32,
    pub y: f32,
}
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "metronome::serde")]
pub struct Health(pub i32);

#[world(
    serde,
    archetypes(Unit = (Position, Velocity, Health)),
    executor = sequential,
    capacity(entities = 100_000),
)]
pub struct Game;

/// The baseline's row: the same three components in a struct.
#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(crate = "metronome::serde")]
pub struct Row {
    pub position: Position,
    pub velocity: Velocity,
    pub health: Health,
}

pub fn row(i: usize) -> Row {
    let f = i as f32;
    Row {
        position: Position { x: f * 0.5, y: -f },
        velocity: Velocity {
            x: 1.0 / (f + 1.0),
            y: 0.25,
        },
        health: Health(i as i32 % 1000),
    }
}

pub fn world() -> Game {
    let mut game = Game::new();
    game.spawn_batch((0..N).map(|i| {
        let r = row(i);
        Unit(r.position, r.velocity, r.health)
    }));
    game
}

/// Fixes glibc's malloc thresholds for the rest of the process (a no-op elsewhere): every
/// block under 32 MiB from the heap, and the heap's top never given back to the kernel
/// below 256 MiB free.
///
/// By default glibc raises its mmap threshold to the size of the largest mapped block
/// freed so far and its trim threshold to twice that, so whether each iteration of a
/// load (or a snapshot, or the baseline) faults its memory in again, or reuses the
/// heap's, depends on which blocks the process freed before, here the bench's own save
/// buffer, whose size is the save's: a save 40 % smaller (1.8 MB, format 5) set the trim
/// threshold under the 4 MB a loaded world frees, and every load then faulted 1 100
/// pages in again (3 ms instead of 0.6). With the thresholds fixed, every operation
/// and its baseline run on reused heap memory, whatever ran before them.
pub fn fixed_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `mallopt` only sets malloc's parameters; called before the workloads'
        // allocations, from one thread.
        let set = unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20)
                & libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20)
        };
        assert_eq!(set, 1, "mallopt refused the thresholds");
    }
}
