//! `Commands::spawn_batch` as one command: the bundles spawn in order into the handles
//! it returned, with their values; a batch that matches no archetype fails once per
//! handle (each one dead for good); a batch discarded with its stage gives back every
//! handle; and every component value is dropped exactly once on each path.

use metronome::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicIsize, Ordering};

/// `Counted` values alive (made minus dropped), per test (each test uses its own key).
static ALIVE: [AtomicIsize; 5] = [const { AtomicIsize::new(0) }; 5];

#[derive(Component, Debug, PartialEq, Eq)]
pub struct Pos(pub i32);
#[derive(Component, Debug, PartialEq, Eq)]
pub struct Hp(pub i32);

/// A component that counts its live values in `ALIVE[key]`.
#[derive(Component, Debug)]
pub struct Counted {
    pub key: usize,
    pub value: i32,
}

impl Counted {
    pub fn new(key: usize, value: i32) -> Counted {
        ALIVE[key].fetch_add(1, Ordering::SeqCst);
        Counted { key, value }
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        ALIVE[self.key].fetch_sub(1, Ordering::SeqCst);
    }
}

fn alive(key: usize) -> isize {
    ALIVE[key].load(Ordering::SeqCst)
}

/// What `batcher` spawns, and what it got back.
#[derive(Default)]
pub struct Plan {
    pub key: usize,
    /// Values of the good batch: (Pos, Counted) bundles.
    pub good: Vec<i32>,
    /// Values of a batch of (Hp, Counted): no archetype of the world.
    pub bad: Vec<i32>,
    pub panic: bool,
    pub good_handles: Vec<Entity>,
    pub bad_handles: Vec<Entity>,
}

#[system]
pub fn batcher(mut plan: ResMut<Plan>, mut commands: Commands) {
    let key = plan.key;
    let good = std::mem::take(&mut plan.good);
    let handles = commands.spawn_batch(good.into_iter().map(|x| (Pos(x), Counted::new(key, x))));
    plan.good_handles.extend(handles);
    let bad = std::mem::take(&mut plan.bad);
    let handles = commands.spawn_batch(bad.into_iter().map(|x| (Hp(x), Counted::new(key, x))));
    plan.bad_handles.extend(handles);
    // A single spawn after the batches, applied after them.
    commands.spawn((Pos(-1), Counted::new(key, -1)));
    if plan.panic {
        plan.panic = false;
        panic!("batcher fails after recording");
    }
}

