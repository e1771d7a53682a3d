use metronome::prelude::*;

#[derive(Component)]
pub struct Health(pub i32);

#[derive(Default)]
pub struct Score(pub u32);

#[system]
fn heal(mut q: Query<&mut Health>) {
    for h in q.iter_mut() {
        h.0 += 1;
    }
}

#[system]
fn count_and_check(mut score: ResMut<Score>) -> bool {
    score.0 += 1;
    score.0 > 10
}

#[world(
    archetypes(Unit = (Health)),
    resources(Score),
    phases(Update),
    systems(Update = [heal.run_if(count_and_check)]),
)]
pub struct Game;

fn main() {}
