use metronome::prelude::*;

#[derive(Component)]
pub struct Health(pub i32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GameState {
    Menu,
    Playing,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    One,
}

#[system]
fn setup_level(mut commands: Commands) {
    commands.spawn((Health(3),));
}

#[world(
    archetypes(Unit = (Health)),
    states(GameState = GameState::Menu),
    phases(Update),
    systems(
        Update = [],
        OnEnter(Level::One) = [setup_level],
    ),
)]
pub struct Game;

fn main() {}
