//! [`StagePlanner`]: orders a stage's systems longest first (LPT), picks the ones to run
//! inline, and compares the stage's time inline with its makespan on the pool.

use std::time::Duration;

use super::{Placement, PlanConfig, PoolCost, StagePlan};
use crate::predict::predictor::Prediction;

/// Plans stage runs: reusable scratch space, so that planning allocates only while the
/// largest stage seen grows. One planner serves every stage of a world (it keeps nothing
/// between calls but its buffers).
///
/// ```
/// use std::time::Duration;
/// use metronome_runtime::predict::{PoolCost, Prediction, StagePlanner};
///
/// let ms = |n| Prediction { duration: Duration::from_millis(n), confidence: 1.0 };
/// let mut planner = StagePlanner::default();
/// let pool = PoolCost { hand_off: Duration::from_micros(20), workers: 2, caller_helps: false };
/// let plan = planner.plan([ms(2), ms(2), ms(2), ms(6)], pool);
/// assert!(plan.on_pool());
/// assert_eq!(plan.order().collect::<Vec<_>>(), [3, 0, 1, 2]); // longest first
/// ```
#[derive(Clone, Debug, Default)]
pub struct StagePlanner {
    config: PlanConfig,
    /// The plan's placements, in start order after `plan`.
    pub(super) placements: Vec<Placement>,
    /// Predicted nanoseconds by position.
    nanos: Vec<u64>,
    /// Sort key by position: `nanos`, or `u64::MAX` for a system with no prediction yet.
    keys: Vec<u64>,
    /// Per-worker load while computing the LPT makespan.
    loads: Vec<u64>,
}

impl StagePlanner {
    /// A planner with this tuning.
    ///
    /// # Panics
    ///
    /// If `config.min_confidence` is not in `(0, 1]`.
    ///
    /// ```
    /// use metronome_runtime::predict::{PlanConfig, StagePlanner};
    ///
    /// let planner = StagePlanner::new(PlanConfig::DEFAULT);
    /// assert_eq!(planner.config(), &PlanConfig::DEFAULT);
    /// ```
    pub fn new(config: PlanConfig) -> Self {
        assert!(
            config.min_confidence > 0.0 && config.min_confidence <= 1.0,
            "PlanConfig::min_confidence must be in (0, 1], got {}",
            config.min_confidence
        );
        Self {
            config,
            ..Self::default()
        }
    }

    /// The tuning the planner was made with.
    ///
    /// ```
    /// use metronome_runtime::predict::{PlanConfig, StagePlanner};
    ///
    /// assert_eq!(StagePlanner::default().config().min_confidence, 0.5);
    /// ```
    pub fn config(&self) -> &PlanConfig {
        &self.config
    }

