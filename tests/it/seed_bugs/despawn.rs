//! P1-DESPAWN: despawn (and insert/remove moves) from the first, middle and last row keep
//! every other entity's data right; a stale handle never reaches a reused slot.
//! P1-OPTIONAL: `Option<&T>` in queries sees present and absent components.

use metronome::prelude::*;
use std::collections::HashMap;

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
