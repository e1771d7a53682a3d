//! The compile-time diagnostics, one trybuild case each, plus `pass/`
//! cases that must compile (hygiene, unusual names), and hostile safe code that must not
//! compile: `soundness/` (storage, commands) and `executor/` (misuses of the executors).
//!
//! Two runs, not one: trybuild checks all the cases of a run together, with one
//! `cargo check --keep-going` over every case, only when the run has no `pass` case; a run
//! with one builds each case on its own (`cargo build`: code generation and a link for
//! every case, one after the other). So the compile-fail cases are one run, the `pass/`
//! cases another (the two take turns on trybuild's project lock). A new compile-fail
//! folder goes into `compile_fail`, never beside the `pass` cases.
//!
//! Regenerate the snapshots with `TRYBUILD=overwrite cargo test -p metronome-ui-tests`
//! and review them in `git diff`.

#[test]
fn compile_fail() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/world/*.rs");
    t.compile_fail("tests/ui/system/*.rs");
    t.compile_fail("tests/ui/schedule/*.rs");
    t.compile_fail("tests/ui/component/*.rs");
    t.compile_fail("tests/ui/soundness/*.rs");
    t.compile_fail("tests/ui/executor/*.rs");
}

#[test]
fn pass() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    // The `serde` world key: with the feature, its checks; without, the error naming it.
    #[cfg(feature = "serde")]
    t.compile_fail("tests/ui/serde/*.rs");
    #[cfg(not(feature = "serde"))]
    t.compile_fail("tests/ui/serde-off/*.rs");
}
