//! Exclusive systems: a `#[system]` whose only parameter is `&mut W`
//! runs alone, as a stage of its own, after the commands of the stage before it are
//! applied, and may call every world method but `tick`/`run_phase`. Runs on a
//! `sequential` and a `work_stealing(workers = 2)` world, compared.

use metronome::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Pos(pub i32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Hp(pub i32);

#[derive(Default)]
pub struct Log(pub Vec<String>);

#[derive(Default)]
pub struct Tries {
    pub tick_inside: bool,
}

#[system]
pub fn before(mut log: ResMut<Log>, mut commands: Commands) {
    log.0.push("before".into());
    commands.spawn((Pos(1),));
    commands.spawn((Pos(2),));
}

#[system]
pub fn count_pos(q: Query<&Pos>, mut log: ResMut<Log>) {
    log.0.push(format!("count_pos {}", q.len()));
}

/// Ticks any world: called from an exclusive system, where a direct `game.tick()` does
/// not compile.
fn tick_anyway<W: World>(world: &mut W) {
    world.tick();
}

macro_rules! worlds {
    ($($module:ident :: $name:ident = $exec:expr;)*) => {$(
        pub mod $module {
            use super::*;

            /// Sees the entities `before` spawned (its stage's commands were applied),
            /// and uses the world's methods.
            #[system]
            pub fn rebuild(game: &mut $name) {
                let seen = game.len();
                game.resource_mut::<Log>().0.push(format!("rebuild sees {seen}"));
                let e = game.spawn((Pos(10),));
                game.insert(e, Hp(5)).expect("Unit exists");
                let hp: Hp = game.remove::<Hp>(e).expect("has Hp");
                assert_eq!(hp, Hp(5));
                for p in game.query_mut::<&mut Pos>().iter_mut() {
                    p.0 *= 100;
                }
                let first = game.query::<(Entity, &Pos)>().iter().next().map(|(e, _)| e);
                if let Some(first) = first {
                    assert!(game.despawn(first));
                }
                if game.resource::<Tries>().tick_inside {
                    // `game.tick()` here is a compile error; through a helper it is
                    // caught at run time.
                    tick_anyway(game);
                }
            }

            #[world(
                archetypes(Prop = (Pos), Unit = (Pos, Hp)),
                resources(Log, Tries),
                phases(Update),
                systems(Update = [before, rebuild, count_pos]),
                executor = $exec,
            )]
            pub struct $name;
        }
    )*};
}

worlds! {
    seq::Seq = sequential;
    par::Par = work_stealing(workers = 2);
}
use par::Par;
use seq::Seq;

#[test]
fn an_exclusive_system_is_a_stage_of_its_own() {
    let expected = [["before"].as_slice(), &["rebuild"], &["count_pos"]];
    assert_eq!(Seq::SCHEDULE.phases[0].stages, expected);
    assert_eq!(Par::SCHEDULE.phases[0].stages, expected);
}

/// Two ticks through the generic `World` trait; the log.
fn run<W: World>(mut w: W) -> Vec<String>
where
    Log: ResourceOf<W>,
{
    w.tick();
    w.tick();
    std::mem::take(&mut w.resource_mut::<Log>().0)
}

#[test]
fn an_exclusive_system_sees_the_commands_of_the_stage_before_and_uses_the_world() {
    let seq_log = run(Seq::new());
    let par_log = run(Par::new());
    assert_eq!(
        seq_log,
        [
            "before",
            "rebuild sees 2",
            "count_pos 2",
            "before",
            "rebuild sees 4",
            "count_pos 4"
        ]
    );
    assert_eq!(seq_log, par_log);
    let mut seq = Seq::new();
    let mut par = Par::new();
    seq.tick();
    par.tick();
    let s: Vec<i32> = seq.query::<&Pos>().iter().map(|p| p.0).collect();
    let p: Vec<i32> = par.query::<&Pos>().iter().map(|p| p.0).collect();
    // `before` spawned 1 and 2; `rebuild` spawned 10 (into `Unit` and back to `Prop`),
    // multiplied all by 100 and despawned the first row (its hole filled by the last).
    assert_eq!(s, [1000, 200]);
    assert_eq!(s, p);
}

macro_rules! tick_inside {
    ($world:ty) => {{
        let mut w = <$world>::new();
        w.resource_mut::<Tries>().tick_inside = true;
        let message = catch_unwind(AssertUnwindSafe(|| w.tick()))
            .expect_err("tick inside an exclusive system panics")
            .downcast::<String>()
            .expect("a formatted message");
        assert!(message.contains("exclusive"), "{message}");
        assert!(message.contains("tick"), "{message}");
        // The world is usable again: the mark was cleared.
        w.resource_mut::<Tries>().tick_inside = false;
        w.tick();
        assert_eq!(w.frame(), 1);
        w.len()
    }};
}

#[test]
fn tick_from_an_exclusive_system_panics_and_the_world_recovers() {
    assert_eq!(tick_inside!(Seq), tick_inside!(Par));
}
