//! A One Euro filter of one system's run time, with outlier rejection and level-shift
//! reset: [`DurationFilter`].
//!
//! Time base: the filter's clock is the run index. Each recorded sample is one run, and
//! the step between two samples is one run (`dt = 1`), whatever wall-clock time passed
//! between them: a system is run once per stage run, and what the stage runner needs is
//! the *next run's* duration, not a duration per second. Cutoff frequencies are therefore
//! in cycles per run (Nyquist: 0.5), and there is no zero or negative `dt` to guard
//! against. A caller that times only some runs (one in `k`) simply records fewer samples.

use std::time::Duration;

/// Consecutive samples beyond [`FilterConfig::shift_threshold`], on the same side of the
/// prediction, after which the filter takes them for the new level (a *level shift*)
/// instead of outliers. One or two such samples are ignored.
pub const SHIFT_RUNS: usize = 3;

/// Samples at which [`DurationFilter::confidence`] reaches one half: the confidence after
/// `n` samples is `n / (n + CONFIDENCE_HALF)`.
pub const CONFIDENCE_HALF: u32 = 4;

/// The tuning of a [`DurationFilter`].
///
/// Cutoffs are in cycles per run (the filter's clock is the run index; see the
/// [module docs](crate::predict)). The defaults ([`FilterConfig::DEFAULT`]) follow a
/// duration with ±10 % uniform jitter to within 5 % (its mean to within 1 %),
/// settle on a 10 % step to within 2 % in about 13 runs, and reset on a step of more than
/// 15 % after [`SHIFT_RUNS`] runs.
///
/// ```
/// use metronome_runtime::predict::{DurationFilter, FilterConfig};
///
/// // Follow changes faster, at the cost of more noise in the prediction.
/// let config = FilterConfig { min_cutoff: 0.05, ..FilterConfig::DEFAULT };
/// let filter = DurationFilter::new(config);
/// assert_eq!(filter.predicted(), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FilterConfig {
    /// The cutoff while the duration is steady, in cycles per run (> 0, finite). Lower
    /// smooths more and follows changes more slowly.
    pub min_cutoff: f64,
    /// How much the cutoff rises with the filtered rate of change (≥ 0, finite): the
    /// cutoff is `min_cutoff + beta * |slope|`, where the slope is the relative change per
    /// run (0.01 = 1 % per run), so `beta` does not depend on how long the system runs.
    pub beta: f64,
    /// The fixed cutoff of the slope's own filter, in cycles per run (> 0, finite).
    pub derivative_cutoff: f64,
    /// The relative distance from the prediction beyond which a sample is not folded in
    /// (> 0, finite): it is an outlier, or, [`SHIFT_RUNS`] times in a row on the same
    /// side, a level shift that resets the filter.
    pub shift_threshold: f64,
}

impl FilterConfig {
    /// The default tuning: `min_cutoff` 0.01, `beta` 0.5, `derivative_cutoff` 0.01,
    /// `shift_threshold` 0.15 (15 %).
    pub const DEFAULT: FilterConfig = FilterConfig {
        min_cutoff: 0.01,
        beta: 0.5,
        derivative_cutoff: 0.01,
        shift_threshold: 0.15,
    };

    /// Panics unless every field is finite and in its range.
    fn validate(&self) {
        let positive = |x: f64| x.is_finite() && x > 0.0;
        assert!(
            positive(self.min_cutoff),
            "FilterConfig::min_cutoff must be finite and > 0, got {}",
            self.min_cutoff
        );
        assert!(
            self.beta.is_finite() && self.beta >= 0.0,
            "FilterConfig::beta must be finite and >= 0, got {}",
            self.beta
        );
        assert!(
            positive(self.derivative_cutoff),
            "FilterConfig::derivative_cutoff must be finite and > 0, got {}",
            self.derivative_cutoff
        );
        assert!(
            positive(self.shift_threshold),
            "FilterConfig::shift_threshold must be finite and > 0, got {}",
            self.shift_threshold
        );
    }
}

