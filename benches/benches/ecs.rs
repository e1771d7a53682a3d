//! The ecs_bench_suite workloads (simple_insert, simple_iter, frag_iter, heavy_compute, schedule, add_remove):
//! metronome against bevy_ecs 0.20 and hecs 0.11, plus a hand-written struct-of-arrays
//! floor for the iteration workloads, in one criterion run with one group per workload.
//! Every library's loops are written the way its users write them: metronome's as `for`
//! loops over `iter_mut()` (the README's idiom; row `metronome`), with `for_each` as an
//! extra row (`metronome/for_each`); bevy's as `for` over `iter_mut()`, hecs' as `for`.
//! `get_mut` looks up 10 000 entities in a shuffled order from a system (bevy's
//! `Query::get_mut`, hecs' `World::get` and `query_one_mut`).
//!
//! Run: `cargo bench --manifest-path benches/Cargo.toml --bench ecs -- --warm-up-time 1 --measurement-time 3`
//! (`ecs_interleaved` compares the targets round by round in one process).
//!
//! Only the measured variant's thread pool is alive while it runs: every parallel variant
//! builds its pool in its own bench function and drops it at the end (bevy's global
//! `ComputeTaskPool` excepted; its idle threads sleep).

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

#[path = "common/ecs_workloads.rs"]
mod ecs_workloads;
use ecs_workloads::*;

// ---------------------------------------------------------------------------------------
// Workloads.
// ---------------------------------------------------------------------------------------

fn simple_insert(c: &mut Criterion) {
    let mut g = c.benchmark_group("simple_insert");
    g.bench_function("metronome", |b| {
        b.iter(|| {
            let mut w = m_seq::ObjectsSeq::new();
            black_box(w.spawn_batch(
                (0..BIG).map(|_| m_seq::Object(transform(), position(), rotation(), velocity())),
            ));
            w
        })
    });
    g.bench_function("bevy_ecs", |b| b.iter(|| bevy::objects(BIG, transform)));
    g.bench_function("hecs", |b| b.iter(|| hecs_objects(BIG, transform)));
    g.bench_function("hand_soa", |b| b.iter(|| HandObjects::new(BIG, transform)));
    g.finish();
}

