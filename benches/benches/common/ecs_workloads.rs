//! What the ECS benches share (`#[path]`-included by `ecs.rs` and `ecs_interleaved.rs`;
//! each uses a part): the ecs_bench_suite components, the metronome worlds and systems,
//! the peers' worlds, and every iteration kernel as an `#[inline(never)]` function (one
//! call per iteration for every variant, so that objdump and callgrind can read them).
//!
//! metronome's loops are written the way its README writes them (`for` over
//! `iter_mut()`, in systems and outside); `for_each` is an extra variant. bevy's loops are
//! `for` over `iter_mut()`, hecs' `for` over `query_mut()`, as their users write them.
#![allow(dead_code)]

use cgmath::{Matrix4, Rad, SquareMatrix, Transform as _, Vector3};

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

pub const BIG: usize = 10_000;
pub const HEAVY: usize = 1_000;
pub const FRAG_PER_TYPE: usize = 20;

pub fn transform() -> Transform {
    Transform(Matrix4::from_scale(1.0))
}
pub fn heavy_transform() -> Transform {
    Transform(Matrix4::from_angle_x(Rad(1.2)))
}
pub fn position() -> Position {
    Position(Vector3::unit_x())
}
pub fn rotation() -> Rotation {
    Rotation(Vector3::unit_x())
}
pub fn velocity() -> Velocity {
    Velocity(Vector3::unit_x())
}

/// The heavy_compute kernel: 100 inversions, then transform the position.
#[inline(always)]
pub fn heavy_kernel(pos: &mut Position, mat: &mut Transform) {
    for _ in 0..100 {
        mat.0 = mat.0.invert().unwrap();
    }
    pos.0 = mat.0.transform_vector(pos.0);
}

// ---------------------------------------------------------------------------------------
// metronome worlds, one module each (archetype structs are items of the world's module).
// ---------------------------------------------------------------------------------------

/// Systems of the `schedule` workload, written the way the README writes them: `for`
/// loops over `iter_mut()`.
pub mod m_systems {
    use super::*;
    use metronome::prelude::*;

    #[system]
    pub fn ab(mut q: Query<(&mut A, &mut B)>) {
        for (a, b) in q.iter_mut() {
            std::mem::swap(&mut a.0, &mut b.0);
        }
    }

    #[system]
    pub fn cd(mut q: Query<(&mut C, &mut D)>) {
        for (c, d) in q.iter_mut() {
            std::mem::swap(&mut c.0, &mut d.0);
        }
    }

    #[system]
    pub fn ce(mut q: Query<(&mut C, &mut E)>) {
        for (c, e) in q.iter_mut() {
            std::mem::swap(&mut c.0, &mut e.0);
        }
    }
}

/// The same systems through `Query::for_each` (an extra row of the benches).
pub mod m_systems_each {
    use super::*;
    use metronome::prelude::*;

    #[system]
    pub fn ab_each(mut q: Query<(&mut A, &mut B)>) {
        q.for_each(|(a, b)| std::mem::swap(&mut a.0, &mut b.0));
    }

    #[system]
    pub fn cd_each(mut q: Query<(&mut C, &mut D)>) {
        q.for_each(|(c, d)| std::mem::swap(&mut c.0, &mut d.0));
    }

    #[system]
    pub fn ce_each(mut q: Query<(&mut C, &mut E)>) {
        q.for_each(|(c, e)| std::mem::swap(&mut c.0, &mut e.0));
    }
}

/// heavy_compute as a system: `par_for_each` from inside the schedule.
pub mod m_heavy_system {
    use super::*;
    use metronome::prelude::*;

    #[system]
    pub fn heavy(mut q: Query<(&mut Position, &mut Transform)>) {
        q.par_for_each(|(p, t)| heavy_kernel(p, t));
    }
}

/// Targets of the `get_mut` workload: every entity once, in a shuffled order.
#[derive(Default)]
pub struct Targets(pub Vec<metronome::Entity>);

/// A system that looks up one entity per target (as a game does for a target or a
/// parent): `Query::get_mut` per row.
pub mod m_get_system {
    use super::*;
    use metronome::prelude::*;

    #[system]
    pub fn chase(mut q: Query<&mut Position>, targets: Res<Targets>) {
        for &e in &targets.0 {
            if let Some(p) = q.get_mut(e) {
                p.0.x += 1.0;
            }
        }
    }
}

/// `items` in a fixed pseudo-random order (a Fisher-Yates shuffle driven by an LCG, so
/// every library gets the same permutation of its own entities).
pub fn shuffled<T>(mut items: Vec<T>) -> Vec<T> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in (1..items.len()).rev() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let j = ((state >> 33) as usize) % (i + 1);
        items.swap(i, j);
    }
    items
}

