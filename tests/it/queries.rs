//! every query form and method, the world's
//! query constructors, system parameters (`Res`, `ResMut`, `Local`, `Commands`), bundles,
//! `spawn_batch`, `has`, `archetype_name`, `frame`, `take_command_errors` and `EcsError`.

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

#[test]
fn shared_ref_visits_archetypes_in_declaration_order_rows_in_spawn_order() {
    let f = fixture();
    let q = f.q.query::<&Pos>();
    let got: Vec<i32> = q.iter().map(|p| p.0).collect();
    // Mover, Unit, Prop, Frozen (Husk has no Pos).
    assert_eq!(got, vec![10, 11, 20, 21, 1, 2, 30]);
    assert_eq!(q.len(), 7);
    assert!(!q.is_empty());
    assert_eq!(q.iter().len(), 7);

    let entities: Vec<Entity> = f.q.query::<Entity>().iter().collect();
    assert_eq!(
        entities,
        vec![f.m1, f.m2, f.u1, f.u2, f.p1, f.p2, f.f1, f.h1]
    );
}

#[test]
fn mut_ref_writes_through_iter_mut_for_each_and_par_for_each() {
    let mut f = fixture();
    for p in f.q.query_mut::<&mut Pos>().iter_mut() {
        p.0 += 1;
    }
    f.q.query_mut::<&mut Pos>().for_each(|p| p.0 *= 10);
    f.q.query_mut::<&mut Pos>().par_for_each(|p| p.0 -= 3);
    assert_eq!(f.q.get::<Pos>(f.p1), Some(&Pos(17)));
    assert_eq!(f.q.get::<Pos>(f.m1), Some(&Pos(107)));
    assert_eq!(f.q.get::<Pos>(f.u2), Some(&Pos(217)));
    assert_eq!(f.q.get::<Pos>(f.f1), Some(&Pos(307)));
    // Untouched components stay.
    assert_eq!(f.q.get::<Vel>(f.m2), Some(&Vel(3)));
    assert_eq!(f.q.get::<Hp>(f.h1), Some(&Hp(7)));
}

#[test]
fn option_ref_sees_present_and_absent_components() {
    let f = fixture();
    let q = f.q.query::<(Entity, Option<&Hp>)>();
    let got: Vec<(Entity, Option<i32>)> = q.iter().map(|(e, h)| (e, h.map(|h| h.0))).collect();
    assert_eq!(
        got,
        vec![
            (f.m1, None),
            (f.m2, None),
            (f.u1, Some(100)),
            (f.u2, Some(200)),
            (f.p1, None),
            (f.p2, None),
            (f.f1, None),
            (f.h1, Some(7)),
        ]
    );
    // `Option` does not make a component required, the other element does.
    let q = f.q.query::<(&Vel, Option<&Ice>)>();
    let got: Vec<(i32, bool)> = q.iter().map(|(v, i)| (v.0, i.is_some())).collect();
    assert_eq!(
        got,
        vec![(1, false), (3, false), (2, false), (5, false), (4, true)]
    );
}

#[test]
fn option_mut_writes_only_present_components() {
    let mut f = fixture();
    let mut n_none = 0;
    for (_, hp) in f.q.query_mut::<(&Pos, Option<&mut Hp>)>().iter_mut() {
        match hp {
            Some(hp) => hp.0 = -hp.0,
            None => n_none += 1,
        }
    }
    assert_eq!(n_none, 5);
    assert_eq!(f.q.get::<Hp>(f.u1), Some(&Hp(-100)));
    assert_eq!(f.q.get::<Hp>(f.u2), Some(&Hp(-200)));
    // The husk has no `Pos`, so the query does not visit it.
    assert_eq!(f.q.get::<Hp>(f.h1), Some(&Hp(7)));

    // Through a system (phase `Heal`).
    f.q.run_phase(QPhase::Heal);
    assert_eq!(f.q.get::<Hp>(f.u1), Some(&Hp(-99)));
    assert_eq!(f.q.get::<Hp>(f.h1), Some(&Hp(7)));
    assert!(!f.q.has::<Hp>(f.m1));
}

