//! Unit tests of the planner: LPT order, placement (inline systems, with a calling thread
//! that helps or not), the pool only when faster,
//! untrusted predictions, buffer reuse, and properties over random stages.

use std::time::Duration;

use proptest::prelude::*;

use super::{PlanConfig, PoolCost, StagePlanner};
use crate::predict::Prediction;

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
fn a_calling_thread_that_helps_takes_the_longest_system_and_the_least_loaded_share() {
    let mut planner = StagePlanner::default();
    let stage = [ms(2), ms(2), ms(2), ms(6)];
    // One other worker: the calling thread takes the 6 ms, the worker 2 + 2 + 2 after
    // its hand-off.
    let plan = planner.plan(stage, helped(20_000, 1));
    assert!(plan.on_pool());
    assert_eq!(plan.pool_time(), Duration::from_micros(6020));
    assert_eq!(positions(plan.pooled()), [3, 0, 1, 2]);
    assert_eq!(positions(plan.inline()), [] as [usize; 0]);
    // Without the calling thread, the one worker would take all 12 ms, and a hand-off.
    let plan = planner.plan(stage, pool(20_000, 1));
    assert_eq!(plan.pool_time(), Duration::from_micros(12_020));
    assert!(!plan.on_pool());
    // The calling thread takes a 1 ms system first, the worker the other after its
    // hand-off; the 15 µs ones then fit on the calling thread (1030 µs against the
    // worker's 1020 + 15) and run inline, after the first. The calling thread pays a
    // quarter of the hand-off too.
    let plan = planner.plan([us(15), us(15), ms(1), ms(1)], helped(20_000, 1));
    assert_eq!(positions(plan.pooled()), [2, 3]);
    assert_eq!(positions(plan.inline()), [0, 1]);
    assert_eq!(plan.pool_time(), Duration::from_micros(1035));
    assert!(plan.on_pool());
    // A long system the calling thread gets after the first runs inline too.
    let plan = planner.plan([ms(1), ms(1), ms(1)], helped(20_000, 1));
    assert!(plan.on_pool());
    assert_eq!(positions(plan.pooled()), [0, 1]);
    assert_eq!(positions(plan.inline()), [2]);
    assert_eq!(plan.pool_time(), Duration::from_micros(2005));
    // A helping calling thread without other workers is no pool.
    assert!(!planner.plan(stage, helped(0, 0)).on_pool());
}

#[test]
fn beside_a_helping_calling_thread_a_system_shorter_than_the_hand_off_is_handed_off() {
    // The `schedule` bench's stage: an 8 µs system and a 1.6 µs one, with the measured
    // hand-off at 3 µs. The calling thread runs the 8 µs one (and pays its quarter of the
    // hand-off) while the other thread takes the short one (3 + 1.6 µs): 8.75 µs against
    // 9.6 inline. Forcing the short one inline queued it behind the long one on the
    // calling thread, a tie with the inline time, so the stage ran inline on some runs
    // and on the pool on others, by whether the probe measured the hand-off above or
    // below 1.6 µs.
    let mut planner = StagePlanner::default();
    for hand_off in [1_000, 1_599, 1_600, 3_000, 6_399] {
        let plan = planner.plan([us(8), ns(1_600)], helped(hand_off, 1));
        assert!(plan.is_trusted());
        assert!(plan.on_pool(), "hand-off {hand_off} ns");
        assert_eq!(positions(plan.pooled()), [0, 1], "hand-off {hand_off} ns");
        assert_eq!(positions(plan.inline()), [] as [usize; 0]);
        let caller = 8_000 + hand_off / 4;
        assert_eq!(plan.pool_time(), Duration::from_nanos(caller));
        assert_eq!(plan.inline_time(), Duration::from_nanos(9_600));
    }
    // The calling thread's part of the hand-off would make up the gain: inline.
    let plan = planner.plan([us(8), ns(1_600)], helped(6_400, 1));
    assert!(!plan.on_pool());
    assert_eq!(plan.pool_time(), plan.inline_time());
    // The other thread would not be less loaded than the calling thread: inline.
    let plan = planner.plan([us(8), ns(1_600)], helped(8_000, 1));
    assert!(!plan.on_pool());
    assert_eq!(plan.pool_time(), plan.inline_time());
    // Same with more workers, and whatever the declaration order.
    let plan = planner.plan([ns(1_600), us(8)], helped(3_000, 3));
    assert!(plan.on_pool());
    assert_eq!(positions(plan.pooled()), [1, 0]);
    assert_eq!(plan.pool_time(), Duration::from_nanos(8_750));
}

