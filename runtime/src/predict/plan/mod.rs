//! Planning one run of a stage from its systems' predictions: [`StagePlanner`] makes a
//! [`StagePlan`] (LPT start order, which systems run on the calling thread and which are
//! handed off, and inline or pool for the whole stage).
//!
//! The planner's input, a [`PoolCost`] and its [`PlanConfig`], and the [`Placement`]s of
//! a plan are here; `planner.rs` makes plans, `stage_plan.rs` is what a plan answers.

mod planner;
mod stage_plan;
#[cfg(test)]
mod tests;

pub use planner::StagePlanner;
pub use stage_plan::StagePlan;

use std::time::Duration;

/// What handing work to the pool costs, as the pool measured it, and which threads take
/// the handed-off systems.
///
/// The *calling thread* is the one that runs the stage: it hands systems off, runs the
/// inline ones, and waits. `workers` counts the other threads that take handed-off
/// systems. If the calling thread is itself one of the pool's threads (a pool's `scope`
/// run on one of its workers), it takes part in the stage: `caller_helps` is true,
/// `workers` is the pool's size minus one, and the planner places the systems on the
/// calling thread and the others by their predicted load (see [`StagePlanner::plan`]).
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
    /// moving the job): what each other thread's load starts at in the plan. With a
    /// calling thread that does not help, a system predicted shorter than this runs
    /// inline instead.
    pub hand_off: Duration,
    /// Threads other than the calling one that take handed-off systems. With 0 the stage
    /// runs inline.
    pub workers: usize,
    /// Whether the calling thread takes part in the stage: it runs the first handed-off
    /// system right after handing off the others, then its inline ones, then takes
    /// handed-off systems until the stage ends.
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
    ///
    /// [`Prediction::confidence`]: crate::predict::Prediction::confidence
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
    /// Runs on the calling thread rather than being handed off. (A calling thread that
    /// helps also runs the first handed-off system, before its inline ones: see
    /// [`StagePlanner::plan`].)
    pub inline: bool,
}
