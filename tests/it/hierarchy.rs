//! `hierarchy`: `ChildOf`/`Children` kept consistent through `set_parent` (direct and
//! deferred), `insert`/`remove` of `ChildOf`, `remove::<Children>`, `despawn` and
//! `despawn_recursive`; cycles are rejected; a transform propagates down the tree.

use metronome::prelude::*;

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Offset(pub f32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Global(pub f32);

/// Orders for `adopt`: (child, parent) pairs.
#[derive(Default)]
pub struct Adoptions(pub Vec<(Entity, Entity)>);

#[system]
pub fn adopt(mut orders: ResMut<Adoptions>, mut commands: Commands) {
    for (child, parent) in std::mem::take(&mut orders.0) {
        commands.entity(child).set_parent(parent);
    }
}

/// Global = parent's global + local, roots first (a transform propagation).
#[system]
pub fn propagate(
    roots: Query<(Entity, &Offset), Without<ChildOf>>,
    nodes: Query<(&Offset, Option<&Children>)>,
    mut globals: Query<&mut Global>,
) {
    fn visit(
        e: Entity,
        base: f32,
        nodes: &Query<(&Offset, Option<&Children>)>,
        globals: &mut Query<&mut Global>,
    ) {
        let Some((local, children)) = nodes.get(e) else {
            return;
        };
        let global = base + local.0;
        if let Some(g) = globals.get_mut(e) {
            g.0 = global;
        }
        for &c in children.map(|c| c.as_slice()).unwrap_or(&[]) {
            visit(c, global, nodes, globals);
        }
    }
    for (root, _) in roots.iter() {
        visit(root, 0.0, &nodes, &mut globals);
    }
}

#[world(
    archetypes(Node = (Offset, Global)),
    hierarchy,
    resources(Adoptions),
    phases(Update),
    systems(Update = [adopt, propagate]),
    executor = sequential,
    on_command_error = collect,
)]
pub struct Scene;

fn node(scene: &mut Scene, local: f32) -> Entity {
    scene.spawn(Node(Offset(local), Global(0.0)))
}

/// Checks the invariant: every `ChildOf` matches one entry of its parent's `Children`,
/// and every `Children` entry points back.
fn assert_consistent(scene: &Scene, all: &[Entity]) {
    for &e in all.iter().filter(|&&e| scene.is_alive(e)) {
        if let Some(p) = scene.parent(e) {
            assert!(scene.is_alive(p), "{e:?}'s parent {p:?} is dead");
            assert_eq!(
                scene.children(p).iter().filter(|&&c| c == e).count(),
                1,
                "{e:?} listed once by {p:?}"
            );
            assert_eq!(scene.get::<ChildOf>(e), Some(&ChildOf(p)));
        } else {
            assert!(!scene.has::<ChildOf>(e));
        }
        for &c in scene.children(e) {
            assert_eq!(scene.parent(c), Some(e));
        }
        assert_eq!(scene.has::<Children>(e), !scene.children(e).is_empty());
    }
}

