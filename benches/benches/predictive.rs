//! The predictive stage runner's makespan: one stage of four busy systems of 2, 2, 2 and
//! 6 ms (busy-wait loops, declared in that order) on a pool of 2 workers.
//!
//! - `predictive`: a `work_stealing(workers = 2)` world's tick, warmed up (its predictions
//!   trusted): the 6 ms system starts first and the three 2 ms ones share the other
//!   thread, a makespan of about 6 ms (target: at most 1.1x 6 ms).
//! - `declaration_order`: the same four busy closures spawned on a 2-worker `ThreadPool`
//!   scope in declaration order (what the stage runner did before predicting): the 6 ms
//!   one starts after a 2 ms one, about 8 ms.
//! - `sequential`: the same world on the sequential executor, 12 ms.
//!
//! Run: `cargo bench --manifest-path benches/Cargo.toml --bench predictive`; results in
//! `benches/RESULTS.md`. The busy-waits need two free cores: on a loaded machine every
//! variant stretches.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use metronome::prelude::*;
use metronome::runtime::{Executor, ThreadPool};

#[derive(Component, Clone, Copy)]
pub struct Ticks(pub u64);

/// Busy-waits `ms` milliseconds (the system keeps its thread).
fn busy(ms: u64) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(ms) {
        std::hint::spin_loop();
    }
}

#[system]
pub fn two_a() {
    busy(2);
}
#[system]
pub fn two_b() {
    busy(2);
}
#[system]
pub fn two_c() {
    busy(2);
}
#[system]
pub fn six_d() {
    busy(6);
}

mod pool {
    use super::*;
    #[world(
        archetypes(Counter = (Ticks)),
        phases(Update),
        systems(Update = [two_a, two_b, two_c, six_d]),
        executor = work_stealing(workers = 2),
    )]
    pub struct PoolStage;
}
mod seq {
    use super::*;
    #[world(
        archetypes(Counter = (Ticks)),
        phases(Update),
        systems(Update = [two_a, two_b, two_c, six_d]),
        executor = sequential,
    )]
    pub struct SeqStage;
}

fn makespan(c: &mut Criterion) {
    let mut g = c.benchmark_group("stage 2-2-2-6 ms, 2 workers");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));

    let mut world = pool::PoolStage::new();
    // Warm up: the predictions are trusted after four timed runs.
    for _ in 0..8 {
        world.tick();
    }
    g.bench_function("predictive", |b| b.iter(|| black_box(&mut world).tick()));
    // Where the systems ran, and what was predicted for them.
    for (name, s) in world.stats().systems() {
        eprintln!(
            "{name}: {} runs, {} on the pool, predicted {:?}, MAPE {:.1} %",
            s.runs,
            s.on_pool,
            s.predicted,
            s.mape.unwrap_or(f64::NAN)
        );
    }
    drop(world);

    let pool = ThreadPool::builder().workers(2).build().expect("pool");
    g.bench_function("declaration_order", |b| {
        b.iter(|| {
            Executor::scope(&pool, |s| {
                for ms in [2, 2, 2, 6] {
                    s.spawn(move |_| busy(black_box(ms)));
                }
            })
        })
    });
    drop(pool);

    let mut world = seq::SeqStage::new();
    g.bench_function("sequential", |b| b.iter(|| black_box(&mut world).tick()));
    g.finish();
}

criterion_group!(benches, makespan);
criterion_main!(benches);
