//! Every feature of in one world: events, states (an `OnEnter` list that
//! spawns through `Commands` and uses the returned `Entity` at once, an `OnExit` list),
//! run conditions (`in_state` and a `Query` condition), an exclusive system and
//! `par_for_each_with_commands`. The same scripts run on a `sequential` world, on
//! `work_stealing(workers = 2)`, and on that world rebuilt with 1, 2 and 4 workers: the
//! final state (every entity's components in storage order, the readable events, the
//! state, what the systems logged) must be identical.

use metronome::prelude::*;
use proptest::prelude::*;

#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos(pub i32);
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hp(pub i32);
/// Which muster (`OnEnter(Mode::Battle)` run) spawned the unit.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wave(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    Calm,
    Battle,
    Over,
}

/// Damage to every unit standing at `at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub at: i32,
    pub amount: i32,
}

/// How many units were at or below zero hp when `announce` ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fell(pub usize);

/// One instruction of a script frame, carried out by `director`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Hit { at: i32, amount: i32 },
    Spawn(i32),
    Switch(Mode),
}

/// The steps of each frame; frames past the end do nothing.
#[derive(Default)]
pub struct Script(pub Vec<Vec<Step>>);
#[derive(Default)]
pub struct Clock(pub u32);
#[derive(Default)]
pub struct Journal(pub Vec<String>);
/// When set, `keeper` asks for a battle and ticks its own world through a helper.
#[derive(Default)]
pub struct Meddle(pub bool);

/// Ticks any world: from an exclusive system, where `game.tick()` does not compile.
fn tick_anyway<W: World>(world: &mut W) {
    world.tick();
}

#[system]
pub fn director(
    script: Res<Script>,
    clock: Res<Clock>,
    mut hits: EventWriter<Hit>,
    mut next: ResMut<NextState<Mode>>,
    mut commands: Commands,
) {
    let Some(steps) = script.0.get(clock.0 as usize) else {
        return;
    };
    for step in steps {
        match *step {
            Step::Hit { at, amount } => hits.send(Hit { at, amount }),
            Step::Spawn(x) => {
                let e = commands.spawn((Pos(x), Hp(3)));
                commands.entity(e).insert(Hp(3 + x.rem_euclid(4)));
            }
            Step::Switch(mode) => next.set(mode),
        }
    }
}

#[system]
pub fn apply_hits(mut inbox: EventReader<Hit>, mut units: Query<(&Pos, &mut Hp)>) {
    for hit in inbox.read() {
        for (pos, hp) in units.iter_mut() {
            if pos.0 == hit.at {
                hp.0 -= hit.amount;
            }
        }
    }
}

/// Despawns the fallen in a parallel loop, leaving a grave (`Pos` alone) for each.
#[system]
pub fn reap(mut units: Query<(Entity, &Pos, &Hp)>, mut commands: Commands) {
    units.par_for_each_with_commands(&mut commands, |(e, pos, hp), cmds| {
        if hp.0 <= 0 {
            cmds.entity(e).despawn();
            cmds.spawn((Pos(-pos.0),));
        }
    });
}

/// A run condition reading a query.
#[system]
pub fn any_low(units: Query<&Hp>) -> bool {
    units.iter().any(|hp| hp.0 <= 1)
}

#[system]
pub fn announce(units: Query<&Hp>, mut out: EventWriter<Fell>) {
    out.send(Fell(units.iter().filter(|hp| hp.0 <= 1).count()));
}

#[system]
pub fn watch(
    mut hits: EventReader<Hit>,
    mut fell: EventReader<Fell>,
    clock: Res<Clock>,
    mut journal: ResMut<Journal>,
) {
    for hit in hits.read() {
        journal.0.push(format!("{} hit {:?}", clock.0, hit));
    }
    for f in fell.read() {
        journal.0.push(format!("{} fell {}", clock.0, f.0));
    }
}

