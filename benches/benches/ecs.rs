//! The ecs_bench_suite workloads (see `shared/design/BENCHMARKS.md`, "ECS workloads"):
//! metronome against bevy_ecs 0.20 and hecs 0.11, plus a hand-written struct-of-arrays
//! floor for the iteration workloads, in one criterion run with one group per workload.
//!
//! Run: `cargo bench -p metronome-benches --bench ecs -- --warm-up-time 1 --measurement-time 3`
//!
//! Only the measured variant's thread pool is alive while it runs: every parallel variant
//! builds its pool in its own bench function and drops it at the end (bevy's global
//! `ComputeTaskPool` excepted; its idle threads sleep).

use cgmath::{Matrix4, Rad, SquareMatrix, Transform as _, Vector3};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

// ---------------------------------------------------------------------------------------
// Components (as in ecs_bench_suite: cgmath, f32).
// ---------------------------------------------------------------------------------------

macro_rules! components {
    ($($(#[$m:meta])* $name:ident($ty:ty);)*) => {$(
        $(#[$m])*
        #[derive(metronome::Component, bevy_ecs::component::Component, Clone, Copy, Debug)]
        pub struct $name(pub $ty);
    )*};
}

components! {
    /// 64 bytes.
    Transform(Matrix4<f32>);
    Position(Vector3<f32>);
    Rotation(Vector3<f32>);
    Velocity(Vector3<f32>);
    A(f32); B(f32); C(f32); D(f32); E(f32); F(f32); G(f32); H(f32); I(f32); J(f32);
    K(f32); L(f32); M(f32); N(f32); O(f32); P(f32); Q(f32); R(f32); S(f32); T(f32);
    U(f32); V(f32); W(f32); X(f32); Y(f32); Z(f32);
    Data(f32);
}

const BIG: usize = 10_000;
const HEAVY: usize = 1_000;
const FRAG_PER_TYPE: usize = 20;

fn transform() -> Transform {
    Transform(Matrix4::from_scale(1.0))
}
fn heavy_transform() -> Transform {
    Transform(Matrix4::from_angle_x(Rad(1.2)))
}
fn position() -> Position {
    Position(Vector3::unit_x())
}
fn rotation() -> Rotation {
    Rotation(Vector3::unit_x())
}
fn velocity() -> Velocity {
    Velocity(Vector3::unit_x())
}

/// The heavy_compute kernel: 100 inversions, then transform the position.
#[inline(always)]
fn heavy_kernel(pos: &mut Position, mat: &mut Transform) {
    for _ in 0..100 {
        mat.0 = mat.0.invert().unwrap();
    }
    pos.0 = mat.0.transform_vector(pos.0);
}

// ---------------------------------------------------------------------------------------
// metronome worlds, one module each (archetype structs are items of the world's module).
// ---------------------------------------------------------------------------------------

/// Systems of the `schedule` workload.
mod m_systems {
    use super::*;
    use metronome::prelude::*;

    #[system]
    pub fn ab(mut q: Query<(&mut A, &mut B)>) {
        q.for_each(|(a, b)| std::mem::swap(&mut a.0, &mut b.0));
    }

    #[system]
    pub fn cd(mut q: Query<(&mut C, &mut D)>) {
        q.for_each(|(c, d)| std::mem::swap(&mut c.0, &mut d.0));
    }

    #[system]
    pub fn ce(mut q: Query<(&mut C, &mut E)>) {
        q.for_each(|(c, e)| std::mem::swap(&mut c.0, &mut e.0));
    }
}

macro_rules! object_world {
    ($module:ident, $name:ident, $exec:expr) => {
        mod $module {
            use super::*;
            use metronome::prelude::*;

            #[world(
                                archetypes(Object = (Transform, Position, Rotation, Velocity)),
                                executor = $exec,
                            )]
            pub struct $name;
        }
    };
}

