//! Commands, completed: `Commands::spawn` returns a reserved handle,
//! `spawn_batch`, `commands.entity(e)`, `par_for_each_with_commands`, and
//! `on_command_error`. Each feature runs on a `sequential` world and on a
//! `work_stealing(workers = 2)` world with the same systems, and the results are compared.

use metronome::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};

#[derive(Component, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos(pub i32);
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hp(pub i32);
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tag;

/// What the systems are told to do, and what they saw.
#[derive(Default)]
pub struct Orders {
    pub spawn: Vec<i32>,
    pub batch: Vec<i32>,
    pub spawned: Vec<Entity>,
    /// Whether a spawned handle was visible to a query in the stage that spawned it.
    pub visible_in_its_stage: bool,
    pub panic_after_spawn: bool,
}

#[derive(Default)]
pub struct Others(pub Vec<Entity>);

/// Spawns what it is told, chaining an insert on every new handle.
#[system]
pub fn spawner(mut orders: ResMut<Orders>, probe: Query<&Pos>, mut commands: Commands) {
    let spawn = std::mem::take(&mut orders.spawn);
    for x in spawn {
        let e = commands.spawn((Pos(x),));
        commands.entity(e).insert(Hp(x * 10));
        orders.visible_in_its_stage |= probe.get(e).is_some();
        orders.spawned.push(e);
    }
    let batch = std::mem::take(&mut orders.batch);
    let handles = commands.spawn_batch(batch.into_iter().map(|x| (Pos(x),)));
    orders.spawned.extend(handles);
    if orders.panic_after_spawn {
        orders.panic_after_spawn = false;
        panic!("spawner fails after spawning");
    }
}

/// Spawns 200 entities in the same stage as `spawner`, from another system (so, on a
/// pool, from another thread at the same time).
#[system]
pub fn other_spawner(mut others: ResMut<Others>, mut commands: Commands) {
    if others.0.is_empty() {
        for x in 0..200 {
            others.0.push(commands.spawn((Pos(1000 + x),)));
        }
    }
}

/// Spawns a prop for every unit whose hp is a multiple of 3, kills every unit whose hp
/// is even, and negates (by remove + insert) the hp of the others of hp 5 mod 7, from a
/// parallel loop.
#[system]
pub fn judge(mut units: Query<(Entity, &Hp, &Pos)>, mut commands: Commands) {
    units.par_for_each_with_commands(&mut commands, |(e, hp, pos), cmds| {
        if hp.0 % 3 == 0 {
            cmds.spawn((Pos(pos.0 + 100_000),));
        }
        if hp.0 % 2 == 0 {
            cmds.entity(e).despawn();
        } else if hp.0 % 7 == 5 {
            cmds.entity(e).remove::<Hp>().insert(Hp(-hp.0));
        }
    });
}

// Each world in a module of its own: the archetype structs are generated per world.
// The tests spawn tuples, which are bundles of every world.
macro_rules! worlds {
    ($($module:ident :: $name:ident = $exec:expr;)*) => {$(
        mod $module {
            use super::*;
            #[world(
                archetypes(Unit = (Pos, Hp), Prop = (Pos), Tagged = (Pos, Tag)),
                resources(Orders, Others),
                phases(Spawn, Judge),
                systems(Spawn = [spawner, other_spawner], Judge = [judge]),
                executor = $exec,
                on_command_error = collect,
            )]
            pub struct $name;
        }
    )*};
}

worlds! {
    seq::Seq = sequential;
    par::Par = work_stealing(workers = 2);
}
use par::{Par, ParPhase};
use seq::{Seq, SeqPhase};

/// Runs the same scenario on any world of this file.
macro_rules! scenario {
    ($world:ty, $phase:ident) => {{
        let mut w = <$world>::new();
        // Free some slots first, so reservations reuse them.
        let doomed: Vec<Entity> = (0..50).map(|i| w.spawn((Pos(-i),))).collect();
        for &e in &doomed {
            assert!(w.despawn(e));
        }
        {
            let orders = w.resource_mut::<Orders>();
            orders.spawn = (1..=100).collect();
            orders.batch = (200..230).collect();
        }
        w.run_phase($phase::Spawn);
        let spawned = w.resource::<Orders>().spawned.clone();
        let others = w.resource::<Others>().0.clone();
        assert!(!w.resource::<Orders>().visible_in_its_stage);
        assert_eq!(spawned.len(), 130);
        assert_eq!(others.len(), 200);
        let mut all: Vec<Entity> = spawned.iter().chain(&others).copied().collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 330, "two reservations got one handle");
        for e in &doomed {
            assert!(!all.contains(e), "a reservation reused a dead handle");
        }
        for &e in spawned.iter().chain(&others) {
            assert!(w.is_alive(e));
        }
        for (i, &e) in spawned[..100].iter().enumerate() {
            assert_eq!(w.get::<Hp>(e), Some(&Hp((i as i32 + 1) * 10)));
            assert_eq!(w.archetype_name(e), Some("Unit"));
        }
        assert_eq!(w.archetype_name(spawned[100]), Some("Prop"));
        assert_eq!(w.len(), 330);
        assert!(w.take_command_errors().is_empty());
        let rows: Vec<(i32, Option<i32>)> = w
            .query::<(&Pos, Option<&Hp>)>()
            .iter()
            .map(|(p, h)| (p.0, h.map(|h| h.0)))
            .collect();
        (w, rows)
    }};
}

