//! Acceptance tests of the ECS core on one fixture world (`Q`, plus `Par` on a pool):
//! every query form and method, the world's query constructors, system parameters
//! (`Res`, `ResMut`, `Local`, `Commands`), bundles, `spawn_batch`, `has`,
//! `archetype_name`, `frame`, `take_command_errors` and `EcsError`. The world and its
//! systems are here, the tests in one module per part of the API.

pub mod forms;
pub mod params;
pub mod world_api;

use metronome::prelude::*;

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Pos(pub i32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Vel(pub i32);
#[derive(Component, Clone, Debug, PartialEq)]
pub struct Hp(pub i32);
/// A zero-sized marker component.
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Ice;

pub struct Dt(pub i32);

#[derive(Default)]
pub struct Log(pub Vec<String>);

/// What the `builder` system is told to do on its next run.
#[derive(Default)]
pub struct Orders {
    pub spawn_movers: Vec<i32>,
    pub spawn_props: Vec<i32>,
    pub despawn: Vec<Entity>,
    pub insert_hp: Vec<(Entity, i32)>,
    pub remove_hp: Vec<Entity>,
}

#[derive(Default)]
pub struct Seen(pub Vec<(Entity, i32, Option<i32>)>);

#[system]
fn integrate(dt: Res<Dt>, mut movers: Query<(&mut Pos, &Vel)>) {
    for (pos, vel) in movers.iter_mut() {
        pos.0 += vel.0 * dt.0;
    }
}

#[system]
fn count_a(mut runs: Local<u32>, mut log: ResMut<Log>) {
    *runs += 1;
    log.0.push(format!("a{}", *runs));
}

#[system]
fn count_b(mut runs: Local<u32>, mut log: ResMut<Log>) {
    *runs += 1;
    log.0.push(format!("b{}", *runs));
}

#[system]
fn builder(mut orders: ResMut<Orders>, mut commands: Commands) {
    for x in orders.spawn_movers.drain(..) {
        commands.spawn(Mover(Pos(x), Vel(x)));
    }
    for x in orders.spawn_props.drain(..) {
        commands.spawn((Pos(x),));
    }
    for e in orders.despawn.drain(..) {
        commands.despawn(e);
    }
    for (e, hp) in orders.insert_hp.drain(..) {
        commands.insert(e, Hp(hp));
    }
    for e in orders.remove_hp.drain(..) {
        commands.remove::<Hp>(e);
    }
}

/// Visits with `for_each`, `Option<&T>`, a tuple filter and `Entity`; records what it saw.
#[system]
#[allow(clippy::type_complexity)]
fn observe(
    mut q: Query<(Entity, &Pos, Option<&Hp>), (With<Vel>, Without<Ice>)>,
    mut seen: ResMut<Seen>,
) {
    seen.0.clear();
    q.for_each(|(e, p, hp)| seen.0.push((e, p.0, hp.map(|h| h.0))));
}

/// Only props (no `Vel`) move.
#[system]
fn nudge_props(mut props: Query<&mut Pos, Without<Vel>>) {
    props.for_each(|p| p.0 += 1000);
}

/// Heals present `Hp`s through `Option<&mut T>`.
#[system]
fn heal(mut q: Query<(&Pos, Option<&mut Hp>)>) {
    for (_, hp) in q.iter_mut() {
        if let Some(hp) = hp {
            hp.0 += 1;
        }
    }
}

#[system]
fn double_par(mut q: Query<&mut Pos>) {
    q.par_for_each(|p| p.0 *= 2);
}

#[world(
    archetypes(
        Mover  = (Pos, Vel),
        Unit   = (Pos, Vel, Hp),
        Prop   = (Pos),
        Frozen = (Pos, Vel, Ice),
        Husk   = (Hp),
    ),
    resources(Dt = Dt(2), Log, Orders, Seen),
    phases(Move, Count, Build, Observe, Props, Heal),
    systems(
        Move    = [integrate],
        Count   = [count_a, count_b],
        Build   = [builder],
        Observe = [observe],
        Props   = [nudge_props],
        Heal    = [heal],
    ),
    executor = sequential,
    // These tests read failed commands back with `take_command_errors`.
    on_command_error = collect,
)]
pub struct Q;

#[world(
    archetypes(Mover2 = (Pos, Vel), Prop2 = (Pos)),
    resources(Log),
    phases(Update),
    systems(Update = [double_par, count_a]),
    executor = work_stealing(workers = 2),
)]
pub struct Par;

/// Props, movers, units, a frozen mover and a husk, spawned interleaved.
struct Fixture {
    q: Q,
    p1: Entity,
    m1: Entity,
    u1: Entity,
    m2: Entity,
    p2: Entity,
    f1: Entity,
    h1: Entity,
    u2: Entity,
}

fn fixture() -> Fixture {
    let mut q = Q::new();
    let p1 = q.spawn(Prop(Pos(1)));
    let m1 = q.spawn(Mover(Pos(10), Vel(1)));
    let u1 = q.spawn(Unit(Pos(20), Vel(2), Hp(100)));
    let m2 = q.spawn((Pos(11), Vel(3)));
    let p2 = q.spawn((Pos(2),));
    let f1 = q.spawn(Frozen(Pos(30), Vel(4), Ice));
    let h1 = q.spawn(Husk(Hp(7)));
    let u2 = q.spawn((Pos(21), Vel(5), Hp(200)));
    Fixture {
        q,
        p1,
        m1,
        u1,
        m2,
        p2,
        f1,
        h1,
        u2,
    }
}
