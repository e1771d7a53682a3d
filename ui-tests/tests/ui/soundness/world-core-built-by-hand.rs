// Issue 10, case 3: a world's core can only be built by the unsafe `WorldCore::new`,
// whose contract (the column types and archetype columns describe the world) the
// `#[world]` expansion upholds.
use metronome::__private::{ColumnType, WorldCore, WorldDef, WorldExecutor};
use metronome::prelude::*;

#[derive(Component)]
pub struct Name(pub String);

#[world(archetypes(Named = (Name)), executor = sequential)]
pub struct Game;

fn main() {
    let mut game = Game::new();
    *game.core_mut() = WorldCore::new(
        vec![ColumnType::of::<u8>("u8")],
        &[&[0]],
        WorldExecutor::Sequential,
        0,
        0,
    );
    game.spawn(Named(Name("overflows a u8 column".repeat(8))));
}