impl Default for FilterConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// What [`DurationFilter::record`] did with a sample.
///
/// ```
/// use std::time::Duration;
/// use metronome_runtime::predict::{DurationFilter, Recorded};
///
/// let mut filter = DurationFilter::default();
/// let ms = Duration::from_millis;
/// assert_eq!(filter.record(ms(10)), Recorded::First);
/// assert_eq!(filter.record(ms(11)), Recorded::Folded);
/// assert_eq!(filter.record(ms(50)), Recorded::Held); // an outlier, so far
/// assert_eq!(filter.record(ms(10)), Recorded::Folded); // ... and it stays one
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// The first sample: the prediction starts at it.
    First,
    /// Folded into the prediction.
    Folded,
    /// Beyond the shift threshold: held aside, not folded in. It is dropped (an outlier)
    /// if the next sample is back within the threshold or on the other side, and becomes
    /// part of the new level if [`SHIFT_RUNS`] such samples come in a row.
    Held,
    /// The last of [`SHIFT_RUNS`] samples in a row beyond the threshold on the same side:
    /// the filter was reset to their median, with the confidence of [`SHIFT_RUNS`]
    /// samples.
    Shifted,
}

/// A One Euro filter of a system's duration: predicts the next run's time from the past
/// runs'.
///
/// Each folded sample moves the prediction towards it by `alpha = 2πf / (2πf + 1)` (a
/// first-order low-pass at cutoff `f`, one run per step), where the cutoff `f` rises from
/// [`FilterConfig::min_cutoff`] with the filtered relative slope: steady durations are
/// smoothed hard, drifting ones followed closely. On top of the One Euro filter:
///
/// - a sample more than [`FilterConfig::shift_threshold`] (15 %) away from the
///   prediction is held aside rather than folded in, so a single outlier (preemption, a
///   page fault) leaves the prediction as it was;
/// - [`SHIFT_RUNS`] such samples in a row on the same side are a level shift: the filter
///   restarts at their median, so a real change of workload is followed within
///   [`SHIFT_RUNS`] runs;
/// - [`DurationFilter::confidence`] grows with the samples folded since the last reset.
///
/// A system whose runs alternate between levels more than 15 % apart in bursts shorter
/// than [`SHIFT_RUNS`] (heavy work every other frame, say) is predicted at the level it
/// started at, the other runs being outliers; its mean absolute percentage error
/// ([`SystemPredictor`](crate::predict::SystemPredictor)) shows it.
///
/// Recording a sample does not allocate and costs a few floating-point operations. No
/// input makes the state NaN or infinite: durations are at most ~1.8e28 ns as `f64`, the
/// slope is a difference relative to a prediction of at least 1 ns, and the
/// configuration is checked when the filter is made.
///
/// ```
/// use std::time::Duration;
/// use metronome_runtime::predict::DurationFilter;
///
/// let mut filter = DurationFilter::default();
/// for run in 0..100 {
///     // 1 ms ± 5 %
///     filter.record(Duration::from_micros(if run % 2 == 0 { 1050 } else { 950 }));
/// }
/// let predicted = filter.predicted().unwrap();
/// assert!(predicted > Duration::from_micros(980) && predicted < Duration::from_micros(1020));
/// assert!(filter.confidence() > 0.9);
/// ```
#[derive(Clone, Debug)]
pub struct DurationFilter {
    config: FilterConfig,
    /// `alpha` of the slope's filter (its cutoff is fixed).
    slope_alpha: f64,
    /// The prediction, in nanoseconds (meaningless while `samples == 0`).
    level: f64,
    /// The filtered relative change per run.
    slope: f64,
    /// Samples folded since the start or the last reset; 0 before the first.
    samples: u32,
    /// Samples held beyond the threshold, all on the side `held_above` says.
    held: [f64; SHIFT_RUNS],
    held_len: usize,
    held_above: bool,
}

impl DurationFilter {
    /// An empty filter with this tuning.
    ///
    /// # Panics
    ///
    /// If a field of `config` is not finite or out of its range (see [`FilterConfig`]).
    ///
    /// ```
    /// use metronome_runtime::predict::{DurationFilter, FilterConfig};
    ///
    /// let filter = DurationFilter::new(FilterConfig::DEFAULT);
    /// assert_eq!(filter.samples(), 0);
    /// assert_eq!(filter.confidence(), 0.0);
    /// ```
    pub fn new(config: FilterConfig) -> Self {
        config.validate();
        Self {
            config,
            slope_alpha: alpha(config.derivative_cutoff),
            level: 0.0,
            slope: 0.0,
            samples: 0,
            held: [0.0; SHIFT_RUNS],
            held_len: 0,
            held_above: false,
        }
    }