#[test]
fn nested_tuples() {
    let mut f = fixture();
    {
        let q = f.q.query::<(Entity, (&Pos, (Option<&Hp>, &Vel)))>();
        let got: Vec<(Entity, i32, Option<i32>, i32)> = q
            .iter()
            .map(|(e, (p, (h, v)))| (e, p.0, h.map(|h| h.0), v.0))
            .collect();
        assert_eq!(
            got,
            vec![
                (f.m1, 10, None, 1),
                (f.m2, 11, None, 3),
                (f.u1, 20, Some(100), 2),
                (f.u2, 21, Some(200), 5),
                (f.f1, 30, None, 4),
            ]
        );
    }
    {
        let mut q = f.q.query_mut::<((&mut Pos, Entity), (&Vel,))>();
        for ((p, _), (v,)) in q.iter_mut() {
            p.0 += v.0;
        }
        let (p, e) = q.get(f.u2).map(|((p, e), _)| (p.0, e)).unwrap();
        assert_eq!((p, e), (26, f.u2));
    }
    assert_eq!(f.q.get::<Pos>(f.m2), Some(&Pos(14)));
    assert_eq!(f.q.get::<Pos>(f.p1), Some(&Pos(1)));
}

#[test]
fn with_without_and_tuple_filters() {
    let f = fixture();
    let with_hp: Vec<Entity> = f.q.query_filtered::<Entity, With<Hp>>().iter().collect();
    assert_eq!(with_hp, vec![f.u1, f.u2, f.h1]);
    let without_vel: Vec<Entity> =
        f.q.query_filtered::<Entity, Without<Vel>>()
            .iter()
            .collect();
    assert_eq!(without_vel, vec![f.p1, f.p2, f.h1]);
    let movers_only: Vec<i32> =
        f.q.query_filtered::<&Pos, (With<Vel>, Without<Hp>, Without<Ice>)>()
            .iter()
            .map(|p| p.0)
            .collect();
    assert_eq!(movers_only, vec![10, 11]);
    let q = f.q.query_filtered::<&Pos, (With<Ice>,)>();
    assert_eq!(q.len(), 1);
    assert_eq!(q.get(f.f1), Some(&Pos(30)));
    assert_eq!(q.get(f.m1), None);
}

#[test]
fn query_filtered_mut_writes_only_matches() {
    let mut f = fixture();
    f.q.query_filtered_mut::<&mut Pos, Without<Vel>>()
        .for_each(|p| p.0 = 0);
    assert_eq!(f.q.get::<Pos>(f.p1), Some(&Pos(0)));
    assert_eq!(f.q.get::<Pos>(f.p2), Some(&Pos(0)));
    assert_eq!(f.q.get::<Pos>(f.m1), Some(&Pos(10)));
    assert_eq!(f.q.get::<Pos>(f.f1), Some(&Pos(30)));
}

#[test]
fn len_and_is_empty() {
    let mut q = Q::new();
    assert!(q.query::<&Pos>().is_empty());
    assert_eq!(q.query::<&Pos>().len(), 0);
    assert_eq!(q.query::<&Pos>().iter().count(), 0);
    q.spawn(Husk(Hp(1)));
    assert!(q.query::<&Pos>().is_empty());
    assert!(!q.query::<&Hp>().is_empty());
    let p = q.spawn(Prop(Pos(1)));
    assert_eq!(q.query::<&Pos>().len(), 1);
    assert!(!q.query::<&Pos>().is_empty());
    assert!(q.query_filtered::<&Pos, With<Vel>>().is_empty());
    q.despawn(p);
    assert!(q.query::<&Pos>().is_empty());
}

