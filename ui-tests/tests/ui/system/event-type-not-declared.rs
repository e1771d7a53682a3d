use metronome::prelude::*;

#[derive(Component)]
pub struct Health(pub i32);

pub struct Damage(pub i32);

#[system]
fn hit(mut out: EventWriter<Damage>) {
    out.send(Damage(1));
}

#[system]
fn apply(mut inbox: EventReader<Damage>, mut q: Query<&mut Health>) {
    for d in inbox.read() {
        for h in q.iter_mut() {
            h.0 -= d.0;
        }
    }
}

#[world(
    archetypes(Unit = (Health)),
    phases(Update),
    systems(Update = [hit, apply.after(hit)]),
)]
pub struct Game;

fn main() {}
