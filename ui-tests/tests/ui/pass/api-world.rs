//! A world declaring every key.
use metronome::prelude::*;

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Position {
    pub x: f32,
    pub y: f32,
}
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Velocity {
    pub x: f32,
    pub y: f32,
}
#[derive(Component, Clone, Debug, PartialEq)]
pub struct Health(pub i32);

#[derive(Default)]
pub struct Time {
    pub dt: f32,
    pub frame: u64,
}

pub struct Score(pub u64);
impl Score {
    pub fn new(v: u64) -> Self {
        Score(v)
    }
}

#[system]
pub fn integrate(time: Res<Time>, mut movers: Query<(&mut Position, &Velocity)>) {
    for (pos, vel) in movers.iter_mut() {
        pos.x += vel.x * time.dt;
        pos.y += vel.y * time.dt;
    }
}

#[system]
pub fn reap(units: Query<(Entity, &Health)>, mut commands: Commands) {
    for (entity, health) in units.iter() {
        if health.0 <= 0 {
            commands.despawn(entity);
        }
    }
}

#[system]
pub fn advance_clock(mut time: ResMut<Time>) {
    time.frame += 1;
}

#[world(
    archetypes(
        Mover = (Position, Velocity),
        Unit  = (Position, Velocity, Health),
        Prop  = (Position),
    ),
    resources(Time, Score = Score::new(0)),
    phases(Update, Late),
    systems(
        Update = [integrate, reap.after(integrate)],
        Late   = [advance_clock],
    ),
    executor = work_stealing(workers = 4, local_queue_size = 256, heartbeat_us = 100),
    capacity(entities = 1_000_000, commands_per_stage = 65_536),
)]
pub struct Game;

fn main() {
    let mut game = Game::new();
    let e = game.spawn(Mover(
        Position { x: 0.0, y: 0.0 },
        Velocity { x: 1.0, y: 0.0 },
    ));
    game.spawn((Position { x: 5.0, y: 5.0 },));
    game.resource_mut::<Time>().dt = 0.5;
    game.tick();
    game.run_phase(GamePhase::Update);
    assert_eq!(game.get::<Position>(e), Some(&Position { x: 1.0, y: 0.0 }));
    assert_eq!(game.resource::<Score>().0, 0);
    assert_eq!(Game::ARCHETYPES, &["Mover", "Unit", "Prop"]);
}
