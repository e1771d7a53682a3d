//! [`GuestLatch`]: the latch of a guest's root job (`guest.rs`), which the entering
//! thread waits for once the root fiber moved to a worker.
//!
//! The root job usually finishes on the guest itself, which then finds the latch set
//! at once: the set is a swap and nothing else. Only when the guest went to sleep
//! waiting for it (`SLEEPING`) does the setter, a worker that finished the migrated
//! root fiber, take the lock and wake it.
//!
//! The lock and condition variable ([`GuestWaker`]) belong to the guest slot and live
//! behind a counted reference; the latch only borrows it. A setter that finds the guest
//! asleep clones that reference *before* it sets the word: the guest may see `DONE`
//! (a spurious wake-up, or its recheck), return, and its pool be dropped while the
//! setter still takes the lock and notifies; the clone keeps the lock and condition
//! variable alive for that. A setter that finds the guest awake sets the word with one
//! CAS and touches nothing else: nothing on the guest's fast path (the root job
//! finishing on the guest itself) counts references. A late notification from an
//! earlier visit's setter only wakes a later guest of the slot spuriously (it rechecks
//! its own latch).

//! ## Memory ordering
//!
//! The setter's `DONE` store (a CAS `PENDING -> DONE`, `AcqRel`, or after seeing
//! `SLEEPING`, a `Release` store) publishes the job's result; the guest's probe
//! (`Acquire`) reads it. The guest announces its sleep with a `PENDING -> SLEEPING` CAS
//! made while it holds the lock and rechecks the word under it before each wait; the
//! setter that saw `SLEEPING` notifies under the same lock, so the notification cannot
//! fall between the guest's check and its wait. The guest leaves only after seeing
//! `DONE`, so a setter that saw `SLEEPING` may still read the latch's borrowed reference
//! to clone it. Modelled in `loom_tests.rs`
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
}

/// The latch of a guest's root job, borrowing the slot's waker. See the module docs.
pub(crate) struct GuestLatch<'a> {
    state: AtomicU8,
    waker: &'a Arc<GuestWaker>,
}

impl<'a> GuestLatch<'a> {
    /// A latch that is not set, waking its guest through `waker`.
    pub(crate) fn new(waker: &'a Arc<GuestWaker>) -> Self {
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

impl Latch for GuestLatch<'_> {
    unsafe fn set(this: *const Self) {
        // SAFETY: `*this` is live until its state reads `DONE` (the trait's contract).
        let state = unsafe { &(*this).state };
        if state
            .compare_exchange(PENDING, DONE, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
        {
            // The guest was awake: it will see `DONE`; nothing else to do.
            return;
        }
        // `SLEEPING` (the guest's only other move): it cannot leave before `DONE`, so the
        // latch and its borrowed waker are still live. Take our own reference first.
        // SAFETY: as above.
        let waker = unsafe { Arc::clone((*this).waker) };
        // Our last access to `*this`.
        state.store(DONE, Ordering::Release);
        // Under the lock: the guest is in `wait`, never between its check and its wait.
        let _guard = lock(&waker.lock);
        waker.cond.notify_all();
    }
}
