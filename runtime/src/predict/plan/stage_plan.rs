//! [`StagePlan`]: one stage run's plan, as the stage runner reads it.

use std::time::Duration;

use super::Placement;

/// One stage run's plan, from [`StagePlanner::plan`]: start order, which systems run on
/// the calling thread, and whether the stage uses the pool at all.
///
/// ```
/// use std::time::Duration;
/// use metronome_runtime::predict::{PoolCost, Prediction, StagePlanner};
///
/// let ms = |n| Prediction { duration: Duration::from_millis(n), confidence: 1.0 };
/// let mut planner = StagePlanner::default();
/// let pool = PoolCost { hand_off: Duration::from_micros(20), workers: 2, caller_helps: false };
/// let plan = planner.plan([ms(2), ms(2), ms(2), ms(6)], pool);
/// assert_eq!(plan.inline_time(), Duration::from_millis(12));
/// assert_eq!(plan.pool_time(), Duration::from_micros(6020)); // 6 ms on one worker, 3 × 2 on the other
/// ```
///
/// [`StagePlanner::plan`]: super::StagePlanner::plan
#[derive(Clone, Copy, Debug)]
pub struct StagePlan<'a> {
    pub(super) placements: &'a [Placement],
    pub(super) on_pool: bool,
    pub(super) trusted: bool,
    pub(super) inline_time: Duration,
    pub(super) pool_time: Duration,
}

impl<'a> StagePlan<'a> {
    /// Whether the stage uses the pool; if not, every system runs inline.
    ///
    /// ```
    /// use std::time::Duration;
    /// use metronome_runtime::predict::{PoolCost, Prediction, StagePlanner};
    ///
    /// let mut planner = StagePlanner::default();
    /// let no_workers = PoolCost { hand_off: Duration::ZERO, workers: 0, caller_helps: false };
    /// assert!(!planner.plan([Prediction::UNKNOWN; 3], no_workers).on_pool());
    /// ```
    pub fn on_pool(&self) -> bool {
        self.on_pool
    }

    /// Whether every prediction was trusted, so that the choice of inline or pool came
    /// from the predictions rather than the fallback rule.
    ///
    /// ```
    /// use std::time::Duration;
    /// use metronome_runtime::predict::{PoolCost, Prediction, StagePlanner};
    ///
    /// let mut planner = StagePlanner::default();
    /// let pool = PoolCost { hand_off: Duration::from_micros(20), workers: 2, caller_helps: false };
    /// assert!(!planner.plan([Prediction::UNKNOWN; 2], pool).is_trusted());
    /// ```
    pub fn is_trusted(&self) -> bool {
        self.trusted
    }

    /// Every system, in start order (longest predicted first).
    ///
    /// ```
    /// use std::time::Duration;
    /// use metronome_runtime::predict::{PoolCost, Prediction, StagePlanner};
    ///
    /// let mut planner = StagePlanner::default();
    /// let pool = PoolCost { hand_off: Duration::from_micros(20), workers: 2, caller_helps: false };
    /// let plan = planner.plan([Prediction::UNKNOWN; 2], pool);
    /// assert_eq!(plan.placements().len(), 2);
    /// ```
    pub fn placements(&self) -> &'a [Placement] {
        self.placements
    }

    /// The systems' positions in start order.
    ///
    /// ```
    /// use std::time::Duration;
    /// use metronome_runtime::predict::{PoolCost, Prediction, StagePlanner};
    ///
    /// let ms = |n| Prediction { duration: Duration::from_millis(n), confidence: 1.0 };
    /// let mut planner = StagePlanner::default();
    /// let pool = PoolCost { hand_off: Duration::from_micros(20), workers: 2, caller_helps: false };
    /// let plan = planner.plan([ms(1), ms(3), ms(2)], pool);
    /// assert_eq!(plan.order().collect::<Vec<_>>(), [1, 2, 0]);
    /// ```
    pub fn order(&self) -> impl Iterator<Item = usize> + 'a + use<'a> {
        self.placements.iter().map(|p| p.position)
    }

    /// The positions of the systems to hand to the pool, in start order; none if the
    /// stage runs inline. A calling thread that helps runs the first of them itself, as
    /// planned (see [`StagePlanner::plan`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// use metronome_runtime::predict::{PoolCost, Prediction, StagePlanner};
    ///
    /// let us = |n| Prediction { duration: Duration::from_micros(n), confidence: 1.0 };
    /// let mut planner = StagePlanner::default();
    /// let pool = PoolCost { hand_off: Duration::from_micros(20), workers: 2, caller_helps: false };
    /// let plan = planner.plan([us(500), us(1), us(700)], pool);
    /// assert_eq!(plan.pooled().collect::<Vec<_>>(), [2, 0]);
    /// ```
    ///
    /// [`StagePlanner::plan`]: super::StagePlanner::plan
    pub fn pooled(&self) -> impl Iterator<Item = usize> + 'a + use<'a> {
        self.placements
            .iter()
            .filter(|p| !p.inline)
            .map(|p| p.position)
    }

    /// The positions of the systems to run on the calling thread, in start order: all of
    /// them if the stage runs inline.
    ///
    /// ```
    /// use std::time::Duration;
    /// use metronome_runtime::predict::{PoolCost, Prediction, StagePlanner};
    ///
    /// let us = |n| Prediction { duration: Duration::from_micros(n), confidence: 1.0 };
    /// let mut planner = StagePlanner::default();
    /// let pool = PoolCost { hand_off: Duration::from_micros(20), workers: 2, caller_helps: false };
    /// let plan = planner.plan([us(500), us(1), us(700)], pool);
    /// assert_eq!(plan.inline().collect::<Vec<_>>(), [1]);
    /// ```
    pub fn inline(&self) -> impl Iterator<Item = usize> + 'a + use<'a> {
        self.placements
            .iter()
            .filter(|p| p.inline)
            .map(|p| p.position)
    }

    /// The predicted time of the stage run inline: the sum of the predictions (a system
    /// with no prediction counts as zero).
    ///
    /// ```
    /// use std::time::Duration;
    /// use metronome_runtime::predict::{PoolCost, Prediction, StagePlanner};
    ///
    /// let us = |n| Prediction { duration: Duration::from_micros(n), confidence: 1.0 };
    /// let mut planner = StagePlanner::default();
    /// let pool = PoolCost { hand_off: Duration::from_micros(20), workers: 2, caller_helps: false };
    /// let plan = planner.plan([us(3), us(4)], pool);
    /// assert_eq!(plan.inline_time(), Duration::from_micros(7));
    /// ```
    pub fn inline_time(&self) -> Duration {
        self.inline_time
    }

    /// The predicted time of the stage on the pool, with the systems placed as planned
    /// (see [`StagePlanner::plan`]; a system with no prediction counts as zero). Computed
    /// even when the stage runs inline, where it is what the pool would have taken.
    ///
    /// ```
    /// use std::time::Duration;
    /// use metronome_runtime::predict::{PoolCost, Prediction, StagePlanner};
    ///
    /// let us = |n| Prediction { duration: Duration::from_micros(n), confidence: 1.0 };
    /// let mut planner = StagePlanner::default();
    /// let pool = PoolCost { hand_off: Duration::from_micros(20), workers: 2, caller_helps: false };
    /// let plan = planner.plan([us(300), us(400)], pool);
    /// assert_eq!(plan.pool_time(), Duration::from_micros(420));
    /// ```
    ///
    /// [`StagePlanner::plan`]: super::StagePlanner::plan
    pub fn pool_time(&self) -> Duration {
        self.pool_time
    }
}
