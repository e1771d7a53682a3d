//! P1-COMMIT: a failed command changes nothing and is reported; the others still apply,
//! in call order; and every component value is dropped exactly once.

use metronome::prelude::*;
use std::sync::Arc;

use super::{Hp, Pos};

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
