//! Latches: one-shot "this job is done" signals.
//!
//! - [`CoreLatch`]: the state machine shared by the worker latches (`UNSET`, `SLEEPING`,
//!   `SET`); it lets a waiting worker go to sleep and the setter know it must wake it.
//! - [`WorkerLatch`]: a `CoreLatch` owned by a worker (a `join`'s second job, a scope).
//! - [`CountLatch`]: a counter of outstanding scope jobs in front of a `WorkerLatch`.
//! - [`LockLatch`]: a mutex and condition variable, for threads outside the pool that
//!   block in `install`.
//!
//! A latch usually lives in the frame of the thread that waits for it, which may return
//! (freeing the latch) the moment it sees the latch set. So [`Latch::set`] takes a raw
//! pointer and must read everything it needs *before* the store that sets the latch.

use super::sleep::Sleep;
use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::{lock, Condvar, Mutex};

/// A one-shot signal.
pub(crate) trait Latch {
    /// Sets the latch and wakes its waiter.
    ///
    /// # Safety
    ///
    /// `this` points to a live latch. The waiter may free it as soon as the set is
    /// visible, so implementations must not touch `*this` after the setting store.
    unsafe fn set(this: *const Self);
}

/// Not set; the owner is awake (polling or running other jobs).
const UNSET: usize = 0;
/// Not set; the owner announced it is about to park and must be woken by the setter.
const SLEEPING: usize = 1;
/// Set: the job finished. Terminal.
const SET: usize = 2;

/// The state word of a worker latch.
///
/// ## Memory ordering
///
/// `set` is a swap with `AcqRel`: its release half publishes everything the finishing job
/// wrote (its result), and [`CoreLatch::probe`] reads the state with `Acquire`. `arm`
/// and `disarm` are compare-exchanges on the same word, so they are totally ordered with
/// `set`: either the owner armed first (and the setter sees `SLEEPING` and wakes it), or
/// the setter set first (and `arm` fails, so the owner does not park).
#[derive(Debug)]
pub(crate) struct CoreLatch {
    state: AtomicUsize,
}

impl CoreLatch {
    /// A latch that is not set.
    #[inline(always)]
    pub(crate) fn new() -> Self {
        CoreLatch {
            state: AtomicUsize::new(UNSET),
        }
    }

    /// Whether the latch is set; an acquire load, so the job's writes are visible after.
    #[inline(always)]
    pub(crate) fn probe(&self) -> bool {
        self.state.load(Ordering::Acquire) == SET
    }

    /// The owner announces it will park. Returns `false` if the latch is already set (then
    /// the owner must not park).
    pub(crate) fn arm(&self) -> bool {
        self.state
            .compare_exchange(UNSET, SLEEPING, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// The owner woke up for another reason and polls again.
    pub(crate) fn disarm(&self) {
        let _ = self
            .state
            .compare_exchange(SLEEPING, UNSET, Ordering::AcqRel, Ordering::Acquire);
    }

    /// Sets the latch; returns whether the owner was (about to be) asleep and must be
    /// woken. After this returns the latch may already be freed.
    pub(crate) fn set(&self) -> bool {
        self.state.swap(SET, Ordering::AcqRel) == SLEEPING
    }
}

/// A latch whose waiter is worker `owner` of the pool whose sleep state is `sleep`.
#[derive(Debug)]
pub(crate) struct WorkerLatch {
    pub(crate) core: CoreLatch,
    owner: usize,
    sleep: *const Sleep,
}

// SAFETY: `sleep` is only used to call `Sleep::wake_worker(&self)`; `Sleep` is `Sync`, and
// it outlives every latch of its pool because only that pool's workers set such latches
// and each worker holds the pool's registry (which owns the `Sleep`) alive.
unsafe impl Send for WorkerLatch {}
// SAFETY: as for `Send`; the state word is atomic.
unsafe impl Sync for WorkerLatch {}

impl WorkerLatch {
    /// A latch for worker `owner`, woken through `sleep`.
    #[inline(always)]
    pub(crate) fn new(owner: usize, sleep: &Sleep) -> Self {
        WorkerLatch {
            core: CoreLatch::new(),
            owner,
            sleep,
        }
    }
}

impl Latch for WorkerLatch {
    unsafe fn set(this: *const Self) {
        // SAFETY: `this` is live until `core.set()` makes the set visible (trait
        // contract); read the owner and the sleep pointer before that.
        let (owner, sleep, wake) = unsafe {
            let owner = (*this).owner;
            let sleep = (*this).sleep;
            (owner, sleep, (*this).core.set())
        };
        if wake {
            // SAFETY: the `Sleep` outlives the pool's latches (see the `Send` impl).
            unsafe { (*sleep).wake_worker(owner) };
        }
    }
}

/// Counts a scope's outstanding work (its body plus each spawned job) and sets its
/// `WorkerLatch` when the count reaches zero.
///
/// ## Memory ordering
///
/// Increments are `Relaxed`: they are made by a thread that already holds a count (the
/// body, or a job of the scope), so the count cannot reach zero meanwhile. Decrements are
/// `AcqRel`: the last one acquires every earlier job's writes and releases them through
/// the latch to the owner.
#[derive(Debug)]
pub(crate) struct CountLatch {
    pending: AtomicUsize,
    pub(crate) latch: WorkerLatch,
}

impl CountLatch {
    /// A latch with a count of one (the scope's body).
    pub(crate) fn new(owner: usize, sleep: &Sleep) -> Self {
        CountLatch {
            pending: AtomicUsize::new(1),
            latch: WorkerLatch::new(owner, sleep),
        }
    }

    /// One more job to wait for; the caller holds a count.
    pub(crate) fn increment(&self) {
        self.pending.fetch_add(1, Ordering::Relaxed);
    }
}

impl Latch for CountLatch {
    unsafe fn set(this: *const Self) {
        // SAFETY: `this` is live while our count is outstanding; the count reaches zero
        // only in the decrement below, after which only the (still live, since the owner
        // waits for `latch`) inner latch is touched, through its own `set`.
        unsafe {
            if (*this).pending.fetch_sub(1, Ordering::AcqRel) == 1 {
                WorkerLatch::set(std::ptr::addr_of!((*this).latch));
            }
        }
    }
}

/// A latch a thread outside the pool blocks on.
///
/// ## Memory ordering
///
/// The flag is guarded by the mutex: the setter's writes happen before its unlock, the
/// waiter's reads after its lock.
#[derive(Debug)]
pub(crate) struct LockLatch {
    done: Mutex<bool>,
    cond: Condvar,
}

impl LockLatch {
    /// A latch that is not set.
    pub(crate) fn new() -> Self {
        LockLatch {
            done: Mutex::new(false),
            cond: Condvar::new(),
        }
    }

    /// Blocks until the latch is set.
    pub(crate) fn wait(&self) {
        let mut done = lock(&self.done);
        while !*done {
            done = self
                .cond
                .wait(done)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }
}

impl Latch for LockLatch {
    unsafe fn set(this: *const Self) {
        // SAFETY: the waiter cannot return before it takes the mutex, which we hold until
        // the end of this block, so `*this` is live throughout; we notify under the lock
        // for the same reason.
        unsafe {
            let mut done = lock(&(*this).done);
            *done = true;
            (*this).cond.notify_all();
        }
    }
}
