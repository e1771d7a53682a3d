//! The predictive stage runner's state: one [`SystemPredictor`] per system, one
//! [`StagePlanner`] per world, each system's last timed run, and the pool's measured
//! hand-off cost. `world::run_stage` plans each stage run with it and runs the plan.
//!
//! - **What is timed:** each system where it runs (two clock reads around it), on a stage
//!   run that is timed: every run of a stage of several systems on a pool while one of its
//!   predictions is not trusted yet, then one run in [`TIME_EVERY`]; and every run on a
//!   frame on which the statistics time the systems (one frame in
//!   [`SAMPLE_EVERY`](crate::frames::SAMPLE_EVERY)). The filter counts samples, not runs.
//! - **The hand-off cost** is measured at the first stage run that could use the pool:
//!   the median of [`HAND_OFF_PROBES`] round trips of a pool scope whose body and one
//!   spawned job wait for each other (so the job must run on another thread). It is what a
//!   stage pays to use the pool at all (entering the pool, waking a worker, the final
//!   wait), which is how [`StagePlanner`] charges it. It depends on the moment (a machine
//!   busy with other work answers late, its idle workers parked or not), so one plan in
//!   [`REPROBE_EVERY`] makes one more round trip, which replaces the oldest of the last
//!   [`HAND_OFF_PROBES`]: a world that started during a burst of load (every probe timed
//!   out) does not run its stages inline for good.
//! - **A settled stage:** once a stage's plan ran it inline from trusted predictions, its
//!   untimed runs skip planning and run inline until its next timed run re-plans it.
//! - **Where each system's loops run:** split over the pool, or on the system's own
//!   thread, whichever its timed runs found faster ([`LoopTrial`], `loop_trial.rs`);
//!   a stage is timed on every run while one of its systems tries the other mode.

use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use crate::cell::SyncCell;
use crate::exec::Executor;
use crate::loop_trial::LoopTrial;
use crate::predict::{PoolCost, StagePlanner, SystemPredictor};

/// Once every prediction of a stage is trusted, one run of the stage in this many is
/// timed (enough to follow a change of workload within a few runs).
pub const TIME_EVERY: u32 = 8;

/// Round trips measured for the pool's hand-off cost (the median counts).
pub const HAND_OFF_PROBES: usize = 5;

/// One plan in this many (of the stages that could use the pool) re-measures the
/// hand-off with one round trip (see the module docs).
pub const REPROBE_EVERY: u32 = 64;

/// How long one side of a hand-off probe waits for the other before giving up (a pool
/// whose other threads are all busy elsewhere, or off their cores): the probe then
/// measures this wait. The wait is spent inside a tick, so it is kept short: a hand-off
/// measured at 100 µs already keeps every stage whose systems are shorter inline, and
/// a longer wait only costs the tick. (It was 2 ms: on a machine busy with other work at
/// the world's priority, where the pool's thread often is off its core, a re-probe every
/// [`REPROBE_EVERY`] plans of a settled stage (every 512 ticks) waited the 2 ms in full,
/// and `stage_ab schedule` ran at 1.5-1.8x of its sequential time with its stage inline;
/// at 100 µs, at 1.04-1.13x.)
const PROBE_PATIENCE: Duration = Duration::from_micros(100);

/// One stage's bookkeeping between runs.
#[derive(Clone, Copy, Debug, Default)]
struct StageRuns {
    /// Runs since the last timed one.
    since_timed: u32,
    /// The last plan ran the stage inline, every prediction trusted.
    settled_inline: bool,
}

/// The predictive stage runner's state (see the module docs).
pub(crate) struct StageRunner {
    /// Per system (declaration order).
    predictors: Box<[SystemPredictor]>,
    /// Per system: its last timed run in nanoseconds, written by that run alone (see
    /// `world::run_systems`), read with `&mut` after the stage.
    samples: Box<[SyncCell<u64>]>,
    /// Per stage of the world's run plan, phase by phase.
    stages: Box<[StageRuns]>,
    planner: StagePlanner,
    /// The stage being run: `(system, inline)` in start order.
    dispatch: Vec<(u16, bool)>,
    /// The pool's hand-off cost: the last [`HAND_OFF_PROBES`] round trips, measured
    /// from the first stage run that could use the pool on.
    hand_off: HandOff,
    /// Per system: where its parallel loops run (see the module docs).
    loops: Box<[LoopTrial]>,
}

