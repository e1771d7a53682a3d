//! The tower-defense game written for bevy_ecs 0.20 and bevy_state (messages, states with
//! `OnEnter`/`OnExit` schedules, `run_if(in_state(..))`, an exclusive referee,
//! `ParallelCommands` in the parallel reap), calling the same `rules.rs` as the metronome
//! game; shared by `benches/game.rs` and `examples/game_profile.rs` (the including file
//! declares `mod rules` beside it).

use super::rules::{self, Fate, Setup, Shot, Tally, TowerSpec};
use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{MultiThreadedExecutor, ScheduleLabel, SingleThreadedExecutor};
use bevy_state::prelude::*;
use bevy_state::state::{setup_state_transitions_in_world, FreelyMutableState};

#[derive(States, Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Screen {
    #[default]
    Menu,
    Playing,
    Over,
}

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Speed(pub f32);
#[derive(Component)]
pub struct Health(pub i32);
#[derive(Component)]
pub struct Chill(pub u16);
#[derive(Component)]
pub struct Tower(pub TowerSpec);
#[derive(Component)]
pub struct Cooldown(pub u32);
#[derive(Component)]
pub struct Frost(pub u16);

#[derive(Message, Clone, Copy)]
pub struct ShotMsg(pub Shot);
#[derive(Message)]
pub struct Killed(pub u32);
#[derive(Message)]
pub struct Leaked;

#[derive(Resource)]
pub struct Config(pub Setup);
#[derive(Resource, Default)]
pub struct TallyRes(pub Tally);
#[derive(Resource, Default)]
pub struct MenuClock(pub u32);

fn menu(mut clock: ResMut<MenuClock>, mut next: ResMut<NextState<Screen>>) {
    clock.0 += 1;
    if clock.0 >= rules::MENU_TICKS {
        next.set(Screen::Playing);
    }
}

fn enemy(n: u32, wave: u32) -> (Position, Speed, Health, Chill) {
    let (x, speed, health) = rules::enemy(n, wave);
    (Position(x), Speed(speed), Health(health), Chill(0))
}

fn setup_level(mut commands: Commands, config: Res<Config>, mut tally: ResMut<TallyRes>) {
    for i in 0..rules::TOWERS {
        let spec = rules::tower(i);
        let tower = commands
            .spawn((Tower(spec), Cooldown(rules::first_cooldown(i))))
            .id();
        if spec.frost {
            commands.entity(tower).insert(Frost(rules::FROST_TICKS));
        }
    }
    let first = tally.0.spawned;
    commands.spawn_batch((first..first + config.0.enemies).map(|n| enemy(n, 0)));
    tally.0.spawned += config.0.enemies;
}

fn wave_clock(mut tally: ResMut<TallyRes>) {
    tally.0.playing_ticks += 1;
}

fn wave_due(tally: Res<TallyRes>, config: Res<Config>) -> bool {
    tally.0.wave_due(&config.0)
}

fn spawn_wave(mut commands: Commands, config: Res<Config>, mut tally: ResMut<TallyRes>) {
    let wave = tally.0.waves + 1;
    let (first, count) = (tally.0.spawned, config.0.enemies / 8);
    commands.spawn_batch((first..first + count).map(move |n| enemy(n, wave)));
    tally.0.spawned += count;
    tally.0.waves = wave;
}

fn towers_fire(
    mut towers: Query<(&Tower, &mut Cooldown, Option<&Frost>)>,
    mut shots: MessageWriter<ShotMsg>,
) {
    for (tower, mut cooldown, frost) in towers.iter_mut() {
        if let Some(shot) =
            rules::tower_tick(&tower.0, &mut cooldown.0, frost.map_or(0, |f| f.0))
        {
            shots.write(ShotMsg(shot));
        }
    }
}

