//! [`Time`]: the built-in resource every world has, read by systems with `Res<Time>`.

use std::time::Duration;

/// The world's clock, a resource of every world (read it with `Res<Time>`).
///
/// [`update`](crate::frames::update) advances it by the real time of the frame; `tick`
/// leaves `elapsed` where it was. Inside a fixed phase (`fixed(hz = N)`) `delta` is the
/// fixed step and `elapsed` the time the phase's steps add up to; elsewhere `delta` is the
/// frame's time and `elapsed` the total of the frames'.
///
/// ```
/// use metronome_runtime::Time;
/// use std::time::Duration;
/// let time = Time::default();
/// assert_eq!(time.delta(), Duration::ZERO);
/// assert_eq!(time.frame(), 0);
/// assert_eq!(time.overstep_fraction(), 0.0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Time {
    pub(crate) delta: Duration,
    pub(crate) elapsed: Duration,
    pub(crate) frame: u64,
    pub(crate) overstep: f32,
}

impl Time {
    /// The time this run of the phase stands for: the frame's time, or the fixed step
    /// inside a fixed phase.
    #[inline]
    pub fn delta(&self) -> Duration {
        self.delta
    }

    /// [`Time::delta`] in seconds.
    #[inline]
    pub fn delta_secs(&self) -> f32 {
        self.delta.as_secs_f32()
    }

    /// Time since the world started: the sum of the frames' times, or, inside a fixed
    /// phase, of the steps that phase ran (including the one running).
    #[inline]
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// The number of the frame running (frames completed before it: `0` in the first).
    #[inline]
    pub fn frame(&self) -> u64 {
        self.frame
    }

    /// How far the time is into the next fixed step, in `0.0..1.0`: the accumulator of
    /// the fixed phase updated last, divided by its step. Render code interpolates between
    /// the last two fixed states with it.
    #[inline]
    pub fn overstep_fraction(&self) -> f32 {
        self.overstep
    }
}
