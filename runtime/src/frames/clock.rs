//! The clock as a snapshot or a save keeps it (see [`crate::snapshot::Clock`]).

use super::FrameState;
use crate::snapshot::Clock;

impl FrameState {
    /// The clock: the `Time` resource, the frames' real time and the fixed phases'
    /// accumulators (`frame` is the core's, filled in by the caller).
    pub(crate) fn clock(&self, frame: u64) -> Clock {
        // SAFETY: the time cell is written only through `&mut FrameState` (`get_mut`:
        // the frame code and `set_clock`), so with `&self` held nothing writes it; reads
        // may share it (as `Res<Time>` does).
        let time = unsafe { *self.time.get() };
        Clock {
            frame,
            time_delta: time.delta,
            time_elapsed: time.elapsed,
            time_frame: time.frame,
            overstep: time.overstep,
            frame_delta: self.frame_delta,
            elapsed: self.elapsed,
            accumulators: self.accumulators.to_vec(),
            fixed_elapsed: self.fixed_elapsed.to_vec(),
        }
    }

    /// Whether `clock` fits this world (one accumulator per phase).
    pub(crate) fn check_clock(&self, clock: &Clock) -> Result<(), String> {
        let phases = self.accumulators.len();
        if clock.accumulators.len() != phases || clock.fixed_elapsed.len() != phases {
            return Err(format!(
                "the clock has {} and {} fixed-phase accumulators, this world {phases} phases",
                clock.accumulators.len(),
                clock.fixed_elapsed.len()
            ));
        }
        Ok(())
    }

    /// Sets the clock (checked by [`FrameState::check_clock`] first).
    pub(crate) fn set_clock(&mut self, clock: &Clock) {
        let time = self.time.get_mut();
        time.delta = clock.time_delta;
        time.elapsed = clock.time_elapsed;
        time.frame = clock.time_frame;
        time.overstep = clock.overstep;
        self.frame_delta = clock.frame_delta;
        self.elapsed = clock.elapsed;
        self.accumulators.copy_from_slice(&clock.accumulators);
        self.fixed_elapsed.copy_from_slice(&clock.fixed_elapsed);
    }
}