fn advance<const PAR: bool>(mut enemies: Query<(&mut Position, &Speed, &mut Chill)>) {
    if PAR {
        enemies
            .par_iter_mut()
            .for_each(|(mut x, speed, mut chill)| {
                rules::march(&mut x.0, speed.0, &mut chill.0)
            });
    } else {
        for (mut x, speed, mut chill) in enemies.iter_mut() {
            rules::march(&mut x.0, speed.0, &mut chill.0);
        }
    }
}

fn apply_shots<const PAR: bool>(
    mut inbox: MessageReader<ShotMsg>,
    mut enemies: Query<(&Position, &mut Health, &mut Chill)>,
) {
    let shots: Vec<Shot> = inbox.read().map(|s| s.0).collect();
    if shots.is_empty() {
        return;
    }
    if PAR {
        enemies
            .par_iter_mut()
            .for_each(|(x, mut health, mut chill)| {
                rules::take_shots(x.0, &mut health.0, &mut chill.0, &shots)
            });
    } else {
        for (x, mut health, mut chill) in enemies.iter_mut() {
            rules::take_shots(x.0, &mut health.0, &mut chill.0, &shots);
        }
    }
}

fn judge(
    enemies: Query<(&Position, &Speed, &Health)>,
    mut killed: MessageWriter<Killed>,
    mut leaked: MessageWriter<Leaked>,
) {
    for (x, speed, health) in enemies.iter() {
        match rules::fate(x.0, speed.0, health.0) {
            Fate::Marching => {}
            Fate::Killed(points) => {
                killed.write(Killed(points));
            }
            Fate::Leaked => {
                leaked.write(Leaked);
            }
        }
    }
}

fn reap<const PAR: bool>(
    enemies: Query<(Entity, &Position, &Speed, &Health)>,
    par_commands: ParallelCommands,
    mut commands: Commands,
) {
    if PAR {
        enemies.par_iter().for_each(|(e, x, speed, health)| {
            if rules::fate(x.0, speed.0, health.0) != Fate::Marching {
                par_commands.command_scope(|mut cmds| cmds.entity(e).despawn());
            }
        });
    } else {
        for (e, x, speed, health) in enemies.iter() {
            if rules::fate(x.0, speed.0, health.0) != Fate::Marching {
                commands.entity(e).despawn();
            }
        }
    }
}

fn score(
    mut killed: MessageReader<Killed>,
    mut leaked: MessageReader<Leaked>,
    mut tally: ResMut<TallyRes>,
) {
    for k in killed.read() {
        tally.0.kills += 1;
        tally.0.score += u64::from(k.0);
    }
    tally.0.leaks += leaked.read().count() as u32;
}

fn referee(world: &mut World) {
    let setup = world.resource::<Config>().0;
    if *world.resource::<State<Screen>>().get() == Screen::Playing
        && world.resource::<TallyRes>().0.finished(&setup)
    {
        world.resource_mut::<NextState<Screen>>().set(Screen::Over);
    }
}

fn clear_board(
    enemies: Query<Entity, With<Position>>,
    towers: Query<Entity, With<Tower>>,
    mut commands: Commands,
) {
    for e in enemies.iter().chain(towers.iter()) {
        commands.entity(e).despawn();
    }
}

/// The game as a bevy world and its `Update` schedule.
pub struct Game {
    pub world: World,
    update: Schedule,
    pub frame: u64,
}

#[derive(ScheduleLabel, Clone, Debug, PartialEq, Eq, Hash)]
struct Update;