/// The last [`HAND_OFF_PROBES`] hand-off round trips and when to make the next.
#[derive(Debug, Default)]
struct HandOff {
    /// Empty until the first plan; then always [`HAND_OFF_PROBES`] long.
    probes: Vec<Duration>,
    /// The probe the next round trip replaces (the oldest).
    oldest: usize,
    /// Plans since the last round trip.
    plans: u32,
}

impl HandOff {
    /// The hand-off cost for a plan on `executor`: the median of the last probes (all
    /// of them measured now on the first call; one more every [`REPROBE_EVERY`] calls).
    fn for_plan(&mut self, executor: &crate::world::WorldExecutor) -> Duration {
        if self.probes.is_empty() {
            self.probes = (0..HAND_OFF_PROBES).map(|_| probe(executor)).collect();
        } else {
            self.plans += 1;
            if self.plans >= REPROBE_EVERY {
                self.plans = 0;
                self.probes[self.oldest] = probe(executor);
                self.oldest = (self.oldest + 1) % HAND_OFF_PROBES;
            }
        }
        self.median()
    }

    /// The median of the probes (zero before the first).
    fn median(&self) -> Duration {
        let mut sorted = [Duration::ZERO; HAND_OFF_PROBES];
        sorted[..self.probes.len()].copy_from_slice(&self.probes);
        sorted.sort_unstable();
        sorted[HAND_OFF_PROBES / 2]
    }
}

impl StageRunner {
    /// The state for `systems` systems in `stages` stages.
    pub(crate) fn new(systems: usize, stages: usize) -> StageRunner {
        StageRunner {
            predictors: vec![SystemPredictor::default(); systems].into(),
            samples: (0..systems).map(|_| SyncCell::new(0)).collect(),
            stages: vec![StageRuns::default(); stages].into(),
            planner: StagePlanner::default(),
            dispatch: Vec::new(),
            hand_off: HandOff::default(),
            loops: vec![LoopTrial::default(); systems].into(),
        }
    }

    /// Whether system `index` runs its parallel loops on its own thread (see
    /// `loop_trial.rs`).
    #[inline(always)]
    pub(crate) fn loops_inline(&self, index: usize) -> bool {
        self.loops[index].inline()
    }

    /// System `index`'s predictor.
    #[inline]
    pub(crate) fn predictor(&self, index: usize) -> &SystemPredictor {
        &self.predictors[index]
    }

    /// System `index`'s sample cell (see `samples`).
    #[inline(always)]
    pub(crate) fn sample_cell(&self, index: usize) -> &SyncCell<u64> {
        &self.samples[index]
    }

    /// System `index`'s last timed run, in nanoseconds.
    #[inline]
    pub(crate) fn sample(&mut self, index: usize) -> u64 {
        *self.samples[index].get_mut()
    }

    /// The stage's plan, `(system, inline)` in start order, as the last
    /// [`StageRunner::plan`] left it.
    #[inline]
    pub(crate) fn dispatch(&self) -> &[(u16, bool)] {
        &self.dispatch
    }

    /// Whether to time this run of stage `slot` (systems `stage`) on a pool: while a
    /// prediction of it is untrusted or one of its systems tries where its loops run
    /// (`loop_trial.rs`), and one run in [`TIME_EVERY`].
    #[inline]
    pub(crate) fn wants_timing(&mut self, slot: usize, stage: &[u16]) -> bool {
        let min = self.planner.config().min_confidence;
        let runs = &mut self.stages[slot];
        runs.since_timed += 1;
        if runs.since_timed >= TIME_EVERY
            || stage.iter().any(|&i| {
                self.predictors[i as usize].prediction().confidence < min
                    || self.loops[i as usize].trying()
            })
        {
            runs.since_timed = 0;
            return true;
        }
        false
    }

    /// Whether stage `slot`'s last plan ran it inline from trusted predictions.
    #[inline]
    pub(crate) fn settled_inline(&self, slot: usize) -> bool {
        self.stages[slot].settled_inline
    }

