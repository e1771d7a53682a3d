//! The seed's bugs cannot happen here:
//! - P1-DESPAWN: despawn (and insert/remove moves) from the first, middle and last row keep
//!   every other entity's data right; a stale handle never reaches a reused slot;
//! - P1-OPTIONAL: `Option<&T>` in queries sees present and absent components;
//! - commands apply in system declaration order, then call order, whatever order the
//!   systems ran in;
//! - P1-COMMIT: a failed command changes nothing and is reported.

use metronome::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

// ---------------------------------------------------------------------------------------
// P1-DESPAWN, stale handles and P1-OPTIONAL
// ---------------------------------------------------------------------------------------

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Small(pub u8);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Big(pub [u64; 3]);
#[derive(Component, Clone, Debug, PartialEq)]
pub struct Name(pub String);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Zst;

#[derive(Default)]
pub struct NamesSeen(pub Vec<(Entity, Option<String>, bool)>);

#[system]
#[allow(clippy::type_complexity)]
fn collect_names(
    q: Query<(Entity, Option<&Name>, Option<&Zst>), With<Small>>,
    mut out: ResMut<NamesSeen>,
) {
    out.0 = q
        .iter()
        .map(|(e, n, z)| (e, n.map(|n| n.0.clone()), z.is_some()))
        .collect();
}

#[world(
    archetypes(
        Abc  = (Small, Big, Name),
        Ab   = (Small, Big),
        Abcz = (Small, Big, Name, Zst),
        Abz  = (Small, Big, Zst),
    ),
    resources(NamesSeen),
    phases(Opt),
    systems(Opt = [collect_names]),
    executor = sequential,
)]
pub struct D;

#[derive(Clone, Debug, PartialEq)]
struct Expect {
    small: u8,
    big: [u64; 3],
    name: Option<String>,
    zst: bool,
}

impl Expect {
    fn new(i: u8) -> Expect {
        Expect {
            small: i,
            big: [i as u64, 1000 + i as u64, u64::MAX - i as u64],
            name: Some(format!("n{i}")),
            zst: false,
        }
    }
    fn archetype(&self) -> &'static str {
        match (self.name.is_some(), self.zst) {
            (true, false) => "Abc",
            (false, false) => "Ab",
            (true, true) => "Abcz",
            (false, true) => "Abz",
        }
    }
}

fn spawn_abc(w: &mut D, model: &mut HashMap<Entity, Expect>, i: u8) -> Entity {
    let x = Expect::new(i);
    let e = w.spawn(Abc(
        Small(x.small),
        Big(x.big),
        Name(x.name.clone().unwrap()),
    ));
    model.insert(e, x);
    e
}

/// Every component of every live entity, through `get`, `has`, `archetype_name` and queries.
fn check(w: &D, model: &HashMap<Entity, Expect>) {
    assert_eq!(w.len(), model.len());
    for (e, x) in model {
        assert!(w.is_alive(*e), "{e:?}");
        assert_eq!(w.get::<Small>(*e), Some(&Small(x.small)), "{e:?}");
        assert_eq!(w.get::<Big>(*e), Some(&Big(x.big)), "{e:?}");
        assert_eq!(w.get::<Name>(*e).map(|n| n.0.clone()), x.name, "{e:?}");
        assert_eq!(w.has::<Zst>(*e), x.zst, "{e:?}");
        assert_eq!(w.archetype_name(*e), Some(x.archetype()), "{e:?}");
    }
    let mut n = 0;
    for (e, s, b, name, z) in w
        .query::<(Entity, &Small, &Big, Option<&Name>, Option<&Zst>)>()
        .iter()
    {
        let x = &model[&e];
        assert_eq!(
            (s.0, b.0, name.map(|n| n.0.clone()), z.is_some()),
            (x.small, x.big, x.name.clone(), x.zst)
        );
        n += 1;
    }
    assert_eq!(n, model.len());
}

