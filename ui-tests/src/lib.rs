//! Compile-fail tests of metronome live in `tests/ui`; this crate has no code of its own.