macro_rules! object_world {
    ($module:ident, $name:ident, $exec:expr) => {
        pub mod $module {
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

pub mod m_frag {
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
    ($module:ident, $name:ident, $exec:expr, $systems:ident, [$($system:ident),*]) => {
        pub mod $module {
            use super::$systems::{$($system),*};
            use super::*;
            use metronome::prelude::*;

            #[world(
                archetypes(Sab = (A, B), Sabc = (A, B, C), Sabcd = (A, B, C, D), Sabce = (A, B, C, E)),
                phases(Update),
                systems(Update = [$($system),*]),
                executor = $exec,
            )]
            pub struct $name;

            pub fn build() -> $name {
                fill($name::new())
            }

            /// The same world on a pool of `workers` workers (a `work_stealing` world).
            #[allow(dead_code)]
            pub fn build_with_workers(workers: usize) -> $name {
                fill($name::with_workers(workers).expect("a pool of that many workers"))
            }

            fn fill(mut w: $name) -> $name {
                w.spawn_batch((0..BIG).map(|_| Sab(A(0.0), B(0.0))));
                w.spawn_batch((0..BIG).map(|_| Sabc(A(0.0), B(0.0), C(0.0))));
                w.spawn_batch((0..BIG).map(|_| Sabcd(A(0.0), B(0.0), C(0.0), D(0.0))));
                w.spawn_batch((0..BIG).map(|_| Sabce(A(0.0), B(0.0), C(0.0), E(0.0))));
                w
            }
        }
    };
}

schedule_world!(
    m_sched_seq,
    ScheduleSeq,
    sequential,
    m_systems,
    [ab, cd, ce]
);
schedule_world!(
    m_sched_ws2,
    ScheduleWs2,
    work_stealing(workers = 2),
    m_systems,
    [ab, cd, ce]
);
schedule_world!(
    m_sched_each_seq,
    ScheduleEachSeq,
    sequential,
    m_systems_each,
    [ab_each, cd_each, ce_each]
);
schedule_world!(
    m_sched_each_ws2,
    ScheduleEachWs2,
    work_stealing(workers = 2),
    m_systems_each,
    [ab_each, cd_each, ce_each]
);

/// heavy_compute's world with its kernel as a system, on 2 workers.
pub mod m_heavy_ws2 {
    use super::m_heavy_system::heavy;
    use super::*;
    use metronome::prelude::*;

    #[world(
        archetypes(Object = (Transform, Position, Rotation, Velocity)),
        phases(Update),
        systems(Update = [heavy]),
        executor = work_stealing(workers = 2),
    )]
    pub struct HeavyWs2;

    pub fn build() -> HeavyWs2 {
        let mut w = HeavyWs2::new();
        w.spawn_batch(
            (0..HEAVY).map(|_| Object(heavy_transform(), position(), rotation(), velocity())),
        );
        w
    }
}

/// The `get_mut` workload's world: the objects of simple_iter and the `chase` system.
pub mod m_get {
    use super::m_get_system::chase;
    use super::*;
    use metronome::prelude::*;

    #[world(
        archetypes(Object = (Transform, Position, Rotation, Velocity)),
        resources(Targets),
        phases(Update),
        systems(Update = [chase]),
        executor = sequential,
    )]
    pub struct GetWorld;

    pub fn build() -> GetWorld {
        let mut w = GetWorld::new();
        let entities = w
            .spawn_batch((0..BIG).map(|_| Object(transform(), position(), rotation(), velocity())));
        w.resource_mut::<Targets>().0 = shuffled(entities);
        w
    }
}

pub mod m_add_remove {
    use super::*;
    use metronome::prelude::*;

    #[world(archetypes(OnlyA = (A), WithB = (A, B)), executor = sequential)]
    pub struct AddRemove;
}

// ---------------------------------------------------------------------------------------
// bevy_ecs helpers.
// ---------------------------------------------------------------------------------------

pub mod bevy {
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

    /// The targets of the `get_mut` workload, as a bevy resource.
    #[derive(bevy_ecs::resource::Resource)]
    pub struct Targets(pub Vec<bevy_ecs::entity::Entity>);

