//! States and their transitions, on the sequential executor and on
//! `work_stealing(workers = 2)`; the two must agree.

use metronome::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GameState {
    Menu,
    Playing,
    Over,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Music {
    Quiet,
    Loud(u8),
}

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Enemy(pub u32);

/// Every system call, in order: (system, the `GameState` it saw).
#[derive(Default)]
pub struct Journal(pub Vec<(&'static str, GameState)>);

#[derive(Default)]
pub struct Wants(pub Option<GameState>);

#[system]
pub fn enter_menu(state: Res<State<GameState>>, mut log: ResMut<Journal>) {
    log.0.push(("enter_menu", *state.get()));
}

#[system]
pub fn exit_menu(state: Res<State<GameState>>, mut log: ResMut<Journal>) {
    log.0.push(("exit_menu", *state.get()));
}

#[system]
pub fn setup_level(mut commands: Commands, mut log: ResMut<Journal>, state: Res<State<GameState>>) {
    for i in 0..3 {
        commands.spawn((Enemy(i),));
    }
    log.0.push(("setup_level", *state.get()));
}

/// Placed after `setup_level` in the `OnEnter` list: sees the enemies it spawned.
#[system]
pub fn count_enemies(enemies: Query<&Enemy>, mut log: ResMut<Journal>) {
    let name = match enemies.len() {
        3 => "count_enemies=3",
        _ => "count_enemies=?",
    };
    log.0.push((name, GameState::Playing));
}

#[system]
pub fn exit_playing(state: Res<State<GameState>>, mut log: ResMut<Journal>) {
    log.0.push(("exit_playing", *state.get()));
}

#[system]
pub fn enter_over(state: Res<State<GameState>>, mut log: ResMut<Journal>) {
    log.0.push(("enter_over", *state.get()));
}

#[system]
pub fn playing(state: Res<State<GameState>>) -> bool {
    *state.get() == GameState::Playing
}

/// Asks for `Wants` when it is set, from inside a system.
#[system]
pub fn steer(mut wants: ResMut<Wants>, mut next: ResMut<NextState<GameState>>) {
    if let Some(s) = wants.0.take() {
        next.set(s);
    }
}

#[system]
pub fn update(state: Res<State<GameState>>, mut log: ResMut<Journal>) {
    log.0.push(("update", *state.get()));
}

#[system]
pub fn while_playing(mut log: ResMut<Journal>) {
    log.0.push(("while_playing", GameState::Playing));
}

#[system]
pub fn while_menu(mut log: ResMut<Journal>) {
    log.0.push(("while_menu", GameState::Menu));
}

#[system]
pub fn enter_loud(mut log: ResMut<Journal>) {
    log.0.push(("enter_loud", GameState::Over));
}

macro_rules! state_world {
    ($name:ident, [$($executor:tt)*]) => {
        pub mod $name {
            use super::*;
            #[world(
                archetypes(Foe = (Enemy)),
                resources(Journal, Wants),
                states(GameState = GameState::Menu, Music = Music::Quiet),
                phases(Update),
                systems(
                    Update = [
                        steer,
                        while_playing.run_if(playing),
                        while_menu.run_if(in_state(GameState::Menu)),
                        update,
                    ],
                    OnEnter(GameState::Menu) = [enter_menu],
                    OnExit(GameState::Menu) = [exit_menu],
                    OnEnter(GameState::Playing) = [setup_level, count_enemies.after(setup_level)],
                    OnExit(GameState::Playing) = [exit_playing],
                    OnEnter(GameState::Over) = [enter_over],
                    OnExit(GameState::Over) = [],
                    OnEnter(Music::Loud(11)) = [enter_loud],
                ),
                executor = $($executor)*,
            )]
            pub struct Game;
        }
    };
}

state_world!(sequential, [sequential]);
state_world!(stealing, [work_stealing(workers = 2)]);
use sequential::Game as Sequential;
use stealing::Game as Stealing;

use GameState::*;

macro_rules! script {
    ($world:ty) => {{
        let mut game = <$world>::new();
        assert_eq!(
            game.state::<GameState>(),
            Menu,
            "the initial value before the first tick"
        );
        game.tick(); // enters Menu
        game.set_next_state(Playing); // from outside
        assert_eq!(game.state::<GameState>(), Menu, "applied at the next tick");
        game.tick(); // exits Menu, enters Playing
        assert_eq!(game.state::<GameState>(), Playing);
        assert_eq!(game.len(), 3);
        game.resource_mut::<Wants>().0 = Some(Over); // from a system
        game.tick(); // `steer` asks for Over
        assert_eq!(game.state::<GameState>(), Playing);
        game.tick(); // exits Playing, enters Over
        assert_eq!(game.state::<GameState>(), Over);
        game.set_next_state(Music::Loud(11));
        game.set_next_state(Music::Loud(3));
        game.tick(); // the last value set wins: no `OnEnter(Music::Loud(11))`
        assert_eq!(game.state::<Music>(), Music::Loud(3));
        game.set_next_state(Music::Loud(11));
        game.tick();
        std::mem::take(&mut game.resource_mut::<Journal>().0)
    }};
}

#[test]
fn transitions_run_exit_then_switch_then_enter_at_the_start_of_a_tick() {
    let journal = script!(Sequential);
    let expected = vec![
        // tick 0: the initial value is entered first
        ("enter_menu", Menu),
        ("while_menu", Menu),
        ("update", Menu),
        // tick 1: `OnExit` sees the old value, `OnEnter` the new one; the `OnEnter` list
        // has stages (commands applied between them)
        ("exit_menu", Menu),
        ("setup_level", Playing),
        ("count_enemies=3", Playing),
        ("while_playing", Playing),
        ("update", Playing),
        // tick 2: `steer` asks for Over
        ("while_playing", Playing),
        ("update", Playing),
        // tick 3
        ("exit_playing", Playing),
        ("enter_over", Over),
        ("update", Over),
        // tick 4: Music changes, nothing listed for Loud(3)
        ("update", Over),
        // tick 5
        ("enter_loud", Over),
        ("update", Over),
    ];
    assert_eq!(journal, expected);
}

#[test]
fn work_stealing_gives_the_sequential_results() {
    for _ in 0..5 {
        assert_eq!(script!(Sequential), script!(Stealing));
    }
}

#[test]
fn setting_the_current_value_runs_its_exit_and_enter_again() {
    let mut game = Sequential::new();
    game.tick();
    game.set_next_state(Menu);
    game.tick();
    let journal = &game.resource::<Journal>().0;
    let names: Vec<&str> = journal.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "enter_menu",
            "while_menu",
            "update",
            "exit_menu",
            "enter_menu",
            "while_menu",
            "update"
        ]
    );
}

