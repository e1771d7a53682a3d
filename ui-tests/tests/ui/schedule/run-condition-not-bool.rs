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
fn high_score(score: Res<Score>) -> u32 {
    score.0
}

#[world(
    archetypes(Unit = (Health)),
    resources(Score),
    phases(Update),
    systems(Update = [heal.run_if(high_score)]),
)]
pub struct Game;

fn main() {}
