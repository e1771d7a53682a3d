//! Writes a Chrome trace of a few frames of a small world: one span per tick, phase,
//! stage, system (with its name) and command application. Open the file in Perfetto
//! (<https://ui.perfetto.dev>) or `chrome://tracing`.
//!
//! Run with `cargo run --release -p metronome-model-tests --example trace --features tracing [-- out.json]`
//! (default `trace.json`).

use metronome::prelude::*;

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Position(pub f32);

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Velocity(pub f32);

#[system]
pub fn integrate(time: Res<Time>, mut q: Query<(&mut Position, &Velocity)>) {
    let dt = time.delta_secs();
    q.par_for_each(|(p, v)| p.0 += v.0 * dt);
}

#[system]
pub fn wrap(mut q: Query<&mut Position>) {
    for p in q.iter_mut() {
        if p.0 > 100.0 {
            p.0 -= 200.0;
        }
    }
}

#[system]
pub fn spawner(q: Query<&Position>, mut commands: Commands) {
    if q.len() < 20_000 {
        commands.spawn((Position(0.0), Velocity(1.0)));
    }
}

#[world(
    archetypes(Body = (Position, Velocity)),
    phases(Physics = fixed(hz = 120), Update),
    systems(Physics = [integrate, wrap.after(integrate)], Update = [spawner]),
    executor = work_stealing(workers = 2),
)]
pub struct Sim;

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "trace.json".to_string());
    let frames = write_trace(&path, 30);
    println!("wrote {path}: {frames} frames; open it in https://ui.perfetto.dev");
}

/// Runs `frames` frames of 16 ms with a Chrome-trace subscriber writing to `path`.
fn write_trace(path: &str, frames: u64) -> u64 {
    use tracing_subscriber::prelude::*;
    let (chrome, guard) = tracing_chrome::ChromeLayerBuilder::new()
        .file(path)
        .include_args(true)
        .build();
    let subscriber = tracing_subscriber::registry().with(chrome);
    // The global default, not `with_default` (which covers the calling thread only): the
    // systems run on the pool's threads too. `write_trace` runs once per process.
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
    let mut sim = Sim::new();
    sim.spawn_batch((0..10_000).map(|i| (Position(i as f32 / 100.0), Velocity(1.0))));
    for _ in 0..frames {
        sim.update(std::time::Duration::from_millis(16));
    }
    // Dropping the guard finishes the file.
    drop(guard);
    frames
}
