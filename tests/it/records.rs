//! Records (`take`, `put`, `transfer`, `import`): a world-independent bag of components
//! keyed by type moves entities between worlds; a failed operation changes nothing and
//! loses nothing, and every component value is dropped exactly once.

use metronome::prelude::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Position {
    pub x: f32,
    pub y: f32,
}
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Velocity {
    pub x: f32,
    pub y: f32,
}
#[derive(Component, Clone, Debug, PartialEq)]
pub struct Health(pub i32);
#[derive(Component, Clone, Debug, PartialEq)]
pub struct Name(pub String);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Slowed(pub u8);

/// Counts its drops per id, to check each value is dropped exactly once.
#[derive(Component, Debug, PartialEq)]
pub struct Tracked(pub u64);

static DROPS: Mutex<Option<HashMap<u64, u32>>> = Mutex::new(None);
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

impl Tracked {
    fn new() -> Tracked {
        Tracked(NEXT_ID.fetch_add(1, Ordering::SeqCst))
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let mut drops = DROPS.lock().unwrap();
        *drops
            .get_or_insert_with(HashMap::new)
            .entry(self.0)
            .or_default() += 1;
    }
}

fn drops_of(id: u64) -> u32 {
    DROPS
        .lock()
        .unwrap()
        .as_ref()
        .and_then(|d| d.get(&id).copied())
        .unwrap_or(0)
}

/// Moves every mover's `Name` out into its outbox, as a record for world 1.
#[system]
pub fn emigrate(movers: Query<(Entity, &Velocity)>, mut outbox: Outbox) {
    for (e, v) in movers.iter() {
        if v.x < 0.0 {
            outbox.send_entity(1, e);
        }
    }
    outbox.send(2, Record::new().with(Name("note".into())));
}

#[world(
    archetypes(
        Mover = (Position, Velocity),
        Unit = (Position, Velocity, Health),
        Token = (Position, Tracked),
        Label = (Name),
    ),
    sparse(Slowed),
    phases(Update),
    systems(Update = [emigrate]),
    executor = sequential,
    on_command_error = collect,
)]
pub struct Server;

mod client {
    use super::*;
    /// A world with fewer archetypes: no `Unit`.
    #[world(
        archetypes(Mover = (Position, Velocity), Token = (Position, Tracked)),
        sparse(Slowed),
        executor = sequential,
    )]
    pub struct Client;
}
use client::Client;

fn pos(x: f32) -> Position {
    Position { x, y: -x }
}
fn vel(x: f32) -> Velocity {
    Velocity { x, y: 2.0 * x }
}

/// P1-TRANSFER: a record built in any order of `with` spawns every value into its own
/// column (the seed packed values in call order and unpacked them by component index).
#[test]
fn with_in_any_order_puts_each_value_in_its_column() {
    let mut game = Server::new();
    let records = [
        Record::new().with(pos(1.0)).with(vel(2.0)).with(Health(3)),
        Record::new().with(Health(3)).with(vel(2.0)).with(pos(1.0)),
        Record::new().with(vel(2.0)).with(Health(3)).with(pos(1.0)),
        Record::new().with(Health(3)).with(pos(1.0)).with(vel(2.0)),
    ];
    for record in records {
        assert_eq!(record.get::<Health>(), Some(&Health(3)));
        assert_eq!(record.get::<Position>(), Some(&pos(1.0)));
        assert_eq!(record.get::<Velocity>(), Some(&vel(2.0)));
        let e = game.put(record).unwrap();
        assert_eq!(game.archetype_name(e), Some("Unit"));
        assert_eq!(game.get::<Position>(e), Some(&pos(1.0)));
        assert_eq!(game.get::<Velocity>(e), Some(&vel(2.0)));
        assert_eq!(game.get::<Health>(e), Some(&Health(3)));
        let mut back = game.take(e).unwrap();
        assert_eq!(back.take::<Velocity>(), Some(vel(2.0)));
        assert_eq!(back.take::<Position>(), Some(pos(1.0)));
        assert_eq!(back.take::<Health>(), Some(Health(3)));
        assert!(back.is_empty());
    }
}

#[test]
fn take_then_put_round_trips_table_and_sparse_components() {
    let mut game = Server::new();
    let keep = game.spawn(Mover(pos(9.0), vel(9.0)));
    let e = game.spawn(Unit(pos(1.0), vel(2.0), Health(7)));
    game.insert(e, Slowed(4)).unwrap();
    let record = game.take(e).unwrap();
    assert!(!game.is_alive(e));
    assert_eq!(game.len(), 1);
    assert_eq!(record.len(), 4);
    assert_eq!(
        record.component_names(),
        ["Health", "Position", "Slowed", "Velocity"]
    );
    // The entity that filled the hole is intact.
    assert_eq!(game.get::<Position>(keep), Some(&pos(9.0)));
    assert_eq!(game.take(e).unwrap_err(), EcsError::DeadEntity(e));
    let f = game.put(record).unwrap();
    assert_eq!(game.archetype_name(f), Some("Unit"));
    assert_eq!(game.get::<Health>(f), Some(&Health(7)));
    assert_eq!(game.get::<Slowed>(f), Some(&Slowed(4)));
    assert_eq!(game.get::<Velocity>(f), Some(&vel(2.0)));
    assert_eq!(game.query::<&Slowed>().len(), 1);
}