    /// Records one run's duration (see [`Recorded`] for what becomes of it).
    ///
    /// ```
    /// use std::time::Duration;
    /// use metronome_runtime::predict::{DurationFilter, Recorded};
    ///
    /// let mut filter = DurationFilter::default();
    /// let ms = Duration::from_millis;
    /// filter.record(ms(2));
    /// // The system now takes 6 ms: three runs in a row make it the new level.
    /// assert_eq!(filter.record(ms(6)), Recorded::Held);
    /// assert_eq!(filter.record(ms(6)), Recorded::Held);
    /// assert_eq!(filter.record(ms(6)), Recorded::Shifted);
    /// assert_eq!(filter.predicted(), Some(ms(6)));
    /// ```
    pub fn record(&mut self, duration: Duration) -> Recorded {
        let x = duration.as_nanos() as f64;
        if self.samples == 0 {
            self.level = x;
            self.slope = 0.0;
            self.samples = 1;
            return Recorded::First;
        }
        // Relative to at least 1 ns, so that a level of zero divides by nothing.
        let relative = (x - self.level) / self.level.max(1.0);
        if relative.abs() > self.config.shift_threshold {
            return self.hold(x, relative > 0.0);
        }
        self.held_len = 0;
        self.slope += self.slope_alpha * (relative - self.slope);
        let cutoff = self.config.min_cutoff + self.config.beta * self.slope.abs();
        // A convex combination: the level stays between the samples seen.
        self.level += alpha(cutoff) * (x - self.level);
        self.samples = self.samples.saturating_add(1);
        Recorded::Folded
    }

    /// Holds `x`, beyond the threshold (above the level if `above`); the third in a row on
    /// one side resets the filter to the median of the held ones.
    fn hold(&mut self, x: f64, above: bool) -> Recorded {
        if self.held_len > 0 && self.held_above != above {
            self.held_len = 0;
        }
        self.held_above = above;
        self.held[self.held_len] = x;
        self.held_len += 1;
        if self.held_len < SHIFT_RUNS {
            return Recorded::Held;
        }
        self.held.sort_unstable_by(f64::total_cmp);
        self.level = self.held[SHIFT_RUNS / 2];
        self.slope = 0.0;
        self.samples = SHIFT_RUNS as u32;
        self.held_len = 0;
        Recorded::Shifted
    }

    /// The predicted duration of the next run; `None` before the first sample.
    ///
    /// ```
    /// use std::time::Duration;
    /// use metronome_runtime::predict::DurationFilter;
    ///
    /// let mut filter = DurationFilter::default();
    /// assert_eq!(filter.predicted(), None);
    /// filter.record(Duration::from_micros(40));
    /// assert_eq!(filter.predicted(), Some(Duration::from_micros(40)));
    /// ```
    pub fn predicted(&self) -> Option<Duration> {
        // `as` saturates (and the level is never NaN).
        (self.samples > 0).then(|| Duration::from_nanos(self.level.round() as u64))
    }

    /// How far the prediction can be trusted, from 0 (no sample) towards 1:
    /// `n / (n + CONFIDENCE_HALF)` for the `n` samples folded since the start or the last
    /// level shift (a shift counts as [`SHIFT_RUNS`] samples). Held samples do not count.
    ///
    /// ```
    /// use std::time::Duration;
    /// use metronome_runtime::predict::DurationFilter;
    ///
    /// let mut filter = DurationFilter::default();
    /// for _ in 0..4 {
    ///     filter.record(Duration::from_micros(40));
    /// }
    /// assert_eq!(filter.confidence(), 0.5);
    /// ```
    pub fn confidence(&self) -> f32 {
        let n = self.samples as f32;
        n / (n + CONFIDENCE_HALF as f32)
    }

    /// Samples folded since the start or the last level shift (a shift counts as
    /// [`SHIFT_RUNS`]); held samples do not count.
    ///
    /// ```
    /// use std::time::Duration;
    /// use metronome_runtime::predict::DurationFilter;
    ///
    /// let mut filter = DurationFilter::default();
    /// filter.record(Duration::from_micros(40));
    /// filter.record(Duration::from_micros(400)); // held: an outlier so far
    /// assert_eq!(filter.samples(), 1);
    /// ```
    pub fn samples(&self) -> u32 {
        self.samples
    }

    /// The tuning the filter was made with.
    ///
    /// ```
    /// use metronome_runtime::predict::{DurationFilter, FilterConfig};
    ///
    /// assert_eq!(DurationFilter::default().config(), &FilterConfig::DEFAULT);
    /// ```
    pub fn config(&self) -> &FilterConfig {
        &self.config
    }
}

