// The same system as `schedule/params-conflict-in-world.rs` is fine in a world where no
// archetype has both `Velocity` and `Health`.
use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Velocity(pub f32);
#[derive(Component)]
pub struct Health(pub i32);

#[system]
fn steer(mut movers: Query<&mut Position, With<Velocity>>, units: Query<&Position, With<Health>>) {
    let total: f32 = units.iter().map(|p| p.0).sum();
    for p in movers.iter_mut() {
        p.0 += total;
    }
}

#[world(
    archetypes(Mover = (Position, Velocity), Unit = (Position, Health)),
    phases(Update),
    systems(Update = [steer]),
    executor = sequential,
)]
pub struct Game;

fn main() {
    let mut game = Game::new();
    let m = game.spawn(Mover(Position(1.0), Velocity(0.0)));
    game.spawn(Unit(Position(2.0), Health(1)));
    game.tick();
    assert_eq!(game.get::<Position>(m).map(|p| p.0), Some(3.0));
}