#[test]
fn a_system_of_a_few_nanoseconds_is_not_handed_off_beside_a_long_one() {
    // The game's stage of a 40 ns system beside an 8.4 µs one: handing the short one off
    // would gain 40 ns, less than the calling thread's part of any hand-off measured.
    let mut planner = StagePlanner::default();
    for hand_off in [500, 1_000, 3_000] {
        let plan = planner.plan([ns(40), ns(8_363)], helped(hand_off, 1));
        assert!(!plan.on_pool(), "hand-off {hand_off} ns");
        assert_eq!(positions(plan.inline()), [1, 0]);
    }
}

#[test]
fn tiny_systems_run_inline_beside_a_helping_calling_thread() {
    let mut planner = StagePlanner::default();
    for workers in [1, 2, 8] {
        let plan = planner.plan([us(3), us(4), us(5)], helped(20_000, workers));
        assert!(!plan.on_pool(), "{workers} workers");
        assert!(plan.is_trusted());
        assert_eq!(positions(plan.inline()), [2, 1, 0]);
        assert_eq!(positions(plan.pooled()), [] as [usize; 0]);
        // Every system on the calling thread: no hand-off counted.
        assert_eq!(plan.pool_time(), plan.inline_time());
    }
    // Two equal systems: the second would end at the hand-off plus its own time on the
    // other thread, the same as on the calling thread after the first.
    let tie = planner.plan([us(10), us(10)], helped(10_000, 1));
    assert_eq!(tie.pool_time(), tie.inline_time());
    assert!(!tie.on_pool(), "a tie runs inline");
    let faster = planner.plan([us(10), us(10)], helped(9_999, 1));
    assert!(faster.on_pool());
    assert_eq!(positions(faster.pooled()), [0, 1]);
}

#[test]
fn beside_a_helping_calling_thread_an_untrusted_system_is_handed_off() {
    let mut planner = StagePlanner::default();
    let unsure = Prediction {
        duration: Duration::from_micros(1),
        confidence: 0.2,
    };
    // Every system would fit on the calling thread before the hand-off ends; the
    // trusted ones run inline, the unknown one first (as the first handed-off system)
    // and the unsure one goes to the pool.
    let plan = planner.plan(
        [us(3), unsure, Prediction::UNKNOWN, us(4)],
        helped(20_000, 2),
    );
    assert!(!plan.is_trusted());
    assert!(plan.on_pool());
    assert_eq!(positions(plan.order()), [2, 3, 0, 1]);
    assert_eq!(positions(plan.pooled()), [2, 1]);
    assert_eq!(positions(plan.inline()), [3, 0]);
    // One system, untrusted: inline.
    assert!(!planner
        .plan([Prediction::UNKNOWN], helped(20_000, 2))
        .on_pool());
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
                if !caller_helps {
                    prop_assert!(stage[p].duration < Duration::from_micros(hand_off_us));
                }
            }
            if caller_helps {
                // The first system is the first handed off, which the calling thread
                // runs before its inline ones.
                prop_assert_eq!(pooled.first(), order.first());
                if plan.is_trusted() {
                    // What the runner gives the calling thread (the first system, then
                    // the inline ones) fits in the time on the pool, with its part of
                    // the hand-off.
                    let share: Duration = pooled[..1]
                        .iter()
                        .chain(&inline)
                        .map(|&p| stage[p].duration)
                        .sum();
                    let part = Duration::from_micros(hand_off_us) / 4;
                    prop_assert!(share + part <= plan.pool_time(), "{:?}", order);
                }
            }
            if plan.is_trusted() {
                prop_assert!(plan.pool_time() < plan.inline_time());
            }
        } else {
            prop_assert!(pooled.is_empty());
        }
    }
}
