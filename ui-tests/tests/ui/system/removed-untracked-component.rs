use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);

#[system]
pub fn mourn(removed: RemovedComponents<Position>) {
    for e in removed.read() {
        let _ = e;
    }
}

#[world(
    archetypes(Mover = (Position)),
    phases(Update),
    systems(Update = [mourn]),
)]
pub struct Game;

fn main() {}