    /// `get_mut` per target from a system, as `m_get_system::chase`.
    pub fn chase(mut q: Query<&mut Position>, targets: bevy_ecs::prelude::Res<Targets>) {
        for &e in &targets.0 {
            if let Ok(mut p) = q.get_mut(e) {
                p.0.x += 1.0;
            }
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

pub fn hecs_objects(n: usize, t: fn() -> Transform) -> hecs::World {
    let mut world = hecs::World::new();
    world.spawn_batch((0..n).map(|_| (t(), position(), rotation(), velocity())));
    world
}

// ---------------------------------------------------------------------------------------
// Hand-written struct of arrays (the floor).
// ---------------------------------------------------------------------------------------

#[derive(Default)]
pub struct HandObjects {
    pub transforms: Vec<Transform>,
    pub positions: Vec<Position>,
    pub rotations: Vec<Rotation>,
    pub velocities: Vec<Velocity>,
}

impl HandObjects {
    pub fn new(n: usize, t: fn() -> Transform) -> Self {
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
// Kernels and the worlds they run on.
// ---------------------------------------------------------------------------------------

/// simple_iter's objects in a metronome world.
pub fn metronome_objects() -> m_seq::ObjectsSeq {
    let mut w = m_seq::ObjectsSeq::new();
    w.spawn_batch((0..BIG).map(|_| m_seq::Object(transform(), position(), rotation(), velocity())));
    w
}

#[inline(never)]
pub fn metronome_simple_iter(w: &mut m_seq::ObjectsSeq) {
    for (v, p) in w.query_mut::<(&Velocity, &mut Position)>().iter_mut() {
        p.0 += v.0;
    }
}

#[inline(never)]
pub fn metronome_simple_iter_for_each(w: &mut m_seq::ObjectsSeq) {
    w.query_mut::<(&Velocity, &mut Position)>()
        .for_each(|(v, p)| p.0 += v.0);
}

#[inline(never)]
pub fn bevy_simple_iter(
    world: &mut bevy_ecs::world::World,
    query: &mut bevy_ecs::query::QueryState<(&Velocity, &mut Position)>,
) {
    for (v, mut p) in query.iter_mut(world) {
        p.0 += v.0;
    }
}

#[inline(never)]
pub fn hecs_simple_iter(world: &mut hecs::World) {
    for (v, p) in world.query_mut::<(&Velocity, &mut Position)>() {
        p.0 += v.0;
    }
}

#[inline(never)]
pub fn hand_simple_iter(h: &mut HandObjects) {
    for (p, v) in h.positions.iter_mut().zip(h.velocities.iter()) {
        p.0 += v.0;
    }
}

#[inline(never)]
pub fn metronome_frag_iter(w: &mut m_frag::Frag) {
    for d in w.query_mut::<&mut Data>().iter_mut() {
        d.0 *= 2.0;
    }
}

#[inline(never)]
pub fn metronome_frag_iter_for_each(w: &mut m_frag::Frag) {
    w.query_mut::<&mut Data>().for_each(|d| d.0 *= 2.0);
}

#[inline(never)]
pub fn bevy_frag_iter(
    world: &mut bevy_ecs::world::World,
    query: &mut bevy_ecs::query::QueryState<&mut Data>,
) {
    for mut d in query.iter_mut(world) {
        d.0 *= 2.0;
    }
}

#[inline(never)]
pub fn hecs_frag_iter(world: &mut hecs::World) {
    for d in world.query_mut::<&mut Data>() {
        d.0 *= 2.0;
    }
}

#[inline(never)]
pub fn hand_frag_iter(arrays: &mut [Vec<Data>]) {
    for array in arrays.iter_mut() {
        for d in array.iter_mut() {
            d.0 *= 2.0;
        }
    }
}

/// frag_iter's 26 archetypes of 20 in bevy.
pub fn bevy_frag_world() -> bevy_ecs::world::World {
    let mut world = bevy_ecs::world::World::new();
    macro_rules! fill {
        ($($t:ident)*) => {$(
            world.spawn_batch((0..FRAG_PER_TYPE).map(|_| ($t(0.0), Data(1.0))));
        )*};
    }
    fill!(A B C D E F G H I J K L M N O P Q R S T U V W X Y Z);
    world
}

/// frag_iter's 26 archetypes of 20 in hecs.
pub fn hecs_frag_world() -> hecs::World {
    let mut world = hecs::World::new();
    macro_rules! fill {
        ($($t:ident)*) => {$(
            world.spawn_batch((0..FRAG_PER_TYPE).map(|_| ($t(0.0), Data(1.0))));
        )*};
    }
    fill!(A B C D E F G H I J K L M N O P Q R S T U V W X Y Z);
    world
}

/// 26 separate arrays of 20: the same memory layout as 26 archetype tables.
pub fn hand_frag_arrays() -> Vec<Vec<Data>> {
    (0..26).map(|_| vec![Data(1.0); FRAG_PER_TYPE]).collect()
}

/// The schedule workload's bevy world: 4 archetypes of 10 000.
pub fn bevy_schedule_world() -> bevy_ecs::world::World {
    let mut world = bevy_ecs::world::World::new();
    world.spawn_batch((0..BIG).map(|_| (A(0.0), B(0.0))));
    world.spawn_batch((0..BIG).map(|_| (A(0.0), B(0.0), C(0.0))));
    world.spawn_batch((0..BIG).map(|_| (A(0.0), B(0.0), C(0.0), D(0.0))));
    world.spawn_batch((0..BIG).map(|_| (A(0.0), B(0.0), C(0.0), E(0.0))));
    world
}

/// The schedule workload's three systems on bevy's single-threaded executor, run once.
pub fn bevy_schedule_single() -> (bevy_ecs::world::World, bevy_ecs::schedule::Schedule) {
    let mut world = bevy_schedule_world();
    let mut schedule = bevy_ecs::schedule::Schedule::default();
    schedule.set_executor(bevy_ecs::schedule::SingleThreadedExecutor::new());
    schedule.add_systems((bevy::ab, bevy::cd, bevy::ce));
    schedule.run(&mut world);
    (world, schedule)
}

/// The schedule workload's hecs world.
pub fn hecs_schedule_world() -> hecs::World {
    let mut world = hecs::World::new();
    world.spawn_batch((0..BIG).map(|_| (A(0.0), B(0.0))));
    world.spawn_batch((0..BIG).map(|_| (A(0.0), B(0.0), C(0.0))));
    world.spawn_batch((0..BIG).map(|_| (A(0.0), B(0.0), C(0.0), D(0.0))));
    world.spawn_batch((0..BIG).map(|_| (A(0.0), B(0.0), C(0.0), E(0.0))));
    world
}

/// The schedule workload's three loops in hecs (hecs has no scheduler).
#[inline(never)]
pub fn hecs_schedule(world: &mut hecs::World) {
    for (a, b) in world.query_mut::<(&mut A, &mut B)>() {
        std::mem::swap(&mut a.0, &mut b.0);
    }
    for (c, d) in world.query_mut::<(&mut C, &mut D)>() {
        std::mem::swap(&mut c.0, &mut d.0);
    }
    for (c, e) in world.query_mut::<(&mut C, &mut E)>() {
        std::mem::swap(&mut c.0, &mut e.0);
    }
}

#[inline(never)]
pub fn metronome_schedule(w: &mut m_sched_seq::ScheduleSeq) {
    w.tick();
}

#[inline(never)]
pub fn metronome_schedule_ws2(w: &mut m_sched_ws2::ScheduleWs2) {
    w.tick();
}

#[inline(never)]
pub fn metronome_schedule_for_each(w: &mut m_sched_each_seq::ScheduleEachSeq) {
    w.tick();
}

/// The `get_mut` workload from a system: one `Query::get_mut` per target.
#[inline(never)]
pub fn metronome_get_system(w: &mut m_get::GetWorld) {
    w.tick();
}

/// The `get_mut` workload outside systems, through one `query_mut`.
#[inline(never)]
pub fn metronome_get_outside(w: &mut m_get::GetWorld, targets: &[metronome::Entity]) {
    let mut q = w.query_mut::<&mut Position>();
    for &e in targets {
        if let Some(p) = q.get_mut(e) {
            p.0.x += 1.0;
        }
    }
}

/// The `get_mut` workload's hecs world and its shuffled targets.
pub fn hecs_get_world() -> (hecs::World, Vec<hecs::Entity>) {
    let mut world = hecs::World::new();
    let entities: Vec<hecs::Entity> = world
        .spawn_batch((0..BIG).map(|_| (transform(), position(), rotation(), velocity())))
        .collect();
    (world, shuffled(entities))
}

/// hecs' `World::get` per target.
#[inline(never)]
pub fn hecs_get(world: &mut hecs::World, targets: &[hecs::Entity]) {
    for &e in targets {
        if let Ok(mut p) = world.get::<&mut Position>(e) {
            p.0.x += 1.0;
        }
    }
}

/// hecs' `World::query_one_mut` per target.
#[inline(never)]
pub fn hecs_query_one_mut(world: &mut hecs::World, targets: &[hecs::Entity]) {
    for &e in targets {
        if let Ok(p) = world.query_one_mut::<&mut Position>(e) {
            p.0.x += 1.0;
        }
    }
}

/// The `get_mut` workload's bevy world, with the `chase` system on the single-threaded
/// executor, run once.
pub fn bevy_get() -> (bevy_ecs::world::World, bevy_ecs::schedule::Schedule) {
    let mut world = bevy_ecs::world::World::new();
    let entities: Vec<bevy_ecs::entity::Entity> = world
        .spawn_batch((0..BIG).map(|_| (transform(), position(), rotation(), velocity())))
        .collect();
    world.insert_resource(bevy::Targets(shuffled(entities)));
    let mut schedule = bevy_ecs::schedule::Schedule::default();
    schedule.set_executor(bevy_ecs::schedule::SingleThreadedExecutor::new());
    schedule.add_systems(bevy::chase);
    schedule.run(&mut world);
    (world, schedule)
}
