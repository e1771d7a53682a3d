//! `executor = ...`: every executor's parameters (diagnostics 1, 2, 3) and the
//! `unsafe(...)` that `continuation_stealing` needs.

use quote::quote;

use super::{assert_has, assert_world_error, with_archetype, world_errors, world_ok};
use crate::model::{ExecutorModel, Workers};
use crate::validate::config::nearest_power_of_two;

#[test]
fn diag1_local_queue_size() {
    assert_world_error(
        quote!(executor = work_stealing(local_queue_size = 100)),
        "`local_queue_size` must be a power of two, got 100; try 128",
    );
    assert_world_error(
        quote!(executor = numa_aware(local_queue_size = 300)),
        "`local_queue_size` must be a power of two, got 300; try 256",
    );
    assert_world_error(
        quote!(executor = unsafe(continuation_stealing(local_queue_size = 0))),
        "`local_queue_size` must be a power of two, got 0; try 1",
    );
    assert_world_error(
        quote!(executor = work_stealing(local_queue_size = 1_000usize)),
        "`local_queue_size` must be a power of two, got 1000; try 1024",
    );
    assert_world_error(
        quote!(executor = work_stealing(local_queue_size = big)),
        "`local_queue_size` takes a power of two such as 256, got `big`",
    );
    assert_eq!(nearest_power_of_two(3), 4);
    assert_eq!(nearest_power_of_two(5), 4);
    assert_eq!(nearest_power_of_two(6), 8);
    assert_eq!(nearest_power_of_two(u64::MAX), 1 << 63);
}

#[test]
fn diag2_workers_and_heartbeat() {
    assert_world_error(
        quote!(executor = work_stealing(workers = 0)),
        "`workers` must be between 1 and 1_024 or `auto`, got 0",
    );
    assert_world_error(
        quote!(executor = work_stealing(workers = 1025)),
        "`workers` must be between 1 and 1_024 or `auto`, got 1025",
    );
    assert_world_error(
        quote!(executor = work_stealing(workers = -3)),
        "`workers` must be between 1 and 1_024 or `auto`, got -3",
    );
    assert_world_error(
        quote!(executor = work_stealing(workers = many)),
        "`workers` takes an integer between 1 and 1_024 or `auto`, got `many`",
    );
    assert_world_error(
        quote!(executor = work_stealing(workers = 99999999999999999999999)),
        "`workers` must be between 1 and 1_024 or `auto`, got 99999999999999999999999",
    );
    assert_world_error(
        quote!(executor = numa_aware(heartbeat_us = 0)),
        "`heartbeat_us` must be between 1 and 1_000_000, got 0",
    );
    assert_world_error(
        quote!(executor = numa_aware(heartbeat_us = 1_000_001)),
        "`heartbeat_us` must be between 1 and 1_000_000, got 1_000_001",
    );
}

#[test]
fn diag3_executor_parameters_and_names() {
    assert_world_error(
        quote!(executor = sequential(workers = 4)),
        "`sequential` takes no parameters; `workers` belongs to `work_stealing`, `numa_aware` and `continuation_stealing`",
    );
    assert_world_error(
        quote!(executor = work_stealing(pin = true)),
        "`work_stealing` takes `workers`, `local_queue_size`, `heartbeat_us`; `pin` belongs to `numa_aware`",
    );
    assert_world_error(
        quote!(executor = unsafe(continuation_stealing(heartbeat_us = 5))),
        "`continuation_stealing` takes `workers`, `local_queue_size`; `heartbeat_us` belongs to `work_stealing` and `numa_aware`",
    );
    assert_world_error(
        quote!(executor = work_stealing(threads = 4)),
        "unknown executor parameter `threads`; `work_stealing` takes `workers`, `local_queue_size`, `heartbeat_us`",
    );
    assert_world_error(
        quote!(executor = rayon(workers = 4)),
        "unknown executor `rayon`; expected one of `sequential`, `work_stealing`, `numa_aware`, `continuation_stealing`",
    );
    assert_world_error(
        quote!(executor = numa_aware(memory = remote)),
        "`memory` takes `local` or `interleave`, got `remote`",
    );
    assert_world_error(
        quote!(executor = numa_aware(pin = 1)),
        "`pin` takes `true` or `false`, got `1`",
    );
    assert_world_error(
        quote!(executor = numa_aware(workers = 2, workers = 3)),
        "`workers` is given twice in `numa_aware(...)`; keep one",
    );
    assert_world_error(
        quote!(executor = 5),
        "expected an executor: one of `sequential`, `work_stealing`, `numa_aware`, `continuation_stealing`",
    );
}

