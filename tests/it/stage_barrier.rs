//! A stage ends for every system of the next stage at once, whatever the executor: no
//! system of stage `k + 1` starts while a system of stage `k` still runs, even one it
//! conflicts with nothing in. A runner that started it as soon as the systems it
//! depends on ended (a dependency-driven dispatch) would be observable in three ways,
//! one test each, every one on `work_stealing(workers = 2)` against `sequential`:
//!
//! - a system of stage `k` panics after a later-stage system could have run: that system
//!   must not have run (the contract: the later stages of the phase do not run);
//! - a stage-`k` system's `Commands` are applied at the end of stage `k`: a stage-`k + 1`
//!   system reading what they spawn must see them;
//! - events sent in stage `k` are readable from stage `k + 1`, not before.
//!
//! In each world a slow system of stage `k` spins while the short one the later system
//! depends on ends at once, so an early start would happen within the spin.

use metronome::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Spin(pub u32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Fed(pub u32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Copied(pub u32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Born(pub u32);

/// How long `slow` spins before it touches its rows, and whether it then panics.
#[derive(Default)]
pub struct SlowCfg {
    pub spin: Duration,
    pub panic: bool,
}

/// What `census` counted, tick by tick.
#[derive(Default)]
pub struct Census(pub Vec<usize>);

/// What `listen` read, tick by tick.
#[derive(Default)]
pub struct Heard(pub Vec<Vec<u32>>);

/// An event `shout` sends once per tick.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shout(pub u32);

/// Conflicts with no other system: it spins, counts its rows, and panics if told to.
#[system]
pub fn slow(mut q: Query<&mut Spin>, cfg: Res<SlowCfg>) {
    let start = Instant::now();
    while start.elapsed() < cfg.spin {
        std::hint::spin_loop();
    }
    for s in q.iter_mut() {
        s.0 += 1;
    }
    if cfg.panic {
        panic!("`slow` panics after the rest of its stage could have ended");
    }
}

/// Stage `k`, beside `slow`.
#[system]
pub fn feed(mut q: Query<&mut Fed>) {
    for f in q.iter_mut() {
        f.0 += 1;
    }
}

/// Stage `k + 1`: it reads what `feed` writes (so it comes after it), and nothing of
/// `slow`'s.
#[system]
pub fn copy(mut q: Query<(&Fed, &mut Copied)>) {
    for (f, c) in q.iter_mut() {
        c.0 = f.0;
    }
}

/// Stage `k`, beside `slow`: a deferred spawn.
#[system]
pub fn spawn_one(mut commands: Commands, mut made: Local<u32>) {
    *made += 1;
    commands.spawn((Born(*made),));
}

/// Stage `k + 1` (`.after(spawn_one)`): counts what `spawn_one` spawned.
#[system]
pub fn census(q: Query<&Born>, mut seen: ResMut<Census>) {
    seen.0.push(q.iter().count());
}

/// Stage `k`, beside `slow`: one event per tick.
#[system]
pub fn shout(mut out: EventWriter<Shout>, mut sent: Local<u32>) {
    *sent += 1;
    out.send(Shout(*sent));
}

/// Stage `k + 1` (`.after(shout)`): what it can read of the events.
#[system]
pub fn listen(mut inbox: EventReader<Shout>, mut heard: ResMut<Heard>) {
    heard.0.push(inbox.read().map(|s| s.0).collect());
}

macro_rules! worlds {
    ($module:ident, $($executor:tt)*) => {
        pub mod $module {
            use super::*;

            #[world(
                archetypes(Row = (Spin, Fed, Copied), Baby = (Born)),
                resources(SlowCfg, Census, Heard),
                events(Shout),
                phases(Update),
                systems(Update = [
                    slow,
                    feed,
                    copy,
                    spawn_one,
                    census.after(spawn_one),
                    shout,
                    listen.after(shout),
                ]),
                executor = $($executor)*,
            )]
            pub struct W;
        }
    };
}

worlds!(seq, sequential);
worlds!(ws2, work_stealing(workers = 2));

/// The premise of every test: `slow` shares stage `k` with the systems the later ones
/// follow, and the later ones are alone in stage `k + 1`.
#[test]
fn the_later_systems_are_one_stage_after_slow() {
    for schedule in [&seq::W::SCHEDULE, &ws2::W::SCHEDULE] {
        let stages: Vec<Vec<&str>> = schedule.phases[0]
            .stages
            .iter()
            .map(|s| s.to_vec())
            .collect();
        assert_eq!(
            stages,
            [
                vec!["slow", "feed", "spawn_one", "shout"],
                vec!["copy", "census", "listen"]
            ]
        );
    }
}

/// The rows of world `$w`: (Spin, Fed, Copied), in storage order.
macro_rules! rows {
    ($w:expr) => {
        $w.query::<(&Spin, &Fed, &Copied)>()
            .iter()
            .map(|(s, f, c)| (s.0, f.0, c.0))
            .collect::<Vec<_>>()
    };
}

/// Ticks world `$w` through 40 good ticks, one whose `slow` panics, and 5 more; returns
/// its rows after the panic and at the end, what `census` and `listen` saw, and its frame.
macro_rules! drive {
    ($w:expr) => {{
        let w = &mut $w;
        for _ in 0..3 {
            w.spawn((Spin(0), Fed(0), Copied(0)));
        }
        // Ticks whose `slow` spins a little (the stage runner times them, and may put
        // the stage on the pool).
        w.resource_mut::<SlowCfg>().spin = Duration::from_micros(200);
        for _ in 0..40 {
            w.tick();
        }
        // The tick whose `slow` panics after 50 ms: `feed` (its stage) runs, `copy`
        // (the next stage) does not.
        *w.resource_mut::<SlowCfg>() = SlowCfg {
            spin: Duration::from_millis(50),
            panic: true,
        };
        assert!(catch_unwind(AssertUnwindSafe(|| w.tick())).is_err());
        let after_panic = rows!(w);
        *w.resource_mut::<SlowCfg>() = SlowCfg::default();
        for _ in 0..5 {
            w.tick();
        }
        let end = rows!(w);
        let census = std::mem::take(&mut w.resource_mut::<Census>().0);
        let heard = std::mem::take(&mut w.resource_mut::<Heard>().0);
        (after_panic, end, census, heard, w.frame())
    }};
}

/// `what` if `seen` is not `expected`: the test lists every mismatch before it fails.
fn mismatch<T: PartialEq + std::fmt::Debug>(what: String, seen: T, expected: T) -> Option<String> {
    (seen != expected).then(|| format!("{what}: {seen:?}, expected {expected:?}"))
}

#[test]
fn a_later_stage_never_runs_early_on_a_pool() {
    let expected_rows = |ticks: u32, copied: u32| vec![(ticks, ticks, copied); 3];
    let seq = drive!(seq::W::new());
    let ws2 = drive!(ws2::W::new());
    let mut failures = Vec::new();
    for (name, (after_panic, end, census, heard, frame)) in
        [("sequential", seq), ("work_stealing(2)", ws2)]
    {
        // 40 good ticks, then `slow` and `feed` ran (41) but `copy` did not (40).
        failures.push(mismatch(
            format!("{name}: rows after the panic"),
            after_panic,
            expected_rows(41, 40),
        ));
        failures.push(mismatch(
            format!("{name}: rows at the end"),
            end,
            expected_rows(46, 46),
        ));
        // The unwound tick is not counted.
        failures.push(mismatch(format!("{name}: frame"), frame, 45));
        // `census` runs on the 45 counted ticks; on each it sees every spawn of its
        // tick's first stage (the unwound tick's spawn was discarded).
        failures.push(mismatch(
            format!("{name}: census"),
            census,
            (1..=45).collect(),
        ));
        // `listen` hears the event of its own tick's first stage, every tick.
        let sent: Vec<Vec<u32>> = (1..=40).chain(42..=46).map(|n| vec![n]).collect();
        failures.push(mismatch(format!("{name}: events heard"), heard, sent));
    }
    let failures: Vec<String> = failures.into_iter().flatten().collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
