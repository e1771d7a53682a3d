//! Snapshots: `game.snapshot()` and `game.restore(&snapshot)` put a world back exactly,
//! entities with their generations (later spawns hand out the same handles), components
//! of every archetype and sparse set, resources, states, the clock and the frame count.

use metronome::prelude::*;

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Position(pub f32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Velocity(pub f32);
#[derive(Component, Clone, Debug, PartialEq)]
pub struct Name(pub String);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Slowed(pub u8);

#[derive(Clone, Default, Debug, PartialEq)]
pub struct Score(pub u64);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    Menu,
    Playing,
}

#[system]
fn integrate(mut q: Query<(&mut Position, &Velocity)>) {
    for (p, v) in q.iter_mut() {
        p.0 += v.0;
    }
}

#[system]
fn count(mut score: ResMut<Score>, q: Query<&Position>) {
    score.0 += q.len() as u64;
}

#[world(
    archetypes(Mover = (Position, Velocity), Named = (Position, Name)),
    sparse(Slowed),
    resources(Score),
    states(Mode = Mode::Menu),
    phases(Update),
    systems(Update = [integrate, count]),
    executor = sequential,
)]
pub struct Game;

fn positions(game: &Game) -> Vec<(Entity, f32)> {
    game.query::<(Entity, &Position)>()
        .iter()
        .map(|(e, p)| (e, p.0))
        .collect()
}

#[test]
fn restore_puts_back_entities_components_resources_state_and_frame() {
    let mut game = Game::new();
    let a = game.spawn(Mover(Position(0.0), Velocity(1.0)));
    let b = game.spawn(Named(Position(5.0), Name("b".into())));
    let c = game.spawn(Mover(Position(9.0), Velocity(-1.0)));
    game.insert(a, Slowed(3)).unwrap();
    assert!(game.despawn(c));
    game.tick();
    let snapshot = game.snapshot();
    let before = positions(&game);

    // Change everything.
    game.set_next_state(Mode::Playing);
    game.tick();
    game.tick();
    game.despawn(b);
    game.remove::<Slowed>(a).unwrap();
    let d = game.spawn(Mover(Position(1.0), Velocity(1.0)));
    game.resource_mut::<Score>().0 = 1000;

    game.restore(&snapshot);
    assert_eq!(positions(&game), before);
    assert!(game.is_alive(a) && game.is_alive(b) && !game.is_alive(c) && !game.is_alive(d));
    assert_eq!(game.get::<Slowed>(a), Some(&Slowed(3)));
    assert_eq!(game.get::<Name>(b), Some(&Name("b".into())));
    assert_eq!(game.frame(), 1);
    assert_eq!(game.state::<Mode>(), Mode::Menu);
    assert_eq!(game.resource::<Score>().0, 2);
    // The free list is back: the next spawn reuses `c`'s slot (only it was free at the
    // snapshot), one generation on; `d` took `b`'s slot, freed after the snapshot.
    let e = game.spawn(Mover(Position(1.0), Velocity(1.0)));
    assert_eq!((e.index(), e.generation()), (c.index(), c.generation() + 1));
    assert_eq!(d.index(), b.index());
}

#[test]
fn a_restored_world_runs_on_like_the_original() {
    let mut game = Game::new();
    for i in 0..50 {
        let e = game.spawn(Mover(Position(i as f32), Velocity(0.5)));
        if i % 3 == 0 {
            game.insert(e, Slowed(i as u8)).unwrap();
        }
        if i % 7 == 0 {
            game.despawn(e);
        }
    }
    game.tick();
    let snapshot = game.snapshot();
    let mut copy = Game::new();
    copy.restore(&snapshot);
    for _ in 0..5 {
        game.tick();
        copy.tick();
        let e1 = game.spawn(Named(Position(0.0), Name("x".into())));
        let e2 = copy.spawn(Named(Position(0.0), Name("x".into())));
        assert_eq!(e1, e2);
    }
    assert_eq!(positions(&game), positions(&copy));
    assert_eq!(game.resource::<Score>(), copy.resource::<Score>());
    assert_eq!(game.frame(), copy.frame());
}

#[test]
fn restore_twice_and_clone_of_a_snapshot() {
    let mut game = Game::new();
    let e = game.spawn(Mover(Position(1.0), Velocity(1.0)));
    let snapshot = game.snapshot().clone();
    for _ in 0..3 {
        game.tick();
        game.restore(&snapshot);
        assert_eq!(game.get::<Position>(e), Some(&Position(1.0)));
        assert_eq!(game.len(), 1);
    }
}

pub mod tree {
    use super::*;

    #[world(archetypes(Node = (Position)), hierarchy, executor = sequential)]
    pub struct Tree;
}