#[test]
fn get_and_get_mut_on_dead_and_non_matching_entities() {
    let mut f = fixture();
    {
        let q = f.q.query::<(&Pos, &Vel)>();
        assert_eq!(q.get(f.m2), Some((&Pos(11), &Vel(3))));
        assert_eq!(q.get(f.p1), None, "non-matching");
        assert_eq!(q.get(f.h1), None, "non-matching");
    }
    {
        let mut q = f.q.query_mut::<(&mut Pos, Option<&Hp>)>();
        let (p, hp) = q.get_mut(f.u1).unwrap();
        assert_eq!(hp, Some(&Hp(100)));
        p.0 = 99;
        assert!(q.get_mut(f.h1).is_none(), "non-matching");
        let (p, hp) = q.get(f.p2).unwrap();
        assert_eq!((p, hp), (&Pos(2), None));
    }
    assert_eq!(f.q.get::<Pos>(f.u1), Some(&Pos(99)));
    assert!(f.q.despawn(f.m1));
    let mut q = f.q.query_mut::<&mut Pos>();
    assert!(q.get(f.m1).is_none(), "dead");
    assert!(q.get_mut(f.m1).is_none(), "dead");
    assert_eq!(q.get_mut(f.m2).map(|p| p.0), Some(11));
}

#[test]
fn all_iteration_methods_agree_on_order() {
    let mut f = fixture();
    // Despawning the first mover and a unit reorders rows (storage order).
    f.q.despawn(f.m1);
    f.q.despawn(f.u1);
    let m3 = f.q.spawn(Mover(Pos(12), Vel(6)));
    let by_iter: Vec<Entity> =
        f.q.query::<(Entity, &Pos)>()
            .iter()
            .map(|(e, _)| e)
            .collect();
    let mut by_for_each = Vec::new();
    f.q.query_mut::<(Entity, &mut Pos)>()
        .for_each(|(e, _)| by_for_each.push(e));
    let by_iter_mut: Vec<Entity> =
        f.q.query_mut::<(Entity, &mut Pos)>()
            .iter_mut()
            .map(|(e, _)| e)
            .collect();
    assert_eq!(by_iter, by_for_each);
    assert_eq!(by_iter, by_iter_mut);
    assert_eq!(by_iter.len(), 6);
    // Archetype order: the movers, then the unit, the props, the frozen one.
    assert_eq!(&by_iter[3..], &[f.p1, f.p2, f.f1]);
    assert_eq!(by_iter[2], f.u2);
    let mut movers = by_iter[..2].to_vec();
    movers.sort();
    let mut want = vec![f.m2, m3];
    want.sort();
    assert_eq!(movers, want);
    // Each entity's item is its own.
    for (e, p) in f.q.query::<(Entity, &Pos)>().iter() {
        assert_eq!(f.q.get::<Pos>(e), Some(p));
    }
}

#[test]
fn res_and_systems_with_filters() {
    let mut f = fixture();
    f.q.run_phase(QPhase::Move);
    assert_eq!(f.q.get::<Pos>(f.m1), Some(&Pos(12)));
    assert_eq!(f.q.get::<Pos>(f.u2), Some(&Pos(31)));
    assert_eq!(f.q.get::<Pos>(f.f1), Some(&Pos(38)));
    assert_eq!(f.q.get::<Pos>(f.p1), Some(&Pos(1)));
    f.q.resource_mut::<Dt>().0 = 0;
    f.q.run_phase(QPhase::Move);
    assert_eq!(f.q.get::<Pos>(f.m1), Some(&Pos(12)));

    f.q.run_phase(QPhase::Props);
    assert_eq!(f.q.get::<Pos>(f.p1), Some(&Pos(1001)));
    assert_eq!(f.q.get::<Pos>(f.p2), Some(&Pos(1002)));
    assert_eq!(f.q.get::<Pos>(f.m1), Some(&Pos(12)));

    f.q.run_phase(QPhase::Observe);
    let seen = &f.q.resource::<Seen>().0;
    assert_eq!(
        seen,
        &vec![
            (f.m1, 12, None),
            (f.m2, 17, None),
            (f.u1, 24, Some(100)),
            (f.u2, 31, Some(200))
        ]
    );
}