    /// Plans a run of stage `slot` (systems `stage`, declaration order) on `executor`
    /// into [`StageRunner::dispatch`]; returns whether it runs on the pool.
    pub(crate) fn plan(
        &mut self,
        slot: usize,
        stage: &[u16],
        executor: &crate::world::WorldExecutor,
    ) -> bool {
        let hand_off = self.hand_off.for_plan(executor);
        let (workers, caller_helps) = executor.pool_threads();
        let Self {
            predictors,
            planner,
            dispatch,
            stages,
            ..
        } = self;
        let plan = planner.plan(
            stage.iter().map(|&i| predictors[i as usize].prediction()),
            PoolCost {
                hand_off,
                workers,
                caller_helps,
            },
        );
        dispatch.clear();
        dispatch.extend(
            plan.placements()
                .iter()
                .map(|p| (stage[p.position], p.inline)),
        );
        stages[slot].settled_inline = !plan.on_pool() && plan.is_trusted();
        plan.on_pool()
    }

    /// Feeds each system of `stage` its run's duration (a timed run that completed).
    #[inline]
    pub(crate) fn record(&mut self, stage: &[u16]) {
        for &index in stage {
            let ns = *self.samples[index as usize].get_mut();
            self.predictors[index as usize].record(Duration::from_nanos(ns));
        }
    }

    /// Feeds each system of `stage` its run's duration in the mode its loops ran in (a
    /// timed run on a pool that completed; see `loop_trial.rs`).
    #[inline]
    pub(crate) fn record_loops(&mut self, stage: &[u16]) {
        for &index in stage {
            let ns = *self.samples[index as usize].get_mut();
            self.loops[index as usize].record(ns);
        }
    }

    /// Feeds system `index` one run of `ns` nanoseconds (an exclusive system).
    #[inline]
    pub(crate) fn record_one(&mut self, index: usize, ns: u64) {
        self.predictors[index].record(Duration::from_nanos(ns));
    }
}

/// One hand-off round trip on `executor` (see [`hand_off_round_trip`]): on a
/// help-first pool the job must be stolen by another thread, on a work-first one the
/// body's continuation must, so either way a hand-off is measured. Zero on the
/// sequential executor.
fn probe(executor: &crate::world::WorldExecutor) -> Duration {
    if executor.is_sequential() {
        return Duration::ZERO;
    }
    let start = Instant::now();
    executor.hand_off_probe();
    start.elapsed()
}

