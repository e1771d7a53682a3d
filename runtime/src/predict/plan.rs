//! Planning one run of a stage from its systems' predictions: [`StagePlanner`] makes a
//! [`StagePlan`] (LPT start order, which systems run inline on the calling thread, and
//! inline or pool for the whole stage).

use std::time::Duration;

use super::predictor::Prediction;

/// What handing work to the pool costs, as the pool measured it, and which threads take
/// the handed-off systems.
///
/// The *calling thread* is the one that runs the stage: it hands systems off, runs the
/// inline ones, and waits. `workers` counts the other threads that take handed-off
/// systems. If the calling thread is itself one of the pool's threads and takes handed-off
/// systems once its inline ones are done (a pool's `scope` run on one of its workers),
/// `caller_helps` is true and `workers` is the pool's size minus one.
///
/// ```
/// use std::time::Duration;
/// use metronome_runtime::predict::PoolCost;
///
/// // A pool of 4 workers, the stage run on one of them.
/// let pool = PoolCost { hand_off: Duration::from_micros(15), workers: 3, caller_helps: true };
/// assert_eq!(pool.workers, 3);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolCost {
    /// From handing a system to the pool until another thread starts it (waking a worker,
    /// moving the job): a system predicted shorter than this runs inline instead.
    pub hand_off: Duration,
    /// Threads other than the calling one that take handed-off systems. With 0 the stage
    /// runs inline.
    pub workers: usize,
    /// Whether the calling thread takes handed-off systems too, after its inline ones.
    pub caller_helps: bool,
}

/// The tuning of a [`StagePlanner`].
///
/// ```
/// use metronome_runtime::predict::{PlanConfig, StagePlanner};
///
/// // Trust a prediction from 8 samples on (confidence 8 / (8 + 4)).
/// let planner = StagePlanner::new(PlanConfig { min_confidence: 8.0 / 12.0 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlanConfig {
    /// The [`Prediction::confidence`] from which a prediction is trusted (in `(0, 1]`).
    /// While a system of the stage is below it, the stage follows the fallback rule (see
    /// [`StagePlanner::plan`]).
    pub min_confidence: f32,
}

impl PlanConfig {
    /// The default: `min_confidence` 0.5, which a [`DurationFilter`] reaches after
    /// [`CONFIDENCE_HALF`] (4) samples.
    ///
    /// [`DurationFilter`]: crate::predict::DurationFilter
    /// [`CONFIDENCE_HALF`]: crate::predict::CONFIDENCE_HALF
    pub const DEFAULT: PlanConfig = PlanConfig {
        min_confidence: 0.5,
    };
}

impl Default for PlanConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Where one system of a stage runs, in a [`StagePlan`].
///
/// ```
/// use metronome_runtime::predict::Placement;
///
/// let first = Placement { position: 3, inline: false };
/// assert_eq!(first.position, 3);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The system's position in the stage (its declaration order: the index of the
    /// prediction handed to [`StagePlanner::plan`]).
    pub position: usize,
    /// Runs on the calling thread rather than on the pool.
    pub inline: bool,
}

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
    placements: Vec<Placement>,
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
#[derive(Clone, Copy, Debug)]
pub struct StagePlan<'a> {
    placements: &'a [Placement],
    on_pool: bool,
    trusted: bool,
    inline_time: Duration,
    pool_time: Duration,
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
    /// stage runs inline.
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

    /// The predicted time of the stage on the pool, with the inline systems as planned
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
    pub fn pool_time(&self) -> Duration {
        self.pool_time
    }
}

