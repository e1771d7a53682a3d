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

/// `changed_iter`'s component (4 bytes, as a counter or a health would be).
#[derive(metronome::Component, bevy_ecs::component::Component, Clone, Copy, Debug)]
pub struct Pos(pub f32);

/// `add_remove_sparse`'s sparse component.
#[derive(metronome::Component, bevy_ecs::component::Component, Clone, Copy, Debug)]
#[component(storage = "SparseSet")]
pub struct Sparse(pub f32);

pub const CHANGED_ENTITIES: usize = 100_000;
pub const CHANGED_PER_TICK: usize = CHANGED_ENTITIES / 100;

/// The entities to write each tick, and what the `Changed` system saw.
#[derive(Default)]
pub struct Targets(pub Vec<metronome::Entity>);
#[derive(Default)]
pub struct Seen(pub f32);

/// A fixed pseudo-random order of `items` (a xorshift Fisher-Yates).
fn shuffle<T>(mut items: Vec<T>) -> Vec<T> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for i in (1..items.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        items.swap(i, (state % (i as u64 + 1)) as usize);
    }
    items
}

pub mod m_tracked {
    use super::*;
    use metronome::prelude::*;

    #[world(
        archetypes(Object = (Transform, Position, Rotation, Velocity)),
        track(Position),
        executor = sequential,
    )]
    pub struct Tracked;

    pub fn build() -> Tracked {
        let mut w = Tracked::new();
        w.spawn_batch((0..BIG).map(|_| Object(transform(), position(), rotation(), velocity())));
        w
    }
}

pub mod m_changed {
    use super::*;
    use metronome::prelude::*;

    /// Writes the targets (1 % of the entities).
    #[system]
    pub fn touch(mut q: Query<Tracked<Pos>>, targets: Res<Targets>) {
        for &e in &targets.0 {
            if let Some(mut p) = q.get_mut(e) {
                p.0 += 1.0;
            }
        }
    }

    /// Sums what changed since its last run.
    #[system]
    pub fn changed(q: Query<&Pos, Changed<Pos>>, mut seen: ResMut<Seen>) {
        let mut sum = 0.0;
        for p in q.iter() {
            sum += p.0;
        }
        seen.0 = sum;
    }

    #[world(
        archetypes(Unit = (Pos)),
        track(Pos),
        resources(Targets, Seen),
        phases(Update, Late),
        systems(Update = [touch], Late = [changed]),
        executor = sequential,
    )]
    pub struct ChangedWorld;

    pub fn build() -> ChangedWorld {
        let mut w = ChangedWorld::new();
        let entities = w.spawn_batch((0..CHANGED_ENTITIES).map(|i| Unit(Pos(i as f32))));
        w.resource_mut::<Targets>().0 = shuffle(entities)
            .into_iter()
            .take(CHANGED_PER_TICK)
            .collect();
        w.tick();
        w
    }
}

pub mod m_sparse {
    use super::*;
    use metronome::prelude::*;

    #[world(archetypes(OnlyA = (A)), sparse(Sparse), executor = sequential)]
    pub struct SparseWorld;
}

pub mod b_changed {
    use super::*;
    use bevy_ecs::prelude::*;

    #[derive(Resource)]
    pub struct Targets(pub Vec<Entity>);
    #[derive(Resource, Default)]
    pub struct Seen(pub f32);

    pub fn touch(mut q: Query<&mut Pos>, targets: Res<Targets>) {
        for &e in &targets.0 {
            if let Ok(mut p) = q.get_mut(e) {
                p.0 += 1.0;
            }
        }
    }

    pub fn changed(q: Query<&Pos, Changed<Pos>>, mut seen: ResMut<Seen>) {
        let mut sum = 0.0;
        for p in q.iter() {
            sum += p.0;
        }
        seen.0 = sum;
    }

    pub fn build() -> (World, Schedule) {
        let mut world = World::new();
        let entities: Vec<Entity> = world
            .spawn_batch((0..CHANGED_ENTITIES).map(|i| (Pos(i as f32),)))
            .collect();
        world.insert_resource(Targets(
            shuffle(entities)
                .into_iter()
                .take(CHANGED_PER_TICK)
                .collect(),
        ));
        world.insert_resource(Seen::default());
        let mut schedule = Schedule::default();
        schedule.set_executor(bevy_ecs::schedule::SingleThreadedExecutor::new());
        schedule.add_systems((touch, changed).chain());
        schedule.run(&mut world);
        (world, schedule)
    }
}

#[inline(never)]
fn metronome_tracked_iter(w: &mut m_tracked::Tracked) {
    for (v, mut p) in w
        .query_mut::<(&Velocity, metronome::Tracked<Position>)>()
        .iter_mut()
    {
        p.0 += v.0;
    }
}

#[inline(never)]
fn metronome_tracked_iter_ref(w: &mut m_tracked::Tracked) {
    for (v, p) in w.query_mut::<(&Velocity, &mut Position)>().iter_mut() {
        p.0 += v.0;
    }
}

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