    /// Plans one run of a stage whose systems, in declaration order, have these
    /// predictions.
    ///
    /// - **Order (LPT):** longest predicted first; equal predictions keep declaration
    ///   order. A system with no prediction yet (confidence 0, or NaN) counts as longer
    ///   than any other, so the unknown ones start first.
    /// - **Inline systems:** a system predicted shorter than `pool.hand_off`, with a
    ///   trusted prediction, runs on the calling thread: handing it off would cost more
    ///   than running it.
    /// - **Inline or pool:** with every prediction trusted, the stage goes to the pool
    ///   only if its predicted time there is strictly less than the sum of all
    ///   predictions (the inline time); a tie runs inline. The time on the pool is the
    ///   makespan of the handed-off systems given out in start order, each to the
    ///   least-loaded thread, where each of the `workers` other threads starts loaded
    ///   with `hand_off` and the calling thread (a candidate only if `caller_helps`)
    ///   with the sum of its inline systems; it is at least that sum.
    /// - **Fallback** while some prediction is not trusted (confidence below
    ///   [`PlanConfig::min_confidence`]): the stage goes to the pool if it has at least two
    ///   systems and one of them is handed off (an untrusted system never counts as
    ///   short). Guessing inline wrongly can cost the stage up to its workers-fold time,
    ///   guessing the pool wrongly costs a hand-off, and the fallback lasts only the few
    ///   runs until the predictions are trusted.
    ///
    /// With no workers, or a stage of one system that is not handed off, the stage runs
    /// inline. When the stage runs inline, every placement says so.
    ///
    /// Does not allocate once the planner has seen a stage this large.
    ///
    /// ```
    /// use std::time::Duration;
    /// use metronome_runtime::predict::{PoolCost, Prediction, StagePlanner};
    ///
    /// let us = |n| Prediction { duration: Duration::from_micros(n), confidence: 1.0 };
    /// let mut planner = StagePlanner::default();
    /// let pool = PoolCost { hand_off: Duration::from_micros(20), workers: 2, caller_helps: false };
    /// // Tiny systems: handing them off costs more than running them all here.
    /// assert!(!planner.plan([us(3), us(4), us(5)], pool).on_pool());
    /// // Two long systems share the pool; the 5 µs one runs on the calling thread.
    /// let plan = planner.plan([us(5), us(900), us(800)], pool);
    /// assert!(plan.on_pool());
    /// assert_eq!(plan.pooled().collect::<Vec<_>>(), [1, 2]);
    /// assert_eq!(plan.inline().collect::<Vec<_>>(), [0]);
    /// ```
    pub fn plan<I>(&mut self, predictions: I, pool: PoolCost) -> StagePlan<'_>
    where
        I: IntoIterator<Item = Prediction>,
    {
        self.placements.clear();
        self.nanos.clear();
        self.keys.clear();
        let hand_off = nanos(pool.hand_off);
        let mut trusted = true;
        let mut total: u64 = 0;
        let mut inline_sum: u64 = 0;
        for (position, prediction) in predictions.into_iter().enumerate() {
            // NaN compares false both ways: unknown and untrusted.
            let known = prediction.confidence > 0.0;
            let confident = prediction.confidence >= self.config.min_confidence;
            let ns = nanos(prediction.duration);
            let inline = confident && ns < hand_off;
            trusted &= confident;
            total = total.saturating_add(ns);
            if inline {
                inline_sum = inline_sum.saturating_add(ns);
            }
            self.nanos.push(ns);
            self.keys.push(if known { ns } else { u64::MAX });
            self.placements.push(Placement { position, inline });
        }
        let keys = &self.keys;
        // Unstable, but the position breaks every tie: the result is the stable order,
        // without the stable sort's buffer.
        self.placements.sort_unstable_by(|a, b| {
            keys[b.position]
                .cmp(&keys[a.position])
                .then(a.position.cmp(&b.position))
        });
        let pooled = self.placements.iter().filter(|p| !p.inline).count();
        let pool_time = self.lpt_makespan(pool, hand_off, inline_sum, pooled);
        let on_pool = if pool.workers == 0 || pooled == 0 {
            false
        } else if trusted {
            pool_time < total
        } else {
            self.placements.len() >= 2
        };
        if !on_pool {
            self.placements.iter_mut().for_each(|p| p.inline = true);
        }
        StagePlan {
            placements: &self.placements,
            on_pool,
            trusted,
            inline_time: Duration::from_nanos(total),
            pool_time: Duration::from_nanos(pool_time),
        }
    }

    /// The makespan of the handed-off systems on the pool: in start order, each goes to
    /// the least-loaded thread (the first such on a tie). The calling thread, first in
    /// line when it helps, starts at `inline_sum`; the other threads (only as many as
    /// there are systems to take) start at `hand_off`. Never less than `inline_sum`.
    fn lpt_makespan(
        &mut self,
        pool: PoolCost,
        hand_off: u64,
        inline_sum: u64,
        pooled: usize,
    ) -> u64 {
        self.loads.clear();
        if pool.caller_helps {
            self.loads.push(inline_sum);
        }
        let others = pool.workers.min(pooled);
        self.loads.extend(std::iter::repeat_n(hand_off, others));
        if self.loads.is_empty() {
            return inline_sum;
        }
        for placement in self.placements.iter().filter(|p| !p.inline) {
            if let Some(least) = self.loads.iter_mut().min_by_key(|load| **load) {
                *least = least.saturating_add(self.nanos[placement.position]);
            }
        }
        let busiest = self.loads.iter().copied().max().unwrap_or(0);
        busiest.max(inline_sum)
    }
}

/// Nanoseconds of `duration`, saturating at `u64::MAX` (~584 years).
fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}
