//! [`Barrier`]: a reusable rendezvous of a fixed number of threads, on [`Mutex`] and
//! [`Condvar`] from [`crate::sync`] so that loom model checks it (loom's own `Barrier` is
//! an unimplemented stub).

use super::{lock, Condvar, Mutex};

/// Blocks each of `parties` threads in [`wait`](Barrier::wait) until all of them have
/// called it; then all return and the barrier is ready for the next round.
///
/// Everything a thread did before its `wait` happens before everything any thread does
/// after the same round's `wait` returns (each arrival and departure goes through the
/// mutex).
pub(crate) struct Barrier {
    state: Mutex<Round>,
    all_arrived: Condvar,
    parties: usize,
}

/// The barrier's state, behind its mutex.
struct Round {
    /// Threads that have arrived in the current round.
    arrived: usize,
    /// Counts completed rounds: a waiter leaves when it changes, so a wake-up meant for
    /// a round never releases a thread of the next one, and a spurious wake-up none.
    generation: u64,
}

impl Barrier {
    /// A barrier for `parties` threads.
    ///
    /// # Panics
    /// If `parties` is zero.
    pub(crate) fn new(parties: usize) -> Barrier {
        assert!(parties > 0, "a barrier waits for at least one thread");
        Barrier {
            state: Mutex::new(Round {
                arrived: 0,
                generation: 0,
            }),
            all_arrived: Condvar::new(),
            parties,
        }
    }

    /// Waits until all `parties` threads have called `wait` in this round.
    pub(crate) fn wait(&self) {
        let mut state = lock(&self.state);
        let generation = state.generation;
        state.arrived += 1;
        if state.arrived == self.parties {
            state.arrived = 0;
            state.generation = generation.wrapping_add(1);
            drop(state);
            self.all_arrived.notify_all();
            return;
        }
        while state.generation == generation {
            state = self
                .all_arrived
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }
}
