// A world whose components and resources are not `Clone` compiles, and runs, as long as
// it does not call `snapshot`/`restore`.
use metronome::prelude::*;

#[derive(Component)]
pub struct Handle(pub std::sync::Mutex<u32>);

#[derive(Default)]
pub struct Log(pub std::sync::Mutex<Vec<u32>>);

#[world(
    archetypes(Agent = (Handle)),
    resources(Log),
    executor = sequential,
)]
pub struct Game;

fn main() {
    let mut game = Game::new();
    game.spawn(Agent(Handle(std::sync::Mutex::new(1))));
    game.tick();
    assert_eq!(game.len(), 1);
}
