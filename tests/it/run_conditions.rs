//! Run conditions: `system.run_if(cond)`, on the sequential executor
//! and on `work_stealing(workers = 2)`; the two must agree.

use metronome::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Hp(pub i32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Armor(pub i32);

#[derive(Default)]
pub struct Frame(pub u32);
#[derive(Default)]
pub struct Switch(pub bool);
/// Frames at which each guarded system ran.
#[derive(Default)]
pub struct Ran(pub Vec<(&'static str, u32)>);

pub struct Alarm;

#[system]
pub fn even(f: Res<Frame>) -> bool {
    f.0.is_multiple_of(2)
}

#[system]
pub fn switched_on(s: Res<Switch>) -> bool {
    s.0
}

/// A condition with per-condition state: true every third evaluation.
#[system]
pub fn every_third(mut calls: Local<u32>) -> bool {
    *calls += 1;
    *calls % 3 == 1
}

/// A condition reading components.
#[system]
pub fn anyone_hurt(q: Query<&Hp>) -> bool {
    q.iter().any(|hp| hp.0 < 10)
}

/// A condition reading events.
#[system]
pub fn alarmed(mut alarms: EventReader<Alarm>) -> bool {
    alarms.read().count() > 0
}

static EVALUATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Evaluations of `counted` on this thread (the sequential executor's, in a test).
    static EVALUATED_HERE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[system]
pub fn counted(f: Res<Frame>) -> bool {
    EVALUATIONS.fetch_add(1, Ordering::Relaxed);
    EVALUATED_HERE.with(|n| n.set(n.get() + 1));
    f.0 < 100
}

/// Touches nothing shared: only its condition places it.
#[system]
pub fn quiet(mut runs: Local<u32>) {
    *runs += 1;
}

#[system]
pub fn flip(f: Res<Frame>, mut s: ResMut<Switch>) {
    s.0 = f.0.is_multiple_of(3);
}

#[system]
pub fn on_even(f: Res<Frame>, mut ran: ResMut<Ran>) {
    ran.0.push(("on_even", f.0));
}

#[system]
pub fn on_even_and_switched(f: Res<Frame>, mut ran: ResMut<Ran>) {
    ran.0.push(("on_even_and_switched", f.0));
}

#[system]
pub fn on_third(f: Res<Frame>, mut ran: ResMut<Ran>) {
    ran.0.push(("on_third", f.0));
}

#[system]
pub fn heal(mut q: Query<&mut Hp>) {
    for hp in q.iter_mut() {
        hp.0 += 5;
    }
}

#[system]
pub fn hurt(mut q: Query<(&mut Hp, &Armor)>, f: Res<Frame>) {
    for (hp, armor) in q.iter_mut() {
        if f.0 % 4 == 1 {
            hp.0 -= 20 - armor.0;
        }
    }
}

#[system]
pub fn on_alarm(f: Res<Frame>, mut ran: ResMut<Ran>) {
    ran.0.push(("on_alarm", f.0));
}

#[system]
pub fn raise_alarm(f: Res<Frame>, mut out: EventWriter<Alarm>) {
    if f.0 % 5 == 2 {
        out.send(Alarm);
    }
}

#[system]
pub fn with_counted(mut ran: ResMut<Ran>, f: Res<Frame>) {
    ran.0.push(("with_counted", f.0));
}

#[system]
pub fn clock(mut f: ResMut<Frame>) {
    f.0 += 1;
}

macro_rules! condition_world {
    ($name:ident, [$($executor:tt)*]) => {
        pub mod $name {
            use super::*;
            #[world(
                archetypes(Unit = (Hp, Armor), Blob = (Hp)),
                resources(Frame, Switch, Ran),
                events(Alarm),
                phases(Update, Late),
                systems(
                    Update = [
                        flip,
                        quiet.run_if(switched_on),
                        on_even.run_if(even),
                        on_even_and_switched.run_if(even).run_if(switched_on),
                        on_third.run_if(every_third),
                        hurt,
                        heal.after(hurt).run_if(anyone_hurt),
                        raise_alarm,
                        on_alarm.after(raise_alarm).run_if(alarmed),
                        with_counted.run_if(counted),
                    ],
                    Late = [clock],
                ),
                executor = $($executor)*,
            )]
            pub struct Game;
        }
    };
}

condition_world!(sequential, [sequential]);
condition_world!(stealing, [work_stealing(workers = 2)]);
use sequential::Game as Sequential;
use stealing::Game as Stealing;

macro_rules! run {
    ($world:ty, $ticks:expr) => {{
        let mut game = <$world>::new();
        let units: Vec<Entity> = (0..4).map(|i| game.spawn((Hp(12 + i), Armor(i)))).collect();
        game.spawn((Hp(50),));
        for _ in 0..$ticks {
            game.tick();
        }
        let hp: Vec<i32> = units
            .iter()
            .map(|&e| game.get::<Hp>(e).unwrap().0)
            .collect();
        (std::mem::take(&mut game.resource_mut::<Ran>().0), hp)
    }};
}

fn frames(ran: &[(&str, u32)], name: &str) -> Vec<u32> {
    ran.iter()
        .filter(|(n, _)| *n == name)
        .map(|&(_, f)| f)
        .collect()
}

#[test]
fn a_guarded_system_runs_only_when_every_condition_holds() {
    let (ran, _) = run!(Sequential, 12);
    assert_eq!(frames(&ran, "on_even"), [0, 2, 4, 6, 8, 10]);
    // `flip` (an earlier stage) switches on at frames divisible by 3.
    assert_eq!(frames(&ran, "on_even_and_switched"), [0, 6]);
}

#[test]
fn a_condition_keeps_its_own_state() {
    let (ran, _) = run!(Sequential, 10);
    assert_eq!(frames(&ran, "on_third"), [0, 3, 6, 9]);
}

#[test]
fn conditions_read_components_and_events() {
    let (ran, hp) = run!(Sequential, 10);
    // Alarms at frames 2 and 7, read by the condition in a later stage of the same tick.
    assert_eq!(frames(&ran, "on_alarm"), [2, 7]);
    // `hurt` at frames 1, 5, 9 brings some units under 10, then `heal` runs while one is.
    let (_, expected_hp) = {
        let mut hp: Vec<i32> = (0..4).map(|i| 12 + i).collect();
        for frame in 0..10u32 {
            for (i, h) in hp.iter_mut().enumerate() {
                if frame % 4 == 1 {
                    *h -= 20 - i as i32;
                }
            }
            // The blob (50 hp) never is under 10.
            if hp.iter().any(|&h| h < 10) {
                hp.iter_mut().for_each(|h| *h += 5);
            }
        }
        ((), hp)
    };
    assert_eq!(hp, expected_hp);
}

#[test]
fn a_condition_is_evaluated_once_per_run_of_its_stage() {
    let before = EVALUATED_HERE.with(|n| n.get());
    let mut game = Sequential::new();
    for _ in 0..7 {
        game.tick();
    }
    game.run_phase(sequential::GamePhase::Update);
    // 8 runs of the stage: 8 evaluations, 8 runs of the guarded system.
    assert_eq!(EVALUATED_HERE.with(|n| n.get()) - before, 8);
    assert_eq!(frames(&game.resource::<Ran>().0, "with_counted").len(), 8);
    // On the pool too: one evaluation per run.
    let before = EVALUATIONS.load(Ordering::Relaxed);
    let mut game = Stealing::new();
    for _ in 0..7 {
        game.tick();
    }
    assert!(EVALUATIONS.load(Ordering::Relaxed) - before >= 7);
}

#[test]
fn a_conditions_reads_count_for_the_placement_of_its_system() {
    let update = Sequential::SCHEDULE.phase("Update").unwrap();
    let stage_of = |name: &str| {
        update
            .stages
            .iter()
            .position(|s| s.contains(&name))
            .unwrap()
    };
    // `flip` writes `Switch`, which `switched_on` reads: `quiet`, which touches nothing
    // shared itself, goes after `flip`.
    assert_eq!(stage_of("flip"), 0);
    assert_eq!(stage_of("quiet"), 1);
    assert!(stage_of("on_even_and_switched") > stage_of("flip"));
    // `anyone_hurt` reads `Hp`, which `hurt` writes (`heal` is after it anyway).
    assert!(stage_of("heal") > stage_of("hurt"));
}

#[test]
fn work_stealing_gives_the_sequential_results() {
    for _ in 0..5 {
        assert_eq!(run!(Sequential, 20), run!(Stealing, 20));
    }
}
