//! [`FrameStats`] and [`SystemStats`]: what a world's frames and systems cost.
//!
//! A world collects them unless it is declared with `stats = off`. Every frame (`tick`
//! or `update`) is timed (two clock reads); each system is timed on one frame in
//! [`SAMPLE_EVERY`] (two clock reads per system on those frames), so that collecting
//! costs a small share of even a tiny schedule, and on the runs the predictive stage
//! runner times for its predictions (a stage of several systems on a pool: each run
//! until its predictions are trusted, then one in eight). Runs and pool runs are counted
//! on every frame.

use std::time::Duration;

/// Systems are timed on one frame in this many (the first frame included).
pub const SAMPLE_EVERY: u64 = 8;

/// Frame durations are kept for this many frames.
pub const WINDOW: usize = 256;

/// What a world's frames and systems cost, from `game.stats()` (or returned by `run`).
///
/// A frame is one `update` or one `tick`.
///
/// ```
/// use metronome_runtime::FrameStats;
/// let stats = FrameStats::default();
/// assert_eq!(stats.frames, 0);
/// assert_eq!(stats.mean(), std::time::Duration::ZERO);
/// assert!(stats.system("integrate").is_none());
/// ```
#[derive(Clone, Debug, Default)]
pub struct FrameStats {
    /// Frames run (a frame whose system panicked is not counted).
    pub frames: u64,
    /// Frames of `run` that took longer than its target frame time.
    pub overruns: u64,
    /// Fixed steps that were due but not run because a frame reached `max_fixed_steps`.
    pub dropped_fixed_steps: u64,
    /// The last [`WINDOW`] frame durations in nanoseconds, a ring (`next` is the oldest
    /// once full).
    recent: Vec<u64>,
    next: usize,
    /// Per system, declaration order.
    systems: Vec<(&'static str, SystemStats)>,
    /// Stage runs of several systems, and how many of them ran on the pool.
    stage_runs: u64,
    stages_on_pool: u64,
}

/// What one system costs, from [`FrameStats::system`].
///
/// ```
/// use metronome_runtime::SystemStats;
/// let s = SystemStats::default();
/// assert_eq!((s.runs, s.on_pool), (0, 0));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SystemStats {
    /// Times its stage ran it (a run whose `run_if` said no counts too).
    pub runs: u64,
    /// Mean duration of its timed runs (systems are timed one frame in [`SAMPLE_EVERY`],
    /// and on the runs the stage runner times for its predictions).
    pub mean: Duration,
    /// Longest of its timed runs.
    pub max: Duration,
    /// What the stage runner expects its next run to take: its One Euro filter's
    /// prediction (see [`SystemPredictor`](crate::predict::SystemPredictor)), as of its
    /// last timed run; zero before one.
    pub predicted: Duration,
    /// The mean absolute percentage error of those predictions, in percent (5.0: the
    /// predictions were 5 % off on average), each timed run compared with what was
    /// predicted for it; `None` until a run could be compared (the second timed run).
    pub mape: Option<f64>,
    /// Runs on the executor's pool (the others ran inline on the calling thread).
    pub on_pool: u64,
    /// Timed runs and their total, for the mean.
    timed: u64,
    total_ns: u64,
}

impl SystemStats {
    /// Counts one run; `ns` is its duration when it was timed.
    #[inline]
    pub(crate) fn record(&mut self, on_pool: bool, ns: Option<u64>) {
        self.runs += 1;
        self.on_pool += u64::from(on_pool);
        if let Some(ns) = ns {
            self.timed += 1;
            self.total_ns = self.total_ns.saturating_add(ns);
            let max = Duration::from_nanos(ns);
            if max > self.max {
                self.max = max;
            }
            self.mean = Duration::from_nanos(self.total_ns / self.timed);
        }
    }

    /// Copies the prediction and its error from the system's predictor.
    #[inline]
    pub(crate) fn follow(&mut self, predictor: &crate::predict::SystemPredictor) {
        self.predicted = predictor.predicted();
        self.mape = predictor.mean_abs_percentage_error();
    }
}

