//! The save bench's operations without criterion, for instruction counts:
//! `valgrind --tool=callgrind target/release/examples/save_profile OP REPS` runs OP
//! REPS times on the bench's world of 100 000 entities × 3 components (subtract a run
//! with REPS 0 for the setup) and prints the fastest run's time, the median and the 90th
//! percentile. OP is one of `world-save-{binary,json}`,
//! `rows-save-{binary,json}`, `world-load-{binary,json}`, `rows-load-{binary,json}`,
//! `world-load-churned` (the binary load of the same world after a tenth of its entities
//! were despawned and as many spawned again: row owners out of order, slots of two
//! generations),
//! `snapshot`, `memcpy` (of the components' bytes), `memcpy-all` (and of the row
//! owners' bytes: what a snapshot copies), `restore`.
//!
//! glibc's malloc thresholds are fixed first, as in the bench (`fixed_allocator`),
//! unless `SAVE_PROFILE_DYNAMIC_MALLOC` is set. With `SAVE_PROFILE_PRIME` set, the bench
//! group's saves run first (three of each), leaving the allocator as the bench leaves it
//! before its loads.
//!
//! Build: `cargo build --profile bench --manifest-path benches/Cargo.toml --example save_profile`
//! (the bench profile, fat LTO, as the criterion benches are built: with `--release` the
//! baseline's load takes four times as long; the binary lands in
//! `benches/target/release/examples/`).

use metronome::prelude::*;
use std::hint::black_box;

#[path = "../benches/common/save_workloads.rs"]
mod save_workloads;
use save_workloads::*;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: save_profile OP REPS";
    let [op, reps] = &args[..] else {
        panic!("{usage}");
    };
    let reps: usize = reps.parse().expect(usage);
    if std::env::var_os("SAVE_PROFILE_DYNAMIC_MALLOC").is_none() {
        fixed_allocator();
    }
    let mut game = world();
    let rows: Vec<Row> = (0..N).map(row).collect();
    let format = if op.ends_with("json") {
        Format::Json
    } else {
        Format::Binary
    };
    let mut saved = Vec::new();
    game.save(&mut saved, format).unwrap();
    let baseline = match format {
        Format::Binary => postcard::to_stdvec(&rows).unwrap(),
        Format::Json => serde_json::to_vec(&rows).unwrap(),
    };
    let bytes = N * (std::mem::size_of::<Position>() * 2 + std::mem::size_of::<Health>());
    let source = vec![7u8; bytes];
    let all_bytes = bytes + N * std::mem::size_of::<Entity>();
    let all_source = vec![7u8; all_bytes];
    let snap = game.snapshot();
    let churned_saved = if op == "world-load-churned" {
        let mut churned = world();
        churn(&mut churned);
        let mut saved = Vec::new();
        churned.save(&mut saved, Format::Binary).unwrap();
        saved
    } else {
        Vec::new()
    };
    if std::env::var_os("SAVE_PROFILE_PRIME").is_some() {
        // What the bench's group runs before its loads, for the allocator's state after
        // it (glibc raises its mmap and trim thresholds when a large mapped block is
        // freed, which decides whether a load's memory is reused or faulted in again):
        // a world save into a buffer of the save's size and the baseline's
        // serialisation, each dropped.
        for _ in 0..3 {
            let mut out = Vec::with_capacity(saved.len());
            game.save(&mut out, format).unwrap();
            drop(out);
            drop(match format {
                Format::Binary => postcard::to_stdvec(&rows).unwrap(),
                Format::Json => serde_json::to_vec(&rows).unwrap(),
            });
        }
    }
    let mut times = Vec::with_capacity(reps);
    for _ in 0..reps {
        let start = std::time::Instant::now();
        match op.as_str() {
            "world-save-binary" | "world-save-json" => {
                let mut out = Vec::with_capacity(saved.len());
                game.save(&mut out, format).unwrap();
                black_box(out);
            }
            "rows-save-binary" => {
                black_box(postcard::to_allocvec(&rows).unwrap());
            }
            "rows-save-json" => {
                black_box(serde_json::to_vec(&rows).unwrap());
            }
            "world-load-binary" | "world-load-json" => {
                black_box(Game::load(&saved[..], format).unwrap());
            }
            "world-load-churned" => {
                black_box(Game::load(&churned_saved[..], Format::Binary).unwrap());
            }
            "rows-load-binary" => {
                black_box(rows_load_binary(&baseline));
            }
            "rows-load-json" => {
                black_box(serde_json::from_slice::<Vec<Row>>(&baseline).unwrap());
            }
            "snapshot" => {
                black_box(game.snapshot());
            }
            "memcpy" => {
                black_box(source.to_vec());
            }
            "memcpy-all" => {
                black_box(all_source.to_vec());
            }
            "restore" => game.restore(&snap),
            _ => panic!("{usage}"),
        }
        times.push(start.elapsed());
    }
    if reps > 0 {
        times.sort();
        let at = |q: usize| times[(reps - 1) * q / 100];
        println!(
            "{op}: of {reps}: fastest {:?}, median {:?}, 90th percentile {:?}",
            at(0),
            at(50),
            at(90)
        );
    }
}

/// Despawns a tenth of `game`'s entities, picked by a fixed pseudo-random sequence, and
/// spawns as many again (into the freed slots, at the table's end).
fn churn(game: &mut Game) {
    let entities: Vec<Entity> = game.query::<Entity>().iter().collect();
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut despawned = 0;
    while despawned < N / 10 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        if game.despawn(entities[(state % N as u64) as usize]) {
            despawned += 1;
        }
    }
    game.spawn_batch((0..N / 10).map(|i| {
        let r = row(i);
        Unit(r.position, r.velocity, r.health)
    }));
}

/// The baseline's binary load in a function of its own, as the bench's closure is: in
/// `main`'s `match`, `Row::deserialize` is not inlined and the baseline costs twice the
/// instructions it does in the bench binary.
#[inline(never)]
fn rows_load_binary(bytes: &[u8]) -> Vec<Row> {
    postcard::from_bytes(bytes).unwrap()
}
