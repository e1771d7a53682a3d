// Issue 10, case 1: two `Commands` parameters of one system share its buffer; moving one
// into another thread while the other records would race. `Commands` is not `Send`.
use metronome::prelude::*;

#[derive(Component)]
pub struct Hp(pub i32);

#[system]
fn racing(mut a: Commands, mut b: Commands) {
    std::thread::scope(|s| {
        s.spawn(move || {
            for _ in 0..1000 {
                a.spawn((Hp(1),));
            }
        });
        for _ in 0..1000 {
            b.spawn((Hp(2),));
        }
    });
}

#[world(
    archetypes(Unit = (Hp)),
    phases(Update),
    systems(Update = [racing]),
    executor = sequential,
)]
pub struct Game;

fn main() {
    Game::new().tick();
}
