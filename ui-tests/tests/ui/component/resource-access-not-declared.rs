use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);

#[derive(Default)]
pub struct Time(pub f32);

#[world(
    archetypes(Mover = (Position, Velocity)),
)]
pub struct Game;

fn read() {
    let game = Game::new();
    let _ = game.resource::<Time>();
}

fn main() {}