object_world!(m_seq, ObjectsSeq, sequential);
object_world!(m_ws1, ObjectsWs1, work_stealing(workers = 1));
object_world!(m_ws2, ObjectsWs2, work_stealing(workers = 2));

mod m_frag {
    use super::*;
    use metronome::prelude::*;

    #[world(
        archetypes(
            Fa = (A, Data), Fb = (B, Data), Fc = (C, Data), Fd = (D, Data), Fe = (E, Data),
            Ff = (F, Data), Fg = (G, Data), Fh = (H, Data), Fi = (I, Data), Fj = (J, Data),
            Fk = (K, Data), Fl = (L, Data), Fm = (M, Data), Fn = (N, Data), Fo = (O, Data),
            Fp = (P, Data), Fq = (Q, Data), Fr = (R, Data), Fs = (S, Data), Ft = (T, Data),
            Fu = (U, Data), Fv = (V, Data), Fw = (W, Data), Fx = (X, Data), Fy = (Y, Data),
            Fz = (Z, Data),
        ),
        executor = sequential,
    )]
    pub struct Frag;

    pub fn build() -> Frag {
        let mut w = Frag::new();
        macro_rules! fill {
            ($($t:ident)*) => {$(
                w.spawn_batch((0..FRAG_PER_TYPE).map(|_| ($t(0.0), Data(1.0))));
            )*};
        }
        fill!(A B C D E F G H I J K L M N O P Q R S T U V W X Y Z);
        w
    }
}

macro_rules! schedule_world {
    ($module:ident, $name:ident, $exec:expr) => {
        mod $module {
            use super::m_systems::{ab, cd, ce};
            use super::*;
            use metronome::prelude::*;

            #[world(
                archetypes(Sab = (A, B), Sabc = (A, B, C), Sabcd = (A, B, C, D), Sabce = (A, B, C, E)),
                phases(Update),
                systems(Update = [ab, cd, ce]),
                executor = $exec,
            )]
            pub struct $name;

            pub fn build() -> $name {
                let mut w = $name::new();
                w.spawn_batch((0..BIG).map(|_| Sab(A(0.0), B(0.0))));
                w.spawn_batch((0..BIG).map(|_| Sabc(A(0.0), B(0.0), C(0.0))));
                w.spawn_batch((0..BIG).map(|_| Sabcd(A(0.0), B(0.0), C(0.0), D(0.0))));
                w.spawn_batch((0..BIG).map(|_| Sabce(A(0.0), B(0.0), C(0.0), E(0.0))));
                w
            }
        }
    };
}

schedule_world!(m_sched_seq, ScheduleSeq, sequential);
schedule_world!(m_sched_ws2, ScheduleWs2, work_stealing(workers = 2));

mod m_add_remove {
    use super::*;
    use metronome::prelude::*;

    #[world(archetypes(OnlyA = (A), WithB = (A, B)), executor = sequential)]
    pub struct AddRemove;
}

// ---------------------------------------------------------------------------------------
// bevy_ecs helpers.
// ---------------------------------------------------------------------------------------

mod bevy {
    use super::*;
    use bevy_ecs::prelude::{Query, World};

    pub fn ab(mut q: Query<(&mut A, &mut B)>) {
        for (mut a, mut b) in q.iter_mut() {
            std::mem::swap(&mut a.0, &mut b.0);
        }
    }
    pub fn cd(mut q: Query<(&mut C, &mut D)>) {
        for (mut c, mut d) in q.iter_mut() {
            std::mem::swap(&mut c.0, &mut d.0);
        }
    }
    pub fn ce(mut q: Query<(&mut C, &mut E)>) {
        for (mut c, mut e) in q.iter_mut() {
            std::mem::swap(&mut c.0, &mut e.0);
        }
    }

    pub fn objects(n: usize, t: fn() -> Transform) -> World {
        let mut world = World::new();
        world.spawn_batch((0..n).map(|_| (t(), position(), rotation(), velocity())));
        world
    }