#[test]
fn spawned_handles_are_reserved_distinct_and_alive_after_the_stage() {
    let (_, seq) = scenario!(Seq, SeqPhase);
    let (_, par) = scenario!(Par, ParPhase);
    assert_eq!(seq, par);
}

/// Every entity's values, in iteration order (archetypes in declaration order, rows in
/// storage order): equal whatever the worker count.
fn state(query: Query<'_, (Option<&Pos>, Option<&Hp>)>) -> Vec<(Option<i32>, Option<i32>)> {
    query
        .iter()
        .map(|(p, h)| (p.map(|p| p.0), h.map(|h| h.0)))
        .collect()
}

fn judge_on_par(workers: usize) -> Vec<(Option<i32>, Option<i32>)> {
    let mut w = Par::with_workers(workers).expect("a pool");
    w.spawn_batch((0..20_000).map(|i| (Pos(i), Hp(i * 7 % 1013))));
    w.run_phase(ParPhase::Judge);
    assert!(w.take_command_errors().is_empty());
    state(w.query())
}

#[test]
fn par_for_each_with_commands_does_not_depend_on_the_worker_count() {
    let mut seq = Seq::new();
    seq.spawn_batch((0..20_000).map(|i| (Pos(i), Hp(i * 7 % 1013))));
    seq.run_phase(SeqPhase::Judge);
    let expected = state(seq.query());
    assert!(expected.len() > 8000 && expected.len() < 20_000);
    assert_eq!(judge_on_par(1), expected);
    assert_eq!(judge_on_par(2), expected);
    assert_eq!(judge_on_par(4), expected);
    // And on the declared two workers.
    let mut par = Par::new();
    par.spawn_batch((0..20_000).map(|i| (Pos(i), Hp(i * 7 % 1013))));
    par.run_phase(ParPhase::Judge);
    assert_eq!(state(par.query()), expected);
}

macro_rules! discarded {
    ($world:ty, $phase:ident) => {{
        let mut w = <$world>::new();
        {
            let orders = w.resource_mut::<Orders>();
            orders.spawn = vec![1, 2, 3];
            orders.panic_after_spawn = true;
        }
        let result = catch_unwind(AssertUnwindSafe(|| w.run_phase($phase::Spawn)));
        assert!(result.is_err());
        let lost = w.resource::<Orders>().spawned.clone();
        assert_eq!(lost.len(), 3);
        // The other system of the stage ran (on a pool) or not (sequential: the stage
        // stops at the panic); its commands were discarded too.
        let others = w.resource::<Others>().0.clone();
        assert!(others.is_empty() || others.len() == 200);
        assert_eq!(w.len(), 0);
        // The lost handles stay dead, whatever is spawned later into their slots.
        w.resource_mut::<Others>().0.clear();
        w.resource_mut::<Orders>().spawned.clear();
        w.resource_mut::<Orders>().spawn = (0..10).collect();
        w.run_phase($phase::Spawn);
        let fresh: Vec<Entity> = (0..500).map(|i| w.spawn((Pos(i),))).collect();
        for e in lost.iter().chain(&others) {
            assert!(!w.is_alive(*e));
            assert!(!fresh.contains(e));
            assert!(!w.resource::<Orders>().spawned.contains(e));
            assert!(!w.resource::<Others>().0.contains(e));
            assert!(!w.despawn(*e));
        }
        assert_eq!(w.len(), 500 + 10 + 200);
        w.len()
    }};
}

#[test]
fn a_discarded_spawn_never_leaves_a_live_looking_handle() {
    assert_eq!(discarded!(Seq, SeqPhase), discarded!(Par, ParPhase));
}

#[system]
pub fn bad_spawn(mut orders: ResMut<Orders>, mut commands: Commands) {
    // (Hp,) is no archetype of the world.
    let e = commands.spawn((Hp(1),));
    commands.entity(e).insert(Pos(3));
    orders.spawned.push(e);
}
mod bad {
    use super::*;
    #[world(
        archetypes(Unit = (Pos, Hp), Prop = (Pos)),
        resources(Orders),
        phases(Update),
        systems(Update = [bad_spawn]),
        executor = work_stealing(workers = 2),
        on_command_error = collect,
    )]
    pub struct Bad;
}
use bad::Bad;

