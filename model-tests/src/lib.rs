//! Property tests of metronome, in `tests/`: `model` (random spawn / despawn / insert /
//! remove sequences against a `HashMap` model) and `game_features` (random scripts that
//! must end the same on every executor). Run them with
//! `cargo test -p metronome-model-tests`; this library has no code of its own.
