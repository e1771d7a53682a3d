//! Issue 10, cases 4 and 7: a component whose `Drop` panics, and a system that panics,
//! leave the world consistent, every value dropped exactly once, and no command of an
//! unwound stage applied later. Also run under valgrind memcheck (`.ci/valgrind`): the
//! `String`s and `Arc`s below turn a double drop into an invalid free and a lost drop
//! into a leak.

use metronome::prelude::*;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

/// Counts the drops of the bombs made from it; the first drop after [`Probe::arm`] panics.
#[derive(Default)]
pub struct Probe {
    drops: AtomicUsize,
    armed: AtomicBool,
}

impl Probe {
    fn arm(&self) {
        self.armed.store(true, SeqCst);
    }
    fn drops(&self) -> usize {
        self.drops.load(SeqCst)
    }
    fn went_off(&self) -> bool {
        !self.armed.load(SeqCst)
    }
}

/// A component whose drop panics once its probe is armed (once: then it disarms).
#[derive(Component)]
pub struct Bomb {
    id: u32,
    probe: Arc<Probe>,
}

impl Drop for Bomb {
    fn drop(&mut self) {
        self.probe.drops.fetch_add(1, SeqCst);
        if self.probe.armed.swap(false, SeqCst) {
            panic!("bomb {} went off", self.id);
        }
    }
}

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Pos(pub i32);
#[derive(Component, Clone, Debug, PartialEq)]
pub struct Name(pub String);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Tag;

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
    archetypes(
        Armed = (Pos, Bomb, Name),
        Tagged = (Pos, Bomb, Name, Tag),
        Plain = (Pos, Name),
    ),
    resources(Script),
    phases(Run),
    systems(Run = [run_script]),
    executor = sequential,
)]
pub struct W;

/// What each live entity holds: position, bomb id, tag.
type Model = BTreeMap<Entity, (i32, Option<u32>, bool)>;

fn bomb(id: u32, probe: &Arc<Probe>) -> Bomb {
    Bomb {
        id,
        probe: Arc::clone(probe),
    }
}

fn name(pos: i32) -> Name {
    Name(format!("entity at {pos}"))
}

/// A world of `n` armed entities (bomb ids and positions `0..n`).
fn armed_world(n: u32, probe: &Arc<Probe>) -> (W, Vec<Entity>, Model) {
    let mut w = W::new();
    let mut model = Model::new();
    let es = (0..n)
        .map(|i| {
            let e = w.spawn(Armed(Pos(i as i32), bomb(i, probe), name(i as i32)));
            model.insert(e, (i as i32, Some(i), false));
            e
        })
        .collect();
    (w, es, model)
}

/// The world holds exactly `model`, seen through `get` and through a query.
fn check(w: &W, model: &Model) {
    assert_eq!(w.len(), model.len());
    for (&e, &(pos, bomb, tag)) in model {
        assert!(w.is_alive(e), "{e:?} is alive");
        assert_eq!(w.get::<Pos>(e), Some(&Pos(pos)), "{e:?}");
        assert_eq!(w.get::<Name>(e), Some(&name(pos)), "{e:?}");
        assert_eq!(w.get::<Bomb>(e).map(|b| b.id), bomb, "{e:?}");
        assert_eq!(w.has::<Tag>(e), tag, "{e:?}");
    }
    let seen: Model = w
        .query::<(Entity, &Pos, &Name, Option<&Bomb>, Option<&Tag>)>()
        .iter()
        .map(|(e, p, n, b, t)| {
            assert_eq!(n, &name(p.0));
            (e, (p.0, b.map(|b| b.id), t.is_some()))
        })
        .collect();
    assert_eq!(&seen, model);
}

/// Runs `f`, which must panic.
fn panics(f: impl FnOnce()) {
    assert!(
        catch_unwind(AssertUnwindSafe(f)).is_err(),
        "expected a panic"
    );
}

fn script(w: &mut W, steps: Vec<Step>) {
    w.resource_mut::<Script>().0 = steps;
    w.run_phase(WPhase::Run);
}

