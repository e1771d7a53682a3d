//! A world declared in a function body, listing a function of that body without
//! `#[system]`: the error says to add the attribute, at the listed name.
use metronome::prelude::*;

fn main() {
    #[derive(Component)]
    pub struct Health(pub i32);

    #[system]
    fn regenerate(_units: Query<&mut Health>) {}

    fn damage(_units: Query<&mut Health>) {}

    #[world(
        archetypes(Unit = (Health)),
        phases(Update),
        systems(Update = [regenerate, damage.after(regenerate)]),
    )]
    pub struct Game;

    Game::new().tick();
}
