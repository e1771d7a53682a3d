//! Change detection (`track(...)`) and sparse storage against bevy_ecs 0.20:
//!
//! - `tracked_simple_iter`: simple_iter's loop (`p += v` over 10 000 objects) with
//!   `Position` tracked: through `Tracked<Position>` (`Mut`, marks each written row) and
//!   through `&mut Position` (marks every visited row), against the untracked loop, the
//!   hand-written loop (target: at most 1.15x) and bevy (which always tracks).
//! - `changed_iter`: 100 000 entities, 1 % of them written per tick (1 000 `get_mut` of a
//!   shuffled list), then a `Changed<Pos>` system that sums what changed; one whole tick
//!   per iteration, both libraries (target: at most 0.5x bevy).
//! - `add_remove_sparse`: add_remove with `B` sparse (10 000 entities), against bevy's
//!   `#[component(storage = "SparseSet")]` (target: at most 0.5x bevy).
//!
//! Run: `cargo bench --manifest-path benches/Cargo.toml --bench change_detection -- --warm-up-time 1 --measurement-time 3`

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

#[path = "common/ecs_workloads.rs"]
mod ecs_workloads;
use ecs_workloads::*;

#[path = "common/change_workloads.rs"]
mod change_workloads;
use change_workloads::*;

fn tracked_simple_iter(c: &mut Criterion) {
    let mut g = c.benchmark_group("tracked_simple_iter");
    {
        let mut w = m_tracked::build();
        g.bench_function("metronome/Tracked", |b| {
            b.iter(|| metronome_tracked_iter(&mut w))
        });
        g.bench_function("metronome/&mut", |b| {
            b.iter(|| metronome_tracked_iter_ref(&mut w))
        });
    }
    {
        let mut w = metronome_objects();
        g.bench_function("metronome/untracked", |b| {
            b.iter(|| metronome_simple_iter(&mut w))
        });
    }
    {
        let mut world = bevy::objects(BIG, transform);
        let mut query = world.query::<(&Velocity, &mut Position)>();
        g.bench_function("bevy_ecs", |b| {
            b.iter(|| bevy_simple_iter(&mut world, &mut query))
        });
    }
    {
        let mut h = HandObjects::new(BIG, transform);
        g.bench_function("hand_soa", |b| b.iter(|| hand_simple_iter(&mut h)));
    }
    g.finish();
}

fn changed_iter(c: &mut Criterion) {
    let mut g = c.benchmark_group("changed_iter");
    {
        let mut w = m_changed::build();
        g.bench_function("metronome", |b| {
            b.iter(|| {
                w.tick();
                black_box(w.resource::<Seen>().0)
            })
        });
    }
    {
        let (mut world, mut schedule) = b_changed::build();
        g.bench_function("bevy_ecs", |b| {
            b.iter(|| {
                schedule.run(&mut world);
                black_box(world.resource::<b_changed::Seen>().0)
            })
        });
    }
    g.finish();
}

fn add_remove_sparse(c: &mut Criterion) {
    let mut g = c.benchmark_group("add_remove_sparse");
    {
        let mut w = m_sparse::SparseWorld::new();
        let entities = w.spawn_batch((0..BIG).map(|_| m_sparse::OnlyA(A(0.0))));
        g.bench_function("metronome", |b| {
            b.iter(|| {
                for &e in &entities {
                    w.insert(e, Sparse(0.0)).unwrap();
                }
                for &e in &entities {
                    w.remove::<Sparse>(e).unwrap();
                }
            })
        });
    }
    {
        let mut world = bevy_ecs::world::World::new();
        let entities: Vec<_> = world.spawn_batch((0..BIG).map(|_| (A(0.0),))).collect();
        g.bench_function("bevy_ecs", |b| {
            b.iter(|| {
                for &e in &entities {
                    world.entity_mut(e).insert(Sparse(0.0));
                }
                for &e in &entities {
                    world.entity_mut(e).remove::<Sparse>();
                }
            })
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    tracked_simple_iter,
    changed_iter,
    add_remove_sparse
);
criterion_main!(benches);
