//! Where one system's parallel loops run, decided by trying both: split over the pool,
//! or on the system's own thread (`world/inline_loops.rs`).
//!
//! Whether splitting a loop pays depends on more than its length: how soon an idle
//! worker answers (spinning, yielding or parked), whether the machine's cores are free,
//! what moving the rows' cache lines between cores costs. A loop of a few microseconds
//! on a pool of the caller and one worker can take longer split than whole. So the stage
//! runner does not guess: each system keeps the durations of its last timed runs in
//! either mode and runs in the faster one, and tries the other again now and then.
//!
//! The protocol, counted in timed runs of the system (see `stage_runner`):
//!
//! 1. It starts split (what a loop does without a stage runner) and takes
//!    [`TRIAL_RUNS`] samples.
//! 2. A *trial* runs it in the other mode for [`TRIAL_RUNS`] runs. Until the trial
//!    ended, every run of its stage is timed ([`LoopTrial::trying`]).
//! 3. After the trial it runs in the mode whose samples have the lower median (split on
//!    a tie, or while a mode has no samples).
//! 4. After [`RETRY_AFTER`] timed runs in its mode it tries the other again (the samples
//!    of a mode not run for a while are stale: the workload or the machine changed), and
//!    is back at 3.
//! 5. A change of workload seen in its own mode (two samples in a row more than
//!    [`SHIFT_FACTOR`] times off that mode's median: a game leaving its menu, where the
//!    system's `run_if` said no, for play) makes both modes' samples stale: it starts
//!    again at 1, in the mode it is in. A mode switch itself is no such change: each
//!    mode's samples are compared only with their own.
//!
//! A system without parallel loops runs the same either way; it ends in either mode,
//! which changes nothing for it. The medians of the last [`TRIAL_RUNS`] samples ignore a
//! run preempted by another process (not two of the three).

/// Samples per mode, and runs per trial: the median of three ignores one preempted run,
/// and a trial of the slower mode costs three runs of it.
pub(crate) const TRIAL_RUNS: usize = 3;

/// Timed runs in the chosen mode before the other is tried again. With the stage timed
/// one run in [`TIME_EVERY`](crate::stage_runner::TIME_EVERY) once its predictions are
/// trusted, a trial comes every few hundred runs, and lasts [`TRIAL_RUNS`].
pub(crate) const RETRY_AFTER: u32 = 32;

/// A sample this many times above or below its mode's median is off its level; two in a
/// row are a change of workload (see the module docs).
pub(crate) const SHIFT_FACTOR: u64 = 2;

/// The last [`TRIAL_RUNS`] durations of one mode, in nanoseconds.
#[derive(Clone, Copy, Debug, Default)]
struct Samples {
    ns: [u64; TRIAL_RUNS],
    /// Samples held (at most `TRIAL_RUNS`).
    len: usize,
    /// The slot the next sample overwrites once full.
    next: usize,
}

impl Samples {
    fn push(&mut self, ns: u64) {
        self.ns[self.next] = ns;
        self.next = (self.next + 1) % TRIAL_RUNS;
        self.len = (self.len + 1).min(TRIAL_RUNS);
    }

    /// The median of the samples (the mean of the middle two of an even count); `None`
    /// without samples.
    fn median(&self) -> Option<u64> {
        if self.len == 0 {
            return None;
        }
        let mut sorted = self.ns;
        let held = &mut sorted[..self.len];
        held.sort_unstable();
        let mid = self.len / 2;
        Some(if self.len % 2 == 1 {
            held[mid]
        } else {
            ((u128::from(held[mid - 1]) + u128::from(held[mid])) / 2) as u64
        })
    }
}

/// One system's choice between splitting its parallel loops and running them on its own
/// thread (see the module docs).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LoopTrial {
    /// The mode it runs in now: `true` for its own thread.
    inline: bool,
    /// Samples of the split mode (`[0]`) and of the inline one (`[1]`).
    samples: [Samples; 2],
    /// Timed runs left in the trial under way (0: none).
    trial_left: usize,
    /// Timed runs in the chosen mode since the last trial (or since the start).
    since_trial: u32,
    /// The last sample was off its mode's level (see [`SHIFT_FACTOR`]).
    off_level: bool,
}

impl LoopTrial {
    /// Whether the system runs its parallel loops on its own thread.
    #[inline(always)]
    pub(crate) fn inline(&self) -> bool {
        self.inline
    }

    /// Whether the first samples or a trial are under way: its stage should be timed on
    /// every run.
    #[inline]
    pub(crate) fn trying(&self) -> bool {
        self.trial_left > 0 || self.samples[usize::from(!self.inline)].len == 0
    }

    /// Records a timed run of `ns` nanoseconds in the current mode, and moves on.
    pub(crate) fn record(&mut self, ns: u64) {
        let mode = usize::from(self.inline);
        let off = self.samples[mode].len == TRIAL_RUNS
            && self.samples[mode].median().is_some_and(|median| {
                ns > median.saturating_mul(SHIFT_FACTOR) || ns.saturating_mul(SHIFT_FACTOR) < median
            });
        if off && self.off_level {
            // A change of workload: start again from this mode (see the module docs).
            *self = LoopTrial {
                inline: self.inline,
                ..LoopTrial::default()
            };
        } else {
            self.off_level = off;
        }
        self.samples[mode].push(ns);
        if self.trial_left > 0 {
            self.trial_left -= 1;
            if self.trial_left == 0 {
                self.inline = self.faster_is_inline();
                self.since_trial = 0;
            }
            return;
        }
        self.since_trial += 1;
        let first = self.samples[usize::from(!self.inline)].len == 0
            && self.since_trial as usize >= TRIAL_RUNS;
        if first || self.since_trial >= RETRY_AFTER {
            self.start_trial();
        }
    }