macro_rules! worlds {
    ($($module:ident :: $name:ident = $exec:expr;)*) => {$(
        mod $module {
            use super::*;
            #[world(
                archetypes(Unit = (Pos, Counted), Plain = (Pos), Healthy = (Hp)),
                resources(Plan),
                phases(Update),
                systems(Update = [batcher]),
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

fn values(w: &seq::Seq) -> Vec<(Entity, i32, i32)> {
    w.query::<(Entity, &Pos, &Counted)>()
        .iter()
        .map(|(e, p, c)| (e, p.0, c.value))
        .collect()
}

#[test]
fn a_batch_spawns_in_order_into_its_handles_and_drops_each_value_once() {
    let key = 0;
    {
        let mut w = seq::Seq::new();
        // Free some slots first, so the reservations reuse them.
        let doomed: Vec<Entity> = (0..10).map(|i| w.spawn((Pos(i),))).collect();
        for &e in &doomed {
            assert!(w.despawn(e));
        }
        *w.resource_mut::<Plan>() = Plan {
            key,
            good: (0..1000).collect(),
            ..Plan::default()
        };
        w.tick();
        assert!(w.take_command_errors().is_empty());
        let handles = w.resource::<Plan>().good_handles.clone();
        assert_eq!(handles.len(), 1000);
        for e in &doomed {
            assert!(!handles.contains(e), "a reservation reused a dead handle");
        }
        // Rows in the order of the batch, then the single spawn; each handle holds
        // its own values.
        let rows = values(&w);
        assert_eq!(rows.len(), 1001);
        for (i, &(e, pos, counted)) in rows[..1000].iter().enumerate() {
            assert_eq!((e, pos, counted), (handles[i], i as i32, i as i32));
            assert_eq!(w.get::<Pos>(handles[i]), Some(&Pos(i as i32)));
        }
        assert_eq!((rows[1000].1, rows[1000].2), (-1, -1));
        assert_eq!(alive(key), 1001);
    }
    assert_eq!(alive(key), 0, "every value dropped once with the world");
}

#[test]
fn a_batch_matching_no_archetype_fails_once_per_handle_and_changes_nothing() {
    let key = 1;
    {
        let mut w = par::Par::new();
        *w.resource_mut::<Plan>() = Plan {
            key,
            good: vec![7, 8],
            bad: (0..5).collect(),
            ..Plan::default()
        };
        w.tick();
        let bad = w.resource::<Plan>().bad_handles.clone();
        let errors = w.take_command_errors();
        assert_eq!(errors.len(), 5, "{errors:?}");
        for error in &errors {
            assert!(
                matches!(error, EcsError::NoArchetypeForBundle { bundle } if bundle.contains("Hp")),
                "{error:?}"
            );
        }
        // The good batch and the single spawn around it were applied.
        assert_eq!(w.len(), 3);
        assert_eq!(alive(key), 3, "the failed batch's values were dropped");
        for &e in &bad {
            assert!(!w.is_alive(e));
        }
        // The failed handles' slots are free again, with new generations.
        let fresh: Vec<Entity> = (0..5).map(|i| w.spawn((Pos(i),))).collect();
        let mut reused: Vec<u32> = fresh.iter().map(|e| e.index()).collect();
        let mut lost: Vec<u32> = bad.iter().map(|e| e.index()).collect();
        reused.sort_unstable();
        lost.sort_unstable();
        assert_eq!(reused, lost);
        for e in &bad {
            assert!(!fresh.contains(e));
        }
    }
    assert_eq!(alive(key), 0);
}

macro_rules! discarded {
    ($world:ty, $key:expr) => {{
        let key = $key;
        {
            let mut w = <$world>::new();
            *w.resource_mut::<Plan>() = Plan {
                key,
                good: (0..300).collect(),
                bad: vec![1, 2],
                panic: true,
                ..Plan::default()
            };
            assert!(catch_unwind(AssertUnwindSafe(|| w.tick())).is_err());
            assert_eq!(w.len(), 0, "the stage's commands were discarded");
            let plan = w.resource::<Plan>();
            let lost: Vec<Entity> = plan
                .good_handles
                .iter()
                .chain(&plan.bad_handles)
                .copied()
                .collect();
            assert_eq!(lost.len(), 302);
            // The next tick drops the discarded commands (their values with them).
            w.tick();
            assert_eq!(w.len(), 1, "only the next run's single spawn");
            assert_eq!(alive(key), 1);
            // Every reserved slot was given back: as many spawns reuse each of them,
            // and no lost handle comes alive.
            let fresh = w.spawn_batch((0..lost.len() as i32).map(|i| (Pos(i),)));
            for e in &lost {
                assert!(!w.is_alive(*e));
                assert!(!fresh.contains(e));
            }
            let mut lost_slots: Vec<u32> = lost.iter().map(|e| e.index()).collect();
            lost_slots.sort_unstable();
            let mut reused: Vec<u32> = fresh.iter().map(|e| e.index()).collect();
            reused.sort_unstable();
            reused.retain(|i| lost_slots.binary_search(i).is_ok());
            assert_eq!(reused, lost_slots);
        }
        assert_eq!(alive(key), 0);
    }};
}

#[test]
fn a_discarded_batch_gives_back_its_handles_and_drops_its_values_once() {
    discarded!(seq::Seq, 2);
    discarded!(par::Par, 3);
}

/// Single spawns in a loop, with other commands between some of them.
#[system]
pub fn singles(mut plan: ResMut<Plan>, mut commands: Commands) {
    let key = plan.key;
    let unit = |x: i32| (Pos(x), Counted::new(key, x));
    let first = commands.spawn(unit(1));
    plan.good_handles.push(first);
    plan.good_handles.push(commands.spawn(unit(2)));
    // Between two runs of the same type: a despawn of the run's first entity, a spawn
    // of another archetype, and bundles that match none.
    commands.despawn(first);
    commands.spawn((Pos(100),));
    plan.bad_handles
        .push(commands.spawn((Hp(1), Counted::new(key, 1))));
    plan.bad_handles
        .push(commands.spawn((Hp(2), Counted::new(key, 2))));
    for x in 3..6 {
        plan.good_handles.push(commands.spawn(unit(x)));
    }
    let last = commands.spawn(unit(6));
    commands.entity(last).insert(Counted::new(key, 60));
    plan.good_handles.push(last);
}

mod singles_world {
    use super::*;
    #[world(
        archetypes(Unit = (Pos, Counted), Plain = (Pos), Healthy = (Hp)),
        resources(Plan),
        phases(Update),
        systems(Update = [singles]),
        executor = sequential,
        on_command_error = collect,
    )]
    pub struct Singles;
}

#[test]
fn runs_of_single_spawns_apply_in_call_order_with_the_commands_between_them() {
    let key = 4;
    {
        let mut w = singles_world::Singles::new();
        w.resource_mut::<Plan>().key = key;
        w.tick();
        let errors = w.take_command_errors();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors
            .iter()
            .all(|e| matches!(e, EcsError::NoArchetypeForBundle { .. })));
        let plan = w.resource::<Plan>();
        let (good, bad) = (plan.good_handles.clone(), plan.bad_handles.clone());
        assert!(!w.is_alive(good[0]), "despawned after its spawn");
        for e in &bad {
            assert!(!w.is_alive(*e));
        }
        // Applied in call order: 1 and 2 spawned, 1 despawned (2 moves to its row), then
        // 3, 4, 5, 6 (whose `Counted` the insert replaced). Had a later spawn joined the
        // batch before the despawn, the last of them would have taken row 0.
        let rows: Vec<(Entity, i32, i32)> = w
            .query::<(Entity, &Pos, &Counted)>()
            .iter()
            .map(|(e, p, c)| (e, p.0, c.value))
            .collect();
        let expected: Vec<(Entity, i32, i32)> = vec![
            (good[1], 2, 2),
            (good[2], 3, 3),
            (good[3], 4, 4),
            (good[4], 5, 5),
            (good[5], 6, 60),
        ];
        assert_eq!(rows, expected);
        assert_eq!(w.query::<&Pos>().iter().count(), 6);
        // 2 to 6, the replaced and the failed values dropped already.
        assert_eq!(alive(key), 5);
    }
    assert_eq!(alive(key), 0);
}