#[test]
fn a_despawn_whose_drop_panics_still_despawns_and_drops_each_value_once() {
    // The first, a middle and the last row (the hole filled by the last row, or none).
    for victim in [0, 2, 4] {
        let probe = Arc::new(Probe::default());
        let (mut w, es, mut model) = armed_world(5, &probe);
        probe.arm();
        panics(|| {
            w.despawn(es[victim]);
        });
        assert!(probe.went_off());
        assert_eq!(probe.drops(), 1);
        model.remove(&es[victim]);
        assert!(!w.is_alive(es[victim]));
        check(&w, &model);
        // The world goes on: more despawns and spawns, then its drop.
        assert!(!w.despawn(es[victim]));
        assert!(w.despawn(es[(victim + 1) % 5]));
        model.remove(&es[(victim + 1) % 5]);
        let e = w.spawn(Armed(Pos(7), bomb(7, &probe), name(7)));
        model.insert(e, (7, Some(7), false));
        check(&w, &model);
        assert_eq!(probe.drops(), 2);
        drop(w);
        assert_eq!(probe.drops(), 6, "5 + 1 bombs, each dropped once");
        assert_eq!(Arc::strong_count(&probe), 1);
    }
}

#[test]
fn an_insert_whose_old_value_panics_on_drop_keeps_the_new_value() {
    let probe = Arc::new(Probe::default());
    let (mut w, es, mut model) = armed_world(3, &probe);
    probe.arm();
    panics(|| {
        let _ = w.insert(es[1], bomb(10, &probe));
    });
    assert_eq!(probe.drops(), 1);
    model.insert(es[1], (1, Some(10), false));
    check(&w, &model);
    drop(w);
    assert_eq!(probe.drops(), 4, "3 + 1 bombs, each dropped once");
    assert_eq!(Arc::strong_count(&probe), 1);
}

#[test]
fn a_removed_value_whose_drop_panics_leaves_the_world_moved() -> Result<(), EcsError> {
    let probe = Arc::new(Probe::default());
    let (mut w, es, mut model) = armed_world(3, &probe);
    let removed = w.remove::<Bomb>(es[0])?;
    probe.arm();
    panics(move || drop(removed));
    assert_eq!(probe.drops(), 1);
    model.insert(es[0], (0, None, false));
    check(&w, &model);
    drop(w);
    assert_eq!(probe.drops(), 3);
    Ok(())
}

#[test]
fn moves_between_archetypes_drop_nothing() -> Result<(), EcsError> {
    let probe = Arc::new(Probe::default());
    let (mut w, es, mut model) = armed_world(4, &probe);
    probe.arm();
    // Armed -> Tagged -> Armed, directly and deferred: the bombs move, never drop.
    w.insert(es[1], Tag)?;
    model.insert(es[1], (1, Some(1), true));
    let e2 = es[2];
    script(&mut w, vec![Box::new(move |c| c.insert(e2, Tag))]);
    model.insert(e2, (2, Some(2), true));
    check(&w, &model);
    w.remove::<Tag>(es[1])?;
    model.insert(es[1], (1, Some(1), false));
    script(&mut w, vec![Box::new(move |c| c.remove::<Tag>(e2))]);
    model.insert(e2, (2, Some(2), false));
    check(&w, &model);
    assert!(!probe.went_off());
    assert_eq!(probe.drops(), 0);
    probe.armed.store(false, SeqCst);
    drop(w);
    assert_eq!(probe.drops(), 4);
    Ok(())
}

