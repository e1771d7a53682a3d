//! Frames: the fixed-step loop (`fixed(hz = N)` phases, [`update`], [`run`]), the
//! built-in [`Time`] resource and the [`FrameStats`] a world collects.
//!
//! A frame is one `tick` or one `update`. `tick` runs every phase once (a fixed phase
//! with `Time::delta` = its step, the others with a zero delta: a tick advances no real
//! time). `update(real_dt)` advances the clock by `real_dt`, runs each fixed phase as many
//! times as its accumulator holds whole steps (at most the world's `max_fixed_steps`; the
//! steps beyond are dropped, counted in [`FrameStats::dropped_fixed_steps`], and their
//! time discarded so the loop does not spiral) and every other phase once.

mod clock;
mod run;
mod stats;
mod time;

pub use run::{run, RunConfig};
pub use stats::{FrameStats, SystemStats, SAMPLE_EVERY, WINDOW};
pub use time::Time;

use crate::cell::SyncCell;
use crate::world::{self, WorldCore, WorldDef};
use std::time::{Duration, Instant};

/// The frame state every world's core holds: the clock, the fixed phases' accumulators
/// and the statistics.
pub(crate) struct FrameState {
    /// The `Time` resource (a cell: systems read it through `Res<Time>` while the stage
    /// runs; the frame code writes it only through `&mut`).
    pub(crate) time: SyncCell<Time>,
    /// The frame's real time and the total of the frames' times.
    frame_delta: Duration,
    elapsed: Duration,
    /// Per phase: time not yet run as fixed steps, and the time the steps run add up to
    /// (both zero for a variable phase).
    accumulators: Box<[Duration]>,
    fixed_elapsed: Box<[Duration]>,
    pub(crate) stats: FrameStats,
    /// Whether this frame times each system (one frame in `SAMPLE_EVERY`).
    pub(crate) sampling: bool,
    /// The memory-pressure monitor the world follows, if any.
    pub(crate) pressure: Option<crate::pressure::PressureWatch>,
}

impl FrameState {
    /// The frame state of world `W`.
    pub(crate) fn new<W: WorldDef>() -> FrameState {
        let phases = W::PHASE_COUNT;
        FrameState {
            time: SyncCell::new(Time::default()),
            frame_delta: Duration::ZERO,
            elapsed: Duration::ZERO,
            accumulators: vec![Duration::ZERO; phases].into(),
            fixed_elapsed: vec![Duration::ZERO; phases].into(),
            stats: if W::STATS {
                FrameStats::new(W::SYSTEM_NAMES)
            } else {
                FrameStats::default()
            },
            sampling: false,
            pressure: None,
        }
    }

    /// Sets the clock for a variable phase: the frame's delta and elapsed time.
    #[inline]
    fn enter_variable(&mut self) {
        let time = self.time.get_mut();
        time.delta = self.frame_delta;
        time.elapsed = self.elapsed;
    }

    /// Sets the clock for one step of fixed phase `phase`.
    #[inline]
    fn enter_fixed_step(&mut self, phase: usize, step: Duration) {
        self.fixed_elapsed[phase] += step;
        let time = self.time.get_mut();
        time.delta = step;
        time.elapsed = self.fixed_elapsed[phase];
    }
}

/// The step of phase `phase` of `W`, `None` for a variable phase.
#[inline(always)]
fn fixed_step<W: WorldDef>(phase: usize) -> Option<Duration> {
    match W::FIXED_STEPS_NS.get(phase) {
        Some(&ns) if ns != 0 => Some(Duration::from_nanos(ns)),
        _ => None,
    }
}

/// Starts a frame: the clock's frame number, whether systems are timed, and the frame's
/// start time (`None` with `stats = off`).
#[inline]
pub(crate) fn begin_frame<W: WorldDef>(world: &mut W) -> Option<Instant> {
    let core = world.core_mut();
    let frame = core.frame();
    let state = core.frames_mut();
    state.time.get_mut().frame = frame;
    if !W::STATS {
        return None;
    }
    state.sampling = frame.is_multiple_of(SAMPLE_EVERY);
    Some(Instant::now())
}

