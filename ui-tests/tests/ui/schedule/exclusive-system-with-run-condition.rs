use metronome::prelude::*;

#[derive(Component)]
pub struct Health(pub i32);

#[derive(Default)]
pub struct Paused(pub bool);

#[system]
fn running(paused: Res<Paused>) -> bool {
    !paused.0
}

#[system]
fn rebuild(game: &mut Game) {
    game.spawn((Health(1),));
}

#[world(
    archetypes(Unit = (Health)),
    resources(Paused),
    phases(Update),
    systems(Update = [rebuild.run_if(running)]),
)]
pub struct Game;

fn main() {}
