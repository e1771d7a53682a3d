//! The tower-defense game as a metronome world: components, events, the screen state,
//! the systems, and [`tower_defense_world!`], which declares the world on a given
//! executor (the example, its test and the benchmark each declare the ones they run).
//!
//! A tick, while playing: towers whose cooldown is over fire [`Shot`] events; enemies
//! march (slowed ones at half speed); the shots land (damage, and slow from frost
//! towers); enemies that died or reached the end send [`Killed`]/[`Leaked`] events and
//! are despawned by a parallel loop with commands; the score counts the events; every
//! few ticks a wave enters; an exclusive referee ends the game. The numbers come from
//! `rules.rs`, which the bevy_ecs copy of the game in `benches/benches/game.rs` shares.

pub use super::rules::Shot;
use super::rules::{self, Fate, Setup, Tally, TowerSpec};
use metronome::prelude::*;

/// Where the game is: the menu, play, or the end.
#[cfg_attr(
    feature = "serde",
    derive(metronome::serde::Serialize, metronome::serde::Deserialize),
    serde(crate = "metronome::serde")
)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Screen {
    Menu,
    Playing,
    Over,
}

#[cfg_attr(
    feature = "serde",
    derive(metronome::serde::Serialize, metronome::serde::Deserialize),
    serde(crate = "metronome::serde")
)]
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Position(pub f32);
#[cfg_attr(
    feature = "serde",
    derive(metronome::serde::Serialize, metronome::serde::Deserialize),
    serde(crate = "metronome::serde")
)]
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Speed(pub f32);
#[cfg_attr(
    feature = "serde",
    derive(metronome::serde::Serialize, metronome::serde::Deserialize),
    serde(crate = "metronome::serde")
)]
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Health(pub i32);
/// Ticks of slow left on an enemy.
#[cfg_attr(
    feature = "serde",
    derive(metronome::serde::Serialize, metronome::serde::Deserialize),
    serde(crate = "metronome::serde")
)]
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chill(pub u16);
#[cfg_attr(
    feature = "serde",
    derive(metronome::serde::Serialize, metronome::serde::Deserialize),
    serde(crate = "metronome::serde")
)]
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Tower(pub TowerSpec);
/// Ticks until a tower fires again.
#[cfg_attr(
    feature = "serde",
    derive(metronome::serde::Serialize, metronome::serde::Deserialize),
    serde(crate = "metronome::serde")
)]
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cooldown(pub u32);
/// A frost tower: its shots leave this many ticks of slow.
#[cfg_attr(
    feature = "serde",
    derive(metronome::serde::Serialize, metronome::serde::Deserialize),
    serde(crate = "metronome::serde")
)]
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frost(pub u16);

/// An enemy was killed, worth this many points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Killed(pub u32);
/// An enemy reached the end of the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Leaked;

/// The game's setup (a resource; set it before the first tick).
#[cfg_attr(
    feature = "serde",
    derive(metronome::serde::Serialize, metronome::serde::Deserialize),
    serde(crate = "metronome::serde")
)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config(pub Setup);

impl Default for Config {
    fn default() -> Self {
        Config(Setup {
            enemies: 10_000,
            waves: 12,
            lives: 2_000,
        })
    }
}

/// Ticks spent in the menu.
#[cfg_attr(
    feature = "serde",
    derive(metronome::serde::Serialize, metronome::serde::Deserialize),
    serde(crate = "metronome::serde")
)]
#[derive(Clone, Default)]
pub struct MenuClock(pub u32);

/// `in_state(Screen::Menu)`: shows the menu for a few ticks, then starts the game.
#[system]
pub fn menu(mut clock: ResMut<MenuClock>, mut next: ResMut<NextState<Screen>>) {
    clock.0 += 1;
    if clock.0 >= rules::MENU_TICKS {
        next.set(Screen::Playing);
    }
}

