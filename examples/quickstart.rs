//! A small game: 10 000 movers drift across a field, units take damage from hazards and
//! are reaped (scoring a point each) and respawned; 600 ticks, then a summary.
//!
//! Run with `cargo run --release --example quickstart`.

use metronome::prelude::*;
use std::time::Instant;

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

/// Simulation time.
#[derive(Default)]
pub struct Time {
    pub dt: f32,
    pub frame: u64,
}

/// Units reaped so far.
pub struct Score(pub u64);

impl Score {
    pub fn new(points: u64) -> Self {
        Score(points)
    }
}

#[system]
pub fn integrate(time: Res<Time>, mut movers: Query<(&mut Position, &Velocity)>) {
    let dt = time.dt;
    movers.par_for_each(|(pos, vel)| {
        pos.x += vel.x * dt;
        pos.y += vel.y * dt;
    });
}

#[system]
pub fn bounce(mut movers: Query<(&Position, &mut Velocity)>) {
    movers.for_each(|(pos, vel)| {
        if pos.x.abs() > 100.0 {
            vel.x = -vel.x;
        }
        if pos.y.abs() > 100.0 {
            vel.y = -vel.y;
        }
    });
}

#[system]
pub fn hazards(mut units: Query<(&Position, &mut Health)>) {
    for (pos, health) in units.iter_mut() {
        if pos.x * pos.x + pos.y * pos.y < 400.0 {
            health.0 -= 1;
        }
    }
}

#[system]
pub fn reap(units: Query<(Entity, &Health)>, mut commands: Commands, mut score: ResMut<Score>) {
    for (entity, health) in units.iter() {
        if health.0 <= 0 {
            commands.despawn(entity);
            commands.spawn(Unit(
                Position { x: 90.0, y: -90.0 },
                Velocity { x: -3.0, y: 2.5 },
                Health(30),
            ));
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
        Update = [integrate, bounce.after(integrate), hazards.after(integrate), reap.after(hazards)],
        Late   = [advance_clock],
    ),
    executor = work_stealing(workers = auto),
)]
pub struct Game;

fn main() {
    let setup = Instant::now();
    let mut game = Game::new();
    game.resource_mut::<Time>().dt = 1.0 / 60.0 * 30.0;
    game.spawn_batch((0..10_000).map(|i| {
        let a = i as f32 * 0.618;
        Mover(
            Position {
                x: a.cos() * 50.0,
                y: a.sin() * 50.0,
            },
            Velocity {
                x: a.sin() * 2.0,
                y: a.cos() * 3.0,
            },
        )
    }));
    game.spawn_batch((0..1_000).map(|i| {
        let a = i as f32 * 1.3;
        Unit(
            Position {
                x: a.cos() * 80.0,
                y: a.sin() * 80.0,
            },
            Velocity {
                x: -a.cos() * 4.0,
                y: -a.sin() * 4.0,
            },
            Health(30),
        )
    }));
    for i in 0..100 {
        game.spawn((Position {
            x: i as f32,
            y: 0.0,
        },));
    }
    let setup = setup.elapsed();
    let ticking = Instant::now();
    for _ in 0..600 {
        game.tick();
    }
    let ticking = ticking.elapsed();
    let errors = game.take_command_errors();

    println!(
        "metronome quickstart: {} ticks in {:.1} ms on work_stealing(workers = auto, {} cores)",
        game.frame(),
        ticking.as_secs_f64() * 1e3,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "  (building the world and spawning: {:.1} ms)",
        setup.as_secs_f64() * 1e3
    );
    println!("  entities alive:  {}", game.len());
    println!("  units reaped:    {}", game.resource::<Score>().0);
    println!("  clock frame:     {}", game.resource::<Time>().frame);
    println!("  failed commands: {}", errors.len());
    for (phase, schedule) in Game::SCHEDULE.phases.iter().enumerate() {
        println!(
            "  phase {phase} `{}`: stages {:?}",
            schedule.name, schedule.stages
        );
    }
}