#[test]
fn restore_keeps_the_hierarchy_and_its_order() {
    let mut w = tree::Tree::new();
    let root = w.spawn((Position(0.0),));
    let kids: Vec<Entity> = (0..4).map(|i| w.spawn((Position(i as f32),))).collect();
    for &k in kids.iter().rev() {
        w.set_parent(k, root).unwrap();
    }
    w.set_parent(kids[3], kids[0]).unwrap();
    let snapshot = w.snapshot();
    w.despawn_recursive(root);
    assert!(w.is_empty());
    w.restore(&snapshot);
    assert_eq!(w.children(root), &[kids[2], kids[1], kids[0]]);
    assert_eq!(w.children(kids[0]), &[kids[3]]);
    assert_eq!(w.parent(kids[3]), Some(kids[0]));
    assert!(w.despawn_recursive(root));
    assert!(w.is_empty());
}

pub mod moves {
    use super::*;

    #[world(
        archetypes(Still = (Position), Moving = (Position, Velocity), Labelled = (Position, Velocity, Name)),
        sparse(Slowed),
        executor = sequential,
    )]
    pub struct Moves;
}

/// A live entity with its `Position`, `Velocity`, `Name` and `Slowed`.
type Row = (Entity, f32, Option<f32>, Option<String>, Option<u8>);

/// Every live entity with its components, per archetype in storage order.
fn rows(w: &moves::Moves) -> Vec<Row> {
    w.query::<(Entity, &Position, Option<&Velocity>, Option<&Name>)>()
        .iter()
        .map(|(e, p, v, n)| {
            (
                e,
                p.0,
                v.map(|v| v.0),
                n.map(|n| n.0.clone()),
                w.get::<Slowed>(e).map(|s| s.0),
            )
        })
        .collect()
}

/// The handles of `n` spawns (which depend on the free list's order and the slots'
/// generations).
fn spawns(w: &mut moves::Moves, n: usize) -> Vec<Entity> {
    (0..n).map(|_| w.spawn((Position(-1.0),))).collect()
}

#[test]
fn restore_gives_back_generations_free_list_order_and_archetype_moves() {
    use moves::Moves;
    let mut w = Moves::new();
    let mut all: Vec<Entity> = (0..30)
        .map(|i| match i % 3 {
            0 => w.spawn((Position(i as f32),)),
            1 => w.spawn((Position(i as f32), Velocity(1.0))),
            _ => w.spawn((Position(i as f32), Velocity(2.0), Name(format!("n{i}")))),
        })
        .collect();
    // Generations past 0: slots 4 and 9 reused twice, 12 once more and left free.
    for slot in [4, 9, 4, 9, 12] {
        assert!(w.despawn(all[slot]));
        let again = w.spawn((Position(100.0 + slot as f32),));
        assert_eq!(again.index(), all[slot].index());
        all[slot] = again;
    }
    assert!(w.despawn(all[12]));
    // A free list in no sorted order.
    for slot in [20, 3, 27, 15] {
        assert!(w.despawn(all[slot]));
    }
    // Archetype moves both ways, and sparse values.
    w.insert(all[6], Velocity(6.0)).unwrap();
    w.remove::<Velocity>(all[7]).unwrap();
    w.insert(all[10], Name("ten".into())).unwrap();
    w.insert(all[0], Slowed(1)).unwrap();
    w.insert(all[11], Slowed(2)).unwrap();
    let dead: Vec<Entity> = [3, 12, 15, 20, 27].iter().map(|&s| all[s]).collect();

    let snapshot = w.snapshot();
    let before = rows(&w);
    let len = w.len();
    let next = spawns(&mut w, 8);

    // Change everything: despawns, generation bumps of the free slots, moves back,
    // spawns past the old end.
    for e in next.iter().chain([&all[1], &all[2], &all[6]]) {
        w.despawn(*e);
    }
    w.remove::<Velocity>(all[6]).ok();
    w.insert(all[7], Velocity(7.0)).unwrap();
    w.remove::<Slowed>(all[11]).unwrap();
    let later = spawns(&mut w, 12);

    for target in [&mut w, &mut Moves::new()] {
        target.restore(&snapshot);
        assert_eq!(rows(target), before);
        assert_eq!(target.len(), len);
        assert!(dead.iter().all(|&e| !target.is_alive(e)));
        assert!(later
            .iter()
            .filter(|e| !next.contains(e))
            .all(|&e| !target.is_alive(e)));
        // The free list and the generations are back: the same handles come out, in the
        // same order, past the free list too.
        assert_eq!(spawns(target, 8), next);
    }
}

