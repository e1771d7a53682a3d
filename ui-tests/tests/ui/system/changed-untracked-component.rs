use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Health(pub f32);

#[system]
pub fn watch(q: Query<&Health, Changed<Position>>) {
    for h in q.iter() {
        let _ = h.0;
    }
}

#[world(
    archetypes(Mover = (Position, Health)),
    track(Health),
    phases(Update),
    systems(Update = [watch]),
)]
pub struct Game;

fn main() {}
