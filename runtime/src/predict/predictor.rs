//! One system's prediction as the stage runner and the statistics see it:
//! [`SystemPredictor`] (a [`DurationFilter`] and the mean absolute percentage error of its
//! predictions) and [`Prediction`] (what the planner is given).

use std::time::Duration;

use super::filter::{DurationFilter, FilterConfig, Recorded};

/// A system's predicted duration and how far to trust it, as [`StagePlanner`] takes it.
///
/// [`StagePlanner`]: crate::predict::StagePlanner
///
/// ```
/// use std::time::Duration;
/// use metronome_runtime::predict::Prediction;
///
/// let p = Prediction { duration: Duration::from_millis(2), confidence: 0.8 };
/// assert_eq!(Prediction::UNKNOWN.confidence, 0.0);
/// assert!(p.duration > Prediction::UNKNOWN.duration);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prediction {
    /// The predicted duration of the next run.
    pub duration: Duration,
    /// From 0 (nothing known: the planner takes the system as longer than any other)
    /// towards 1; see [`DurationFilter::confidence`].
    pub confidence: f32,
}

impl Prediction {
    /// Nothing known yet: zero duration, zero confidence.
    pub const UNKNOWN: Prediction = Prediction {
        duration: Duration::ZERO,
        confidence: 0.0,
    };
}

/// Predicts one system's run time and keeps the mean absolute percentage error (MAPE) of
/// its predictions, for the statistics.
///
/// Each [`record`](Self::record) first compares the run's duration with what was
/// predicted for it (`|actual - predicted| / actual`, skipped before the first sample and
/// for a run of zero duration, where the percentage is undefined), then hands the duration
/// to the [`DurationFilter`]. Outliers count in the error (the prediction was wrong for
/// them) even though the filter ignores them. Neither step allocates.
///
/// ```
/// use std::time::Duration;
/// use metronome_runtime::predict::SystemPredictor;
///
/// let mut system = SystemPredictor::default();
/// assert_eq!(system.predicted(), Duration::ZERO);
/// assert_eq!(system.mean_abs_percentage_error(), None);
/// system.record(Duration::from_micros(100));
/// system.record(Duration::from_micros(110)); // predicted 100: 10/110 off
/// assert!((system.mean_abs_percentage_error().unwrap() - 9.09).abs() < 0.01);
/// ```
#[derive(Clone, Debug, Default)]
pub struct SystemPredictor {
    filter: DurationFilter,
    /// Sum of `|actual - predicted| / actual` over the runs compared.
    error_sum: f64,
    /// Runs compared.
    errors: u64,
}

impl SystemPredictor {
    /// A predictor with nothing recorded, its filter tuned by `config`.
    ///
    /// # Panics
    ///
    /// If `config` is invalid (see [`DurationFilter::new`]).
    ///
    /// ```
    /// use metronome_runtime::predict::{FilterConfig, SystemPredictor};
    ///
    /// let system = SystemPredictor::new(FilterConfig::DEFAULT);
    /// assert_eq!(system.filter().samples(), 0);
    /// ```
    pub fn new(config: FilterConfig) -> Self {
        Self {
            filter: DurationFilter::new(config),
            error_sum: 0.0,
            errors: 0,
        }
    }

    /// Records one run's duration: scores the prediction made for it, then updates the
    /// filter. Returns what the filter did with it.
    ///
    /// ```
    /// use std::time::Duration;
    /// use metronome_runtime::predict::{Recorded, SystemPredictor};
    ///
    /// let mut system = SystemPredictor::default();
    /// assert_eq!(system.record(Duration::from_micros(100)), Recorded::First);
    /// assert_eq!(system.record(Duration::from_micros(101)), Recorded::Folded);
    /// ```
    pub fn record(&mut self, duration: Duration) -> Recorded {
        if let Some(predicted) = self.filter.predicted() {
            let actual = duration.as_nanos() as f64;
            if actual > 0.0 {
                let predicted = predicted.as_nanos() as f64;
                self.error_sum += (actual - predicted).abs() / actual;
                self.errors += 1;
            }
        }
        self.filter.record(duration)
    }

    /// What the next run is expected to take; zero before the first run.
    ///
    /// ```
    /// use std::time::Duration;
    /// use metronome_runtime::predict::SystemPredictor;
    ///
    /// let mut system = SystemPredictor::default();
    /// system.record(Duration::from_micros(70));
    /// assert_eq!(system.predicted(), Duration::from_micros(70));
    /// ```
    pub fn predicted(&self) -> Duration {
        self.filter.predicted().unwrap_or(Duration::ZERO)
    }

    /// The prediction and its confidence, for [`StagePlanner::plan`].
    ///
    /// [`StagePlanner::plan`]: crate::predict::StagePlanner::plan
    ///
    /// ```
    /// use metronome_runtime::predict::{Prediction, SystemPredictor};
    ///
    /// assert_eq!(SystemPredictor::default().prediction(), Prediction::UNKNOWN);
    /// ```
    pub fn prediction(&self) -> Prediction {
        Prediction {
            duration: self.predicted(),
            confidence: self.filter.confidence(),
        }
    }

    /// The mean absolute percentage error of the predictions so far, in percent (5.0 means
    /// the predictions were 5 % off on average); `None` before a run could be compared.
    /// Like any MAPE it is unbounded above when runs come out far shorter than predicted.
    ///
    /// ```
    /// use std::time::Duration;
    /// use metronome_runtime::predict::SystemPredictor;
    ///
    /// let mut system = SystemPredictor::default();
    /// for _ in 0..10 {
    ///     system.record(Duration::from_micros(250));
    /// }
    /// assert_eq!(system.mean_abs_percentage_error(), Some(0.0));
    /// ```
    pub fn mean_abs_percentage_error(&self) -> Option<f64> {
        (self.errors > 0).then(|| 100.0 * self.error_sum / self.errors as f64)
    }

    /// The filter behind the prediction (its confidence, samples and tuning).
    ///
    /// ```
    /// use std::time::Duration;
    /// use metronome_runtime::predict::SystemPredictor;
    ///
    /// let mut system = SystemPredictor::default();
    /// system.record(Duration::from_micros(250));
    /// assert_eq!(system.filter().samples(), 1);
    /// ```
    pub fn filter(&self) -> &DurationFilter {
        &self.filter
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_compares_each_run_with_the_prediction_made_before_it() {
        let mut system = SystemPredictor::default();
        let us = Duration::from_micros;
        system.record(us(100));
        assert_eq!(
            system.mean_abs_percentage_error(),
            None,
            "nothing predicted yet"
        );
        system.record(us(100)); // 0 %
        system.record(us(50)); // predicted 100: 100 % off (and held as an outlier)
        assert_eq!(system.predicted(), us(100));
        let mape = system.mean_abs_percentage_error().unwrap();
        assert!((mape - 50.0).abs() < 1e-9, "{mape}");
    }

    #[test]
    fn a_zero_duration_run_is_not_scored() {
        let mut system = SystemPredictor::default();
        system.record(Duration::from_micros(100));
        system.record(Duration::ZERO);
        assert_eq!(system.mean_abs_percentage_error(), None);
    }

    #[test]
    fn the_prediction_carries_the_filters_confidence() {
        let mut system = SystemPredictor::default();
        for _ in 0..4 {
            system.record(Duration::from_millis(3));
        }
        assert_eq!(
            system.prediction(),
            Prediction {
                duration: Duration::from_millis(3),
                confidence: 0.5
            }
        );
    }
}
