//! Frames: `fixed(hz = N)` phases, `update(real_dt)`, `run(config, &stop)`, the built-in
//! `Time` resource, `max_fixed_steps`, and the statistics `stats()` collects. The fixed-step
//! tests feed `update` the frame times of a fake clock (nothing sleeps); one test runs the
//! paced loop on the real clock.

use metronome::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Pos(pub f32);

/// What the systems saw of the clock.
#[derive(Default)]
pub struct Seen {
    pub input_runs: u64,
    pub physics_runs: u64,
    pub update_runs: u64,
    /// `Time::delta` in each fixed step, and in the last variable phase run.
    pub physics_deltas: Vec<Duration>,
    pub update_delta: Duration,
    pub overstep: f32,
    pub frames: Vec<u64>,
    pub physics_elapsed: Duration,
    pub update_elapsed: Duration,
}

#[system]
pub fn input(mut seen: ResMut<Seen>) {
    seen.input_runs += 1;
}

#[system]
pub fn physics(time: Res<Time>, mut seen: ResMut<Seen>, mut q: Query<&mut Pos>) {
    seen.physics_runs += 1;
    seen.physics_deltas.push(time.delta());
    seen.physics_elapsed = time.elapsed();
    for p in q.iter_mut() {
        p.0 += time.delta_secs();
    }
}

#[system]
pub fn late(time: Res<Time>, mut seen: ResMut<Seen>) {
    seen.update_runs += 1;
    seen.update_delta = time.delta();
    seen.overstep = time.overstep_fraction();
    seen.update_elapsed = time.elapsed();
    seen.frames.push(time.frame());
}

#[system]
pub fn read_a(q: Query<&Pos>) {
    std::hint::black_box(q.len());
}

#[system]
pub fn read_b(q: Query<&Pos>) {
    std::hint::black_box(q.len());
}

mod game {
    use super::*;
    #[world(
        archetypes(Body = (Pos)),
        resources(Seen),
        phases(Input, Physics = fixed(hz = 60), Update),
        systems(Input = [input], Physics = [physics], Update = [late, read_a, read_b]),
        executor = sequential,
    )]
    pub struct Game;
}
use game::Game;

mod few_steps {
    use super::*;
    #[world(
        archetypes(Body = (Pos)),
        resources(Seen),
        phases(Physics = fixed(hz = 100), Update),
        systems(Physics = [physics], Update = [late]),
        max_fixed_steps = 2,
        stats = off,
        executor = sequential,
    )]
    pub struct Few;
}
use few_steps::Few;

mod pooled {
    use super::*;
    #[world(
        archetypes(Body = (Pos)),
        resources(Seen),
        phases(Update),
        systems(Update = [read_a, read_b]),
        executor = work_stealing(workers = 2),
    )]
    pub struct Pooled;
}
use pooled::Pooled;

const STEP_60: Duration = Duration::from_nanos(16_666_666);

#[test]
fn one_second_of_frames_runs_a_60_hz_phase_60_times() {
    let mut game = Game::new();
    game.spawn((Pos(0.0),));
    let frame = Duration::from_micros(16_700);
    let mut frames = 0;
    let mut clock = Duration::ZERO;
    while clock + frame <= Duration::from_millis(1_010) {
        game.update(frame);
        clock += frame;
        frames += 1;
    }
    assert_eq!(frames, 60);
    let seen = game.resource::<Seen>();
    assert_eq!(seen.physics_runs, 60);
    assert_eq!((seen.input_runs, seen.update_runs), (60, 60));
    assert!(seen.physics_deltas.iter().all(|&d| d == STEP_60));
    assert_eq!(seen.update_delta, frame);
    assert_eq!(seen.update_elapsed, frame * 60);
    assert_eq!(seen.physics_elapsed, STEP_60 * 60);
    assert_eq!(seen.frames, (0..60).collect::<Vec<u64>>());
    assert_eq!(game.frame(), 60);
    assert_eq!(game.stats().frames, 60);
    assert_eq!(game.stats().dropped_fixed_steps, 0);
    // The body moved one second's worth, step by step.
    let moved = game.query::<&Pos>().iter().next().unwrap().0;
    assert!((moved - 1.0).abs() < 1e-3, "{moved}");
}

#[test]
fn a_hitch_runs_at_most_max_fixed_steps_and_counts_the_dropped_ones() {
    let mut game = Game::new();
    game.update(Duration::from_millis(500));
    // 500 ms are 30 steps of 60 Hz: 8 run, 22 dropped (their time is discarded).
    assert_eq!(game.resource::<Seen>().physics_runs, 8);
    assert_eq!(game.stats().dropped_fixed_steps, 22);
    // The next normal frame runs one step, not a backlog.
    game.update(STEP_60);
    assert_eq!(game.resource::<Seen>().physics_runs, 9);
    assert_eq!(game.stats().dropped_fixed_steps, 22);

    // `max_fixed_steps = 2` at 100 Hz: 500 ms are 50 steps, 2 run, 48 dropped.
    let mut few = Few::new();
    few.update(Duration::from_millis(500));
    assert_eq!(few.resource::<Seen>().physics_runs, 2);
    assert_eq!(few.stats().dropped_fixed_steps, 48);
}

