//! Transform propagation over a `hierarchy`: every node's global offset is its parent's
//! global offset plus its own, computed roots first. Run with
//! `cargo run --example transform`.

use metronome::prelude::*;

/// A node's offset from its parent.
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Offset(pub f32);
/// A node's offset from the origin, written by `propagate`.
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Global(pub f32);

/// Global = parent's global + own offset, walking down from every root.
#[system]
pub fn propagate(
    roots: Query<Entity, (With<Offset>, Without<ChildOf>)>,
    nodes: Query<(&Offset, Option<&Children>)>,
    mut globals: Query<&mut Global>,
) {
    let mut stack: Vec<(Entity, f32)> = roots.iter().map(|r| (r, 0.0)).collect();
    while let Some((e, base)) = stack.pop() {
        let Some((offset, children)) = nodes.get(e) else {
            continue;
        };
        let global = base + offset.0;
        if let Some(g) = globals.get_mut(e) {
            g.0 = global;
        }
        for &c in children.map_or(&[][..], |c| c.as_slice()) {
            stack.push((c, global));
        }
    }
}

#[world(
    archetypes(Node = (Offset, Global)),
    hierarchy,
    phases(Update),
    systems(Update = [propagate]),
    executor = sequential,
)]
pub struct Scene;

fn main() -> Result<(), EcsError> {
    let mut scene = Scene::new();
    let mut node = |x: f32| scene.spawn(Node(Offset(x), Global(0.0)));
    let (body, arm, hand, lamp) = (node(10.0), node(1.0), node(0.5), node(-3.0));
    scene.set_parent(arm, body)?;
    scene.set_parent(hand, arm)?;
    // A cycle is refused and changes nothing.
    assert_eq!(
        scene.set_parent(body, hand),
        Err(EcsError::HierarchyCycle {
            child: body,
            parent: hand
        })
    );
    scene.tick();
    assert_eq!(scene.get::<Global>(hand), Some(&Global(11.5)));
    assert_eq!(scene.get::<Global>(lamp), Some(&Global(-3.0)));
    // Move the hand onto the lamp: its global follows.
    scene.set_parent(hand, lamp)?;
    scene.tick();
    assert_eq!(scene.get::<Global>(hand), Some(&Global(-2.5)));
    assert_eq!(scene.children(arm), &[] as &[Entity]);
    // Removing the body takes the arm with it; the lamp and the hand stay.
    assert!(scene.despawn_recursive(body));
    assert!(!scene.is_alive(arm));
    assert_eq!(scene.parent(hand), Some(lamp));
    for (offset, global) in scene.query::<(&Offset, &Global)>().iter() {
        println!("offset {:5.1} -> global {:5.1}", offset.0, global.0);
    }
    Ok(())
}