/// Ends a frame that ran to completion (the frame counter was advanced): counts and
/// times it, and gives memory back when the world follows a pressure monitor whose
/// level rose to `High` or worse.
#[inline]
pub(crate) fn end_frame<W: WorldDef>(world: &mut W, start: Option<Instant>) {
    let state = world.core_mut().frames_mut();
    state.stats.frames += 1;
    if let Some(start) = start {
        let ns = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        state.stats.record_frame(ns);
        state.sampling = false;
    }
    if let Some(watch) = &mut state.pressure {
        if watch.should_trim() {
            world.core_mut().trim_memory();
        }
    }
}

/// The start of a timed run of a system, on a frame that times systems.
#[inline(always)]
pub(crate) fn sample_start<W: WorldDef>(core: &WorldCore<W>) -> Option<Instant> {
    (W::STATS && core.frames().sampling).then(Instant::now)
}

/// Counts the runs of the systems of `stage` (on the pool or not), with their durations
/// if the run was `timed`, and copies each system's prediction and its error from the
/// stage runner's predictor.
#[inline]
pub(crate) fn after_stage<W: WorldDef>(
    core: &mut WorldCore<W>,
    stage: &[u16],
    on_pool: bool,
    timed: bool,
) {
    if !W::STATS {
        return;
    }
    let (state, runner) = core.frames_and_runner();
    if stage.len() > 1 {
        state.stats.record_stage(on_pool);
    }
    for &index in stage {
        let index = index as usize;
        let ns = timed.then(|| runner.sample(index));
        if let Some(stats) = state.stats.system_mut(index) {
            stats.record(on_pool, ns);
            if timed {
                stats.follow(runner.predictor(index));
            }
        }
    }
}

/// Counts a run of exclusive system `index`, timed from `start`.
#[inline]
pub(crate) fn after_exclusive<W: WorldDef>(
    core: &mut WorldCore<W>,
    index: u16,
    start: Option<Instant>,
) {
    if !W::STATS {
        return;
    }
    let index = index as usize;
    let ns = start.map(|start| u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX));
    let (state, runner) = core.frames_and_runner();
    if let Some(ns) = ns {
        runner.record_one(index, ns);
    }
    if let Some(stats) = state.stats.system_mut(index) {
        stats.record(false, ns);
        if ns.is_some() {
            stats.follow(runner.predictor(index));
        }
    }
}

/// `tick`'s run of phase `phase`: a fixed phase once with its step as the delta, a
/// variable phase with a zero delta.
#[inline]
pub(crate) fn tick_phase<W: WorldDef>(world: &mut W, phase: usize) {
    if let Some(step) = fixed_step::<W>(phase) {
        let state = world.core_mut().frames_mut();
        state.enter_fixed_step(phase, step);
        state.time.get_mut().overstep = 0.0;
        world::run_phase(world, phase);
        world.core_mut().frames_mut().enter_variable();
    } else {
        world::run_phase(world, phase);
    }
}

/// `tick`'s clock: no real time passes.
#[inline]
pub(crate) fn tick_clock<W: WorldDef>(world: &mut W) {
    let state = world.core_mut().frames_mut();
    state.frame_delta = Duration::ZERO;
    state.enter_variable();
}

