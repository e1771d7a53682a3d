//! Every query form and method on the fixture world: `&T`, `&mut T`, `Option<&T>`,
//! `Option<&mut T>`, nested tuples, `With`/`Without` filters, `len`, `get`/`get_mut`, the
//! iteration methods (on a pool too) and the query constructors of the world.

use super::*;

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
