//! [`GuestLatch`]: the latch of a guest's root job (`guest.rs`), which the entering
//! thread waits for once the root fiber moved to a worker.
//!
//! The root job usually finishes on the guest itself, which then finds the latch set
//! at once: the set is a swap and nothing else. Only when the guest went to sleep
//! waiting for it (`SLEEPING`) does the setter, a worker that finished the migrated
//! root fiber, take the lock and wake it.
//!
//! Its state lives behind a counted reference ([`GuestWaker`]) that the setter clones
//! *before* it sets the word: the guest may see `DONE` (a spurious wake-up, or a
//! probe), return and let its frame and its slot go while the setter still takes the
//! lock and notifies; with the clone, the lock and condition variable outlive every
//! use. The guest slot keeps one waker for reuse (`GuestWaker::reusable`).
//!
//! ## Memory ordering
//!
//! The setter's swap (`AcqRel`) publishes the job's result; the guest's probe
//! (`Acquire`) reads it. The guest announces its sleep with a `PENDING -> SLEEPING`
//! CAS made while it holds the lock and rechecks the word under it before each wait;
//! the setter that saw `SLEEPING` notifies under the same lock, so the notification
//! cannot fall between the guest's check and its wait. Modelled in `loom_tests.rs`
//! (`loom_guest_latch_wakes_the_guest_once_and_outlives_its_frame`).

use crate::exec::latch::Latch;
use crate::sync::atomic::{AtomicU8, Ordering};
use crate::sync::{lock, Arc, Condvar, Mutex};

/// Not set; the guest is not asleep.
const PENDING: u8 = 0;
/// Not set; the guest sleeps (or is about to) on the condition variable.
const SLEEPING: u8 = 1;
/// Set.
const DONE: u8 = 2;

/// What a [`GuestLatch`] shares with its setter: the lock and condition variable the
/// guest sleeps on. Counted, so that a setter's clone keeps it alive.
pub(crate) struct GuestWaker {
    lock: Mutex<()>,
    cond: Condvar,
}

impl GuestWaker {
    /// A waker nobody sleeps on.
    pub(crate) fn new() -> Self {
        GuestWaker {
            lock: Mutex::new(()),
            cond: Condvar::new(),
        }
    }

    /// `waker` itself if nobody else holds it (no latch of it is live, no setter still
    /// holds a clone), else a fresh one; a guest slot keeps one for its visits.
    pub(crate) fn reusable(waker: &mut Arc<GuestWaker>) -> Arc<GuestWaker> {
        if Arc::strong_count(waker) != 1 {
            *waker = Arc::new(GuestWaker::new());
        }
        Arc::clone(waker)
    }
}

/// The latch of a guest's root job. See the module docs.
pub(crate) struct GuestLatch {
    state: AtomicU8,
    waker: Arc<GuestWaker>,
}

impl GuestLatch {
    /// A latch that is not set, waking its guest through `waker`.
    pub(crate) fn new(waker: Arc<GuestWaker>) -> Self {
        GuestLatch {
            state: AtomicU8::new(PENDING),
            waker,
        }
    }

    /// Whether the latch is set (`Acquire`: the job's result is visible then).
    #[inline]
    pub(crate) fn probe(&self) -> bool {
        self.state.load(Ordering::Acquire) == DONE
    }

    /// Blocks the calling thread (the guest) until the latch is set.
    pub(crate) fn wait(&self) {
        let mut guard = lock(&self.waker.lock);
        // `SLEEPING` is announced under the lock; a failed CAS means `DONE`.
        let _ = self
            .state
            .compare_exchange(PENDING, SLEEPING, Ordering::AcqRel, Ordering::Acquire);
        while !self.probe() {
            guard = self
                .waker
                .cond
                .wait(guard)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }
}

impl Latch for GuestLatch {
    unsafe fn set(this: *const Self) {
        // SAFETY: `*this` is live until its state reads `DONE` (the trait's contract):
        // our own reference to the waker is taken before the swap, which is our last
        // access to `*this`.
        let (waker, previous) = unsafe {
            let waker = Arc::clone(&(*this).waker);
            (waker, (*this).state.swap(DONE, Ordering::AcqRel))
        };
        if previous == SLEEPING {
            // Under the lock: the guest is in `wait` (or past its recheck, about to
            // see `DONE`), never between its check and its wait.
            let _guard = lock(&waker.lock);
            waker.cond.notify_all();
        }
    }
}
