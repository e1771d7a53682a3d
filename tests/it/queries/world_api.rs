//! The world's entity methods outside systems: bundles, `spawn_batch`, `has`,
//! `archetype_name`, `insert`/`remove`; `EcsError` and `Entity`'s traits.

use super::*;

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