#[test]
fn set_parent_moves_children_and_rejects_cycles() {
    let mut s = Scene::new();
    let [a, b, c, d] = [1.0, 2.0, 3.0, 4.0].map(|x| node(&mut s, x));
    s.set_parent(b, a).unwrap();
    s.set_parent(c, b).unwrap();
    s.set_parent(d, b).unwrap();
    assert_eq!(s.children(b), &[c, d]);
    assert_eq!(s.parent(c), Some(b));
    assert_eq!(s.archetype_name(b), Some("Node"));
    // Cycles: onto itself, onto a descendant.
    assert_eq!(
        s.set_parent(a, a),
        Err(EcsError::HierarchyCycle {
            child: a,
            parent: a
        })
    );
    assert_eq!(
        s.set_parent(a, d),
        Err(EcsError::HierarchyCycle {
            child: a,
            parent: d
        })
    );
    assert_eq!(s.parent(a), None);
    // Re-parenting moves `d` from `b` to `a`.
    s.set_parent(d, a).unwrap();
    assert_eq!(s.children(b), &[c]);
    assert_eq!(s.children(a), &[b, d]);
    // `insert` of `ChildOf` is a `set_parent`; `remove` detaches.
    s.insert(c, ChildOf(a)).unwrap();
    assert_eq!(s.children(a), &[b, d, c]);
    assert!(s.children(b).is_empty() && !s.has::<Children>(b));
    assert_eq!(s.remove::<ChildOf>(d), Ok(ChildOf(a)));
    assert_eq!(s.children(a), &[b, c]);
    assert_eq!(
        s.insert(b, ChildOf(c)),
        Ok(()),
        "`b` has no children left, so under `c` is fine"
    );
    assert_eq!(
        s.insert(a, ChildOf(b)),
        Err(EcsError::HierarchyCycle {
            child: a,
            parent: b
        })
    );
    // `remove::<Children>` orphans every child.
    let children = s.remove::<Children>(a).unwrap();
    assert_eq!(children.as_slice(), &[c]);
    assert_eq!(s.parent(c), None);
    assert_consistent(&s, &[a, b, c, d]);
}

#[test]
fn despawn_unlinks_and_despawn_recursive_takes_the_subtree() {
    let mut s = Scene::new();
    let nodes: Vec<Entity> = (0..8).map(|i| node(&mut s, i as f32)).collect();
    // 0 -> 1 -> 2 -> 3, 1 -> 4, 0 -> 5; 6 -> 7
    for (c, p) in [(1, 0), (2, 1), (3, 2), (4, 1), (5, 0), (7, 6)] {
        s.set_parent(nodes[c], nodes[p]).unwrap();
    }
    // A plain despawn of a middle node orphans its children.
    assert!(s.despawn(nodes[2]));
    assert_eq!(s.parent(nodes[3]), None);
    assert_eq!(s.children(nodes[1]), &[nodes[4]]);
    assert_consistent(&s, &nodes);
    // The slot of `2` is reused: the new entity has no links.
    let fresh = node(&mut s, 9.0);
    assert_eq!(s.parent(fresh), None);
    assert!(s.children(fresh).is_empty());
    assert!(s.despawn_recursive(nodes[0]));
    for i in [0, 1, 4, 5] {
        assert!(!s.is_alive(nodes[i]), "{i} despawned");
    }
    assert!(s.is_alive(nodes[3]) && s.is_alive(nodes[6]) && s.is_alive(nodes[7]));
    assert!(!s.despawn_recursive(nodes[0]));
    assert_eq!(
        s.set_parent(nodes[3], nodes[0]),
        Err(EcsError::DeadEntity(nodes[0]))
    );
    assert_consistent(&s, &nodes);
}

#[test]
fn deferred_set_parent_and_transform_propagation() {
    let mut s = Scene::new();
    let root = node(&mut s, 10.0);
    let arm = node(&mut s, 1.0);
    let hand = node(&mut s, 0.5);
    s.resource_mut::<Adoptions>().0 = vec![(arm, root), (hand, arm), (root, hand)];
    s.tick();
    // The third order would close a cycle: it failed, and changed nothing.
    assert_eq!(
        s.take_command_errors(),
        vec![EcsError::HierarchyCycle {
            child: root,
            parent: hand
        }]
    );
    assert_eq!(s.parent(hand), Some(arm));
    s.tick();
    assert_eq!(s.get::<Global>(hand), Some(&Global(11.5)));
    assert_eq!(s.get::<Global>(arm), Some(&Global(11.0)));
    // A deferred re-parenting moves the hand under the root.
    s.resource_mut::<Adoptions>().0 = vec![(hand, root)];
    s.tick(); // applied at the end of the stage `propagate` ran in
    assert_eq!(s.children(root), &[arm, hand]);
    s.tick();
    assert_eq!(s.get::<Global>(hand), Some(&Global(10.5)));
    assert_consistent(&s, &[root, arm, hand]);
}
