//! The example game, shared by the integration tests.
#![allow(dead_code)]

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
pub fn reap(units: Query<(Entity, &Health)>, mut commands: Commands, mut score: ResMut<Score>) {
    for (entity, health) in units.iter() {
        if health.0 <= 0 {
            commands.despawn(entity);
            score.0 += 1;
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
    executor = sequential,
    capacity(entities = 1_000_000, commands_per_stage = 65_536),
)]
pub struct Game;
