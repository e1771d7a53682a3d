use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);
#[derive(Component)]
pub struct Health(pub f32);

#[system]
pub fn heal(mut q: Query<Tracked<Health>>) {
    for mut h in q.iter_mut() {
        h.0 += 1.0;
    }
}

#[world(
    archetypes(Mover = (Position, Health)),
    track(Position),
    phases(Update),
    systems(Update = [heal]),
)]
pub struct Game;

fn main() {}