/// `OnEnter(Screen::Playing)`: builds the towers (frost ones get their `Frost` through
/// the handle `spawn` returns) and the opening wave.
#[system]
pub fn setup_level(mut commands: Commands, config: Res<Config>, mut tally: ResMut<Tally>) {
    for i in 0..rules::TOWERS {
        let spec = rules::tower(i);
        let tower = commands.spawn((Tower(spec), Cooldown(rules::first_cooldown(i))));
        if spec.frost {
            commands.entity(tower).insert(Frost(rules::FROST_TICKS));
        }
    }
    let first = tally.spawned;
    commands.spawn_batch((first..first + config.0.enemies).map(|n| enemy(n, 0)));
    tally.spawned += config.0.enemies;
}

fn enemy(n: u32, wave: u32) -> (Position, Speed, Health, Chill) {
    let (x, speed, health) = rules::enemy(n, wave);
    (Position(x), Speed(speed), Health(health), Chill(0))
}

/// Counts the ticks of play.
#[system]
pub fn wave_clock(mut tally: ResMut<Tally>) {
    tally.playing_ticks += 1;
}

/// Run condition of `spawn_wave`.
#[system]
pub fn wave_due(tally: Res<Tally>, config: Res<Config>) -> bool {
    tally.wave_due(&config.0)
}

/// A wave (an eighth of the opening one) enters at the start of the path.
#[system]
pub fn spawn_wave(mut commands: Commands, config: Res<Config>, mut tally: ResMut<Tally>) {
    let wave = tally.waves + 1;
    let (first, count) = (tally.spawned, config.0.enemies / 8);
    commands.spawn_batch((first..first + count).map(|n| enemy(n, wave)));
    tally.spawned += count;
    tally.waves = wave;
}

/// Towers whose cooldown is over fire.
#[system]
pub fn towers_fire(
    mut towers: Query<(&Tower, &mut Cooldown, Option<&Frost>)>,
    mut shots: EventWriter<Shot>,
) {
    for (tower, cooldown, frost) in towers.iter_mut() {
        if let Some(shot) = rules::tower_tick(&tower.0, &mut cooldown.0, frost.map_or(0, |f| f.0)) {
            shots.send(shot);
        }
    }
}

/// Enemies march, in parallel.
#[system]
pub fn advance(mut enemies: Query<(&mut Position, &Speed, &mut Chill)>) {
    enemies.par_for_each(|(x, speed, chill)| rules::march(&mut x.0, speed.0, &mut chill.0));
}

/// This tick's shots land on every enemy, in parallel (damage as events).
#[system]
pub fn apply_shots(
    mut inbox: EventReader<Shot>,
    mut enemies: Query<(&Position, &mut Health, &mut Chill)>,
) {
    let shots: Vec<Shot> = inbox.read().copied().collect();
    if shots.is_empty() {
        return;
    }
    enemies.par_for_each(|(x, health, chill)| {
        rules::take_shots(x.0, &mut health.0, &mut chill.0, &shots)
    });
}

/// The dead and the leaked are announced.
#[system]
pub fn judge(
    enemies: Query<(&Position, &Speed, &Health)>,
    mut killed: EventWriter<Killed>,
    mut leaked: EventWriter<Leaked>,
) {
    for (x, speed, health) in enemies.iter() {
        match rules::fate(x.0, speed.0, health.0) {
            Fate::Marching => {}
            Fate::Killed(points) => killed.send(Killed(points)),
            Fate::Leaked => leaked.send(Leaked),
        }
    }
}

/// The dead and the leaked are despawned, from a parallel loop.
#[system]
pub fn reap(mut enemies: Query<(Entity, &Position, &Speed, &Health)>, mut commands: Commands) {
    enemies.par_for_each_with_commands(&mut commands, |(e, x, speed, health), cmds| {
        if rules::fate(x.0, speed.0, health.0) != Fate::Marching {
            cmds.entity(e).despawn();
        }
    });
}

/// Kills score points; leaks cost lives.
#[system]
pub fn score(
    mut killed: EventReader<Killed>,
    mut leaked: EventReader<Leaked>,
    mut tally: ResMut<Tally>,
) {
    for k in killed.read() {
        tally.kills += 1;
        tally.score += u64::from(k.0);
    }
    tally.leaks += leaked.read().len() as u32;
}

/// `OnExit(Screen::Playing)`: the board is cleared.
#[system]
pub fn clear_board(
    enemies: Query<(Entity, &Position)>,
    towers: Query<(Entity, &Tower)>,
    mut commands: Commands,
) {
    for (e, _) in enemies.iter() {
        commands.entity(e).despawn();
    }
    for (e, _) in towers.iter() {
        commands.entity(e).despawn();
    }
}