impl Default for DurationFilter {
    /// An empty filter with [`FilterConfig::DEFAULT`].
    fn default() -> Self {
        Self::new(FilterConfig::DEFAULT)
    }
}

/// The smoothing factor of a first-order low-pass with this cutoff (cycles per run) and a
/// step of one run: `2πf / (2πf + 1)`, in `(0, 1)` for a finite `f > 0`.
fn alpha(cutoff: f64) -> f64 {
    let rate = std::f64::consts::TAU * cutoff;
    rate / (rate + 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us(n: u64) -> Duration {
        Duration::from_micros(n)
    }

    /// Relative distance of the prediction from `target`.
    fn error(filter: &DurationFilter, target: Duration) -> f64 {
        let predicted = filter.predicted().unwrap().as_nanos() as f64;
        let target = target.as_nanos() as f64;
        (predicted - target).abs() / target
    }

    /// A deterministic stream of uniform values in `[-1, 1)` (splitmix64).
    struct Jitter(u64);

    impl Jitter {
        fn next(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        }
    }

    #[test]
    fn a_large_step_is_followed_within_shift_runs_samples() {
        let mut filter = DurationFilter::default();
        for _ in 0..50 {
            filter.record(us(1000));
        }
        for run in 1..SHIFT_RUNS {
            assert_eq!(filter.record(us(2000)), Recorded::Held, "run {run}");
            assert_eq!(filter.predicted(), Some(us(1000)), "not yet shifted");
        }
        assert_eq!(filter.record(us(2000)), Recorded::Shifted);
        assert_eq!(filter.predicted(), Some(us(2000)));
    }

    #[test]
    fn a_small_step_converges_within_fifteen_samples() {
        // +10 %: under the shift threshold, so the One Euro filter itself follows it.
        let mut filter = DurationFilter::default();
        for _ in 0..50 {
            filter.record(us(1000));
        }
        let mut runs = 0;
        while error(&filter, us(1100)) > 0.02 {
            assert_eq!(filter.record(us(1100)), Recorded::Folded);
            runs += 1;
            assert!(
                runs <= 15,
                "still {:?} after {runs} runs",
                filter.predicted()
            );
        }
        assert!(
            runs >= 2,
            "a steady filter must not jump to a 10 % step at once"
        );
    }

    #[test]
    fn the_adaptive_cutoff_follows_a_ramp_closer_than_the_min_cutoff_alone() {
        // 0.5 % per run for 100 runs; beta = 0 is a plain low-pass at min_cutoff.
        let lag = |config: FilterConfig| {
            let mut filter = DurationFilter::new(config);
            let mut level = 1_000_000.0_f64;
            for _ in 0..50 {
                filter.record(Duration::from_nanos(level as u64));
            }
            for _ in 0..100 {
                level *= 1.005;
                filter.record(Duration::from_nanos(level as u64));
            }
            error(&filter, Duration::from_nanos(level as u64))
        };
        let adaptive = lag(FilterConfig::DEFAULT);
        let fixed = lag(FilterConfig {
            beta: 0.0,
            ..FilterConfig::DEFAULT
        });
        assert!(adaptive < 0.04, "lag {adaptive}");
        assert!(adaptive < fixed * 0.7, "adaptive {adaptive}, fixed {fixed}");
    }

    #[test]
    fn jitter_of_ten_percent_is_smoothed_to_within_a_few_percent() {
        let mut filter = DurationFilter::default();
        let mut jitter = Jitter(7);
        let mean = us(1000);
        let (mut worst, mut sum, mut count) = (0.0_f64, 0.0, 0.0);
        for run in 0..5000 {
            let sample = 1_000_000.0 * (1.0 + 0.1 * jitter.next());
            filter.record(Duration::from_nanos(sample as u64));
            if run >= 100 {
                worst = worst.max(error(&filter, mean));
                sum += filter.predicted().unwrap().as_nanos() as f64;
                count += 1.0;
            }
        }
        assert!(worst < 0.05, "worst {worst}");
        let average = sum / count / 1_000_000.0;
        assert!((average - 1.0).abs() < 0.01, "average {average}");
    }

    #[test]
    fn a_single_outlier_is_ignored() {
        let mut filter = DurationFilter::default();
        for _ in 0..20 {
            filter.record(us(1000));
        }
        let samples = filter.samples();
        assert_eq!(filter.record(us(30_000)), Recorded::Held);
        assert_eq!(filter.predicted(), Some(us(1000)));
        assert_eq!(filter.record(us(1000)), Recorded::Folded);
        assert_eq!(
            filter.predicted(),
            Some(us(1000)),
            "the outlier was folded in"
        );
        assert_eq!(filter.samples(), samples + 1);
        // Outliers below count the same way.
        assert_eq!(filter.record(us(10)), Recorded::Held);
        assert_eq!(filter.record(us(1000)), Recorded::Folded);
        assert_eq!(filter.predicted(), Some(us(1000)));
    }

    #[test]
    fn outliers_on_alternating_sides_are_not_a_level_shift() {
        let mut filter = DurationFilter::default();
        for _ in 0..20 {
            filter.record(us(1000));
        }
        for run in 0..10 {
            let sample = if run % 2 == 0 { us(3000) } else { us(300) };
            assert_eq!(filter.record(sample), Recorded::Held, "run {run}");
        }
        assert_eq!(filter.predicted(), Some(us(1000)));
    }

    #[test]
    fn a_level_shift_resets_to_the_median_and_lowers_the_confidence() {
        let mut filter = DurationFilter::default();
        for _ in 0..40 {
            filter.record(us(1000));
        }
        let before = filter.confidence();
        // Down by 40 %, with one of the three far out: the median ignores it.
        assert_eq!(filter.record(us(600)), Recorded::Held);
        assert_eq!(filter.record(us(10)), Recorded::Held);
        assert_eq!(filter.record(us(620)), Recorded::Shifted);
        assert_eq!(filter.predicted(), Some(us(600)));
        assert_eq!(filter.samples(), SHIFT_RUNS as u32);
        assert!(filter.confidence() < before);
        // The new level is folded from then on.
        assert_eq!(filter.record(us(610)), Recorded::Folded);
    }

    #[test]
    fn a_shift_just_over_the_threshold_resets_and_one_just_under_does_not() {
        let mut over = DurationFilter::default();
        over.record(us(1000));
        for _ in 0..SHIFT_RUNS {
            over.record(Duration::from_nanos(1_150_001));
        }
        assert_eq!(over.predicted(), Some(Duration::from_nanos(1_150_001)));
        let mut under = DurationFilter::default();
        under.record(us(1000));
        for _ in 0..SHIFT_RUNS {
            assert_eq!(under.record(us(1150)), Recorded::Folded);
        }
        assert!(under.predicted().unwrap() < us(1100));
    }

    #[test]
    fn confidence_grows_with_the_samples_towards_one() {
        let mut filter = DurationFilter::default();
        let mut last = filter.confidence();
        assert_eq!(last, 0.0);
        for n in 1..=100u32 {
            filter.record(us(500));
            let confidence = filter.confidence();
            assert!(confidence > last, "sample {n}");
            assert!(confidence < 1.0);
            assert_eq!(filter.samples(), n);
            last = confidence;
        }
        assert!(last > 0.95);
        // A held sample adds nothing.
        filter.record(us(5000));
        assert_eq!(filter.confidence(), last);
    }

    #[test]
    fn extreme_durations_keep_the_prediction_finite() {
        let mut filter = DurationFilter::default();
        for sample in [
            Duration::ZERO,
            Duration::ZERO,
            Duration::from_nanos(1),
            Duration::MAX,
            Duration::MAX,
            Duration::MAX,
            Duration::ZERO,
            Duration::from_nanos(1),
        ] {
            filter.record(sample);
            assert!(filter.level.is_finite() && filter.slope.is_finite());
            assert!(filter.predicted().is_some());
        }
        // Zero durations: a prediction of zero, and a 1 ns run is within reach.
        let mut zero = DurationFilter::default();
        for _ in 0..10 {
            assert_ne!(zero.record(Duration::ZERO), Recorded::Held);
        }
        assert_eq!(zero.predicted(), Some(Duration::ZERO));
        // Duration::MAX saturates the prediction to u64::MAX nanoseconds.
        let mut max = DurationFilter::default();
        max.record(Duration::MAX);
        assert_eq!(max.predicted(), Some(Duration::from_nanos(u64::MAX)));
    }

    #[test]
    #[should_panic(expected = "min_cutoff")]
    fn a_nan_cutoff_is_refused() {
        DurationFilter::new(FilterConfig {
            min_cutoff: f64::NAN,
            ..FilterConfig::DEFAULT
        });
    }

    #[test]
    #[should_panic(expected = "beta")]
    fn a_negative_beta_is_refused() {
        DurationFilter::new(FilterConfig {
            beta: -1.0,
            ..FilterConfig::DEFAULT
        });
    }
}
