//! How a thread of any pool backs off after fruitless searches: spins with growing
//! pauses, then yields, then parks. Shared by the heartbeat core (`core/registry.rs`)
//! and the continuation pool (`continuation/search.rs`); each decides what it does
//! around a pause (steal requests) and how it parks.

/// Rounds of fruitless searching (with growing spin pauses) before a thread yields.
pub(crate) const SPIN_ROUNDS: u32 = 16;
/// Rounds of `yield_now` after spinning, before a thread parks (at least: a pool may
/// keep yielding longer, see [`pause_for`]).
pub(crate) const YIELD_ROUNDS: u32 = 8;
/// Whether a fruitless search backs off (spins, then yields) before the thread parks.
/// Not under loom, where a thread parks at its first fruitless search: the back-off is
/// timing (it decides when, never whether, a thread parks), and loom cannot explore long
/// spinning.
const BACK_OFF: bool = !cfg!(loom);

/// What a thread does after a fruitless search, short of parking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pause {
    /// Spin `2^n` times (`n` at most 6).
    Spin(u32),
    /// Yield the core once.
    Yield,
}

impl Pause {
    /// Pauses.
    #[inline]
    pub(crate) fn run(self) {
        match self {
            Pause::Spin(n) => {
                for _ in 0..(1u32 << n) {
                    std::hint::spin_loop();
                }
            }
            Pause::Yield => std::thread::yield_now(),
        }
    }
}

/// The pause after fruitless search `round` (counted from 0 since the thread last found
/// work or parked), or `None` when it should park now: spins for [`SPIN_ROUNDS`], then
/// yields for [`YIELD_ROUNDS`] and beyond while `keep_yielding()` (asked only then).
/// Under loom, always `None`.
#[inline]
pub(crate) fn pause_for(round: u32, keep_yielding: impl FnOnce() -> bool) -> Option<Pause> {
    if BACK_OFF && round < SPIN_ROUNDS {
        Some(Pause::Spin(round.min(6)))
    } else if BACK_OFF && (round < SPIN_ROUNDS + YIELD_ROUNDS || keep_yielding()) {
        Some(Pause::Yield)
    } else {
        None
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn spins_then_yields_then_parks_unless_asked_to_keep_yielding() {
        assert_eq!(pause_for(0, || unreachable!()), Some(Pause::Spin(0)));
        assert_eq!(pause_for(9, || unreachable!()), Some(Pause::Spin(6)));
        let yielding = SPIN_ROUNDS..SPIN_ROUNDS + YIELD_ROUNDS;
        assert!(yielding
            .clone()
            .all(|r| pause_for(r, || unreachable!()) == Some(Pause::Yield)));
        assert_eq!(pause_for(yielding.end, || false), None);
        assert_eq!(pause_for(yielding.end + 100, || true), Some(Pause::Yield));
    }
}
