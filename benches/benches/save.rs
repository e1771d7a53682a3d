//! Save, load and snapshot of a world of 100 000 entities × 3 small components
//! (`Position` and `Velocity`, two `f32`s each, and `Health`, an `i32`), against the
//! same rows as a `Vec` of structs through serde (postcard and serde_json: the formats
//! `save` uses), and the snapshot against a `memcpy` of the same component bytes.
//!
//! Targets: save and load within 1.5x of the `Vec` of structs; a snapshot within 2x of
//! the `memcpy` of the components' bytes (2.0 MB: the allocated copy is the baseline; a
//! second baseline adds the bytes of the row owners a snapshot also copies, 2.8 MB in
//! all: the entity index's generations are not copied, a live entity's being in its
//! row owner's handle). A world's save carries more than the rows: the entities (index and
//! generation, the free list), the layout header, and the binary form's checksum.
//!
//! glibc's malloc thresholds are fixed first (`fixed_allocator`): with its defaults,
//! whether an iteration's memory is reused or faulted in again depends on the blocks
//! freed before it (the save buffer's size decided it), not on the code measured.
//!
//! Run: `cargo bench --manifest-path benches/Cargo.toml --bench save` (short
//! measurements: 10 samples, 2 s each).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use metronome::prelude::*;
use std::hint::black_box;
use std::time::Duration;

#[path = "common/save_workloads.rs"]
mod save_workloads;
use save_workloads::*;

fn save(c: &mut Criterion) {
    fixed_allocator();
    let game = world();
    let rows: Vec<Row> = (0..N).map(row).collect();
    let mut g = c.benchmark_group("save 100k x 3");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));
    for (name, format) in [("binary", Format::Binary), ("json", Format::Json)] {
        let mut saved = Vec::new();
        game.save(&mut saved, format).unwrap();
        let baseline = match format {
            Format::Binary => postcard::to_stdvec(&rows).unwrap(),
            Format::Json => serde_json::to_vec(&rows).unwrap(),
        };
        eprintln!(
            "{name}: world save {} bytes, Vec<Row> {} bytes",
            saved.len(),
            baseline.len()
        );
        g.bench_function(format!("{name}/world save"), |b| {
            b.iter(|| {
                let mut out = Vec::with_capacity(saved.len());
                game.save(&mut out, format).unwrap();
                black_box(out)
            })
        });
        g.bench_function(format!("{name}/Vec<Row> serialize"), |b| {
            b.iter(|| match format {
                Format::Binary => black_box(postcard::to_stdvec(&rows).unwrap()),
                Format::Json => black_box(serde_json::to_vec(&rows).unwrap()),
            })
        });
        g.bench_function(format!("{name}/world load"), |b| {
            b.iter(|| black_box(Game::load(&saved[..], format).unwrap()))
        });
        g.bench_function(format!("{name}/Vec<Row> deserialize"), |b| {
            b.iter(|| {
                let rows: Vec<Row> = match format {
                    Format::Binary => postcard::from_bytes(&baseline).unwrap(),
                    Format::Json => serde_json::from_slice(&baseline).unwrap(),
                };
                black_box(rows)
            })
        });
    }
    g.finish();
}

fn snapshot(c: &mut Criterion) {
    fixed_allocator();
    let mut game = world();
    let bytes = N * (std::mem::size_of::<Position>() * 2 + std::mem::size_of::<Health>());
    let source = vec![7u8; bytes];
    let mut g = c.benchmark_group("snapshot 100k x 3");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));
    g.bench_function("snapshot", |b| b.iter(|| black_box(game.snapshot())));
    g.bench_function("memcpy of the component bytes (allocated)", |b| {
        b.iter(|| black_box(source.to_vec()))
    });
    // What a snapshot copies besides the components: the row owners (8 bytes each; the
    // free list, empty here, is all it keeps of the entity index); the target is set
    // against the components' bytes alone, this one shows the rest.
    let all_bytes = bytes + N * std::mem::size_of::<Entity>();
    let all_source = vec![7u8; all_bytes];
    g.bench_function(
        "memcpy of the component and row-owner bytes (allocated)",
        |b| b.iter(|| black_box(all_source.to_vec())),
    );
    let mut target = vec![0u8; bytes];
    g.bench_function("memcpy of the component bytes (into a buffer)", |b| {
        b.iter(|| {
            target.copy_from_slice(black_box(&source));
            black_box(&target);
        })
    });
    let snap = game.snapshot();
    g.bench_function("restore", |b| {
        b.iter_batched(|| (), |()| game.restore(&snap), BatchSize::SmallInput)
    });
    g.finish();
}

criterion_group!(benches, save, snapshot);
criterion_main!(benches);