    /// The bevy compute pool with `threads` threads (a process-wide pool: the first call
    /// decides its size; heavy_compute and schedule both use 2).
    pub fn compute_pool(threads: usize) {
        bevy_tasks::ComputeTaskPool::get_or_init(|| {
            bevy_tasks::TaskPoolBuilder::new()
                .num_threads(threads)
                .build()
        });
    }
}

fn hecs_objects(n: usize, t: fn() -> Transform) -> hecs::World {
    let mut world = hecs::World::new();
    world.spawn_batch((0..n).map(|_| (t(), position(), rotation(), velocity())));
    world
}

// ---------------------------------------------------------------------------------------
// Hand-written struct of arrays (the floor).
// ---------------------------------------------------------------------------------------

#[derive(Default)]
struct HandObjects {
    transforms: Vec<Transform>,
    positions: Vec<Position>,
    rotations: Vec<Rotation>,
    velocities: Vec<Velocity>,
}

impl HandObjects {
    fn new(n: usize, t: fn() -> Transform) -> Self {
        let mut h = HandObjects {
            transforms: Vec::with_capacity(n),
            positions: Vec::with_capacity(n),
            rotations: Vec::with_capacity(n),
            velocities: Vec::with_capacity(n),
        };
        for _ in 0..n {
            h.transforms.push(t());
            h.positions.push(position());
            h.rotations.push(rotation());
            h.velocities.push(velocity());
        }
        h
    }
}

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

// The iteration kernels are out of line (one call per iteration for every variant) so
// that their code can be read with objdump and counted with callgrind.

#[inline(never)]
fn metronome_simple_iter(w: &mut m_seq::ObjectsSeq) {
    w.query_mut::<(&Velocity, &mut Position)>()
        .for_each(|(v, p)| p.0 += v.0);
}

#[inline(never)]
fn bevy_simple_iter(
    world: &mut bevy_ecs::world::World,
    query: &mut bevy_ecs::query::QueryState<(&Velocity, &mut Position)>,
) {
    for (v, mut p) in query.iter_mut(world) {
        p.0 += v.0;
    }
}

#[inline(never)]
fn hecs_simple_iter(world: &mut hecs::World) {
    for (v, p) in world.query_mut::<(&Velocity, &mut Position)>() {
        p.0 += v.0;
    }
}

#[inline(never)]
fn hand_simple_iter(h: &mut HandObjects) {
    for (p, v) in h.positions.iter_mut().zip(h.velocities.iter()) {
        p.0 += v.0;
    }
}