impl FrameStats {
    /// Statistics for the systems `names` (declaration order), nothing recorded yet.
    pub(crate) fn new(names: &[&'static str]) -> FrameStats {
        FrameStats {
            recent: Vec::with_capacity(WINDOW),
            systems: names
                .iter()
                .map(|&name| (name, SystemStats::default()))
                .collect(),
            ..FrameStats::default()
        }
    }

    /// Records a frame of `ns` nanoseconds.
    #[inline]
    pub(crate) fn record_frame(&mut self, ns: u64) {
        if self.recent.len() < WINDOW {
            self.recent.push(ns);
        } else {
            self.recent[self.next] = ns;
            self.next = (self.next + 1) % WINDOW;
        }
    }

    /// Counts a run of a stage of several systems.
    #[inline]
    pub(crate) fn record_stage(&mut self, on_pool: bool) {
        self.stage_runs += 1;
        self.stages_on_pool += u64::from(on_pool);
    }

    /// System `index`'s statistics (declaration order).
    #[inline]
    pub(crate) fn system_mut(&mut self, index: usize) -> Option<&mut SystemStats> {
        self.systems.get_mut(index).map(|(_, s)| s)
    }

    /// Mean frame duration over the last [`WINDOW`] frames (zero before the first).
    pub fn mean(&self) -> Duration {
        if self.recent.is_empty() {
            return Duration::ZERO;
        }
        let total: u128 = self.recent.iter().map(|&ns| u128::from(ns)).sum();
        let mean = total / self.recent.len() as u128;
        Duration::from_nanos(u64::try_from(mean).unwrap_or(u64::MAX))
    }

    /// Median frame duration over the last [`WINDOW`] frames.
    pub fn p50(&self) -> Duration {
        self.percentile(50)
    }

    /// 99th percentile of the frame durations over the last [`WINDOW`] frames.
    pub fn p99(&self) -> Duration {
        self.percentile(99)
    }

    /// Longest frame of the last [`WINDOW`] frames.
    pub fn max(&self) -> Duration {
        Duration::from_nanos(self.recent.iter().copied().max().unwrap_or(0))
    }

    /// The `p`-th percentile (nearest rank) of the recent frame durations.
    fn percentile(&self, p: usize) -> Duration {
        if self.recent.is_empty() {
            return Duration::ZERO;
        }
        let mut sorted = self.recent.clone();
        sorted.sort_unstable();
        let rank = (p * sorted.len()).div_ceil(100).clamp(1, sorted.len());
        Duration::from_nanos(sorted[rank - 1])
    }

    /// The statistics of the system named `name` (its function name), `None` for a name
    /// the world does not list.
    pub fn system(&self, name: &str) -> Option<&SystemStats> {
        self.systems
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, stats)| stats)
    }

    /// Every system's name and statistics, in declaration order.
    pub fn systems(&self) -> impl Iterator<Item = (&'static str, &SystemStats)> + '_ {
        self.systems.iter().map(|(name, stats)| (*name, stats))
    }

    /// Runs of stages with several systems (a stage of one system always runs inline).
    pub fn stage_runs(&self) -> u64 {
        self.stage_runs
    }

    /// How many of [`FrameStats::stage_runs`] ran on the executor's pool.
    pub fn stages_on_pool(&self) -> u64 {
        self.stages_on_pool
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_cover_the_last_window_of_frames() {
        let mut stats = FrameStats::new(&[]);
        for ns in 1..=100 {
            stats.record_frame(ns);
        }
        assert_eq!(stats.p50(), Duration::from_nanos(50));
        assert_eq!(stats.p99(), Duration::from_nanos(99));
        assert_eq!(stats.max(), Duration::from_nanos(100));
        assert_eq!(stats.mean(), Duration::from_nanos(50));
        // 300 more frames of 1 µs push every earlier one out of the window.
        for _ in 0..300 {
            stats.record_frame(1_000);
        }
        assert_eq!(stats.max(), Duration::from_micros(1));
        assert_eq!(stats.p50(), Duration::from_micros(1));
    }

    #[test]
    fn a_system_mean_and_max_come_from_its_timed_runs() {
        let mut stats = FrameStats::new(&["a", "b"]);
        let a = stats.system_mut(0).unwrap();
        a.record(true, Some(100));
        a.record(false, None);
        a.record(true, Some(300));
        let a = *stats.system("a").unwrap();
        assert_eq!((a.runs, a.on_pool), (3, 2));
        assert_eq!(a.mean, Duration::from_nanos(200));
        assert_eq!(a.max, Duration::from_nanos(300));
        assert_eq!(
            a.predicted,
            Duration::ZERO,
            "set by the stage runner (`follow`)"
        );
        assert_eq!(stats.system("b").unwrap().runs, 0);
        assert!(stats.system("c").is_none());
    }
}
