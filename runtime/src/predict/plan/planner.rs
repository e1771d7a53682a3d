//! [`StagePlanner`]: orders a stage's systems longest first (LPT), places each on the
//! calling thread or the pool, and compares the stage's time inline with its makespan on
//! the pool.

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
    /// - **Placement, calling thread that helps** (`pool.caller_helps`, as on every pool
    ///   of this crate): the systems are given out in start order, each to the
    ///   least-loaded thread (the calling thread on a tie), where the calling thread starts
    ///   at zero and each of the `workers` other threads (only as many as there are
    ///   systems after the first) at `hand_off`. So the first system, the longest, always
    ///   goes to the calling thread, and a later system goes to another thread only if
    ///   that thread's load, hand-off included, is below the calling thread's: a system
    ///   shorter than the hand-off beside one much longer is handed off rather than
    ///   queued behind it. A system the calling thread gets runs inline, except the first,
    ///   which is the first handed-off system (the stage runner runs it on the calling
    ///   thread right after handing off the others, then the inline ones); a system
    ///   whose prediction is not trusted is always handed off. The time on the pool is the
    ///   most loaded thread's, counting only the threads that got a system, where the
    ///   calling thread, if it hands any system to another thread, also pays its own part
    ///   of the hand-off (entering the pool, spawning, the final wait), taken as a quarter
    ///   of `hand_off`: handing off a system of a few nanoseconds beside a long one gains
    ///   less than that. With every system on the calling thread the time on the pool is
    ///   the inline time, so such a stage runs inline.
    /// - **Placement, calling thread that does not help:** a system predicted shorter
    ///   than `pool.hand_off`, with a trusted prediction, runs inline on the calling
    ///   thread (handing it off would cost more than running it); the others are given
    ///   out in start order, each to the least-loaded of the `workers` threads, each
    ///   starting at `hand_off`. The time on the pool is the busiest thread's, and at
    ///   least the sum of the inline systems.
    /// - **Inline or pool:** with every prediction trusted, the stage goes to the pool
    ///   only if its predicted time there is strictly less than the sum of all
    ///   predictions (the inline time); a tie runs inline.
    /// - **Fallback** while some prediction is not trusted (confidence below
    ///   [`PlanConfig::min_confidence`]): the stage goes to the pool if it has at least two
    ///   systems and one of them is handed off (an untrusted system never runs inline).
    ///   Guessing inline wrongly can cost the stage up to its workers-fold time, guessing
    ///   the pool wrongly costs a hand-off, and the fallback lasts only the few runs until
    ///   the predictions are trusted.
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
    ///
    /// // The calling thread helps: it takes the 80 µs system, and the 6 µs one goes to the
    /// // other thread, whose 20 µs hand-off it overlaps (85 µs with the calling thread's
    /// // part of the hand-off, against 86 µs inline).
    /// let helped = PoolCost { hand_off: Duration::from_micros(20), workers: 1, caller_helps: true };
    /// let plan = planner.plan([us(80), us(6)], helped);
    /// assert!(plan.on_pool());
    /// assert_eq!(plan.pool_time(), Duration::from_micros(85));
    /// // Tiny systems still all land on the calling thread: the stage runs inline.
    /// assert!(!planner.plan([us(3), us(4), us(5)], helped).on_pool());
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
        for (position, prediction) in predictions.into_iter().enumerate() {
            // NaN compares false both ways: unknown and untrusted.
            let known = prediction.confidence > 0.0;
            let confident = prediction.confidence >= self.config.min_confidence;
            let ns = nanos(prediction.duration);
            trusted &= confident;
            total = total.saturating_add(ns);
            self.nanos.push(ns);
            self.keys.push(if known { ns } else { u64::MAX });
            // Until placed, `inline` says whether the system may run inline at all.
            let may_inline = confident && (pool.caller_helps || ns < hand_off);
            self.placements.push(Placement {
                position,
                inline: may_inline,
            });
        }
        let keys = &self.keys;
        // Unstable, but the position breaks every tie: the result is the stable order,
        // without the stable sort's buffer.
        self.placements.sort_unstable_by(|a, b| {
            keys[b.position]
                .cmp(&keys[a.position])
                .then(a.position.cmp(&b.position))
        });
        let pool_time = if pool.caller_helps {
            self.place_beside_the_caller(pool, hand_off)
        } else {
            self.lpt_makespan(pool, hand_off)
        };
        let pooled = self.placements.iter().filter(|p| !p.inline).count();
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

    /// Places the systems of a stage whose calling thread helps (see [`Self::plan`]):
    /// in start order, each to the least-loaded thread, the calling thread (first in
    /// line, so it wins ties) starting at zero and the other threads at `hand_off`. A
    /// system that may run inline and lands on the calling thread, other than the first,
    /// is marked inline; the rest are handed off. Returns the makespan over the threads
    /// that got a system, the calling thread's part of the hand-off included if it
    /// handed one off.
    fn place_beside_the_caller(&mut self, pool: PoolCost, hand_off: u64) -> u64 {
        self.loads.clear();
        self.loads.push(0);
        let others = pool.workers.min(self.placements.len().saturating_sub(1));
        self.loads.extend(std::iter::repeat_n(hand_off, others));
        let mut handed = false;
        for (rank, placement) in self.placements.iter_mut().enumerate() {
            let Some((thread, least)) = self
                .loads
                .iter_mut()
                .enumerate()
                .min_by_key(|(_, load)| **load)
            else {
                continue;
            };
            *least = least.saturating_add(self.nanos[placement.position]);
            let on_caller = thread == 0;
            handed |= !on_caller;
            // The first system is the one the runner runs on the calling thread as the
            // first handed-off one (see `WorldExecutor::run_planned`).
            placement.inline &= on_caller && rank > 0;
        }
        if handed {
            let caller = self.loads[0].saturating_add(hand_off / CALLER_SHARE_OF_HAND_OFF);
            let others = self.loads[1..].iter().copied().max().unwrap_or(0);
            caller.max(others)
        } else {
            self.loads[0]
        }
    }

    /// The makespan of a stage whose calling thread does not help: the handed-off systems
    /// in start order, each to the least-loaded thread (the first such on a tie), the
    /// threads (only as many as there are systems to take) starting at `hand_off`; and
    /// never less than the sum of the inline systems, which the calling thread runs.
    fn lpt_makespan(&mut self, pool: PoolCost, hand_off: u64) -> u64 {
        let mut inline_sum: u64 = 0;
        let mut pooled = 0;
        for placement in &self.placements {
            if placement.inline {
                inline_sum = inline_sum.saturating_add(self.nanos[placement.position]);
            } else {
                pooled += 1;
            }
        }
        self.loads.clear();
        self.loads
            .extend(std::iter::repeat_n(hand_off, pool.workers.min(pooled)));
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

/// The calling thread's part of a hand-off (entering the pool's scope, spawning the
/// systems, the final wait), as a divisor of the measured round trip: a quarter. The
/// round trip is mostly the other thread's (waking, taking the job); this keeps a stage
/// from going to the pool for a gain smaller than what the calling thread spends on it.
const CALLER_SHARE_OF_HAND_OFF: u64 = 4;

/// Nanoseconds of `duration`, saturating at `u64::MAX` (~584 years).
fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}