    /// Runs in the other mode for [`TRIAL_RUNS`] timed runs, forgetting its old samples.
    fn start_trial(&mut self) {
        self.inline = !self.inline;
        self.samples[usize::from(self.inline)] = Samples::default();
        self.trial_left = TRIAL_RUNS;
    }

    /// Whether the inline mode's median is below the split mode's.
    fn faster_is_inline(&self) -> bool {
        match (self.samples[0].median(), self.samples[1].median()) {
            (Some(split), Some(inline)) => inline < split,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `trial` timed runs from `split` or `inline` (by its mode) until `runs`
    /// runs are done; returns how many runs were inline.
    fn feed(trial: &mut LoopTrial, runs: usize, split: u64, inline: u64) -> usize {
        let mut inline_runs = 0;
        for _ in 0..runs {
            if trial.inline() {
                inline_runs += 1;
                trial.record(inline);
            } else {
                trial.record(split);
            }
        }
        inline_runs
    }

    #[test]
    fn a_loop_faster_on_its_own_thread_runs_there_after_one_trial() {
        let mut trial = LoopTrial::default();
        assert!(
            !trial.inline() && trial.trying(),
            "starts split, timing every run"
        );
        feed(&mut trial, TRIAL_RUNS, 30_000, 10_000);
        assert!(trial.inline() && trial.trying(), "the first trial");
        feed(&mut trial, TRIAL_RUNS, 30_000, 10_000);
        assert!(trial.inline() && !trial.trying(), "kept: faster");
        // Then split only for the trials, TRIAL_RUNS in RETRY_AFTER + TRIAL_RUNS runs.
        let runs = 10 * (RETRY_AFTER as usize + TRIAL_RUNS);
        let inline = feed(&mut trial, runs, 30_000, 10_000);
        assert_eq!(runs - inline, 10 * TRIAL_RUNS);
    }

    #[test]
    fn a_loop_faster_split_stays_split_and_a_change_is_followed() {
        let mut trial = LoopTrial::default();
        feed(&mut trial, 2 * TRIAL_RUNS, 10_000, 30_000);
        assert!(
            !trial.inline() && !trial.trying(),
            "back to split after the trial"
        );
        let runs = 10 * (RETRY_AFTER as usize + TRIAL_RUNS);
        assert_eq!(feed(&mut trial, runs, 10_000, 30_000), 10 * TRIAL_RUNS);
        // The machine gets busy: split runs slow down. The second slow run starts the
        // samples again; after them and a trial, the loop runs inline.
        feed(&mut trial, 2 + 2 * TRIAL_RUNS, 50_000, 30_000);
        assert!(trial.inline() && !trial.trying());
        let runs = RETRY_AFTER as usize - 1;
        assert_eq!(feed(&mut trial, runs, 50_000, 30_000), runs);
    }

    #[test]
    fn one_preempted_run_does_not_decide() {
        let mut trial = LoopTrial::default();
        feed(&mut trial, TRIAL_RUNS, 20_000, 10_000);
        // The trial's inline runs: one of them preempted for a millisecond.
        trial.record(1_000_000);
        feed(&mut trial, TRIAL_RUNS - 1, 20_000, 10_000);
        assert!(trial.inline() && !trial.trying());
    }

    #[test]
    fn a_change_of_workload_starts_the_trials_again() {
        let mut trial = LoopTrial::default();
        assert!(trial.trying(), "the first samples are timed on every run");
        // A menu: 30 ns either way; say it settles inline.
        feed(&mut trial, 2 * TRIAL_RUNS, 31, 30);
        assert!(trial.inline() && !trial.trying());
        // Play starts: 40 µs inline, 25 µs split. The second sample off the level
        // restarts (inline), then the trial finds split faster.
        feed(&mut trial, 2, 25_000, 40_000);
        assert!(
            trial.inline() && trial.trying(),
            "started again, in its mode"
        );
        feed(&mut trial, 2 * TRIAL_RUNS, 25_000, 40_000);
        assert!(!trial.inline() && !trial.trying());
        // A mode switch is no change of workload: the trials go on as before.
        let runs = 4 * (RETRY_AFTER as usize + TRIAL_RUNS);
        assert_eq!(feed(&mut trial, runs, 25_000, 40_000), 4 * TRIAL_RUNS);
        // One preempted run alone restarts nothing.
        trial.record(5_000_000);
        feed(&mut trial, 3, 25_000, 40_000);
        assert!(!trial.trying());
    }

    #[test]
    fn the_median_is_the_middle_sample_or_the_mean_of_the_middle_two() {
        let mut samples = Samples::default();
        assert_eq!(samples.median(), None);
        samples.push(40);
        samples.push(21);
        assert_eq!(samples.median(), Some(30));
        samples.push(1_000);
        assert_eq!(samples.median(), Some(40));
        samples.push(5); // replaces the oldest (40)
        assert_eq!(samples.median(), Some(21));
    }
}