/// The message for `continuation_stealing` without `unsafe(...)`.
const CONTINUATION_WITHOUT_UNSAFE: &str = "`continuation_stealing` may resume a system on another thread after any `join`, `scope` or `par_for_each`, which the compiler cannot check: write `executor = unsafe(continuation_stealing(...))` to promise that no system holds a thread-bound value (`!Send` value, thread-local reference, lock guard) across them (the contract of `ContinuationPoolBuilder::build`)";

#[test]
fn continuation_stealing_without_unsafe_is_an_error() {
    assert_world_error(
        quote!(executor = continuation_stealing(workers = 2)),
        CONTINUATION_WITHOUT_UNSAFE,
    );
    assert_world_error(
        quote!(executor = continuation_stealing),
        CONTINUATION_WITHOUT_UNSAFE,
    );
    // Reported with the parameters' errors, all at once.
    let errors = world_errors(with_archetype(quote!(
        executor = continuation_stealing(local_queue_size = 100, pin = true)
    )));
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert_has(&errors, CONTINUATION_WITHOUT_UNSAFE);
    assert_has(
        &errors,
        "`local_queue_size` must be a power of two, got 100; try 128",
    );
}

#[test]
fn unsafe_continuation_stealing_keeps_its_parameter_checks() {
    let model = world_ok(with_archetype(
        quote!(executor = unsafe(continuation_stealing)),
    ));
    assert!(matches!(
        model.executor,
        ExecutorModel::ContinuationStealing {
            workers: Workers::Auto,
            local_queue_size: 256,
            ..
        }
    ));
    assert_world_error(
        quote!(executor = unsafe(continuation_stealing(local_queue_size = 100))),
        "`local_queue_size` must be a power of two, got 100; try 128",
    );
    assert_world_error(
        quote!(executor = unsafe(continuation_stealing(workers = 2048))),
        "`workers` must be between 1 and 1_024 or `auto`, got 2048",
    );
    assert_world_error(
        quote!(executor = unsafe(continuation_stealing(heartbeat_us = 5))),
        "`continuation_stealing` takes `workers`, `local_queue_size`; `heartbeat_us` belongs to `work_stealing` and `numa_aware`",
    );
}

#[test]
fn unsafe_around_other_executors_or_malformed_is_an_error() {
    assert_world_error(
        quote!(executor = unsafe(work_stealing(workers = 2))),
        "`work_stealing` has no safety contract to accept: remove `unsafe(...)` and write `executor = work_stealing(...)`",
    );
    assert_world_error(
        quote!(executor = unsafe(sequential)),
        "`sequential` has no safety contract to accept: remove `unsafe(...)` and write `executor = sequential(...)`",
    );
    assert_world_error(
        quote!(executor = unsafe continuation_stealing),
        "expected `unsafe(...)` around the executor, as in `executor = unsafe(continuation_stealing(workers = 4))`",
    );
    assert_world_error(
        quote!(executor = unsafe(unsafe(continuation_stealing))),
        "`unsafe(...)` is written once, as in `executor = unsafe(continuation_stealing(workers = 4))`",
    );
    assert_world_error(
        quote!(executor = unsafe(continuation_stealing, sequential)),
        "expected one executor inside `unsafe(...)`, as in `executor = unsafe(continuation_stealing(workers = 4))`",
    );
}
