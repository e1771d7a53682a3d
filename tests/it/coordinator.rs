//! `Coordinator`: worlds run frame by frame on their own threads and hand entities to each
//! other through `Outbox` and bounded queues; delivery is deterministic, a full queue
//! delays and never drops, and records that cannot be received are kept.

use metronome::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};

#[derive(Component, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(pub u64);
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hops(pub u64);
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stranger(pub u8);

/// Where this world sends: the next world of the ring, every `period` frames per entity.
#[derive(Default)]
pub struct Route {
    pub me: usize,
    pub worlds: usize,
    pub period: u64,
    pub turn: u64,
    /// Extra records to send this frame, to `(world, how many)`.
    pub burst: Option<(usize, u64)>,
}

#[system]
pub fn pass_on(
    mut route: ResMut<Route>,
    mut items: Query<(Entity, &Id, &mut Hops)>,
    mut outbox: Outbox,
) {
    let turn = route.turn;
    route.turn += 1;
    let next = (route.me + 1) % route.worlds;
    for (e, id, hops) in items.iter_mut() {
        if (id.0 + turn).is_multiple_of(route.period) {
            hops.0 += 1;
            outbox.send_entity(next, e);
        }
    }
    if let Some((to, n)) = route.burst.take() {
        for i in 0..n {
            outbox.send(to, Record::new().with(Id(1_000_000 + i)).with(Hops(0)));
        }
    }
}

#[world(
    archetypes(Item = (Id, Hops)),
    resources(Route),
    phases(Update),
    systems(Update = [pass_on]),
    executor = sequential,
)]
pub struct Ring;

/// Each world's entities in storage order, with their handles.
type State = Vec<Vec<(Entity, Id, Hops)>>;

/// `worlds` worlds pass `entities` entities around for `frames` frames, each entity every
/// `period` frames (the queues have room for twice a world's share: no record waits in
/// a backlog).
fn ring(worlds: usize, entities: u64, frames: u64, period: u64) -> State {
    let mut coordinator = Coordinator::with_queue_capacity(2 * entities as usize / worlds);
    for me in 0..worlds {
        let mut world = Ring::new();
        *world.resource_mut::<Route>() = Route {
            me,
            worlds,
            period,
            ..Route::default()
        };
        let share = (me as u64..entities).step_by(worlds);
        world.spawn_batch(share.map(|i| Item(Id(i), Hops(0))));
        assert_eq!(coordinator.add(world), me);
    }
    coordinator.run(frames);
    assert_eq!(coordinator.frame(), frames);
    // Every entity is in a world or in a queue, to be received next frame.
    let alive: usize = (0..worlds)
        .map(|i| coordinator.world::<Ring>(i).unwrap().len())
        .sum();
    assert_eq!(alive + coordinator.in_flight(), entities as usize);
    for i in 0..worlds {
        assert_eq!(coordinator.backlog(i), 0);
    }
    coordinator.deliver();
    assert_eq!(coordinator.in_flight(), 0);
    for i in 0..worlds {
        assert!(coordinator.take_rejected(i).is_empty());
        assert_eq!(coordinator.backlog(i), 0);
    }
    let state: State = (0..worlds)
        .map(|i| {
            let world = coordinator.world::<Ring>(i).unwrap();
            world
                .query::<(Entity, &Id, &Hops)>()
                .iter()
                .map(|(e, id, hops)| (e, *id, *hops))
                .collect()
        })
        .collect();
    // None lost, none duplicated; each moved once per `period` frames.
    let mut ids: Vec<u64> = state.iter().flatten().map(|(_, id, _)| id.0).collect();
    ids.sort_unstable();
    assert!(ids.iter().copied().eq(0..entities));
    for &(_, id, hops) in state.iter().flatten() {
        let moves = (0..frames)
            .filter(|t| (id.0 + t).is_multiple_of(period))
            .count() as u64;
        assert_eq!(hops.0, moves, "entity {} moved {} times", id.0, hops.0);
    }
    state
}

/// 4 worlds pass 100 000 entities around a ring for 100 frames (each entity every 50th
/// frame, so the test stays quick in debug builds): none lost or duplicated, and the
/// final state (handles and storage order included) is identical over runs.
#[test]
fn four_worlds_pass_entities_around_a_ring() {
    let first = ring(4, 100_000, 100, 50);
    let second = ring(4, 100_000, 100, 50);
    assert!(first == second, "two runs ended differently");
}

