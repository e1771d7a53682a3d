// `ChildOf`/`Children` are kept consistent by the world: a query may not write them.
use metronome::prelude::*;

#[derive(Component)]
pub struct Position(pub f32);

#[system]
pub fn rewire(mut links: Query<&mut ChildOf>) {
    for link in links.iter_mut() {
        let _ = link;
    }
}

#[world(
    archetypes(Node = (Position)),
    hierarchy,
    phases(Update),
    systems(Update = [rewire]),
)]
pub struct Game;

fn main() {}