#[test]
fn local_is_kept_across_runs_per_system_and_per_world() {
    let mut q = Q::new();
    for _ in 0..3 {
        q.run_phase(QPhase::Count);
    }
    assert_eq!(q.resource::<Log>().0, ["a1", "b1", "a2", "b2", "a3", "b3"]);
    // `count_a` in another world has its own `Local`.
    let mut par = Par::new();
    par.tick();
    assert_eq!(par.resource::<Log>().0, ["a1"]);
    q.run_phase(QPhase::Count);
    assert_eq!(q.resource::<Log>().0.last().map(String::as_str), Some("b4"));
    // A fresh world starts from `Default`.
    let mut q2 = Q::new();
    q2.run_phase(QPhase::Count);
    assert_eq!(q2.resource::<Log>().0, ["a1", "b1"]);
}

#[test]
fn commands_spawn_despawn_insert_remove() {
    let mut f = fixture();
    let before = f.q.len();
    {
        let orders = f.q.resource_mut::<Orders>();
        orders.spawn_movers = vec![40, 41];
        orders.spawn_props = vec![50];
        orders.despawn = vec![f.p2];
        orders.insert_hp = vec![(f.m1, 5), (f.u2, 6)];
        orders.remove_hp = vec![f.u1];
    }
    f.q.run_phase(QPhase::Build);
    assert!(f.q.take_command_errors().is_empty());
    assert_eq!(f.q.len(), before + 3 - 1);
    assert!(!f.q.is_alive(f.p2));
    // Inserted into a mover: moved to `Unit`; into a unit: overwritten.
    assert_eq!(f.q.archetype_name(f.m1), Some("Unit"));
    assert_eq!(f.q.get::<Hp>(f.m1), Some(&Hp(5)));
    assert_eq!(f.q.get::<Pos>(f.m1), Some(&Pos(10)));
    assert_eq!(f.q.get::<Hp>(f.u2), Some(&Hp(6)));
    assert_eq!(f.q.archetype_name(f.u2), Some("Unit"));
    // Removed: `Unit` -> `Mover`.
    assert_eq!(f.q.archetype_name(f.u1), Some("Mover"));
    assert!(!f.q.has::<Hp>(f.u1));
    assert_eq!(f.q.get::<Vel>(f.u1), Some(&Vel(2)));
    // Spawned: an archetype struct and an exact tuple.
    let movers: Vec<(i32, i32)> =
        f.q.query_filtered::<(&Pos, &Vel), (Without<Hp>, Without<Ice>)>()
            .iter()
            .map(|(p, v)| (p.0, v.0))
            .collect();
    assert!(
        movers.contains(&(40, 40)) && movers.contains(&(41, 41)),
        "{movers:?}"
    );
    let props: Vec<i32> =
        f.q.query_filtered::<&Pos, Without<Vel>>()
            .iter()
            .map(|p| p.0)
            .collect();
    assert_eq!(props, vec![1, 50]);
    // The commands ran once: running the phase again changes nothing.
    let len = f.q.len();
    f.q.run_phase(QPhase::Build);
    assert_eq!(f.q.len(), len);
}

#[test]
fn failed_commands_are_reported_by_take_command_errors() {
    let mut f = fixture();
    {
        let orders = f.q.resource_mut::<Orders>();
        // Despawning an entity twice is not an error (two systems killing one enemy).
        orders.despawn = vec![f.p1, f.p1];
        orders.remove_hp = vec![f.m1];
        orders.insert_hp = vec![(f.p2, 3), (f.p1, 4)];
    }
    f.q.run_phase(QPhase::Build);
    let errors = f.q.take_command_errors();
    assert_eq!(
        errors,
        vec![
            EcsError::NoSuchArchetype {
                from: "Prop",
                component: "Hp"
            },
            EcsError::DeadEntity(f.p1),
            EcsError::MissingComponent {
                entity: f.m1,
                component: "Hp"
            },
        ]
    );
    assert!(
        f.q.take_command_errors().is_empty(),
        "taking clears the list"
    );
    assert_eq!(f.q.archetype_name(f.p2), Some("Prop"));
    assert_eq!(f.q.archetype_name(f.m1), Some("Mover"));
}