#[test]
fn despawn_first_middle_and_last_rows() {
    let mut w = D::new();
    let mut model = HashMap::new();
    let es: Vec<Entity> = (0..7).map(|i| spawn_abc(&mut w, &mut model, i)).collect();
    check(&w, &model);
    // Rows are in spawn order: es[0] is the first row, es[6] the last.
    let order: Vec<Entity> = w.query::<Entity>().iter().collect();
    assert_eq!(order, es);
    for victim in [es[0], es[3], es[6], es[5], es[1]] {
        assert!(w.despawn(victim));
        model.remove(&victim);
        check(&w, &model);
        assert!(!w.despawn(victim), "second despawn");
        check(&w, &model);
    }
    for e in [es[2], es[4]] {
        assert!(w.despawn(e));
        model.remove(&e);
        check(&w, &model);
    }
    assert!(w.is_empty());
    // The table is usable after being emptied.
    for i in 10..13 {
        spawn_abc(&mut w, &mut model, i);
    }
    check(&w, &model);
}

#[test]
fn insert_and_remove_moves_keep_other_rows_right() -> Result<(), EcsError> {
    let mut w = D::new();
    let mut model = HashMap::new();
    let es: Vec<Entity> = (0..8).map(|i| spawn_abc(&mut w, &mut model, i)).collect();
    // Move out of the first, a middle and the last row of `Abc`, both ways.
    for (k, e) in [es[0], es[4], es[7]].into_iter().enumerate() {
        w.insert(e, Zst)?;
        model.get_mut(&e).unwrap().zst = true;
        check(&w, &model);
        let name = w.remove::<Name>(es[k + 1])?;
        assert_eq!(Some(name.0), model.get_mut(&es[k + 1]).unwrap().name.take());
        check(&w, &model);
    }
    // Back again (`Ab` -> `Abc`), and out of the moved-to tables' rows.
    w.insert(es[1], Name("again".into()))?;
    model.get_mut(&es[1]).unwrap().name = Some("again".into());
    check(&w, &model);
    assert_eq!(w.remove::<Zst>(es[4])?, Zst);
    model.get_mut(&es[4]).unwrap().zst = false;
    check(&w, &model);
    // Overwriting in place keeps the row.
    w.insert(es[5], Small(99))?;
    model.get_mut(&es[5]).unwrap().small = 99;
    check(&w, &model);
    // Despawn after moves.
    for e in [es[4], es[0], es[2]] {
        assert!(w.despawn(e));
        model.remove(&e);
        check(&w, &model);
    }
    Ok(())
}

#[test]
fn stale_handle_never_reaches_a_reused_slot() {
    let mut w = D::new();
    let mut model = HashMap::new();
    let keep = spawn_abc(&mut w, &mut model, 1);
    let old = spawn_abc(&mut w, &mut model, 2);
    assert!(w.despawn(old));
    model.remove(&old);
    let new = spawn_abc(&mut w, &mut model, 3);
    assert_eq!(new.index(), old.index(), "the slot is reused");
    assert_ne!(new, old);
    check(&w, &model);

    assert!(!w.is_alive(old));
    assert_eq!(w.get::<Small>(old), None);
    assert!(w.get_mut::<Small>(old).is_none());
    assert!(!w.has::<Small>(old));
    assert_eq!(w.archetype_name(old), None);
    assert_eq!(w.insert(old, Zst), Err(EcsError::DeadEntity(old)));
    assert_eq!(w.insert(old, Small(0)), Err(EcsError::DeadEntity(old)));
    assert_eq!(w.remove::<Name>(old), Err(EcsError::DeadEntity(old)));
    assert!(w.query::<&Small>().get(old).is_none());
    assert!(w.query_mut::<&mut Small>().get_mut(old).is_none());
    assert!(!w.despawn(old));
    check(&w, &model);
    assert!(w.is_alive(new) && w.is_alive(keep));

    // Reuse the slot many times: every older handle stays dead.
    let mut handles = vec![old];
    let mut current = new;
    for i in 0..20 {
        assert!(w.despawn(current));
        model.remove(&current);
        handles.push(current);
        current = spawn_abc(&mut w, &mut model, 100 + i);
        for h in &handles {
            assert!(!w.is_alive(*h));
            assert_ne!(*h, current);
        }
        check(&w, &model);
    }
}