impl Game {
    /// `parallel`: the multi-threaded executor and `par_iter` loops (on the global
    /// `ComputeTaskPool`), else the single-threaded executor and plain loops.
    pub fn new(setup: Setup, parallel: bool) -> Game {
        let executor = |schedule: &mut Schedule| {
            if parallel {
                schedule.set_executor(MultiThreadedExecutor::new());
            } else {
                schedule.set_executor(SingleThreadedExecutor::new());
            }
        };
        let mut world = World::new();
        world.insert_resource(Config(setup));
        world.init_resource::<TallyRes>();
        world.init_resource::<MenuClock>();
        world.init_resource::<Messages<ShotMsg>>();
        world.init_resource::<Messages<Killed>>();
        world.init_resource::<Messages<Leaked>>();
        // What `App::init_state` does, without an `App`.
        setup_state_transitions_in_world(&mut world);
        world.init_resource::<State<Screen>>();
        world.init_resource::<NextState<Screen>>();
        world.init_resource::<Messages<StateTransitionEvent<Screen>>>();
        {
            let mut schedules = world.resource_mut::<Schedules>();
            let transition = schedules.get_mut(StateTransition).unwrap();
            executor(transition);
            Screen::register_state(transition);
        }
        world.write_message(StateTransitionEvent {
            exited: None,
            entered: Some(Screen::Menu),
            allow_same_state_transitions: true,
        });
        let mut on_enter = Schedule::new(OnEnter(Screen::Playing));
        executor(&mut on_enter);
        on_enter.add_systems(setup_level);
        world.add_schedule(on_enter);
        let mut on_exit = Schedule::new(OnExit(Screen::Playing));
        executor(&mut on_exit);
        on_exit.add_systems(clear_board);
        world.add_schedule(on_exit);

        let playing = || in_state(Screen::Playing);
        let mut update = Schedule::new(Update);
        executor(&mut update);
        // The stages of the metronome world, in order (bevy applies the commands of
        // one group before the next, as metronome does at the end of a stage).
        let stage0 = (
            menu.run_if(in_state(Screen::Menu)),
            wave_clock.run_if(playing()),
            towers_fire.run_if(playing()),
        );
        let (stage1, stage2) = if parallel {
            (
                (
                    spawn_wave.run_if(playing()).run_if(wave_due),
                    apply_shots::<true>.run_if(playing()),
                ),
                (judge.run_if(playing()), reap::<true>.run_if(playing())),
            )
        } else {
            (
                (
                    spawn_wave.run_if(playing()).run_if(wave_due),
                    apply_shots::<false>.run_if(playing()),
                ),
                (judge.run_if(playing()), reap::<false>.run_if(playing())),
            )
        };
        if parallel {
            update.add_systems(
                (
                    (stage0, advance::<true>.run_if(playing())),
                    stage1,
                    stage2,
                    score.run_if(playing()),
                    referee,
                )
                    .chain(),
            );
        } else {
            update.add_systems(
                (
                    (stage0, advance::<false>.run_if(playing())),
                    stage1,
                    stage2,
                    score.run_if(playing()),
                    referee,
                )
                    .chain(),
            );
        }
        Game {
            world,
            update,
            frame: 0,
        }
    }

    /// One frame, as bevy's `App` runs it: the message buffers turn over (`First`),
    /// a pending state transition runs (`PreUpdate`), then `Update`.
    pub fn tick(&mut self) {
        let w = &mut self.world;
        w.resource_mut::<Messages<ShotMsg>>().update();
        w.resource_mut::<Messages<Killed>>().update();
        w.resource_mut::<Messages<Leaked>>().update();
        w.resource_mut::<Messages<StateTransitionEvent<Screen>>>()
            .update();
        w.run_schedule(StateTransition);
        self.update.run(w);
        self.frame += 1;
    }

    /// (tally, state, fingerprint of the enemies, entities alive).
    pub fn summary(&mut self) -> (Tally, Screen, u64, usize) {
        let mut q = self.world.query::<(&Position, &Health, &Chill)>();
        let fingerprint =
            rules::fingerprint(q.iter(&self.world).map(|(x, h, c)| (x.0, h.0, c.0)));
        // Enemies and towers (a bevy world may hold entities of its own).
        let mut all = self
            .world
            .query_filtered::<Entity, Or<(With<Position>, With<Tower>)>>();
        (
            self.world.resource::<TallyRes>().0,
            *self.world.resource::<State<Screen>>().get(),
            fingerprint,
            all.iter(&self.world).count(),
        )
    }
}
