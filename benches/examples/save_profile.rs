//! The save bench's operations without criterion, for instruction counts:
//! `valgrind --tool=callgrind target/release/examples/save_profile OP REPS` runs OP
//! REPS times on the bench's world of 100 000 entities × 3 components (subtract a run
//! with REPS 0 for the setup) and prints the fastest run's time, the median and the 90th
//! percentile. OP is one of `world-save-{binary,json}`,
//! `rows-save-{binary,json}`, `world-load-{binary,json}`, `rows-load-{binary,json}`,
//! `snapshot`, `memcpy` (of the components' bytes), `memcpy-all` (and of the row
//! owners' bytes: what a snapshot copies), `restore`.
//!
//! glibc's malloc thresholds are fixed first, as in the bench (`fixed_allocator`),
//! unless `SAVE_PROFILE_DYNAMIC_MALLOC` is set. With `SAVE_PROFILE_PRIME` set, the bench
//! group's saves run first (three of each), leaving the allocator as the bench leaves it
//! before its loads.
//!
//! Build: `cargo build --release --manifest-path benches/Cargo.toml --example save_profile`
//! (the binary lands in `benches/target/release/examples/`).

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

/// The baseline's binary load in a function of its own, as the bench's closure is: in
/// `main`'s `match`, `Row::deserialize` is not inlined and the baseline costs twice the
/// instructions it does in the bench binary.
#[inline(never)]
fn rows_load_binary(bytes: &[u8]) -> Vec<Row> {
    postcard::from_bytes(bytes).unwrap()
}