#[test]
fn option_sees_present_and_absent_components() -> Result<(), EcsError> {
    let mut w = D::new();
    let a = w.spawn(Abc(Small(1), Big([0; 3]), Name("a".into())));
    let b = w.spawn((Small(2), Big([0; 3])));
    let c = w.spawn(Abcz(Small(3), Big([0; 3]), Name("c".into()), Zst));
    let d = w.spawn(Abz(Small(4), Big([0; 3]), Zst));
    w.run_phase(DPhase::Opt);
    assert_eq!(
        w.resource::<NamesSeen>().0,
        vec![
            (a, Some("a".to_string()), false),
            (b, None, false),
            (c, Some("c".to_string()), true),
            (d, None, true)
        ]
    );
    // After moves, the same entities are seen with their new sets.
    w.remove::<Name>(a)?;
    w.insert(b, Name("b".into()))?;
    w.remove::<Zst>(c)?;
    w.run_phase(DPhase::Opt);
    let mut seen = w.resource::<NamesSeen>().0.clone();
    seen.sort();
    let mut want = vec![
        (a, None, false),
        (b, Some("b".to_string()), false),
        (c, Some("c".to_string()), false),
        (d, None, true),
    ];
    want.sort();
    assert_eq!(seen, want);
    // `Option<&mut T>` writes present components only.
    for (n, z) in w
        .query_mut::<(Option<&mut Name>, Option<&Zst>)>()
        .iter_mut()
    {
        if let Some(n) = n {
            n.0.push(if z.is_some() { '!' } else { '?' });
        }
    }
    assert_eq!(w.get::<Name>(b), Some(&Name("b?".into())));
    assert_eq!(w.get::<Name>(c), Some(&Name("c?".into())));
    assert_eq!(w.get::<Name>(a), None);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Command order
// ---------------------------------------------------------------------------------------

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Seq(pub u32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Pos(pub i32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Hp(pub i32);

pub struct Target(pub Option<Entity>);
#[derive(Default)]
pub struct Counted(pub usize);

fn emit(k: u32, target: &Target, commands: &mut Commands) {
    commands.spawn((Seq(10 * k),));
    commands.spawn(Rec(Seq(10 * k + 1)));
    if let Some(e) = target.0 {
        commands.insert(e, Hp(10 * k as i32));
        commands.insert(e, Hp(10 * k as i32 + 1));
    }
}

/// Declared first, records last in time (when the stage's systems run at once).
#[system]
fn s1(target: Res<Target>, mut commands: Commands) {
    std::thread::sleep(Duration::from_millis(60));
    emit(1, &target, &mut commands);
}
#[system]
fn s2(target: Res<Target>, mut commands: Commands) {
    std::thread::sleep(Duration::from_millis(30));
    emit(2, &target, &mut commands);
}
#[system]
fn s3(target: Res<Target>, mut commands: Commands) {
    emit(3, &target, &mut commands);
}

#[system]
fn c_early(mut commands: Commands) {
    commands.spawn((Seq(100),));
}
#[system]
fn c_mid(mut commands: Commands) {
    commands.spawn((Seq(200),));
}
#[system]
fn c_late(seqs: Query<&Seq>, mut counted: ResMut<Counted>, mut commands: Commands) {
    counted.0 = seqs.len();
    commands.spawn((Seq(300),));
}

#[world(
    archetypes(Rec = (Seq), Spot = (Pos), Hurt = (Pos, Hp)),
    resources(Target = Target(None), Counted),
    phases(Same, Cross),
    systems(
        Same  = [s1, s2, s3],
        Cross = [c_late.after(c_early), c_early, c_mid],
    ),
    executor = work_stealing(workers = 2),
)]
pub struct Order;

fn seqs(w: &Order) -> Vec<u32> {
    w.query::<&Seq>().iter().map(|s| s.0).collect()
}

#[test]
fn commands_apply_in_declaration_order_then_call_order() {
    assert_eq!(Order::SCHEDULE.phases[0].stages, &[&["s1", "s2", "s3"][..]]);
    let mut w = Order::new();
    let target = w.spawn(Spot(Pos(0)));
    w.resource_mut::<Target>().0 = Some(target);
    w.run_phase(OrderPhase::Same);
    assert!(w.take_command_errors().is_empty());
    assert_eq!(seqs(&w), [10, 11, 20, 21, 30, 31]);
    assert_eq!(w.get::<Hp>(target), Some(&Hp(31)));
    assert_eq!(w.archetype_name(target), Some("Hurt"));
    // Again: the buffers were emptied, and the order holds on every run.
    w.run_phase(OrderPhase::Same);
    assert_eq!(seqs(&w), [10, 11, 20, 21, 30, 31, 10, 11, 20, 21, 30, 31]);
    assert_eq!(w.get::<Hp>(target), Some(&Hp(31)));
}

#[test]
fn commands_apply_at_the_end_of_their_stage() {
    assert_eq!(
        Order::SCHEDULE.phases[1].stages,
        &[&["c_early", "c_mid"][..], &["c_late"][..]]
    );
    let mut w = Order::new();
    w.run_phase(OrderPhase::Cross);
    // `c_late` (stage 1) saw the spawns of stage 0; its own spawn came after them.
    assert_eq!(w.resource::<Counted>().0, 2);
    assert_eq!(seqs(&w), [100, 200, 300]);
    assert_eq!(w.len(), 3);
}

// ---------------------------------------------------------------------------------------
// P1-COMMIT: failed commands
// ---------------------------------------------------------------------------------------

/// Counts its live copies through the `Arc`.
#[derive(Component, Clone, Debug)]
pub struct Token(pub Arc<()>);
/// A component of no archetype of world `C`.
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Stranger;

type Step = Box<dyn for<'a> FnOnce(&mut Commands<'a>) + Send + Sync>;