/// What a game came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    pub ticks: u64,
    pub tally: Tally,
    pub lives_left: u32,
    pub state: Screen,
    /// [`rules::fingerprint`] of the enemies still on the path.
    pub fingerprint: u64,
    /// Entities alive (enemies and towers).
    pub alive: usize,
}

/// Declares `pub struct $name` (in `pub mod $module`), the tower-defense world on the
/// executor `$exec`, with its exclusive `referee` system and a `play` function; written
/// `$module::$name + serde = ...`, the world also has the `serde` key (`save`/`load`,
/// feature `serde`). (Bring it in with `#[macro_use] mod game;`.)
macro_rules! tower_defense_world {
    ($module:ident :: $name:ident + serde = $($exec:tt)*) => {
        tower_defense_world!(@world $module $name [serde,] $($exec)*);
    };
    ($module:ident :: $name:ident = $($exec:tt)*) => {
        tower_defense_world!(@world $module $name [] $($exec)*);
    };
    (@world $module:ident $name:ident [$($key:tt)*] $($exec:tt)*) => {
        pub mod $module {
            use super::game::*;
            use super::rules::{self, Setup, Tally};
            use metronome::prelude::*;

            /// Exclusive: ends the game when the lives are spent or every wave has come
            /// and gone.
            #[system]
            pub fn referee(game: &mut $name) {
                let setup = game.resource::<Config>().0;
                if game.state::<Screen>() == Screen::Playing
                    && game.resource::<Tally>().finished(&setup)
                {
                    game.set_next_state(Screen::Over);
                }
            }

            #[world(
                $($key)*
                archetypes(
                    Enemy = (Position, Speed, Health, Chill),
                    Cannon = (Tower, Cooldown),
                    FrostTower = (Tower, Cooldown, Frost),
                ),
                resources(Config, Tally, MenuClock),
                events(Shot, Killed, Leaked),
                states(Screen = Screen::Menu),
                phases(Update, Close),
                systems(
                    Update = [
                        menu.run_if(in_state(Screen::Menu)),
                        wave_clock.run_if(in_state(Screen::Playing)),
                        towers_fire.run_if(in_state(Screen::Playing)),
                        advance.run_if(in_state(Screen::Playing)),
                        spawn_wave.after(wave_clock).run_if(in_state(Screen::Playing)).run_if(wave_due),
                        apply_shots.after(towers_fire).after(advance).run_if(in_state(Screen::Playing)),
                        judge.after(apply_shots).run_if(in_state(Screen::Playing)),
                        reap.after(apply_shots).run_if(in_state(Screen::Playing)),
                        score.after(judge).run_if(in_state(Screen::Playing)),
                    ],
                    Close = [referee],
                    OnEnter(Screen::Playing) = [setup_level],
                    OnExit(Screen::Playing) = [clear_board],
                ),
                executor = $($exec)*,
                capacity(commands_per_stage = 200_000),
            )]
            pub struct $name;

            /// A new game set up with `setup`.
            pub fn new_game(game: $name, setup: Setup) -> $name {
                let mut game = game;
                game.resource_mut::<Config>().0 = setup;
                game
            }

            /// Ticks `game` until it is over or `max_ticks` have run; what it came to.
            pub fn play(game: &mut $name, max_ticks: u64) -> Summary {
                while game.frame() < max_ticks && game.state::<Screen>() != Screen::Over {
                    game.tick();
                }
                summary(game)
            }

            /// What `game` has come to so far.
            pub fn summary(game: &mut $name) -> Summary {
                let tally = *game.resource::<Tally>();
                let setup = game.resource::<Config>().0;
                Summary {
                    ticks: game.frame(),
                    tally,
                    lives_left: setup.lives.saturating_sub(tally.leaks),
                    state: game.state::<Screen>(),
                    fingerprint: rules::fingerprint(
                        game.query::<(&Position, &Health, &Chill)>()
                            .iter()
                            .map(|(x, h, c)| (x.0, h.0, c.0)),
                    ),
                    alive: game.len(),
                }
            }
        }
    };
}
