use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);

#[world(
    archetypes(Mover = (Position, Velocity)),
)]
pub struct Game;

fn spawn() {
    let mut game = Game::new();
    game.spawn((Velocity(1.0), Position(0.0)));
}

fn main() {}