/// A record whose set matches no archetype is refused; nothing changes, and the record
/// comes back whole when passed as `&mut`.
#[test]
fn put_of_a_set_matching_no_archetype_changes_nothing() {
    let mut game = Server::new();
    game.spawn(Mover(pos(0.0), vel(0.0)));
    let mut record = Record::new().with(pos(1.0)).with(Health(2)).with(Slowed(1));
    let err = game.put(&mut record).unwrap_err();
    assert_eq!(
        err,
        EcsError::NoArchetypeForRecord {
            components: vec!["Health", "Position"]
        }
    );
    assert_eq!(game.len(), 1);
    assert_eq!(game.query::<&Slowed>().len(), 0);
    assert_eq!(record.len(), 3);
    assert_eq!(record.get::<Health>(), Some(&Health(2)));
    // A type the world does not know.
    let mut foreign = Record::new().with(pos(1.0)).with(vel(1.0)).with(Health(1));
    let err = Client::new().put(&mut foreign).unwrap_err();
    assert_eq!(
        err,
        EcsError::UnknownComponent {
            component: "Health"
        }
    );
    assert_eq!(foreign.len(), 3);
    // Only sparse components: no archetype.
    assert!(matches!(
        game.put(Record::new().with(Slowed(1))),
        Err(EcsError::NoArchetypeForRecord { .. })
    ));
    assert!(game.put(Record::new()).is_err());
    // Fixed, it spawns, and the `&mut` record is left empty.
    record.take::<Health>();
    record.insert(vel(3.0));
    let e = game.put(&mut record).unwrap();
    assert!(record.is_empty());
    assert_eq!(game.get::<Slowed>(e), Some(&Slowed(1)));
    assert_eq!(game.len(), 2);
}

#[test]
fn transfer_moves_the_entity_with_its_values() {
    let mut server = Server::new();
    let mut client = Client::new();
    let other = server.spawn(Mover(pos(5.0), vel(5.0)));
    let e = server.spawn(Mover(pos(1.0), vel(-1.0)));
    server.insert(e, Slowed(3)).unwrap();
    let moved = server.transfer(e, &mut client).unwrap();
    assert!(!server.is_alive(e));
    assert_eq!(server.len(), 1);
    assert_eq!(server.get::<Position>(other), Some(&pos(5.0)));
    assert_eq!(server.query::<&Slowed>().len(), 0);
    assert_eq!(client.get::<Position>(moved), Some(&pos(1.0)));
    assert_eq!(client.get::<Velocity>(moved), Some(&vel(-1.0)));
    assert_eq!(client.get::<Slowed>(moved), Some(&Slowed(3)));
    // And back, into a world of the other type.
    let back = client.transfer(moved, &mut server).unwrap();
    assert_eq!(server.get::<Slowed>(back), Some(&Slowed(3)));
    assert!(client.is_empty());
}

/// The destination has no archetype for the entity's set: the transfer fails and the
/// entity stays where it was, same handle, same archetype, same values.
#[test]
fn failed_transfer_leaves_the_entity_in_the_source_unchanged() {
    let mut server = Server::new();
    let mut client = Client::new();
    client.spawn((pos(0.0), vel(0.0)));
    let e = server.spawn(Unit(pos(1.0), vel(2.0), Health(3)));
    server.insert(e, Slowed(8)).unwrap();
    let err = server.transfer(e, &mut client).unwrap_err();
    assert_eq!(
        err,
        EcsError::UnknownComponent {
            component: "Health"
        }
    );
    let f = server.spawn(Label(Name("label".into())));
    let err = server.transfer(f, &mut client).unwrap_err();
    assert_eq!(err, EcsError::UnknownComponent { component: "Name" });
    for (entity, archetype) in [(e, "Unit"), (f, "Label")] {
        assert!(server.is_alive(entity));
        assert_eq!(server.archetype_name(entity), Some(archetype));
    }
    assert_eq!(server.get::<Health>(e), Some(&Health(3)));
    assert_eq!(server.get::<Slowed>(e), Some(&Slowed(8)));
    assert_eq!(server.get::<Position>(e), Some(&pos(1.0)));
    assert_eq!(client.len(), 1);
    // A destination that knows every component but has no archetype for the set.
    let mut other = Server::new();
    let dead = server.spawn(Mover(pos(0.0), vel(0.0)));
    server.despawn(dead);
    assert_eq!(
        server.transfer(dead, &mut other).unwrap_err(),
        EcsError::DeadEntity(dead)
    );
    assert!(other.is_empty());
}

