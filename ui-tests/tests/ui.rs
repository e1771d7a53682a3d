//! The compile-time diagnostics, one trybuild case each, plus `pass/`
//! cases that must compile (hygiene, unusual names), and hostile safe code that must not
//! compile: `soundness/` (storage, commands) and `executor/` (misuses of the executors).
//!
//! Regenerate the snapshots with `TRYBUILD=overwrite cargo test -p metronome-ui-tests`
//! and review them in `git diff`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/world/*.rs");
    t.compile_fail("tests/ui/system/*.rs");
    t.compile_fail("tests/ui/schedule/*.rs");
    t.compile_fail("tests/ui/component/*.rs");
    t.compile_fail("tests/ui/soundness/*.rs");
    t.compile_fail("tests/ui/executor/*.rs");
    t.pass("tests/ui/pass/*.rs");
    // The `serde` world key: with the feature, its checks; without, the error naming it.
    #[cfg(feature = "serde")]
    t.compile_fail("tests/ui/serde/*.rs");
    #[cfg(not(feature = "serde"))]
    t.compile_fail("tests/ui/serde-off/*.rs");
}
