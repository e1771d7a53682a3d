//! Two worlds exchanging entities: a server simulation moves units; a unit that walks
//! out of the server's area is handed to a "client" view world, which shows it for a few
//! frames and hands it back. The `Coordinator` runs both worlds frame by frame, each on
//! its own thread, and carries the records their `Outbox` parameters send.
//!
//! Run: `cargo run --example two_worlds`.

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
pub struct Name(pub String);
/// Frames a unit has been on screen (client only).
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct OnScreen(pub u32);

/// The server's and the client's index in the coordinator.
pub const SERVER: usize = 0;
pub const CLIENT: usize = 1;
/// Units beyond this `x` leave the server for the client.
pub const EDGE: f32 = 10.0;

#[system]
pub fn walk(mut units: Query<(&mut Position, &Velocity)>) {
    for (p, v) in units.iter_mut() {
        p.x += v.x;
        p.y += v.y;
    }
}

/// Server: units past the edge go to the client.
#[system]
pub fn hand_over(units: Query<(Entity, &Position)>, mut outbox: Outbox) {
    for (e, p) in units.iter() {
        if p.x > EDGE {
            outbox.send_entity(CLIENT, e);
        }
    }
}

/// Client: shows each unit for three frames, then sends it back to the server's start
/// line (as a fresh record: the client keeps its `OnScreen` count to itself).
#[system]
pub fn show(
    mut shown: Query<(Entity, &Name, &Velocity, &mut OnScreen)>,
    mut commands: Commands,
    mut outbox: Outbox,
) {
    for (e, name, v, frames) in shown.iter_mut() {
        frames.0 += 1;
        if frames.0 == 3 {
            commands.despawn(e);
            let start = Position { x: 0.0, y: 0.0 };
            outbox.send(
                SERVER,
                Record::new().with(name.clone()).with(*v).with(start),
            );
        }
    }
}

/// Client: a unit arriving from the server (no `OnScreen` yet) goes on screen.
#[system]
pub fn arrive(new: Query<Entity, Without<OnScreen>>, mut commands: Commands) {
    for e in new.iter() {
        commands.insert(e, OnScreen(0));
    }
}

#[world(
    archetypes(Unit = (Position, Velocity, Name)),
    phases(Update),
    systems(Update = [walk, hand_over.after(walk)]),
    executor = sequential,
)]
pub struct Server;

mod client {
    use super::*;
    #[world(
        archetypes(
            Arrived = (Position, Velocity, Name),
            Shown = (Position, Velocity, Name, OnScreen),
        ),
        phases(Update),
        systems(Update = [arrive, show.after(arrive)]),
        executor = sequential,
    )]
    pub struct Client;
}
use client::Client;

fn main() {
    let mut server = Server::new();
    for (i, name) in ["ada", "bo", "cy", "di"].into_iter().enumerate() {
        let speed = 1.0 + i as f32;
        server.spawn(Unit(
            Position {
                x: 0.0,
                y: i as f32,
            },
            Velocity { x: speed, y: 0.0 },
            Name(name.into()),
        ));
    }
    let mut coordinator = Coordinator::new();
    assert_eq!(coordinator.add(server), SERVER);
    assert_eq!(coordinator.add(Client::new()), CLIENT);
    for _ in 0..12 {
        coordinator.run(1);
        let server = coordinator
            .world::<Server>(SERVER)
            .expect("world 0 is the server");
        let client = coordinator
            .world::<Client>(CLIENT)
            .expect("world 1 is the client");
        let on_server: Vec<String> = server
            .query::<&Name>()
            .iter()
            .map(|n| n.0.clone())
            .collect();
        let on_screen: Vec<String> = client
            .query::<&Name>()
            .iter()
            .map(|n| n.0.clone())
            .collect();
        println!(
            "frame {:2}: server {:?}, client {:?}, in flight {}",
            coordinator.frame(),
            on_server,
            on_screen,
            coordinator.in_flight()
        );
    }
    // Every unit is somewhere: in a world or in a queue, none lost, none duplicated.
    let total = coordinator.world::<Server>(SERVER).map_or(0, Server::len)
        + coordinator.world::<Client>(CLIENT).map_or(0, Client::len)
        + coordinator.in_flight();
    assert_eq!(total, 4);
}
