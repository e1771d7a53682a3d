use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);

#[system]
fn integrate(_movers: Query<(&mut Position, &Velocity)>) {}

#[system]
fn render(_positions: Query<&Position>) {}

#[system]
fn audio() {}

#[world(
    archetypes(Mover = (Position, Velocity)),
    phases(Update, Late),
    systems(Update = [integrate], Render = [render]),
)]
pub struct Game;

fn main() {}