/// Spawns one prop per unit from a parallel loop, and panics at the unit of hp 7777.
#[system]
pub fn spawn_then_fail(units: Query<&Hp>, mut commands: Commands, log: Res<SpawnLog>) {
    let mut units = units;
    units.par_for_each_with_commands(&mut commands, |hp, cmds| {
        let e = cmds.spawn((Pos(hp.0),));
        log.0.lock().unwrap().push(e);
        if hp.0 == 7777 {
            panic!("the loop body fails");
        }
    });
}

#[derive(Default)]
pub struct SpawnLog(pub std::sync::Mutex<Vec<Entity>>);

mod failing_loop {
    use super::*;
    #[world(
        archetypes(Unit = (Pos, Hp), Prop = (Pos)),
        resources(SpawnLog),
        phases(Update),
        systems(Update = [spawn_then_fail]),
        executor = work_stealing(workers = 2),
    )]
    pub struct Failing;
}

#[test]
fn a_panicking_parallel_loop_gives_back_every_reserved_handle() {
    let mut w = failing_loop::Failing::new();
    w.spawn_batch((0..10_000).map(|i| (Pos(i), Hp(i))));
    assert!(catch_unwind(AssertUnwindSafe(|| w.tick())).is_err());
    let lost = std::mem::take(&mut *w.resource::<SpawnLog>().0.lock().unwrap());
    assert!(!lost.is_empty());
    assert_eq!(w.len(), 10_000, "the stage's commands were discarded");
    // Every reserved slot was given back (with a new generation): spawning as many
    // entities again reuses each of their slots, and no lost handle comes alive.
    let fresh = w.spawn_batch((0..lost.len() as i32).map(|i| (Pos(i),)));
    let mut reused: Vec<u32> = fresh.iter().map(|e| e.index()).collect();
    let mut lost_slots: Vec<u32> = lost.iter().map(|e| e.index()).collect();
    reused.sort_unstable();
    lost_slots.sort_unstable();
    assert_eq!(reused, lost_slots);
    for e in &lost {
        assert!(!w.is_alive(*e));
        assert!(!fresh.contains(e));
    }
}

#[test]
fn a_failed_spawn_changes_nothing_and_its_handle_stays_dead() {
    let mut w = Bad::new();
    w.tick();
    let e = w.resource::<Orders>().spawned[0];
    let errors = w.take_command_errors();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(matches!(errors[0], EcsError::NoArchetypeForBundle { .. }));
    assert_eq!(errors[1], EcsError::DeadEntity(e));
    assert_eq!(w.len(), 0);
    assert!(!w.is_alive(e));
    let later = w.spawn((Pos(0),));
    assert_eq!(later.index(), e.index(), "the released slot is reused");
    assert_ne!(later, e, "with a new generation");
}

/// A world with the default `on_command_error` (panic).
#[system]
pub fn insert_into(orders: Res<Orders>, mut commands: Commands) {
    for &e in &orders.spawned {
        commands.insert(e, Hp(1));
        commands.despawn(e);
        // Despawning twice is not an error.
        commands.despawn(e);
    }
}

mod loud {
    use super::*;
    #[world(
        archetypes(Unit = (Pos, Hp), Prop = (Pos)),
        resources(Orders),
        phases(Update),
        systems(Update = [insert_into]),
        executor = work_stealing(workers = 2),
    )]
    pub struct Loud;
}
use loud::Loud;

#[test]
fn a_failed_command_panics_by_default_naming_system_command_entity_and_fix() {
    let mut w = Loud::new();
    let alive = w.spawn((Pos(1),));
    w.resource_mut::<Orders>().spawned = vec![alive];
    w.tick();
    assert!(!w.is_alive(alive), "insert then two despawns: no error");
    // Now the entity is dead: the insert fails, loudly.
    let message = catch_unwind(AssertUnwindSafe(|| w.tick()))
        .expect_err("a failed command panics")
        .downcast::<String>()
        .expect("a formatted message");
    for part in [
        "insert_into",
        "`insert`",
        &format!("{alive:?}"),
        "on_command_error = collect",
        "not alive",
    ] {
        assert!(message.contains(part), "{part:?} missing from: {message}");
    }
    assert!(w.take_command_errors().is_empty());
    assert_eq!(w.len(), 0);
    // The world keeps working.
    w.resource_mut::<Orders>().spawned.clear();
    w.tick();
}

#[test]
fn commands_spawn_outside_a_parallel_world_matches_on_both_executors() {
    fn run<W: World>(mut w: W) -> usize
    where
        Orders: ResourceOf<W>,
    {
        w.resource_mut::<Orders>().spawn = vec![5, 6];
        w.tick();
        w.len()
    }
    assert_eq!(run(Seq::new()), run(Par::new()));
}