/// Every component value is dropped exactly once across take, put, failed put, a
/// transfer, a failed transfer, dropped records and the worlds' drops.
#[test]
fn every_value_is_dropped_exactly_once() {
    let mut ids = Vec::new();
    let mut tracked = || {
        let t = Tracked::new();
        ids.push(t.0);
        t
    };
    {
        let mut server = Server::new();
        let mut client = Client::new();
        let a = server.spawn(Token(pos(1.0), tracked()));
        let b = server.spawn(Token(pos(2.0), tracked()));
        // take: nothing dropped; the record owns the value.
        let ra = server.take(a).unwrap();
        // put back: nothing dropped.
        let a2 = server.put(ra).unwrap();
        // A failed put by value drops its values once; by `&mut` keeps them.
        let _ = server.put(Record::new().with(tracked()).with(Health(1)));
        let mut kept = Record::new().with(tracked()).with(Health(1));
        assert!(server.put(&mut kept).is_err());
        let kept_value = kept.take::<Tracked>().unwrap();
        // A record dropped whole.
        drop(Record::new().with(tracked()).with(pos(0.0)));
        // transfer, then a failed transfer (the client has no `Unit`).
        let b2 = server.transfer(b, &mut client).unwrap();
        let c = server.spawn(Token(pos(3.0), tracked()));
        server.insert(c, Slowed(1)).unwrap();
        assert!(server.transfer(c, &mut client).is_ok());
        // take and drop the record.
        drop(server.take(a2).unwrap());
        assert!(client.is_alive(b2));
        drop(kept_value);
    }
    for id in ids {
        assert_eq!(drops_of(id), 1, "value {id} dropped once");
    }
}

#[test]
fn import_spawns_each_record_all_or_nothing() {
    let mut game = Server::new();
    let report = game.import(vec![
        Record::new().with(pos(1.0)).with(vel(1.0)),
        Record::new().with(pos(2.0)).with(Health(1)),
        Record::new().with(Name("x".into())).with(Slowed(2)),
        Record::new().with(vel(3.0)),
    ]);
    assert_eq!(report.spawned.len(), 2);
    assert_eq!(report.rejected.len(), 2);
    assert_eq!(report.rejected[0].0, 1);
    assert_eq!(report.rejected[1].0, 3);
    assert!(matches!(
        report.rejected[1].1,
        EcsError::NoArchetypeForRecord { ref components } if components == &["Velocity"]
    ));
    assert_eq!(game.len(), 2);
    assert_eq!(game.get::<Slowed>(report.spawned[1]), Some(&Slowed(2)));
    assert_eq!(game.get::<Name>(report.spawned[1]), Some(&Name("x".into())));
}

/// `Outbox` sends are applied with the stage's commands: `send_entity` takes the entity
/// out of the world, `send` queues a record; outside a coordinator they wait for
/// `take_outbox`.
#[test]
fn outbox_sends_wait_in_the_outbox() {
    let mut game = Server::new();
    let stay = game.spawn(Mover(pos(1.0), vel(1.0)));
    let go = game.spawn(Unit(pos(2.0), vel(-1.0), Health(5)));
    game.tick();
    assert!(game.is_alive(stay));
    assert!(!game.is_alive(go));
    let out = game.take_outbox();
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].0, 1);
    assert_eq!(out[0].1.get::<Health>(), Some(&Health(5)));
    assert_eq!(out[1].0, 2);
    assert_eq!(out[1].1.get::<Name>(), Some(&Name("note".into())));
    assert!(game.take_outbox().is_empty());
}

mod tree {
    use super::*;
    #[world(archetypes(Node = (Position)), hierarchy, executor = sequential)]
    pub struct Tree;
}
use tree::Tree;

/// A record carries no hierarchy links: `take` orphans the children; a `ChildOf` in a
/// record links the new entity to its live parent; `Children` is refused.
#[test]
fn records_and_the_hierarchy() {
    let mut tree = Tree::new();
    let root = tree.spawn((pos(0.0),));
    let mid = tree.spawn((pos(1.0),));
    let leaf = tree.spawn((pos(2.0),));
    tree.set_parent(mid, root).unwrap();
    tree.set_parent(leaf, mid).unwrap();
    let record = tree.take(mid).unwrap();
    assert_eq!(record.component_names(), ["Position"]);
    assert!(tree.children(root).is_empty());
    assert_eq!(tree.parent(leaf), None);
    let child = tree.put(record.with(ChildOf(root))).unwrap();
    assert_eq!(tree.parent(child), Some(root));
    assert_eq!(tree.children(root), &[child]);
    let dead = tree.spawn((pos(3.0),));
    tree.despawn(dead);
    let mut orphan = Record::new().with(pos(4.0)).with(ChildOf(dead));
    assert_eq!(tree.put(&mut orphan), Err(EcsError::DeadEntity(dead)));
    assert_eq!(orphan.len(), 2);
    let kept = tree.put(Record::new().with(pos(5.0)).with(Children::default()));
    assert_eq!(
        kept,
        Err(EcsError::KeptByTheWorld {
            component: "Children"
        })
    );
    assert_eq!(tree.len(), 3);
}
