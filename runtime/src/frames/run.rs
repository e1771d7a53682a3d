//! [`run`]: the paced loop, calling `update` at a target rate.

use super::{update, FrameStats};
use crate::world::WorldDef;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How [`run`] paces its frames: a target rate and an optional frame count.
///
/// ```
/// use metronome_runtime::RunConfig;
/// let config = RunConfig::hz(60.0).frames(600);
/// assert_eq!(config.frame_time(), std::time::Duration::from_nanos(16_666_667));
/// assert_eq!(config.frame_limit(), Some(600));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunConfig {
    frame_time: Duration,
    frames: Option<u64>,
}

impl RunConfig {
    /// `hz` frames per second, until stopped.
    ///
    /// # Panics
    /// If `hz` is not a finite number above zero.
    pub fn hz(hz: f64) -> RunConfig {
        assert!(
            hz.is_finite() && hz > 0.0,
            "RunConfig::hz({hz}): the rate must be a finite number of frames per second above zero"
        );
        let ns = (1e9 / hz).round().max(1.0);
        RunConfig {
            frame_time: Duration::from_nanos(ns as u64),
            frames: None,
        }
    }

    /// Stops after `frames` frames (or earlier, when the stop flag is set).
    pub fn frames(self, frames: u64) -> RunConfig {
        RunConfig {
            frames: Some(frames),
            ..self
        }
    }

    /// The target frame time.
    pub fn frame_time(&self) -> Duration {
        self.frame_time
    }

    /// The frame count, if one was set.
    pub fn frame_limit(&self) -> Option<u64> {
        self.frames
    }
}

/// Below this much time left before a frame, [`run`] spins instead of sleeping (a sleep
/// overshoots by tens of microseconds).
const SPIN: Duration = Duration::from_micros(300);
/// The longest single sleep, so that the stop flag is seen soon at low rates.
const LONGEST_SLEEP: Duration = Duration::from_millis(10);

/// Calls `update` at `config`'s rate until `stop` is set or the frame count is reached,
/// sleeping between frames (then spinning the last 300 µs); returns the world's
/// statistics. Each frame's `real_dt` is the time since the previous frame started (the
/// target frame time for the first). A frame longer than the target counts as an
/// overrun; the loop does not try to catch up on late frames (the next one starts one
/// frame time after the late one).
pub fn run<W: WorldDef>(world: &mut W, config: RunConfig, stop: &AtomicBool) -> FrameStats {
    let target = config.frame_time;
    let mut next = Instant::now();
    let mut previous: Option<Instant> = None;
    let mut frames = 0u64;
    loop {
        if stop.load(Ordering::Acquire) || config.frames.is_some_and(|limit| frames >= limit) {
            break;
        }
        if !wait_until(next, stop) {
            break;
        }
        let start = Instant::now();
        let real_dt = previous.map_or(target, |previous| start - previous);
        previous = Some(start);
        update(world, real_dt);
        frames += 1;
        let end = Instant::now();
        if end - start > target {
            world.core_mut().frames_mut().stats.overruns += 1;
        }
        next += target;
        if next < end {
            next = end;
        }
    }
    world.core().frames().stats.clone()
}

/// Sleeps, then spins, until `deadline`; `false` if `stop` was set meanwhile.
fn wait_until(deadline: Instant, stop: &AtomicBool) -> bool {
    loop {
        let now = Instant::now();
        if now >= deadline {
            return true;
        }
        if stop.load(Ordering::Acquire) {
            return false;
        }
        let left = deadline - now;
        if left > SPIN {
            std::thread::sleep((left - SPIN).min(LONGEST_SLEEP));
        } else {
            std::hint::spin_loop();
        }
    }
}
