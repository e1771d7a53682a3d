//! The change_detection bench's workloads without criterion, for instruction counts:
//! `valgrind --tool=callgrind target/release/examples/cd_profile WORKLOAD ITERATIONS`
//! with WORKLOAD one of `tracked` (`Tracked<Position>` loop), `tracked_ref` (`&mut
//! Position` of a tracked `Position`), `untracked`, `hand`, `changed` (metronome's
//! `changed_iter` tick), `bevy_changed`, `bevy_iter`.
//!
//! `changed_ticks`/`bevy_changed_ticks` hold the ticks measured (after the world is built):
//! `--toggle-collect=*changed_ticks*` counts them alone.
//!
//! Build: `cargo build --profile bench --manifest-path benches/Cargo.toml --example cd_profile`
//! (the binary lands in `benches/target/release/examples/`).

#[path = "../benches/common/ecs_workloads.rs"]
mod ecs_workloads;
use ecs_workloads::*;
use std::hint::black_box;

#[path = "../benches/common/change_workloads.rs"]
mod change_workloads;
use change_workloads::*;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: cd_profile WORKLOAD ITERATIONS";
    let [workload, iterations] = &args[..] else {
        panic!("{usage}");
    };
    let n: usize = iterations.parse().expect(usage);
    match workload.as_str() {
        "tracked" => {
            let mut w = m_tracked::build();
            for _ in 0..n {
                metronome_tracked_iter(&mut w);
            }
        }
        "tracked_ref" => {
            let mut w = m_tracked::build();
            for _ in 0..n {
                metronome_tracked_iter_ref(&mut w);
            }
        }
        "untracked" => {
            let mut w = metronome_objects();
            for _ in 0..n {
                metronome_simple_iter(&mut w);
            }
        }
        "hand" => {
            let mut h = HandObjects::new(BIG, transform);
            for _ in 0..n {
                hand_simple_iter(&mut h);
            }
        }
        "bevy_iter" => {
            let mut world = bevy::objects(BIG, transform);
            let mut query = world.query::<(&Velocity, &mut Position)>();
            for _ in 0..n {
                bevy_simple_iter(&mut world, &mut query);
            }
        }
        "changed" => {
            let mut w = m_changed::build();
            changed_ticks(&mut w, n);
        }
        "changed_check" => {
            // The `Changed` system must see exactly the targets: its sum is theirs.
            let mut w = m_changed::build();
            for _ in 0..n {
                w.tick();
                let targets = w.resource::<change_workloads::Targets>().0.clone();
                let expected: f32 = targets.iter().map(|&e| w.get::<Pos>(e).unwrap().0).sum();
                let mut rows = 0;
                for _ in w.query_filtered::<&Pos, metronome::Changed<Pos>>().iter() {
                    rows += 1;
                }
                println!(
                    "seen {} expected {}; {rows} rows changed this tick",
                    w.resource::<Seen>().0,
                    expected
                );
            }
        }
        "bevy_changed" => {
            let (mut world, mut schedule) = b_changed::build();
            bevy_changed_ticks(&mut world, &mut schedule, n);
        }
        _ => panic!("{usage}"),
    }
}

/// `n` ticks of metronome's `changed_iter` world.
#[inline(never)]
fn changed_ticks(w: &mut m_changed::ChangedWorld, n: usize) {
    for _ in 0..n {
        w.tick();
        black_box(w.resource::<Seen>().0);
    }
}

/// `n` runs of bevy's `changed_iter` schedule.
#[inline(never)]
fn bevy_changed_ticks(
    world: &mut bevy_ecs::world::World,
    schedule: &mut bevy_ecs::schedule::Schedule,
    n: usize,
) {
    for _ in 0..n {
        schedule.run(world);
        black_box(world.resource::<b_changed::Seen>().0);
    }
}