/// One hand-off probe on `pool`: a scope whose body and one spawned job wait for each
/// other, at most [`PROBE_PATIENCE`] each.
pub(crate) fn hand_off_round_trip(pool: &impl Executor) {
    let arrived = AtomicU8::new(0);
    let meet = |arrived: &AtomicU8| {
        arrived.fetch_add(1, Ordering::AcqRel);
        let start = Instant::now();
        while arrived.load(Ordering::Acquire) < 2 && start.elapsed() < PROBE_PATIENCE {
            std::hint::spin_loop();
        }
    };
    pool.scope(|s| {
        let arrived = &arrived;
        s.spawn(move |_| meet(arrived));
        meet(arrived);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::{ExecutorConfig, WorldExecutor};

    #[test]
    fn a_stage_is_timed_every_run_until_trusted_and_its_loops_tried_then_one_run_in_eight() {
        let mut runner = StageRunner::new(2, 1);
        let stage = [0u16, 1];
        let mut timed = Vec::new();
        for _ in 0..30 {
            let time = runner.wants_timing(0, &stage);
            timed.push(time);
            if time {
                *runner.samples[0].get_mut() = 1_000;
                *runner.samples[1].get_mut() = 2_000;
                runner.record(&stage);
                runner.record_loops(&stage);
            }
        }
        // Trusted after 4 samples (confidence 0.5), and where the loops run decided after
        // 3 runs split and a trial of 3 runs whole (`loop_trial.rs`); then runs 14, 22
        // and 30.
        let at: Vec<usize> = (0..30).filter(|&i| timed[i]).collect();
        assert_eq!(at, [0, 1, 2, 3, 4, 5, 13, 21, 29]);
        assert!(!runner.loops_inline(0), "as fast either way: split");
        assert_eq!(runner.predictor(1).predicted(), Duration::from_nanos(2_000));
    }

    #[test]
    fn the_hand_off_is_measured_on_a_pool_and_zero_without_one() {
        let sequential = WorldExecutor::new(ExecutorConfig::Sequential);
        assert_eq!(HandOff::default().for_plan(&sequential), Duration::ZERO);
        let pool = WorldExecutor::new(ExecutorConfig::WorkStealing {
            workers: Some(2),
            local_queue_size: 64,
            heartbeat_us: 50,
        });
        let mut hand_off = HandOff::default();
        assert!(hand_off.for_plan(&pool) > Duration::ZERO);
        assert_eq!(hand_off.probes.len(), HAND_OFF_PROBES);
    }

    /// A probe whose partner never comes (the pool's thread runs a job of its own, the
    /// other guest slot's thread waits in its scope) gives up after `PROBE_PATIENCE`:
    /// it runs inside a tick, which it must not hold up for milliseconds. The least of
    /// three probes, so that one preemption of this thread does not decide.
    #[test]
    fn a_probe_without_a_partner_gives_up_within_a_millisecond() {
        use std::sync::atomic::AtomicBool;
        let pool = WorldExecutor::new(ExecutorConfig::WorkStealing {
            workers: Some(2),
            local_queue_size: 64,
            heartbeat_us: 50,
        });
        let (started, release) = (AtomicBool::new(false), AtomicBool::new(false));
        let wait = |flag: &AtomicBool| {
            while !flag.load(Ordering::Acquire) {
                std::hint::spin_loop();
            }
        };
        std::thread::scope(|threads| {
            // Another thread enters the pool (a guest slot) and hands the pool's only
            // thread a job that waits for the release; it waits in its scope meanwhile.
            threads.spawn(|| {
                pool.install(|| {
                    crate::exec::scope(|s| {
                        s.spawn(|_| {
                            started.store(true, Ordering::Release);
                            wait(&release);
                        });
                        wait(&release);
                    })
                })
            });
            wait(&started);
            let fastest = (0..3).map(|_| probe(&pool)).min().unwrap();
            release.store(true, Ordering::Release);
            assert!(
                fastest >= PROBE_PATIENCE,
                "no partner: it waited {fastest:?}"
            );
            assert!(fastest < Duration::from_millis(1), "it waited {fastest:?}");
        });
    }

    #[test]
    fn a_hand_off_measured_in_a_burst_of_load_is_measured_again() {
        // Every first probe timed out (a loaded moment): 10 s each, far above any real
        // round trip, even one that waits the whole `PROBE_PATIENCE`.
        let pool = WorldExecutor::new(ExecutorConfig::WorkStealing {
            workers: Some(2),
            local_queue_size: 64,
            heartbeat_us: 50,
        });
        let stale = Duration::from_secs(10);
        let mut hand_off = HandOff {
            probes: vec![stale; HAND_OFF_PROBES],
            ..HandOff::default()
        };
        let plans = REPROBE_EVERY as usize * (HAND_OFF_PROBES / 2 + 1);
        let before_the_last = (0..plans - 1)
            .map(|_| hand_off.for_plan(&pool))
            .last()
            .unwrap();
        assert_eq!(before_the_last, stale, "a median of stale probes");
        assert!(hand_off.for_plan(&pool) < stale, "the majority re-measured");
        assert_eq!(
            hand_off.probes.iter().filter(|p| **p == stale).count(),
            HAND_OFF_PROBES / 2
        );
    }

    #[test]
    fn a_plan_lists_the_longest_system_first_and_settles_small_stages_inline() {
        let pool = WorldExecutor::new(ExecutorConfig::WorkStealing {
            workers: Some(2),
            local_queue_size: 64,
            heartbeat_us: 50,
        });
        let mut runner = StageRunner::new(4, 2);
        runner.hand_off.probes = vec![Duration::from_micros(20); HAND_OFF_PROBES];
        let stage = [0u16, 1, 2, 3];
        // Untrusted: declaration order, on the pool (the fallback).
        assert!(runner.plan(0, &stage, &pool));
        assert_eq!(runner.dispatch()[0], (0, false));
        for (i, ns) in [2_000_000u64, 2_000_000, 2_000_000, 6_000_000]
            .iter()
            .enumerate()
        {
            *runner.samples[i].get_mut() = *ns;
        }
        for _ in 0..4 {
            runner.record(&stage);
        }
        assert!(runner.plan(0, &stage, &pool));
        assert_eq!(runner.dispatch()[0], (3, false));
        assert!(!runner.settled_inline(0));
        // Tiny systems: inline, and settled.
        for i in 0..4 {
            runner.predictors[i] = SystemPredictor::default();
            *runner.samples[i].get_mut() = 500;
        }
        for _ in 0..4 {
            runner.record(&stage);
        }
        assert!(!runner.plan(1, &stage, &pool));
        assert!(runner.dispatch().iter().all(|d| d.1));
        assert!(runner.settled_inline(1));
    }
}
