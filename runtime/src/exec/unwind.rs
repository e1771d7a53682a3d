//! Panic plumbing: a guard that aborts where unwinding would break an invariant.

/// Aborts the process if dropped, i.e. if a panic unwinds through a region where the
/// executor holds a broken invariant (a latch other threads wait for would never be set).
/// Defuse it with `std::mem::forget` at the end of the region.
pub(crate) struct AbortIfPanic;

impl Drop for AbortIfPanic {
    fn drop(&mut self) {
        eprintln!("metronome: unexpected panic inside the executor; aborting");
        std::process::abort();
    }
}