#[test]
fn par_for_each_on_a_pool_visits_every_row_once() {
    let mut par = Par::new();
    let movers = par.spawn_batch((0..5000).map(|i| Mover2(Pos(i), Vel(0))));
    let props = par.spawn_batch((0..3000).map(|i| (Pos(-i),)));
    par.tick();
    par.tick();
    for (i, e) in movers.iter().enumerate() {
        assert_eq!(par.get::<Pos>(*e), Some(&Pos(i as i32 * 4)));
    }
    for (i, e) in props.iter().enumerate() {
        assert_eq!(par.get::<Pos>(*e), Some(&Pos(-(i as i32) * 4)));
    }
    par.query_mut::<&mut Pos>().par_for_each(|p| p.0 += 1);
    assert_eq!(par.get::<Pos>(movers[4999]), Some(&Pos(4999 * 4 + 1)));
    assert_eq!(par.frame(), 2);
}

#[test]
fn frame_counts_ticks_not_phases() {
    let mut q = Q::new();
    assert_eq!(q.frame(), 0);
    q.run_phase(QPhase::Move);
    assert_eq!(q.frame(), 0);
    q.tick();
    q.tick();
    assert_eq!(q.frame(), 2);
    // tick ran every phase once, in order.
    assert_eq!(q.resource::<Log>().0, ["a1", "b1", "a2", "b2"]);
}

#[test]
fn bundles_spawn_batch_has_and_archetype_name() {
    let mut q = Q::new();
    let a = q.spawn(Unit(Pos(1), Vel(2), Hp(3)));
    let b = q.spawn((Pos(1), Vel(2), Hp(3)));
    assert_eq!(q.archetype_name(a), Some("Unit"));
    assert_eq!(q.archetype_name(b), Some("Unit"));
    let batch = q.spawn_batch(vec![(Hp(1),), (Hp(2),), (Hp(3),)]);
    assert_eq!(batch.len(), 3);
    let structs = q.spawn_batch((0..4).map(|i| Frozen(Pos(i), Vel(i), Ice)));
    assert_eq!(q.len(), 9);
    assert!(!q.is_empty());
    for (i, e) in batch.iter().enumerate() {
        assert_eq!(q.get::<Hp>(*e), Some(&Hp(i as i32 + 1)));
        assert_eq!(q.archetype_name(*e), Some("Husk"));
        assert!(q.has::<Hp>(*e));
        assert!(!q.has::<Pos>(*e));
    }
    for e in &structs {
        assert!(q.has::<Ice>(*e));
        assert_eq!(q.get::<Ice>(*e), Some(&Ice));
        assert_eq!(q.archetype_name(*e), Some("Frozen"));
    }
    let empty: Vec<Entity> = q.spawn_batch(Vec::<Mover>::new());
    assert!(empty.is_empty());
    assert!(q.despawn(a));
    assert!(!q.has::<Pos>(a));
    assert_eq!(q.archetype_name(a), None);
    assert_eq!(Q::ARCHETYPES, &["Mover", "Unit", "Prop", "Frozen", "Husk"]);
    let mut fresh = Q::default();
    assert!(fresh.is_empty());
    assert_eq!(fresh.len(), 0);
    let e = fresh.spawn(Prop(Pos(0)));
    *fresh.get_mut::<Pos>(e).unwrap() = Pos(4);
    assert_eq!(fresh.get::<Pos>(e), Some(&Pos(4)));
    assert_eq!(fresh.get::<Vel>(e), None);
    assert!(fresh.get_mut::<Hp>(e).is_none());
}