#[test]
fn overstep_fraction_is_the_share_of_a_step_left_over() {
    let mut game = Game::new();
    // 25 ms at 60 Hz: one step (16.67 ms), 8.33 ms left: half a step.
    game.update(Duration::from_millis(25));
    let seen = game.resource::<Seen>();
    assert_eq!(seen.physics_runs, 1);
    assert!((seen.overstep - 0.5).abs() < 1e-3, "{}", seen.overstep);
    // Another 5 ms: no step, 13.33 ms left: 0.8 of a step.
    game.update(Duration::from_millis(5));
    let seen = game.resource::<Seen>();
    assert_eq!(seen.physics_runs, 1);
    assert!((seen.overstep - 0.8).abs() < 1e-3, "{}", seen.overstep);
    // Outside systems too.
    assert!((game.resource::<Time>().overstep_fraction() - 0.8).abs() < 1e-3);
}

#[test]
fn tick_runs_every_phase_once_with_the_fixed_step_in_fixed_phases() {
    let mut game = Game::new();
    game.tick();
    game.tick();
    let seen = game.resource::<Seen>();
    assert_eq!(
        (seen.input_runs, seen.physics_runs, seen.update_runs),
        (2, 2, 2)
    );
    assert_eq!(seen.physics_deltas, [STEP_60, STEP_60]);
    // A tick advances no real time.
    assert_eq!(seen.update_delta, Duration::ZERO);
    assert_eq!(seen.frames, [0, 1]);
    assert_eq!(game.stats().frames, 2);
}

#[test]
fn stats_count_frames_and_system_runs() {
    let mut game = Game::new();
    for _ in 0..20 {
        game.update(STEP_60);
    }
    let stats = game.stats();
    assert_eq!(stats.frames, 20);
    for name in ["input", "physics", "late", "read_a", "read_b"] {
        let s = stats.system(name).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(s.runs, 20, "{name}");
        // Sequential: nothing ran on a pool.
        assert_eq!(s.on_pool, 0, "{name}");
        // Timed on frames 0, 8 and 16: the prediction (the stage runner's filter) lies
        // within the timed runs, and two runs were compared with their predictions.
        assert!(s.max >= s.mean && s.predicted <= s.max, "{name}: {s:?}");
        assert!(s.predicted > Duration::ZERO, "{name}: {s:?}");
        assert!(s.mape.is_some(), "{name}: {s:?}");
    }
    assert!(stats.system("nope").is_none());
    assert!(stats.max() >= stats.p99() && stats.p99() >= stats.p50());
    assert!(stats.max() > Duration::ZERO);
    assert_eq!(stats.stage_runs(), 20);
    assert_eq!(stats.stages_on_pool(), 0);
    // Through the `World` trait as well.
    fn frames_of<W: World>(w: &W) -> u64 {
        w.stats().frames
    }
    assert_eq!(frames_of(&game), 20);
}

#[test]
fn stats_report_runs_on_the_pool() {
    let mut game = Pooled::new();
    game.spawn_batch((0..1_000).map(|i| (Pos(i as f32),)));
    for _ in 0..200 {
        game.tick();
    }
    let stats = game.stats();
    let a = stats.system("read_a").unwrap();
    assert_eq!(a.runs, 200);
    // The stage runner probes the pool at least once within its first runs.
    assert!(a.on_pool >= 1, "{a:?}");
    assert_eq!(stats.stage_runs(), 200);
    assert_eq!(stats.stages_on_pool(), a.on_pool);
}

#[test]
fn stats_off_keeps_only_the_counts() {
    let mut few = Few::new();
    few.update(Duration::from_millis(10));
    few.update(Duration::from_millis(10));
    let stats = few.stats();
    assert_eq!(stats.frames, 2);
    assert!(stats.system("physics").is_none());
    assert_eq!(stats.max(), Duration::ZERO);
}

#[test]
fn run_paces_frames_and_stops_on_the_flag() {
    // A frame count: 20 frames at 200 Hz take about 100 ms.
    let mut game = Game::new();
    let stop = AtomicBool::new(false);
    let start = Instant::now();
    let stats = game.run(RunConfig::hz(200.0).frames(20), &stop);
    let took = start.elapsed();
    assert_eq!(stats.frames, 20);
    assert_eq!(game.resource::<Seen>().update_runs, 20);
    // 19 waits of 5 ms; generous above (a shared CI machine).
    assert!(took >= Duration::from_millis(90), "{took:?}");
    assert!(took < Duration::from_millis(1_000), "{took:?}");

    // The flag: set from another thread after ~100 ms of an endless 100 Hz loop.
    let mut game = Game::new();
    let stop = AtomicBool::new(false);
    let start = Instant::now();
    let stats = std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(100));
            stop.store(true, Ordering::Release);
        });
        game.run(RunConfig::hz(100.0), &stop)
    });
    let took = start.elapsed();
    assert!(took < Duration::from_millis(1_000), "{took:?}");
    // ~10 frames; generous either side.
    assert!((3..=30).contains(&stats.frames), "{}", stats.frames);
    // Each frame's `real_dt` is the time between frame starts: about 10 ms on average.
    // One frame's may be much shorter (the frame before it started late on a loaded
    // machine, and `run` does not shift its schedule), so only the mean is checked.
    let dt = game.resource::<Seen>().update_delta;
    assert!(
        dt > Duration::ZERO && dt < Duration::from_millis(200),
        "{dt:?}"
    );
    let mean = took / stats.frames as u32;
    assert!(
        mean >= Duration::from_millis(3) && mean < Duration::from_millis(200),
        "{mean:?}"
    );
}