/// The steps a restore runs, called by hand: `reset` empties the world and hands back the
/// rebuild (`Refill`), which gives the world its storage back when it is dropped, filled
/// or not: the world stays usable.
#[test]
fn a_rebuild_dropped_halfway_leaves_a_consistent_world() {
    use metronome::__private::snapshot;
    let mut game = Game::new();
    let a = game.spawn(Mover(Position(1.0), Velocity(1.0)));
    let b = game.spawn(Named(Position(2.0), Name("b".into())));
    let index = snapshot::snapshot_index(&game);
    let clock = snapshot::clock(&game);

    // Dropped before any table is filled: no rows, the saved entities dead, spawns work.
    let refill = snapshot::reset(&mut game, &index, &clock).unwrap();
    drop(refill);
    assert_eq!(game.len(), 0);
    assert!(!game.is_alive(a) && !game.is_alive(b));
    assert_eq!(game.get::<Position>(a), None);
    let c = game.spawn(Mover(Position(3.0), Velocity(0.0)));
    assert_ne!((c.index(), c.generation()), (a.index(), a.generation()));
    assert_eq!(positions(&game), vec![(c, 3.0)]);
    assert!(game.despawn(c));
    game.tick();
}

/// A `Refill` forgotten (`mem::forget`) leaks the storage being filled (by design: this
/// test is skipped under valgrind's leak check) and leaves the world empty and usable.
#[test]
fn a_rebuild_forgotten_leaves_the_world_empty_and_usable() {
    use metronome::__private::snapshot;
    let mut game = Game::new();
    let a = game.spawn(Mover(Position(1.0), Velocity(1.0)));
    let index = snapshot::snapshot_index(&game);
    let clock = snapshot::clock(&game);
    let refill = snapshot::reset(&mut game, &index, &clock).unwrap();
    std::mem::forget(refill);
    assert_eq!(game.len(), 0);
    assert!(!game.is_alive(a));
    let d = game.spawn(Named(Position(4.0), Name("d".into())));
    assert_eq!(game.get::<Name>(d), Some(&Name("d".into())));
    game.tick();
    assert_eq!(positions(&game), vec![(d, 4.0)]);
    assert!(game.despawn(d));
    assert_eq!(game.len(), 0);
}

/// A rebuild's tables filled by hand: a table in two parts (the second appended after
/// the first's rows, by copy), then the sparse values, after which no table is filled;
/// dropped, the rebuild leaves the rows given alive and the entities no row claimed dead.
#[test]
fn a_rebuild_fills_a_table_in_parts_and_no_table_after_the_sparse_values() {
    use metronome::__private::snapshot::{self, ColumnValues, TableData};
    let mut game = Game::new();
    let movers: Vec<Entity> = (0..5)
        .map(|i| game.spawn(Mover(Position(i as f32), Velocity(1.0))))
        .collect();
    let named = game.spawn(Named(Position(9.0), Name("n".into())));
    let index = snapshot::snapshot_index(&game);
    let clock = snapshot::clock(&game);
    let mover_columns = |rows: std::ops::Range<usize>| {
        [
            ColumnValues::<Game>::new::<Velocity>(rows.clone().map(|_| Velocity(1.0)).collect()),
            ColumnValues::<Game>::new::<Position>(rows.map(|i| Position(i as f32)).collect()),
        ]
    };

    let mut refill = snapshot::reset(&mut game, &index, &clock).unwrap();
    snapshot::fill_table::<Game, (Position, Velocity)>(
        &mut refill,
        movers[..2].to_vec(),
        &mut mover_columns(0..2),
    )
    .unwrap();
    // A handle of the first part again: refused, nothing of this part written.
    let again = snapshot::fill_table::<Game, (Position, Velocity)>(
        &mut refill,
        vec![movers[2], movers[1]],
        &mut mover_columns(2..4),
    );
    assert!(again.unwrap_err().contains("two rows"));
    snapshot::fill_table::<Game, (Position, Velocity)>(
        &mut refill,
        movers[2..].to_vec(),
        &mut mover_columns(2..5),
    )
    .unwrap();
    snapshot::fill_sparse::<Game, Slowed>(
        &mut refill,
        TableData {
            entities: vec![movers[4]],
            columns: vec![Slowed(3)],
        },
    )
    .unwrap();
    let late = snapshot::fill_table::<Game, (Position, Name)>(
        &mut refill,
        vec![named],
        &mut [
            ColumnValues::<Game>::new::<Position>(vec![Position(9.0)]),
            ColumnValues::<Game>::new::<Name>(vec![Name("n".into())]),
        ],
    );
    assert!(late.unwrap_err().contains("sparse"));
    drop(refill);

    assert_eq!(game.len(), 5);
    for (i, &mover) in movers.iter().enumerate() {
        assert_eq!(game.get::<Position>(mover), Some(&Position(i as f32)));
    }
    assert_eq!(game.get::<Slowed>(movers[4]), Some(&Slowed(3)));
    assert!(!game.is_alive(named));
    // The rows are where the index says: a despawn moves the last row into the hole.
    assert!(game.despawn(movers[0]));
    assert_eq!(game.get::<Position>(movers[4]), Some(&Position(4.0)));
    assert_eq!(positions(&game).len(), 4);
}
