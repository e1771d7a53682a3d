use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);

#[world(archetypes(Mover = (Position, Velocity)), executor = = , @@ phases(Update,, ) 42 "x")]
pub struct Game;

#[world(archetypes(Mover = (Position Velocity)), systems[Update])]
pub struct Game2;

#[world(archetypes = 3, phases)]
pub struct Game3;

#[world(
    archetypes(Walker = (Position, &Velocity), = (Position), Prop = Position),
    phases(42, Update),
    systems(Update = [a.after(), b.sideways(c), ::]),
    executor = work_stealing(workers = "four", local_queue_size = -8, heartbeat_us = 1.5),
    capacity(entities = 1 << 40, commands_per_stage),
)]
pub struct Game4;

#[world(executor = numa_aware(pin = yes, memory = remote)(), capacity(,,))]
pub struct Game5;

#[world]
pub struct Game6;

fn main() {}
