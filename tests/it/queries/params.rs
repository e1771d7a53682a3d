//! System parameters on the fixture world: `Res` and filtered queries in systems, `Local`
//! per system and per world, `Commands` (and their failures, read with
//! `take_command_errors`), and `frame`.

use super::*;

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