#[test]
fn deferred_commands_whose_drops_panic_leave_the_world_consistent() {
    // Each command's drop panics; the spawn recorded after it is discarded with the rest of
    // the stage's commands, and no later run applies it.
    type Make = fn(Entity, &Arc<Probe>) -> Step;
    let cases: [(&str, Make, Option<u32>, bool); 3] = [
        (
            "despawn",
            |e, _| Box::new(move |c| c.despawn(e)),
            None,
            false,
        ),
        (
            "insert",
            |e, probe| {
                let new = bomb(10, probe);
                Box::new(move |c| c.insert(e, new))
            },
            Some(10),
            true,
        ),
        (
            "remove",
            |e, _| Box::new(move |c| c.remove::<Bomb>(e)),
            None,
            true,
        ),
    ];
    for (what, make, bomb_after, alive_after) in cases {
        let probe = Arc::new(Probe::default());
        let (mut w, es, mut model) = armed_world(3, &probe);
        let later = bomb(20, &probe);
        let steps = vec![
            make(es[0], &probe),
            Box::new(move |c: &mut Commands| {
                c.spawn(Armed(Pos(9), later, name(9)));
            }) as Step,
        ];
        probe.arm();
        panics(|| script(&mut w, steps));
        assert!(probe.went_off(), "{what}");
        if alive_after {
            model.insert(es[0], (0, bomb_after, false));
        } else {
            model.remove(&es[0]);
        }
        check(&w, &model);
        // The discarded spawn is dropped by the next run, never applied.
        script(&mut w, Vec::new());
        check(&w, &model);
        assert!(w.take_command_errors().is_empty(), "{what}");
        let made = if what == "insert" { 5 } else { 4 };
        let live = w.query::<&Bomb>().iter().count();
        assert_eq!(probe.drops(), made - live, "{what}");
        drop(w);
        assert_eq!(probe.drops(), made, "{what}: every bomb dropped once");
        assert_eq!(Arc::strong_count(&probe), 1, "{what}");
    }
}

#[test]
fn a_world_whose_drop_panics_drops_every_other_value_once() -> Result<(), EcsError> {
    let probe = Arc::new(Probe::default());
    let (mut w, es, _) = armed_world(6, &probe);
    w.insert(es[4], Tag)?;
    w.spawn(Plain(Pos(3), name(3)));
    probe.arm();
    panics(move || drop(w));
    assert_eq!(probe.drops(), 6);
    assert_eq!(Arc::strong_count(&probe), 1);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Case 7: commands of a stage that unwound
// ---------------------------------------------------------------------------------------

/// Whether `spawn_then_panic` panics on its next run.
#[derive(Default)]
pub struct Fuse(pub bool);

#[system]
fn spawn_then_panic(mut fuse: ResMut<Fuse>, mut commands: Commands) {
    commands.spawn(Plain(Pos(1), name(1)));
    if std::mem::take(&mut fuse.0) {
        panic!("system panics after recording a spawn");
    }
}

/// In the same stage as `spawn_then_panic` (no conflict): its commands go too.
#[system]
fn spawn_beside(mut commands: Commands) {
    commands.spawn(Plain(Pos(2), name(2)));
}

/// A later stage (it reads what the first writes): it never runs in the unwound tick.
#[system]
fn count_ticks(_fuse: Res<Fuse>, mut ticks: Local<u32>, mut commands: Commands) {
    *ticks += 1;
    commands.spawn(Plain(Pos(100 + *ticks as i32), name(100 + *ticks as i32)));
}

#[world(
    archetypes(Thing = (Pos, Name)),
    resources(Fuse),
    phases(Update),
    systems(Update = [spawn_then_panic, spawn_beside, count_ticks]),
    executor = sequential,
)]
pub struct Sequential;

#[world(
    archetypes(Thing2 = (Pos, Name)),
    resources(Fuse),
    phases(Update),
    systems(Update = [spawn_then_panic, spawn_beside, count_ticks]),
    executor = work_stealing(workers = 2),
)]
pub struct Stealing;

macro_rules! commands_of_a_panicked_stage {
    ($test:ident, $world:ident) => {
        #[test]
        fn $test() {
            let mut w = $world::new();
            w.resource_mut::<Fuse>().0 = true;
            panics(|| w.tick());
            assert_eq!(w.len(), 0, "nothing of the unwound stage applied");
            assert_eq!(w.frame(), 0, "the unwound tick is not counted");
            w.tick();
            let mut positions: Vec<i32> = w.query::<&Pos>().iter().map(|p| p.0).collect();
            positions.sort_unstable();
            assert_eq!(positions, [1, 2, 101], "only the good tick's spawns");
            assert_eq!(w.frame(), 1);
            assert!(w.take_command_errors().is_empty());
        }
    };
}
commands_of_a_panicked_stage!(
    commands_of_a_panicked_stage_never_apply_sequential,
    Sequential
);
commands_of_a_panicked_stage!(commands_of_a_panicked_stage_never_apply_on_a_pool, Stealing);