#[derive(Default)]
pub struct Script(pub Vec<Step>);

#[system]
fn run_script(mut script: ResMut<Script>, mut commands: Commands) {
    for step in script.0.drain(..) {
        step(&mut commands);
    }
}

#[world(
    archetypes(Unit = (Pos, Hp), Prop = (Pos), Tok = (Pos, Token)),
    resources(Script),
    phases(Run),
    systems(Run = [run_script]),
    executor = sequential,
    // These tests read failed commands back with `take_command_errors`.
    on_command_error = collect,
)]
pub struct C;

fn script(w: &mut C, steps: Vec<Step>) -> Vec<EcsError> {
    w.resource_mut::<Script>().0 = steps;
    w.run_phase(CPhase::Run);
    w.take_command_errors()
}

/// Every entity with every component, sorted.
#[allow(clippy::type_complexity)]
fn snapshot(w: &C) -> Vec<(Entity, &'static str, i32, Option<i32>, bool)> {
    let mut s: Vec<_> = w
        .query::<(Entity, &Pos, Option<&Hp>, Option<&Token>)>()
        .iter()
        .map(|(e, p, h, t)| {
            (
                e,
                w.archetype_name(e).unwrap(),
                p.0,
                h.map(|h| h.0),
                t.is_some(),
            )
        })
        .collect();
    s.sort();
    assert_eq!(s.len(), w.len());
    s
}