#[test]
fn run_phase_runs_no_transition() {
    let mut game = Sequential::new();
    game.set_next_state(Playing);
    game.run_phase(sequential::GamePhase::Update);
    assert_eq!(game.state::<GameState>(), Menu);
    let names: Vec<&str> = game
        .resource::<Journal>()
        .0
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(names, ["while_menu", "update"]);
    game.tick();
    assert_eq!(game.state::<GameState>(), Playing);
}

#[test]
fn the_schedule_lists_the_declared_phases_only() {
    // The `OnEnter`/`OnExit` lists are not phases of `tick`; a condition's read of
    // `State<GameState>` counts (none of these writes it, so nothing moves).
    assert_eq!(Sequential::SCHEDULE.phases.len(), 1);
    assert_eq!(
        Sequential::SCHEDULE.phases[0].stages,
        &[
            &["steer", "while_playing"][..],
            &["while_menu"],
            &["update"]
        ]
    );
}

#[test]
fn the_transition_lists_are_placed_into_stages() {
    let enter = Sequential::TRANSITIONS
        .phase("OnEnter(GameState::Playing)")
        .unwrap();
    assert_eq!(enter.stages, &[&["setup_level"][..], &["count_enemies"]]);
    let names: Vec<&str> = Sequential::TRANSITIONS
        .phases
        .iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(
        names,
        [
            "OnEnter(GameState::Menu)",
            "OnExit(GameState::Menu)",
            "OnEnter(GameState::Playing)",
            "OnExit(GameState::Playing)",
            "OnEnter(GameState::Over)",
            "OnExit(GameState::Over)",
            "OnEnter(Music::Loud(11))",
        ]
    );
    assert!(Sequential::TRANSITIONS.phases[5].stages.is_empty());
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    Calm,
    Storm,
}

/// Bit 1: `exit_calm` panics; bit 2: `enter_storm` panics.
#[derive(Default)]
pub struct Fragile(pub u8);

#[system]
pub fn enter_storm(fragile: Res<Fragile>) {
    if fragile.0 & 2 != 0 {
        panic!("storm entry failed on purpose");
    }
}

#[system]
pub fn exit_calm(fragile: Res<Fragile>) {
    if fragile.0 & 1 != 0 {
        panic!("calm exit failed on purpose");
    }
}

pub mod fragile_world {
    use super::*;
    #[world(
        archetypes(Foe = (Enemy)),
        resources(Fragile),
        states(Phase = Phase::Calm),
        systems(OnEnter(Phase::Storm) = [enter_storm], OnExit(Phase::Calm) = [exit_calm]),
        executor = work_stealing(workers = 2),
    )]
    pub struct Game;
}

#[test]
fn a_panicking_transition_leaves_the_world_usable() {
    let tick = |game: &mut fragile_world::Game| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| game.tick())).is_err()
    };
    let mut game = fragile_world::Game::new();
    assert!(!tick(&mut game));
    game.resource_mut::<Fragile>().0 = 1;
    game.set_next_state(Phase::Storm);
    // `OnExit(Calm)` panics: the change is dropped, the state keeps its value.
    assert!(tick(&mut game));
    assert_eq!(game.state::<Phase>(), Phase::Calm);
    assert_eq!(game.frame(), 1, "the tick that unwound is not counted");
    assert!(!tick(&mut game), "nothing pending any more");
    // `OnEnter(Storm)` panics after the switch: the state has its new value.
    game.resource_mut::<Fragile>().0 = 2;
    game.set_next_state(Phase::Storm);
    assert!(tick(&mut game));
    assert_eq!(game.state::<Phase>(), Phase::Storm);
    game.resource_mut::<Fragile>().0 = 0;
    assert!(!tick(&mut game));
    assert_eq!(game.frame(), 3);
}