/// Runs one frame of `real_dt` (the world's `update`; see the module docs).
///
/// # Panics
/// A panic of a system leaves the frame as `tick` does (see [`world::run_phase`]); the
/// frame is not counted.
pub fn update<W: WorldDef>(world: &mut W, real_dt: Duration) {
    world::refuse_inside_exclusive(world);
    crate::trace::span!("tick");
    let start = begin_frame(world);
    {
        let state = world.core_mut().frames_mut();
        state.frame_delta = real_dt;
        state.elapsed += real_dt;
        state.enter_variable();
    }
    world.begin_tick();
    for phase in 0..W::PHASE_COUNT {
        let Some(step) = fixed_step::<W>(phase) else {
            world::run_phase(world, phase);
            continue;
        };
        let steps = {
            let state = world.core_mut().frames_mut();
            let (steps, dropped) = take_steps(
                &mut state.accumulators[phase],
                real_dt,
                step,
                W::MAX_FIXED_STEPS,
            );
            state.stats.dropped_fixed_steps += dropped;
            state.time.get_mut().overstep = overstep(state.accumulators[phase], step);
            steps
        };
        for _ in 0..steps {
            world.core_mut().frames_mut().enter_fixed_step(phase, step);
            world::run_phase(world, phase);
        }
        world.core_mut().frames_mut().enter_variable();
    }
    world.core_mut().advance_frame();
    end_frame(world, start);
}

/// Adds `dt` to `accumulator` and takes out the whole steps due: `(run, dropped)`, where
/// `run` is at most `max` and the `dropped` steps beyond it are taken out too (their time
/// is discarded). The accumulator keeps less than one step.
fn take_steps(accumulator: &mut Duration, dt: Duration, step: Duration, max: u32) -> (u32, u64) {
    *accumulator = accumulator.saturating_add(dt);
    let step_ns = step.as_nanos().max(1);
    let due = accumulator.as_nanos() / step_ns;
    let left = accumulator.as_nanos() % step_ns;
    *accumulator = Duration::from_nanos(u64::try_from(left).unwrap_or(u64::MAX));
    let run = due.min(u128::from(max));
    let dropped = u64::try_from(due - run).unwrap_or(u64::MAX);
    (u32::try_from(run).unwrap_or(max), dropped)
}

/// `accumulator / step`, in `0.0..1.0`.
fn overstep(accumulator: Duration, step: Duration) -> f32 {
    let fraction = accumulator.as_secs_f64() / step.as_secs_f64().max(f64::MIN_POSITIVE);
    (fraction as f32).clamp(0.0, 1.0 - f32::EPSILON)
}

/// The step of `hz` steps per second, in whole nanoseconds, rounded down so that a second
/// holds `hz` whole steps (what `fixed(hz = N)` generates).
///
/// ```
/// assert_eq!(metronome_runtime::frames::step_ns(60), 16_666_666);
/// assert_eq!(metronome_runtime::frames::step_ns(10_000), 100_000);
/// ```
pub const fn step_ns(hz: u32) -> u64 {
    let hz = if hz == 0 { 1 } else { hz as u64 };
    1_000_000_000 / hz
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_taken_whole_and_the_rest_carries_over() {
        let step = Duration::from_nanos(step_ns(60));
        let mut acc = Duration::ZERO;
        let mut total = 0;
        for _ in 0..60 {
            let (run, dropped) = take_steps(&mut acc, Duration::from_micros(16_700), step, 8);
            assert_eq!(dropped, 0);
            total += run;
        }
        assert_eq!(total, 60);
        assert!(acc < step);
    }

    #[test]
    fn a_hitch_runs_at_most_max_steps_and_drops_the_rest() {
        let step = Duration::from_nanos(step_ns(60));
        let mut acc = Duration::ZERO;
        let (run, dropped) = take_steps(&mut acc, Duration::from_millis(500), step, 8);
        assert_eq!((run, dropped), (8, 22));
        assert!(acc < step);
    }

    #[test]
    fn overstep_is_the_share_of_a_step_left() {
        let step = Duration::from_millis(10);
        assert_eq!(overstep(Duration::from_millis(5), step), 0.5);
        assert_eq!(overstep(Duration::ZERO, step), 0.0);
        assert!(overstep(step, step) < 1.0);
    }
}
