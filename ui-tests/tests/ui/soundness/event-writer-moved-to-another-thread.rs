// An `EventWriter` records into its system's buffer, which the system's `Commands` (and
// its other writers) share; moving it into another thread while they record would race.
// `EventWriter` is not `Send`.
use metronome::prelude::*;

#[derive(Component)]
pub struct Hp(pub i32);

pub struct Ping(pub u32);

#[system]
fn racing(mut out: EventWriter<Ping>, mut commands: Commands) {
    std::thread::scope(|s| {
        s.spawn(move || {
            for i in 0..1000 {
                out.send(Ping(i));
            }
        });
        for _ in 0..1000 {
            commands.spawn((Hp(2),));
        }
    });
}

#[world(
    archetypes(Unit = (Hp)),
    events(Ping),
    phases(Update),
    systems(Update = [racing]),
    executor = sequential,
)]
pub struct Game;

fn main() {
    Game::new().tick();
}
