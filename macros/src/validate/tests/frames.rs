//! Unit tests of the frame keys: `fixed(hz = N)` phases, `max_fixed_steps`, `stats`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{validate_world, with_archetype};
use crate::model::{FramesModel, WorldModel};

fn world(rest: TokenStream) -> Result<WorldModel, Vec<String>> {
    validate_world(with_archetype(rest))
}

#[track_caller]
fn frames_of(rest: TokenStream) -> FramesModel {
    match world(rest) {
        Ok(model) => model.frames,
        Err(errors) => panic!("unexpected errors: {errors:#?}"),
    }
}

#[track_caller]
fn assert_errors(rest: TokenStream, expected: &[&str]) {
    match world(rest) {
        Ok(_) => panic!("expected errors"),
        Err(errors) => assert_eq!(errors, expected, "errors: {errors:#?}"),
    }
}

#[test]
fn fixed_phases_and_defaults() {
    let frames = frames_of(quote!(phases(Input, Physics = fixed(hz = 60), Update)));
    assert_eq!(frames.fixed_hz, [None, Some(60), None]);
    assert_eq!(frames.max_fixed_steps, 8);
    assert!(frames.stats);
    let frames = frames_of(quote!(
        phases(Physics = fixed(hz = 10_000)),
        max_fixed_steps = 3,
        stats = off
    ));
    assert_eq!(frames.fixed_hz, [Some(10_000)]);
    assert_eq!(frames.max_fixed_steps, 3);
    assert!(!frames.stats);
    assert!(frames_of(quote!(stats = on)).stats);
}

#[test]
fn fixed_rate_out_of_range_or_malformed() {
    assert_errors(
        quote!(phases(Physics = fixed(hz = 0))),
        &["`hz` must be between 1 and 10_000, got 0"],
    );
    assert_errors(
        quote!(phases(Physics = fixed(hz = 10_001))),
        &["`hz` must be between 1 and 10_000, got 10_001"],
    );
    assert_errors(
        quote!(phases(Physics = fixed(hz = 60.0))),
        &["`hz` takes an integer number of steps per second between 1 and 10_000, got `60.0`"],
    );
    assert_errors(
        quote!(phases(Physics = fixed)),
        &["`fixed` needs its rate: write `Physics = fixed(hz = 60)`"],
    );
    assert_errors(
        quote!(phases(Physics = fixed())),
        &["`fixed(...)` needs `hz`: write `Physics = fixed(hz = 60)`"],
    );
    assert_errors(
        quote!(phases(Physics = fixed(rate = 60))),
        &[
            "unknown parameter `rate` of `fixed`; it takes only `hz`, as in `Physics = fixed(hz = 60)`",
            "`fixed(...)` needs `hz`: write `Physics = fixed(hz = 60)`",
        ],
    );
    assert_errors(
        quote!(phases(Physics = every(hz = 60))),
        &["unknown phase kind `every` for phase `Physics`; the only kind is `fixed(hz = N)`, as in `Physics = fixed(hz = 60)`, or write the phase alone for one run per frame"],
    );
}

#[test]
fn max_fixed_steps_and_stats_values() {
    assert_errors(
        quote!(max_fixed_steps = 0),
        &["`max_fixed_steps` must be between 1 and 1_000, got 0"],
    );
    assert_errors(
        quote!(max_fixed_steps = many),
        &["`max_fixed_steps` takes an integer between 1 and 1_000, got `many`"],
    );
    assert_errors(
        quote!(stats = maybe),
        &["unknown `stats` value `maybe`; write `stats = on` (the default: the world times its frames and systems for `stats()`) or `stats = off` (no statistics, no clock reads)"],
    );
    assert_errors(
        quote!(stats = off, stats = on),
        &["`stats` is given twice in `#[world(...)]`; merge both into one `stats`"],
    );
}

#[test]
fn several_frame_mistakes_are_reported_at_once() {
    assert_errors(
        quote!(
            phases(A = fixed(hz = 0), B = fixed(hz = 20_000)),
            max_fixed_steps = 0
        ),
        &[
            "`hz` must be between 1 and 10_000, got 0",
            "`hz` must be between 1 and 10_000, got 20_000",
            "`max_fixed_steps` must be between 1 and 1_000, got 0",
        ],
    );
}