#[test]
fn failed_commands_change_nothing_and_are_reported() {
    let token = Arc::new(());
    let mut w = C::new();
    let u = w.spawn(Unit(Pos(1), Hp(2)));
    let p = w.spawn(Prop(Pos(3)));
    let _t = w.spawn(Tok(Pos(4), Token(token.clone())));
    let dead = w.spawn(Prop(Pos(5)));
    assert!(w.despawn(dead));
    let before = snapshot(&w);
    assert_eq!(Arc::strong_count(&token), 2);

    let (t1, t2, t3) = (token.clone(), token.clone(), token.clone());
    let errors = script(
        &mut w,
        vec![
            Box::new(move |c| c.insert(dead, Hp(9))),
            Box::new(move |c| c.insert(dead, Token(t1))),
            Box::new(move |c| c.remove::<Hp>(p)),
            Box::new(move |c| c.insert(u, Token(t2))),
            Box::new(move |c| c.remove::<Pos>(p)),
            Box::new(|c| {
                c.spawn((Hp(1),));
            }),
            Box::new(move |c| {
                c.spawn((Pos(1), Hp(1), Token(t3)));
            }),
            // Despawning a dead entity is not an error.
            Box::new(move |c| c.despawn(dead)),
            Box::new(move |c| c.remove::<Hp>(dead)),
        ],
    );
    assert_eq!(errors.len(), 8, "{errors:?}");
    assert_eq!(errors[0], EcsError::DeadEntity(dead));
    assert_eq!(errors[1], EcsError::DeadEntity(dead));
    assert_eq!(
        errors[2],
        EcsError::MissingComponent {
            entity: p,
            component: "Hp"
        }
    );
    assert_eq!(
        errors[3],
        EcsError::NoSuchArchetype {
            from: "Unit",
            component: "Token"
        }
    );
    assert_eq!(
        errors[4],
        EcsError::NoSuchArchetype {
            from: "Prop",
            component: "Pos"
        }
    );
    assert!(
        matches!(errors[5], EcsError::NoArchetypeForBundle { .. }),
        "{:?}",
        errors[5]
    );
    assert!(
        matches!(errors[6], EcsError::NoArchetypeForBundle { .. }),
        "{:?}",
        errors[6]
    );
    assert_eq!(errors[7], EcsError::DeadEntity(dead));
    for e in &errors {
        assert!(!e.to_string().is_empty());
    }
    assert_eq!(snapshot(&w), before, "a failed command changed the world");
    // Each rejected `Token` was dropped once: only the world's copy and ours remain.
    assert_eq!(Arc::strong_count(&token), 2);
    assert!(w.take_command_errors().is_empty());

    // Components of no archetype of the world are rejected too.
    let errors = script(
        &mut w,
        vec![
            Box::new(move |c| c.insert(u, Stranger)),
            Box::new(move |c| c.remove::<Stranger>(u)),
        ],
    );
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(snapshot(&w), before);
    drop(w);
    assert_eq!(Arc::strong_count(&token), 1);
}