/// `OnEnter(Mode::Battle)`: spawns a wave and tags it through the returned handles.
#[system]
pub fn muster(mut commands: Commands, mut musters: Local<u32>) {
    *musters += 1;
    for i in 0..3 {
        let e = commands.spawn((Pos(100 + i), Hp(2)));
        commands.entity(e).insert(Wave(*musters));
    }
}

/// `OnExit(Mode::Battle)`: the wave goes home.
#[system]
pub fn dismiss(wave: Query<(Entity, &Wave)>, mut commands: Commands) {
    for (e, _) in wave.iter() {
        commands.entity(e).despawn();
    }
}

macro_rules! worlds {
    ($($module:ident :: $name:ident = $exec:expr;)*) => {$(
        pub mod $module {
            use super::*;

            /// Exclusive: advances the clock, logs the frame, and ends the game when it
            /// is crowded.
            #[system]
            pub fn keeper(game: &mut $name) {
                let mode = game.state::<Mode>();
                let alive = game.len();
                let clock = game.resource_mut::<Clock>();
                clock.0 += 1;
                let now = clock.0;
                game.resource_mut::<Journal>().0.push(format!("{now} {mode:?} {alive}"));
                if alive > 40 && mode != Mode::Over {
                    game.set_next_state(Mode::Over);
                }
                if std::mem::take(&mut game.resource_mut::<Meddle>().0) {
                    game.set_next_state(Mode::Battle);
                    tick_anyway(game);
                }
            }

            /// Exclusive, in the `OnExit(Mode::Battle)` list after `dismiss`: sees the
            /// wave gone.
            #[system]
            pub fn farewell(game: &mut $name) {
                let waves = game.query::<&Wave>().iter().count();
                game.resource_mut::<Journal>().0.push(format!("farewell {waves}"));
            }

            #[world(
                archetypes(
                    Unit = (Pos, Hp),
                    Veteran = (Pos, Hp, Wave),
                    Grave = (Pos),
                ),
                resources(Script, Clock, Journal, Meddle),
                events(Hit, Fell),
                states(Mode = Mode::Calm),
                phases(Plan, Fight, Tidy),
                systems(
                    Plan = [director],
                    Fight = [
                        apply_hits.run_if(in_state(Mode::Battle)),
                        reap.after(apply_hits).run_if(in_state(Mode::Battle)),
                        announce.after(reap).run_if(any_low),
                        watch.after(announce),
                    ],
                    Tidy = [keeper],
                    OnEnter(Mode::Battle) = [muster],
                    OnExit(Mode::Battle) = [dismiss, farewell],
                ),
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

/// What two runs must agree on.
#[derive(Debug, PartialEq)]
struct Outcome {
    /// Every entity's components, in storage order.
    entities: Vec<(i32, Option<i32>, Option<u32>)>,
    hits: Vec<Hit>,
    fell: Vec<Fell>,
    mode: Mode,
    clock: u32,
    journal: Vec<String>,
}

macro_rules! outcome_of {
    ($game:expr) => {{
        let game = &mut $game;
        Outcome {
            entities: game
                .query::<(&Pos, Option<&Hp>, Option<&Wave>)>()
                .iter()
                .map(|(p, h, w)| (p.0, h.map(|h| h.0), w.map(|w| w.0)))
                .collect(),
            hits: game.events::<Hit>().copied().collect(),
            fell: game.events::<Fell>().copied().collect(),
            mode: game.state::<Mode>(),
            clock: game.resource::<Clock>().0,
            journal: std::mem::take(&mut game.resource_mut::<Journal>().0),
        }
    }};
}

/// Runs `script` (and a few frames more) on `game`, which starts with some units.
macro_rules! play {
    ($game:expr, $script:expr) => {{
        let mut game = $game;
        game.spawn_batch((0..8).map(|i| (Pos(i % 4), Hp(2 + i))));
        let frames = $script.len() + 3;
        game.resource_mut::<Script>().0 = $script;
        for _ in 0..frames {
            game.tick();
        }
        outcome_of!(game)
    }};
}

/// The outcome on every executor and worker count, checked equal; the sequential one.
fn everywhere(script: &[Vec<Step>]) -> Outcome {
    let expected = play!(seq::Seq::new(), script.to_vec());
    assert_eq!(
        play!(par::Par::new(), script.to_vec()),
        expected,
        "work_stealing(2)"
    );
    for workers in [1, 2, 4] {
        let game = par::Par::with_workers(workers).expect("a pool");
        assert_eq!(play!(game, script.to_vec()), expected, "{workers} workers");
    }
    expected
}

#[test]
fn a_scripted_game_ends_the_same_on_every_executor() {
    use Step::*;
    let script = vec![
        vec![Switch(Mode::Battle), Spawn(1)],
        vec![Hit { at: 1, amount: 3 }, Hit { at: 100, amount: 1 }],
        vec![Hit { at: 1, amount: 9 }, Hit { at: 101, amount: 5 }],
        vec![Switch(Mode::Calm), Hit { at: 2, amount: 50 }],
        vec![Hit { at: 2, amount: 50 }],
        vec![Switch(Mode::Battle)],
        vec![Hit { at: 2, amount: 50 }, Spawn(7)],
    ];
    let outcome = everywhere(&script);

    // The wave of the second battle is on the field, tagged through the handles that
    // `Commands::spawn` returned; the first wave was dismissed on leaving the battle.
    let waves: Vec<_> = outcome.entities.iter().filter_map(|e| e.2).collect();
    assert_eq!(waves, [2, 2, 2]);
    // A state change takes effect at the start of the next tick: the hits at 2 sent in
    // the frame that asks for calm still land and kill both units there (graves at -2),
    // the one sent while calm (frame 4) is ignored; the three units at 1 fell in battle,
    // and so did the first wave's unit at 101.
    assert_eq!(outcome.entities.iter().filter(|e| e.0 == -2).count(), 2);
    assert_eq!(outcome.entities.iter().filter(|e| e.0 == -1).count(), 3);
    assert!(outcome.entities.contains(&(-101, None, None)));
    assert!(outcome.journal.contains(&"4 Battle 12".to_string()));
    assert!(outcome.journal.contains(&"5 Calm 10".to_string()));
    assert_eq!(
        outcome
            .journal
            .iter()
            .filter(|l| l.starts_with("farewell"))
            .collect::<Vec<_>>(),
        ["farewell 0"]
    );
    assert_eq!(outcome.mode, Mode::Battle);
    assert_eq!(outcome.clock, script.len() as u32 + 3);
    assert!(outcome.journal.iter().any(|line| line.contains("fell")));
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        ((-1..5i32), (0..6i32)).prop_map(|(at, amount)| Step::Hit { at, amount }),
        (100..103i32).prop_map(|at| Step::Hit { at, amount: 2 }),
        (0..5i32).prop_map(Step::Spawn),
        prop_oneof![Just(Mode::Calm), Just(Mode::Battle), Just(Mode::Over)].prop_map(Step::Switch),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn random_scripts_end_the_same_on_every_executor(
        script in prop::collection::vec(prop::collection::vec(step(), 0..5), 1..12),
    ) {
        everywhere(&script);
    }
}

/// A tick from inside an exclusive system is refused before it starts: the state change
/// the system asked for is not half-made (switched without its `OnEnter` list running), and
/// the events are not aged.
#[test]
fn a_tick_inside_an_exclusive_system_changes_nothing() {
    let mut game = par::Par::new();
    game.send_event(Hit { at: 0, amount: 0 });
    game.resource_mut::<Meddle>().0 = true;
    let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| game.tick())).is_err();
    assert!(unwound, "the inner tick panics");
    assert_eq!(game.state::<Mode>(), Mode::Calm);
    assert_eq!(game.query::<&Wave>().iter().count(), 0);
    // Sent before the tick that unwound: readable through the end of the tick after it.
    assert_eq!(game.events::<Hit>().count(), 1);
    game.tick();
    assert_eq!(game.state::<Mode>(), Mode::Battle);
    assert_eq!(
        game.query::<&Wave>().iter().count(),
        3,
        "the OnEnter list ran"
    );
}
