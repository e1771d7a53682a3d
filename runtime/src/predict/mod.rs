//! Predicting how long each system runs, and planning each stage run from the
//! predictions: the machinery of the predictive stage runner.
//!
//! - [`DurationFilter`]: a One Euro filter of one system's duration (an adaptive cutoff
//!   from a filtered slope), which ignores single outliers, resets on a level shift of
//!   more than 15 %, and reports a confidence from its sample count. Its clock is the run
//!   index (one sample per run, `dt` = 1 run), so there is no time step to get wrong.
//! - [`SystemPredictor`]: a filter plus the mean absolute percentage error of its
//!   predictions, one per system; `predicted()` is what the statistics report as a
//!   system's `predicted` duration.
//! - [`StagePlanner`]: from a stage's [`Prediction`]s and the pool's [`PoolCost`], a
//!   [`StagePlan`]: the start order (longest predicted first, LPT), the systems to run
//!   inline on the calling thread (with a calling thread that takes part: the ones LPT
//!   places there, where a pool thread would end later, its hand-off included; else the
//!   ones predicted shorter than the hand-off), and whether the stage uses the pool at
//!   all (only if predicted faster there).
//!
//! Nothing here reads a clock, touches a pool or allocates per run: the stage runner times
//! the systems and hands the durations in.
//!
//! # How the stage runner uses it
//!
//! The world keeps one [`SystemPredictor`] per system (by system index), one
//! [`StagePlanner`] (scratch space, shared by all stages), and the pool's measured
//! hand-off cost. Per run of a stage of two or more systems on a pool:
//!
//! 1. **Plan:** `let plan = planner.plan(stage.iter().map(|&i| predictors[i].prediction()),
//!    PoolCost { hand_off, workers, caller_helps })`. For a pool whose `scope` runs its
//!    body on one of its own workers (metronome's pools do), that worker is the calling
//!    thread: `workers` is the pool's size minus one and `caller_helps` is true.
//! 2. **Run:** if `plan.on_pool()`, open a scope, spawn `stage[p]` for each `p` in
//!    `plan.pooled()`, run `stage[p]` for each `p` in `plan.inline()` on the calling
//!    thread, and let the scope wait; otherwise run the systems one after another on the
//!    calling thread. `plan.pooled()` is the intended start order: with a work-stealing
//!    deque that thieves take oldest-first (and its owner newest-first), spawning in that
//!    order lets the thieves take the longest first. A calling thread that helps runs
//!    the first pooled system itself after spawning the rest, then its inline ones, as
//!    the plan assumes: the longest starts at once, and the other threads start on
//!    theirs meanwhile. Each system's run is timed where it runs (two clock reads), into a slot of
//!    its own (its command buffer, say), so the threads share nothing. A system that
//!    panics records nothing.
//! 3. **Record:** after the stage, `predictors[i].record(duration)` for each system `i`
//!    that ran, in declaration order. Then apply the commands in declaration order as
//!    before: the plan changes where and when systems run, never the order their
//!    effects are applied in, so results stay identical to the sequential executor's.
//!
//! A caller that times only one run in `k` (to save the clock reads on tiny stages)
//! records only those: the filter counts samples, not runs. The statistics read
//! `predictors[i].predicted()` and `mean_abs_percentage_error()`.
//!
//! ```
//! use std::time::Duration;
//! use metronome_runtime::predict::{PoolCost, StagePlanner, SystemPredictor};
//!
//! // A stage of four systems that take 2, 2, 2 and 6 ms, on a pool of two workers whose
//! // scope runs on one of them.
//! let stage = [0usize, 1, 2, 3];
//! let took = [2u64, 2, 2, 6].map(Duration::from_millis);
//! let mut predictors: Vec<SystemPredictor> = (0..4).map(|_| SystemPredictor::default()).collect();
//! let mut planner = StagePlanner::default();
//! let pool = PoolCost { hand_off: Duration::from_micros(20), workers: 1, caller_helps: true };
//!
//! let mut first = Vec::new();
//! for _run in 0..6 {
//!     let plan = planner.plan(stage.iter().map(|&i| predictors[i].prediction()), pool);
//!     first.push(plan.order().next().unwrap());
//!     // ... run the systems as planned, timing each ...
//!     for &i in &stage {
//!         predictors[i].record(took[i]);
//!     }
//! }
//! // Declaration order while nothing is known, the 6 ms system first from the second run.
//! assert_eq!(first, [0, 3, 3, 3, 3, 3]);
//! assert_eq!(predictors[3].predicted(), Duration::from_millis(6));
//! let plan = planner.plan(stage.iter().map(|&i| predictors[i].prediction()), pool);
//! assert!(plan.on_pool() && plan.is_trusted());
//! assert_eq!(plan.pool_time(), Duration::from_micros(6020)); // against 12 ms inline
//! ```

mod filter;
mod plan;
mod predictor;

pub use filter::{DurationFilter, FilterConfig, Recorded, CONFIDENCE_HALF, SHIFT_RUNS};
pub use plan::{Placement, PlanConfig, PoolCost, StagePlan, StagePlanner};
pub use predictor::{Prediction, SystemPredictor};