fn simple_iter(c: &mut Criterion) {
    let mut g = c.benchmark_group("simple_iter");
    {
        let mut w = metronome_objects();
        g.bench_function("metronome", |b| b.iter(|| metronome_simple_iter(&mut w)));
        g.bench_function("metronome/for_each", |b| {
            b.iter(|| metronome_simple_iter_for_each(&mut w))
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
        let mut world = hecs_objects(BIG, transform);
        g.bench_function("hecs", |b| b.iter(|| hecs_simple_iter(&mut world)));
    }
    {
        let mut h = HandObjects::new(BIG, transform);
        g.bench_function("hand_soa", |b| b.iter(|| hand_simple_iter(&mut h)));
    }
    g.finish();
}

fn frag_iter(c: &mut Criterion) {
    let mut g = c.benchmark_group("frag_iter");
    {
        let mut w = m_frag::build();
        assert_eq!(w.len(), 26 * FRAG_PER_TYPE);
        g.bench_function("metronome", |b| b.iter(|| metronome_frag_iter(&mut w)));
        g.bench_function("metronome/for_each", |b| {
            b.iter(|| metronome_frag_iter_for_each(&mut w))
        });
    }
    {
        let mut world = bevy_frag_world();
        let mut query = world.query::<&mut Data>();
        g.bench_function("bevy_ecs", |b| {
            b.iter(|| bevy_frag_iter(&mut world, &mut query))
        });
    }
    {
        let mut world = hecs_frag_world();
        g.bench_function("hecs", |b| b.iter(|| hecs_frag_iter(&mut world)));
    }
    {
        let mut arrays = hand_frag_arrays();
        g.bench_function("hand_soa", |b| b.iter(|| hand_frag_iter(&mut arrays)));
    }
    g.finish();
}

fn heavy_compute(c: &mut Criterion) {
    let mut g = c.benchmark_group("heavy_compute");
    // One thread.
    {
        let mut w = m_ws1::ObjectsWs1::new();
        w.spawn_batch(
            (0..HEAVY)
                .map(|_| m_ws1::Object(heavy_transform(), position(), rotation(), velocity())),
        );
        g.bench_function("metronome/1", |b| {
            b.iter(|| {
                w.query_mut::<(&mut Position, &mut Transform)>()
                    .par_for_each(|(p, t)| heavy_kernel(p, t))
            });
        });
    }
    {
        let mut world = bevy::objects(HEAVY, heavy_transform);
        let mut query = world.query::<(&mut Position, &mut Transform)>();
        g.bench_function("bevy_ecs/1", |b| {
            b.iter(|| {
                for (mut p, mut t) in query.iter_mut(&mut world) {
                    heavy_kernel(&mut p, &mut t);
                }
            })
        });
    }
    {
        let mut world = hecs_objects(HEAVY, heavy_transform);
        g.bench_function("hecs/1", |b| {
            b.iter(|| {
                for (p, t) in world.query_mut::<(&mut Position, &mut Transform)>() {
                    heavy_kernel(p, t);
                }
            })
        });
    }
    {
        let mut h = HandObjects::new(HEAVY, heavy_transform);
        g.bench_function("hand_soa/1", |b| {
            b.iter(|| {
                for (p, t) in h.positions.iter_mut().zip(h.transforms.iter_mut()) {
                    heavy_kernel(p, t);
                }
            })
        });
    }
    {
        // The README's idiom on one thread: a `for` loop on a `sequential` world.
        let mut w = m_seq::ObjectsSeq::new();
        w.spawn_batch(
            (0..HEAVY)
                .map(|_| m_seq::Object(heavy_transform(), position(), rotation(), velocity())),
        );
        g.bench_function("metronome/1 for", |b| {
            b.iter(|| {
                for (p, t) in w.query_mut::<(&mut Position, &mut Transform)>().iter_mut() {
                    heavy_kernel(p, t);
                }
            });
        });
    }
    // Two threads.
    {
        let mut w = m_ws2::ObjectsWs2::new();
        w.spawn_batch(
            (0..HEAVY)
                .map(|_| m_ws2::Object(heavy_transform(), position(), rotation(), velocity())),
        );
        g.bench_function("metronome/2", |b| {
            b.iter(|| {
                w.query_mut::<(&mut Position, &mut Transform)>()
                    .par_for_each(|(p, t)| heavy_kernel(p, t))
            });
        });
    }
    {
        // `par_for_each` where a game calls it: in a system of the schedule.
        let mut w = m_heavy_ws2::build();
        g.bench_function("metronome/2 system", |b| b.iter(|| w.tick()));
    }
    {
        bevy::compute_pool(2);
        let mut world = bevy::objects(HEAVY, heavy_transform);
        let mut query = world.query::<(&mut Position, &mut Transform)>();
        g.bench_function("bevy_ecs/2", |b| {
            b.iter(|| {
                query
                    .par_iter_mut(&mut world)
                    .for_each(|(mut p, mut t)| heavy_kernel(&mut p, &mut t));
            })
        });
    }
    {
        use rayon::prelude::*;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let mut world = hecs_objects(HEAVY, heavy_transform);
        g.bench_function("hecs+rayon/2", |b| {
            b.iter(|| {
                pool.install(|| {
                    world
                        .query_mut::<(&mut Position, &mut Transform)>()
                        .into_iter_batched(64)
                        .par_bridge()
                        .for_each(|batch| {
                            for (p, t) in batch {
                                heavy_kernel(p, t);
                            }
                        })
                })
            })
        });
    }
    {
        use rayon::prelude::*;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let mut h = HandObjects::new(HEAVY, heavy_transform);
        g.bench_function("hand_soa+rayon/2", |b| {
            b.iter(|| {
                pool.install(|| {
                    h.positions
                        .par_iter_mut()
                        .zip(h.transforms.par_iter_mut())
                        .for_each(|(p, t)| heavy_kernel(p, t))
                })
            })
        });
    }
    g.finish();
}

fn schedule(c: &mut Criterion) {
    let mut g = c.benchmark_group("schedule");
    {
        let mut w = m_sched_seq::build();
        g.bench_function("metronome/sequential", |b| {
            b.iter(|| metronome_schedule(&mut w))
        });
    }
    {
        let mut w = m_sched_each_seq::build();
        g.bench_function("metronome/sequential for_each", |b| {
            b.iter(|| metronome_schedule_for_each(&mut w))
        });
    }
    {
        let mut w = m_sched_ws2::build();
        assert_eq!(
            m_sched_ws2::ScheduleWs2::SCHEDULE.phases[0].stages.len(),
            1,
            "one stage of three systems"
        );
        g.bench_function("metronome/work_stealing_2", |b| b.iter(|| w.tick()));
    }
    {
        let mut w = m_sched_each_ws2::build();
        g.bench_function("metronome/work_stealing_2 for_each", |b| {
            b.iter(|| w.tick())
        });
    }
    {
        let (mut world, mut schedule) = bevy_schedule_single();
        g.bench_function("bevy_ecs/single", |b| b.iter(|| schedule.run(&mut world)));
    }
    {
        bevy::compute_pool(2);
        let mut world = bevy_schedule_world();
        let mut schedule = bevy_ecs::schedule::Schedule::default();
        schedule.set_executor(bevy_ecs::schedule::MultiThreadedExecutor::new());
        schedule.add_systems((bevy::ab, bevy::cd, bevy::ce));
        schedule.run(&mut world);
        g.bench_function("bevy_ecs/multi", |b| b.iter(|| schedule.run(&mut world)));
    }
    {
        let mut world = hecs_schedule_world();
        g.bench_function("hecs", |b| b.iter(|| hecs_schedule(&mut world)));
    }
    g.finish();
}

fn get_mut(c: &mut Criterion) {
    let mut g = c.benchmark_group("get_mut");
    {
        let mut w = m_get::build();
        g.bench_function("metronome/system", |b| {
            b.iter(|| metronome_get_system(&mut w))
        });
        let targets = w.resource::<Targets>().0.clone();
        g.bench_function("metronome/query_mut", |b| {
            b.iter(|| metronome_get_outside(&mut w, &targets))
        });
    }
    {
        let (mut world, mut schedule) = bevy_get();
        g.bench_function("bevy_ecs/system", |b| b.iter(|| schedule.run(&mut world)));
    }
    {
        let (mut world, targets) = hecs_get_world();
        g.bench_function("hecs/get", |b| b.iter(|| hecs_get(&mut world, &targets)));
        g.bench_function("hecs/query_one_mut", |b| {
            b.iter(|| hecs_query_one_mut(&mut world, &targets))
        });
    }
    g.finish();
}

#[inline(never)]
fn metronome_add_remove(w: &mut m_add_remove::AddRemove, entities: &[metronome::Entity]) {
    for &e in entities {
        w.insert(e, B(0.0)).unwrap();
    }
    for &e in entities {
        w.remove::<B>(e).unwrap();
    }
}

fn add_remove(c: &mut Criterion) {
    let mut g = c.benchmark_group("add_remove");
    {
        let mut w = m_add_remove::AddRemove::new();
        let entities = w.spawn_batch((0..BIG).map(|_| m_add_remove::OnlyA(A(0.0))));
        g.bench_function("metronome", |b| {
            b.iter(|| metronome_add_remove(&mut w, &entities))
        });
    }
    {
        let mut world = bevy_ecs::world::World::new();
        let entities: Vec<_> = world.spawn_batch((0..BIG).map(|_| (A(0.0),))).collect();
        g.bench_function("bevy_ecs", |b| {
            b.iter(|| {
                for &e in &entities {
                    world.entity_mut(e).insert(B(0.0));
                }
                for &e in &entities {
                    world.entity_mut(e).remove::<B>();
                }
            })
        });
    }
    {
        let mut world = hecs::World::new();
        let entities: Vec<_> = world.spawn_batch((0..BIG).map(|_| (A(0.0),))).collect();
        g.bench_function("hecs", |b| {
            b.iter(|| {
                for &e in &entities {
                    world.insert_one(e, B(0.0)).unwrap();
                }
                for &e in &entities {
                    world.remove_one::<B>(e).unwrap();
                }
            })
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    simple_insert,
    simple_iter,
    frag_iter,
    heavy_compute,
    schedule,
    get_mut,
    add_remove
);
criterion_main!(benches);
