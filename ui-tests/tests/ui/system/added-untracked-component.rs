use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);

#[system]
pub fn greet(q: Query<Entity, Added<Position>>) {
    for e in q.iter() {
        let _ = e;
    }
}

#[world(
    archetypes(Mover = (Position)),
    phases(Update),
    systems(Update = [greet]),
)]
pub struct Game;

fn main() {}