/// The full load: every entity moves every frame (10 million moves). Release builds:
/// `cargo test --release -p metronome --test coordinator -- --ignored`.
#[test]
#[ignore = "10 million moves: run in release"]
fn four_worlds_pass_every_entity_every_frame() {
    let first = ring(4, 100_000, 100, 1);
    let second = ring(4, 100_000, 100, 1);
    assert!(first == second, "two runs ended differently");
}

/// A full queue delays delivery: the records wait in the sender's backlog, in order, and
/// arrive over the next frames; none is dropped.
#[test]
fn a_full_queue_applies_backpressure_and_never_drops() {
    let mut coordinator = Coordinator::with_queue_capacity(3);
    for me in 0..2 {
        let mut world = Ring::new();
        *world.resource_mut::<Route>() = Route {
            me,
            worlds: 2,
            period: u64::MAX,
            burst: (me == 0).then_some((1, 10)),
            ..Route::default()
        };
        coordinator.add(world);
    }
    coordinator.run(1);
    assert_eq!(coordinator.in_flight(), 3);
    assert_eq!(coordinator.backlog(0), 7);
    let mut arrived = Vec::new();
    for expected in [3, 6, 9, 10, 10] {
        coordinator.run(1);
        let world = coordinator.world::<Ring>(1).unwrap();
        arrived = world
            .query::<&Id>()
            .iter()
            .map(|id| id.0 - 1_000_000)
            .collect();
        assert_eq!(arrived.len(), expected);
    }
    assert_eq!(arrived, (0..10).collect::<Vec<_>>());
    assert_eq!(coordinator.backlog(0), 0);
}

/// Records that cannot be received (no archetype for their set, or no such world) are
/// kept with the reason, whole.
#[test]
fn rejected_records_are_kept() {
    #[system]
    pub fn send_odd(mut outbox: Outbox) {
        outbox.send(1, Record::new().with(Id(1)));
        outbox.send(1, Record::new().with(Id(2)).with(Hops(0)).with(Stranger(3)));
        outbox.send(5, Record::new().with(Id(3)).with(Hops(0)));
    }
    #[world(archetypes(Item = (Id, Hops), Odd = (Stranger)), phases(Update), systems(Update = [send_odd]), executor = sequential)]
    pub struct Sender;

    let mut coordinator = Coordinator::new();
    coordinator.add(Sender::new());
    coordinator.add_with(Ring::new(), |_: &mut Ring| {});
    coordinator.run(2);
    let from_sender = coordinator.take_rejected(0);
    assert_eq!(from_sender.len(), 2);
    assert_eq!(from_sender[0].error, EcsError::NoSuchWorld { index: 5 });
    assert_eq!(from_sender[0].record.get::<Id>(), Some(&Id(3)));
    let at_ring = coordinator.take_rejected(1);
    assert_eq!(at_ring.len(), 2);
    assert_eq!(at_ring[0].from, 0);
    assert!(matches!(
        at_ring[0].error,
        EcsError::NoArchetypeForRecord { .. }
    ));
    assert_eq!(
        at_ring[1].error,
        EcsError::UnknownComponent {
            component: "Stranger"
        }
    );
    assert_eq!(at_ring[1].record.get::<Stranger>(), Some(&Stranger(3)));
    assert!(coordinator.world::<Ring>(1).unwrap().is_empty());
    assert!(coordinator.world::<Sender>(1).is_none());
}

/// A panic in one world's step ends the run for every world and reaches the caller; the
/// coordinator can run again.
#[test]
fn a_panicking_world_ends_the_run() {
    let mut coordinator = Coordinator::new();
    coordinator.add(Ring::new());
    let mut left = 2;
    coordinator.add_with(Ring::new(), move |_: &mut Ring| {
        left -= 1;
        if left == 0 {
            panic!("world 1 fails");
        }
    });
    *coordinator
        .world_mut::<Ring>(0)
        .unwrap()
        .resource_mut::<Route>() = Route {
        worlds: 2,
        period: u64::MAX,
        ..Route::default()
    };
    let result = catch_unwind(AssertUnwindSafe(|| coordinator.run(10)));
    assert!(result.is_err());
    assert_eq!(coordinator.frame(), 1);
    assert_eq!(coordinator.world::<Ring>(0).unwrap().frame(), 2);
    coordinator.run(3);
    assert_eq!(coordinator.frame(), 4);
}