/// Nanoseconds of `duration`, saturating at `u64::MAX` (~584 years).
fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn trusted(duration: Duration) -> Prediction {
        Prediction {
            duration,
            confidence: 1.0,
        }
    }

    fn ms(n: u64) -> Prediction {
        trusted(Duration::from_millis(n))
    }

    fn us(n: u64) -> Prediction {
        trusted(Duration::from_micros(n))
    }

    fn ns(n: u64) -> Prediction {
        trusted(Duration::from_nanos(n))
    }

    fn pool(hand_off_ns: u64, workers: usize) -> PoolCost {
        PoolCost {
            hand_off: Duration::from_nanos(hand_off_ns),
            workers,
            caller_helps: false,
        }
    }

    fn helped(hand_off_ns: u64, workers: usize) -> PoolCost {
        PoolCost {
            caller_helps: true,
            ..pool(hand_off_ns, workers)
        }
    }

    fn positions(iter: impl Iterator<Item = usize>) -> Vec<usize> {
        iter.collect()
    }

    #[test]
    fn the_six_ms_system_starts_first_in_a_stage_of_2_2_2_6() {
        let mut planner = StagePlanner::default();
        let plan = planner.plan([ms(2), ms(2), ms(2), ms(6)], pool(20_000, 2));
        assert_eq!(positions(plan.order()), [3, 0, 1, 2]);
        assert!(plan.on_pool());
        assert!(plan.is_trusted());
        assert_eq!(positions(plan.pooled()), [3, 0, 1, 2]);
        assert_eq!(positions(plan.inline()), [] as [usize; 0]);
        // LPT: 6 on one worker, 2 + 2 + 2 on the other; declaration order would make 8.
        assert_eq!(plan.pool_time(), Duration::from_micros(6020));
        assert_eq!(plan.inline_time(), Duration::from_millis(12));
    }

    #[test]
    fn equal_predictions_keep_declaration_order() {
        let mut planner = StagePlanner::default();
        let plan = planner.plan([ms(1), ms(5), ms(1), ms(5), ms(1)], pool(20_000, 4));
        assert_eq!(positions(plan.order()), [1, 3, 0, 2, 4]);
    }

    #[test]
    fn a_system_shorter_than_the_hand_off_runs_inline_and_one_as_long_does_not() {
        let mut planner = StagePlanner::default();
        let hand_off = 10_000;
        let plan = planner.plan(
            [ns(hand_off - 1), ms(1), ms(1), ns(hand_off)],
            pool(hand_off, 2),
        );
        assert!(plan.on_pool());
        assert_eq!(positions(plan.inline()), [0]);
        assert_eq!(positions(plan.pooled()), [1, 2, 3]);
    }

    #[test]
    fn the_stage_goes_to_the_pool_only_when_strictly_faster_there() {
        let mut planner = StagePlanner::default();
        // Two 10 µs systems on two workers: pool = hand-off + 10 µs, inline = 20 µs.
        let tie = planner.plan([us(10), us(10)], pool(10_000, 2));
        assert_eq!(tie.pool_time(), tie.inline_time());
        assert!(!tie.on_pool(), "a tie runs inline");
        assert_eq!(positions(tie.inline()), [0, 1]);
        let faster = planner.plan([us(10), us(10)], pool(9_999, 2));
        assert_eq!(
            faster.pool_time() + Duration::from_nanos(1),
            faster.inline_time()
        );
        assert!(faster.on_pool());
        assert_eq!(positions(faster.pooled()), [0, 1]);
    }

    #[test]
    fn tiny_systems_run_inline() {
        let mut planner = StagePlanner::default();
        let plan = planner.plan([us(3), us(4), us(5)], pool(20_000, 8));
        assert!(!plan.on_pool());
        assert!(plan.is_trusted());
        assert_eq!(positions(plan.inline()), [2, 1, 0]);
        assert_eq!(positions(plan.pooled()), [] as [usize; 0]);
    }

    #[test]
    fn one_long_system_beside_short_ones_is_not_worth_a_hand_off() {
        // The caller would run the 10 µs of short ones, then wait for the pooled one.
        let mut planner = StagePlanner::default();
        let plan = planner.plan([us(5), us(5), ms(1)], pool(20_000, 2));
        assert_eq!(plan.pool_time(), Duration::from_micros(1020));
        assert!(!plan.on_pool());
        // Unless the short ones take longer than the hand-off: then they overlap it.
        let plan = planner.plan([us(15), us(15), ms(1)], pool(20_000, 2));
        assert!(plan.on_pool());
        assert_eq!(positions(plan.pooled()), [2]);
        assert_eq!(positions(plan.inline()), [0, 1]);
    }

    #[test]
    fn one_worker_pays_only_beside_the_calling_thread() {
        let mut planner = StagePlanner::default();
        // Both long systems on the single worker: no gain, and a hand-off.
        assert!(!planner.plan([ms(1), ms(1)], pool(20_000, 1)).on_pool());
        // The calling thread runs 5 × 10 µs while the worker runs the long one.
        let stage = [us(10), us(10), us(10), us(10), us(10), ms(1)];
        let plan = planner.plan(stage, pool(20_000, 1));
        assert!(plan.on_pool());
        assert_eq!(plan.pool_time(), Duration::from_micros(1020));
        assert_eq!(positions(plan.pooled()), [5]);
    }

    #[test]
    fn a_calling_thread_that_helps_counts_as_a_worker_after_its_inline_systems() {
        let mut planner = StagePlanner::default();
        let stage = [ms(2), ms(2), ms(2), ms(6)];
        // One other worker: the calling thread takes the 6 ms, the worker 2 + 2 + 2 after
        // its hand-off.
        let plan = planner.plan(stage, helped(20_000, 1));
        assert!(plan.on_pool());
        assert_eq!(plan.pool_time(), Duration::from_micros(6020));
        // Without the calling thread, the one worker would take all 12 ms, and a hand-off.
        let plan = planner.plan(stage, pool(20_000, 1));
        assert_eq!(plan.pool_time(), Duration::from_micros(12_020));
        assert!(!plan.on_pool());
        // The calling thread starts loaded with its inline systems (30 µs here).
        let plan = planner.plan([us(15), us(15), ms(1), ms(1)], helped(20_000, 1));
        assert_eq!(positions(plan.inline()), [0, 1]);
        assert_eq!(plan.pool_time(), Duration::from_micros(1030));
        assert!(plan.on_pool());
        // A helping calling thread without other workers is no pool.
        assert!(!planner.plan(stage, helped(0, 0)).on_pool());
    }

    #[test]
    fn without_workers_the_stage_runs_inline() {
        let mut planner = StagePlanner::default();
        let plan = planner.plan([ms(5), ms(5)], pool(0, 0));
        assert!(!plan.on_pool());
        assert_eq!(positions(plan.inline()), [0, 1]);
    }

    #[test]
    fn untrusted_predictions_fall_back_to_the_pool_with_the_unknown_first() {
        let mut planner = StagePlanner::default();
        let unsure = Prediction {
            duration: Duration::from_micros(1),
            confidence: 0.2,
        };
        // Confidently tiny systems would run inline; the unsure one is handed off.
        let plan = planner.plan([us(3), unsure, Prediction::UNKNOWN, us(4)], pool(20_000, 2));
        assert!(!plan.is_trusted());
        assert!(plan.on_pool());
        assert_eq!(positions(plan.order()), [2, 3, 0, 1]);
        assert_eq!(positions(plan.pooled()), [2, 1]);
        assert_eq!(positions(plan.inline()), [3, 0]);
    }

    #[test]
    fn an_untrusted_single_system_runs_inline() {
        let mut planner = StagePlanner::default();
        let plan = planner.plan([Prediction::UNKNOWN], pool(20_000, 4));
        assert!(!plan.on_pool());
        assert_eq!(positions(plan.inline()), [0]);
    }

    #[test]
    fn a_nan_confidence_is_an_unknown_prediction() {
        let mut planner = StagePlanner::default();
        let nan = Prediction {
            duration: Duration::from_nanos(1),
            confidence: f32::NAN,
        };
        let plan = planner.plan([ms(1), nan], pool(20_000, 2));
        assert!(!plan.is_trusted());
        assert_eq!(positions(plan.order()), [1, 0]);
        assert_eq!(positions(plan.pooled()), [1, 0]);
    }

    #[test]
    fn the_planner_reuses_its_buffers() {
        let mut planner = StagePlanner::default();
        planner.plan([ms(1); 16], pool(20_000, 4));
        let capacity = planner.placements.capacity();
        let plan = planner.plan([ms(3), ms(1), ms(2)], pool(20_000, 4));
        assert_eq!(positions(plan.order()), [0, 2, 1]);
        assert_eq!(planner.placements.capacity(), capacity);
    }

    #[test]
    #[should_panic(expected = "min_confidence")]
    fn a_zero_min_confidence_is_refused() {
        StagePlanner::new(PlanConfig {
            min_confidence: 0.0,
        });
    }

    /// Predictions drawn from few values, so that ties are common.
    fn predictions() -> impl Strategy<Value = Vec<Prediction>> {
        let confidence = prop_oneof![Just(0.0_f32), Just(0.3), Just(0.5), Just(1.0)];
        prop::collection::vec((0u64..6, confidence), 0..24).prop_map(|drawn| {
            drawn
                .into_iter()
                .map(|(micros, confidence)| Prediction {
                    duration: Duration::from_micros(micros * 10),
                    confidence,
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn the_order_is_a_stable_permutation_longest_first(
            stage in predictions(),
            hand_off_us in 0u64..60,
            workers in 0usize..6,
            caller_helps: bool,
        ) {
            let mut planner = StagePlanner::default();
            let cost = PoolCost { caller_helps, ..pool(hand_off_us * 1000, workers) };
            let plan = planner.plan(stage.iter().copied(), cost);
            let order = positions(plan.order());
            let mut sorted = order.clone();
            sorted.sort_unstable();
            prop_assert_eq!(sorted, (0..stage.len()).collect::<Vec<_>>());
            let key = |p: usize| {
                if stage[p].confidence > 0.0 { stage[p].duration } else { Duration::MAX }
            };
            for pair in order.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                prop_assert!(key(a) > key(b) || (key(a) == key(b) && a < b), "{:?}", order);
            }
            // Every system is either inline or pooled, once.
            let pooled = positions(plan.pooled());
            let inline = positions(plan.inline());
            prop_assert_eq!(pooled.len() + inline.len(), stage.len());
            if plan.on_pool() {
                prop_assert!(!pooled.is_empty() && workers > 0);
                for &p in &inline {
                    prop_assert!(stage[p].confidence >= 0.5);
                    prop_assert!(stage[p].duration < Duration::from_micros(hand_off_us));
                }
                if plan.is_trusted() {
                    prop_assert!(plan.pool_time() < plan.inline_time());
                }
            } else {
                prop_assert!(pooled.is_empty());
            }
        }
    }
}