#[test]
fn world_insert_and_remove() -> Result<(), EcsError> {
    let mut q = Q::new();
    let e = q.spawn(Prop(Pos(1)));
    q.insert(e, Vel(2))?;
    assert_eq!(q.archetype_name(e), Some("Mover"));
    q.insert(e, Hp(3))?;
    assert_eq!(q.archetype_name(e), Some("Unit"));
    q.insert(e, Hp(4))?;
    assert_eq!(q.get::<Hp>(e), Some(&Hp(4)), "overwrite in place");
    assert_eq!(q.remove::<Hp>(e)?, Hp(4));
    assert_eq!(q.remove::<Vel>(e)?, Vel(2));
    assert_eq!(q.archetype_name(e), Some("Prop"));
    assert_eq!(q.get::<Pos>(e), Some(&Pos(1)));
    assert_eq!(
        q.remove::<Pos>(e),
        Err(EcsError::NoSuchArchetype {
            from: "Prop",
            component: "Pos"
        })
    );
    assert_eq!(
        q.remove::<Hp>(e),
        Err(EcsError::MissingComponent {
            entity: e,
            component: "Hp"
        })
    );
    assert_eq!(
        q.insert(e, Ice),
        Err(EcsError::NoSuchArchetype {
            from: "Prop",
            component: "Ice"
        })
    );
    q.despawn(e);
    assert_eq!(q.insert(e, Hp(1)), Err(EcsError::DeadEntity(e)));
    assert_eq!(q.remove::<Pos>(e), Err(EcsError::DeadEntity(e)));
    Ok(())
}

#[test]
fn ecs_error_display_and_error_trait() {
    let mut q = Q::new();
    let e = q.spawn(Prop(Pos(0)));
    q.despawn(e);
    let dead = EcsError::DeadEntity(e);
    let no_arch = EcsError::NoSuchArchetype {
        from: "Prop",
        component: "Ice",
    };
    let missing = EcsError::MissingComponent {
        entity: e,
        component: "Hp",
    };
    assert!(dead.to_string().contains(&format!("{e:?}")), "{dead}");
    assert!(
        no_arch.to_string().contains("Prop") && no_arch.to_string().contains("Ice"),
        "{no_arch}"
    );
    assert!(
        missing.to_string().contains("Hp") && missing.to_string().contains(&format!("{e:?}")),
        "{missing}"
    );
    let errors: Vec<Box<dyn std::error::Error>> =
        vec![Box::new(dead), Box::new(no_arch), Box::new(missing)];
    let texts: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(texts.len(), 3);
    assert!(texts.iter().all(|t| !t.is_empty()));
    assert_ne!(texts[0], texts[2]);
}

#[test]
fn entity_is_small_copy_ord_hash() {
    use std::collections::{BTreeSet, HashSet};
    assert_eq!(std::mem::size_of::<Entity>(), 8);
    let mut q = Q::new();
    let a = q.spawn(Prop(Pos(0)));
    let b = a;
    let c = q.spawn(Prop(Pos(0)));
    assert_eq!(a, b);
    assert_ne!(a, c);
    let hs: HashSet<Entity> = [a, b, c].into_iter().collect();
    let bs: BTreeSet<Entity> = [a, b, c].into_iter().collect();
    assert_eq!((hs.len(), bs.len()), (2, 2));
    assert!(!format!("{a:?}").is_empty());
}

#[test]
fn option_only_query_matches_every_archetype() {
    let f = fixture();
    let q = f.q.query::<Option<&Hp>>();
    assert_eq!(q.len(), f.q.len());
    let present: Vec<i32> = q.iter().flatten().map(|h| h.0).collect();
    assert_eq!(present, vec![100, 200, 7]);
    assert_eq!(q.get(f.p1), Some(None));
    assert_eq!(q.get(f.h1), Some(Some(&Hp(7))));
}

#[test]
fn command_errors_accumulate_until_taken() {
    let mut f = fixture();
    f.q.despawn(f.p1);
    f.q.resource_mut::<Orders>().insert_hp = vec![(f.p1, 1)];
    f.q.tick();
    f.q.resource_mut::<Orders>().remove_hp = vec![f.m1];
    f.q.run_phase(QPhase::Build);
    assert_eq!(
        f.q.take_command_errors(),
        vec![
            EcsError::DeadEntity(f.p1),
            EcsError::MissingComponent {
                entity: f.m1,
                component: "Hp"
            },
        ]
    );
    assert!(f.q.take_command_errors().is_empty());
}
