// Issue 10, case 3: a core belongs to its world's type; swapping the cores of two
// different worlds (through `core_mut` or the generated field) does not compile.
use metronome::__private::WorldDef;
use metronome::prelude::*;

#[derive(Component)]
pub struct Name(pub String);
#[derive(Component)]
pub struct Byte(pub u8);

#[world(archetypes(Named = (Name)), executor = sequential)]
pub struct Game;

#[world(archetypes(Bytes = (Byte)), executor = sequential)]
pub struct Other;

fn main() {
    let mut game = Game::new();
    let mut other = Other::new();
    std::mem::swap(game.core_mut(), other.core_mut());
    std::mem::swap(&mut game.__mn_core, &mut other.__mn_core);
    game.spawn(Named(Name("overflows a u8 column".repeat(8))));
}
