// Issue 10, case 3: safe code must not replace a world's storage (here with a `u8`
// column where the world writes `String`s): the core's fields are private.
use metronome::__private::{ColumnType, Storage, Table, WorldDef};
use metronome::prelude::*;

#[derive(Component)]
pub struct Name(pub String);

#[world(archetypes(Named = (Name)), executor = sequential)]
pub struct Game;

fn main() {
    let mut game = Game::new();
    let tables = vec![Table::new(&[0], &[ColumnType::of::<u8>("u8")], 1)];
    game.core_mut().storage = Storage::new(tables, 0);
    game.spawn(Named(Name("overflows a u8 column".repeat(8))));
}