fn simple_iter(c: &mut Criterion) {
    let mut g = c.benchmark_group("simple_iter");
    {
        let mut w = m_seq::ObjectsSeq::new();
        w.spawn_batch(
            (0..BIG).map(|_| m_seq::Object(transform(), position(), rotation(), velocity())),
        );
        g.bench_function("metronome", |b| b.iter(|| metronome_simple_iter(&mut w)));
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

#[inline(never)]
fn metronome_frag_iter(w: &mut m_frag::Frag) {
    w.query_mut::<&mut Data>().for_each(|d| d.0 *= 2.0);
}

#[inline(never)]
fn bevy_frag_iter(
    world: &mut bevy_ecs::world::World,
    query: &mut bevy_ecs::query::QueryState<&mut Data>,
) {
    for mut d in query.iter_mut(world) {
        d.0 *= 2.0;
    }
}

#[inline(never)]
fn hecs_frag_iter(world: &mut hecs::World) {
    for d in world.query_mut::<&mut Data>() {
        d.0 *= 2.0;
    }
}

#[inline(never)]
fn hand_frag_iter(arrays: &mut [Vec<Data>]) {
    for array in arrays.iter_mut() {
        for d in array.iter_mut() {
            d.0 *= 2.0;
        }
    }
}

fn frag_iter(c: &mut Criterion) {
    let mut g = c.benchmark_group("frag_iter");
    {
        let mut w = m_frag::build();
        assert_eq!(w.len(), 26 * FRAG_PER_TYPE);
        g.bench_function("metronome", |b| b.iter(|| metronome_frag_iter(&mut w)));
    }
    {
        let mut world = bevy_ecs::world::World::new();
        macro_rules! fill {
            ($($t:ident)*) => {$(
                world.spawn_batch((0..FRAG_PER_TYPE).map(|_| ($t(0.0), Data(1.0))));
            )*};
        }
        fill!(A B C D E F G H I J K L M N O P Q R S T U V W X Y Z);
        let mut query = world.query::<&mut Data>();
        g.bench_function("bevy_ecs", |b| {
            b.iter(|| bevy_frag_iter(&mut world, &mut query))
        });
    }
    {
        let mut world = hecs::World::new();
        macro_rules! fill {
            ($($t:ident)*) => {$(
                world.spawn_batch((0..FRAG_PER_TYPE).map(|_| ($t(0.0), Data(1.0))));
            )*};
        }
        fill!(A B C D E F G H I J K L M N O P Q R S T U V W X Y Z);
        g.bench_function("hecs", |b| b.iter(|| hecs_frag_iter(&mut world)));
    }
    {
        // 26 separate arrays of 20: the same memory layout as 26 archetype tables.
        let mut arrays: Vec<Vec<Data>> = (0..26).map(|_| vec![Data(1.0); FRAG_PER_TYPE]).collect();
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
        g.bench_function("metronome/sequential", |b| b.iter(|| w.tick()));
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
    let bevy_world = || {
        let mut world = bevy_ecs::world::World::new();
        world.spawn_batch((0..BIG).map(|_| (A(0.0), B(0.0))));
        world.spawn_batch((0..BIG).map(|_| (A(0.0), B(0.0), C(0.0))));
        world.spawn_batch((0..BIG).map(|_| (A(0.0), B(0.0), C(0.0), D(0.0))));
        world.spawn_batch((0..BIG).map(|_| (A(0.0), B(0.0), C(0.0), E(0.0))));
        world
    };
    {
        let mut world = bevy_world();
        let mut schedule = bevy_ecs::schedule::Schedule::default();
        schedule.set_executor(bevy_ecs::schedule::SingleThreadedExecutor::new());
        schedule.add_systems((bevy::ab, bevy::cd, bevy::ce));
        schedule.run(&mut world);
        g.bench_function("bevy_ecs/single", |b| b.iter(|| schedule.run(&mut world)));
    }
    {
        bevy::compute_pool(2);
        let mut world = bevy_world();
        let mut schedule = bevy_ecs::schedule::Schedule::default();
        schedule.set_executor(bevy_ecs::schedule::MultiThreadedExecutor::new());
        schedule.add_systems((bevy::ab, bevy::cd, bevy::ce));
        schedule.run(&mut world);
        g.bench_function("bevy_ecs/multi", |b| b.iter(|| schedule.run(&mut world)));
    }
    {
        let mut world = hecs::World::new();
        world.spawn_batch((0..BIG).map(|_| (A(0.0), B(0.0))));
        world.spawn_batch((0..BIG).map(|_| (A(0.0), B(0.0), C(0.0))));
        world.spawn_batch((0..BIG).map(|_| (A(0.0), B(0.0), C(0.0), D(0.0))));
        world.spawn_batch((0..BIG).map(|_| (A(0.0), B(0.0), C(0.0), E(0.0))));
        g.bench_function("hecs", |b| {
            b.iter(|| {
                for (a, b) in world.query_mut::<(&mut A, &mut B)>() {
                    std::mem::swap(&mut a.0, &mut b.0);
                }
                for (c, d) in world.query_mut::<(&mut C, &mut D)>() {
                    std::mem::swap(&mut c.0, &mut d.0);
                }
                for (c, e) in world.query_mut::<(&mut C, &mut E)>() {
                    std::mem::swap(&mut c.0, &mut e.0);
                }
            })
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
    add_remove
);
criterion_main!(benches);
