//! [`PressureLevel`], [`Thresholds`] and the classifier with hysteresis.

/// How hard the system is pressed for memory.
///
/// ```
/// use metronome_runtime::pressure::PressureLevel;
/// assert!(PressureLevel::High > PressureLevel::Medium);
/// assert!(PressureLevel::Critical.at_least_high());
/// assert!(!PressureLevel::Low.at_least_high());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PressureLevel {
    /// No pressure.
    #[default]
    None,
    /// Some pressure.
    Low,
    /// Noticeable stalls.
    Medium,
    /// Heavy stalls: worlds give memory back.
    High,
    /// Near exhaustion.
    Critical,
}

impl PressureLevel {
    const ALL: [PressureLevel; 5] = [
        PressureLevel::None,
        PressureLevel::Low,
        PressureLevel::Medium,
        PressureLevel::High,
        PressureLevel::Critical,
    ];

    /// `High` or `Critical`.
    pub fn at_least_high(self) -> bool {
        self >= PressureLevel::High
    }

    pub(crate) fn to_u8(self) -> u8 {
        self as u8
    }

    pub(crate) fn from_u8(value: u8) -> PressureLevel {
        PressureLevel::ALL[usize::from(value.min(4))]
    }
}

/// The readings at which each level starts, in the source's unit (percent of stalled
/// time for PSI, percent of memory in use for meminfo), rising: `low <= medium <= high
/// <= critical`.
///
/// ```
/// use metronome_runtime::pressure::{PressureLevel, Thresholds};
/// let t = Thresholds::PSI;
/// assert_eq!(t.level_of(0.0), PressureLevel::None);
/// assert_eq!(t.level_of(t.high), PressureLevel::High);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    /// Start of [`PressureLevel::Low`].
    pub low: f64,
    /// Start of [`PressureLevel::Medium`].
    pub medium: f64,
    /// Start of [`PressureLevel::High`].
    pub high: f64,
    /// Start of [`PressureLevel::Critical`].
    pub critical: f64,
}

impl Thresholds {
    /// Defaults for PSI's `some avg10` (percent of the last 10 s stalled).
    pub const PSI: Thresholds = Thresholds {
        low: 5.0,
        medium: 10.0,
        high: 20.0,
        critical: 40.0,
    };
    /// Defaults for meminfo's share of memory in use (percent).
    pub const MEMINFO: Thresholds = Thresholds {
        low: 70.0,
        medium: 80.0,
        high: 90.0,
        critical: 95.0,
    };

    /// The level a reading of `value` falls in, without hysteresis.
    pub fn level_of(&self, value: f64) -> PressureLevel {
        self.level_with_margin(value, 0.0)
    }

    /// The highest level whose threshold minus `margin` is at most `value`.
    fn level_with_margin(&self, value: f64, margin: f64) -> PressureLevel {
        let starts = [self.low, self.medium, self.high, self.critical];
        let above = starts
            .iter()
            .filter(|&&start| value >= start - margin)
            .count();
        PressureLevel::ALL[above]
    }
}

/// Turns readings into levels with hysteresis: the level rises as soon as a reading
/// reaches a higher threshold, and falls only once a reading is `margin` below the
/// threshold of the current level, so a reading that wavers around one threshold does
/// not flap between two levels.
#[derive(Clone, Copy, Debug)]
pub struct Classifier {
    thresholds: Thresholds,
    margin: f64,
    level: PressureLevel,
}

impl Classifier {
    /// A classifier at [`PressureLevel::None`].
    ///
    /// ```
    /// use metronome_runtime::pressure::{Classifier, PressureLevel, Thresholds};
    /// let mut c = Classifier::new(Thresholds::PSI, 2.0);
    /// assert_eq!(c.classify(21.0), PressureLevel::High);
    /// assert_eq!(c.classify(19.0), PressureLevel::High);    // within the margin
    /// assert_eq!(c.classify(17.5), PressureLevel::Medium);
    /// ```
    pub fn new(thresholds: Thresholds, margin: f64) -> Classifier {
        Classifier {
            thresholds,
            margin: margin.max(0.0),
            level: PressureLevel::None,
        }
    }

    /// The level after a reading of `value`.
    pub fn classify(&mut self, value: f64) -> PressureLevel {
        let up = self.thresholds.level_of(value);
        if up > self.level {
            self.level = up;
        } else {
            let down = self.thresholds.level_with_margin(value, self.margin);
            self.level = self.level.min(down);
        }
        self.level
    }

    /// The current level.
    pub fn level(&self) -> PressureLevel {
        self.level
    }
}