#[test]
fn a_failed_command_does_not_stop_the_others_and_call_order_holds() {
    let mut w = C::new();
    let a = w.spawn(Prop(Pos(1)));
    let b = w.spawn(Prop(Pos(2)));
    let errors = script(
        &mut w,
        vec![
            Box::new(move |c| c.insert(a, Hp(1))),
            Box::new(move |c| c.remove::<Hp>(b)),
            Box::new(move |c| c.insert(a, Hp(2))),
            // Despawn, then insert: the insert fails.
            Box::new(move |c| c.despawn(b)),
            Box::new(move |c| c.insert(b, Hp(3))),
            Box::new(|c| {
                c.spawn(Prop(Pos(7)));
            }),
        ],
    );
    assert_eq!(
        errors,
        vec![
            EcsError::MissingComponent {
                entity: b,
                component: "Hp"
            },
            EcsError::DeadEntity(b)
        ]
    );
    assert_eq!(w.get::<Hp>(a), Some(&Hp(2)));
    assert_eq!(w.archetype_name(a), Some("Unit"));
    assert!(!w.is_alive(b));
    assert_eq!(w.len(), 2);
    // Insert, then despawn: no error.
    let errors = script(
        &mut w,
        vec![
            Box::new(move |c| c.insert(a, Hp(5))),
            Box::new(move |c| c.despawn(a)),
        ],
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert!(!w.is_alive(a));
    let positions: Vec<i32> = w.query::<&Pos>().iter().map(|p| p.0).collect();
    assert_eq!(positions, [7]);
}

#[test]
fn stale_handle_in_commands_never_reaches_a_reused_slot() {
    let mut w = C::new();
    let old = w.spawn(Unit(Pos(1), Hp(1)));
    assert!(w.despawn(old));
    let new = w.spawn(Unit(Pos(2), Hp(2)));
    assert_eq!(new.index(), old.index());
    let before = snapshot(&w);
    let errors = script(
        &mut w,
        vec![
            Box::new(move |c| c.insert(old, Hp(9))),
            Box::new(move |c| c.remove::<Hp>(old)),
            Box::new(move |c| c.despawn(old)),
        ],
    );
    // The despawn of the stale handle is no error, and reaches nothing either.
    assert_eq!(errors, vec![EcsError::DeadEntity(old); 2]);
    assert_eq!(snapshot(&w), before);
    assert_eq!(w.get::<Hp>(new), Some(&Hp(2)));
}

#[test]
fn failed_world_operations_change_nothing() {
    let token = Arc::new(());
    let mut w = C::new();
    let u = w.spawn(Unit(Pos(1), Hp(2)));
    let p = w.spawn(Prop(Pos(3)));
    let dead = w.spawn(Prop(Pos(5)));
    w.despawn(dead);
    let before = snapshot(&w);
    assert_eq!(
        w.insert(dead, Token(token.clone())),
        Err(EcsError::DeadEntity(dead))
    );
    assert_eq!(
        w.insert(u, Token(token.clone())),
        Err(EcsError::NoSuchArchetype {
            from: "Unit",
            component: "Token"
        })
    );
    assert_eq!(
        w.remove::<Hp>(p),
        Err(EcsError::MissingComponent {
            entity: p,
            component: "Hp"
        })
    );
    assert_eq!(
        w.remove::<Token>(u).map(|_| ()),
        Err(EcsError::MissingComponent {
            entity: u,
            component: "Token"
        })
    );
    assert_eq!(
        w.remove::<Pos>(p),
        Err(EcsError::NoSuchArchetype {
            from: "Prop",
            component: "Pos"
        })
    );
    assert_eq!(w.remove::<Pos>(dead), Err(EcsError::DeadEntity(dead)));
    assert!(!w.despawn(dead));
    assert_eq!(snapshot(&w), before);
    assert_eq!(
        Arc::strong_count(&token),
        1,
        "rejected values are dropped once"
    );
}

#[test]
fn every_component_value_is_dropped_exactly_once() -> Result<(), EcsError> {
    let token = Arc::new(());
    let count = || Arc::strong_count(&token);
    let mut w = C::new();
    let es: Vec<Entity> = w.spawn_batch((0..6).map(|i| Tok(Pos(i), Token(token.clone()))));
    assert_eq!(count(), 7);
    // Moved out by `remove`: the caller owns it.
    let t = w.remove::<Token>(es[0])?;
    assert_eq!(count(), 7);
    drop(t);
    assert_eq!(count(), 6);
    // Despawn, directly and deferred; deferred remove.
    assert!(w.despawn(es[1]));
    assert_eq!(count(), 5);
    let (e2, e3, e4, e5) = (es[2], es[3], es[4], es[5]);
    let (t1, t2) = (token.clone(), token.clone());
    assert_eq!(count(), 7);
    let errors = script(
        &mut w,
        vec![
            Box::new(move |c| c.despawn(e2)),
            Box::new(move |c| c.remove::<Token>(e3)),
            // Overwrites drop the old value.
            Box::new(move |c| c.insert(e4, Token(t1))),
            Box::new(move |c| {
                c.spawn(Tok(Pos(9), Token(t2)));
            }),
        ],
    );
    assert!(errors.is_empty(), "{errors:?}");
    // e4, e5 and the spawned entity hold one each.
    assert_eq!(count(), 4);
    w.insert(e5, Token(token.clone()))?;
    assert_eq!(count(), 4);
    assert_eq!(w.archetype_name(e3), Some("Prop"));
    drop(w);
    assert_eq!(count(), 1);
    Ok(())
}
