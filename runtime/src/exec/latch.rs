//! Latches: one-shot "this job is done" signals.
//!
//! - [`CoreLatch`]: the state machine shared by the worker latches (`UNSET`, `SLEEPING`,
//!   `SET`); it lets a waiting worker go to sleep and the setter know it must wake it.
//! - [`WorkerLatch`]: a `CoreLatch` owned by a worker (a `join`'s second job, a scope).
//! - [`CountLatch`]: a counter of outstanding scope jobs in front of a `WorkerLatch`.
//! - [`LockLatch`]: a mutex and condition variable, for threads outside every pool that
//!   block in `install`.
//!
//! A latch usually lives in the frame of the thread that waits for it, which may return
//! (freeing the latch) the moment it sees the latch set. So [`Latch::set`] takes a raw
//! pointer and must read everything it needs *before* the store that sets the latch.

use std::cell::UnsafeCell;
use std::mem::MaybeUninit;

use super::sleep::Sleep;
use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::{lock, Arc, Condvar, Mutex};

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

/// Who to wake when a [`WorkerLatch`] is set.
#[derive(Clone, Copy, Debug)]
struct WakeTarget {
    owner: usize,
    sleep: *const Sleep,
}

/// A latch whose waiter is a worker: `owner` of the pool whose sleep state is `sleep`.
///
/// A `join` creates its latch *unbound* (one store: the state word) because most jobs are
/// never shared; the heartbeat's promotion binds it (`bind`) before publishing the job, so
/// every latch another thread can set knows whom to wake.
///
/// ## Memory ordering
///
/// The wake target is written by the owner before the job's `JobRef` is pushed to its
/// deque (crossbeam's push releases, a steal acquires), so the setter reads it after.
/// The state word follows [`CoreLatch`].
#[derive(Debug)]
pub(crate) struct WorkerLatch {
    pub(crate) core: CoreLatch,
    /// Access: written by the owner while the job is private (`bind`, or at creation);
    /// read by the setter after it took the job from a deque.
    target: UnsafeCell<MaybeUninit<WakeTarget>>,
}

// SAFETY: `target.sleep` is only used to call `Sleep::wake_worker(&self)`; `Sleep` is
// `Sync`, and it outlives every latch of its pool because only that pool's workers set
// such latches and each worker holds the pool's registry (which owns the `Sleep`) alive.
// `target` itself is written before the latch is shared and only read afterwards.
unsafe impl Send for WorkerLatch {}
// SAFETY: as for `Send`; the state word is atomic.
unsafe impl Sync for WorkerLatch {}

impl WorkerLatch {
    /// A latch for worker `owner`, woken through `sleep`.
    pub(crate) fn new(owner: usize, sleep: &Sleep) -> Self {
        WorkerLatch {
            core: CoreLatch::new(),
            target: UnsafeCell::new(MaybeUninit::new(WakeTarget { owner, sleep })),
        }
    }

    /// A latch whose waiter is not known yet; [`WorkerLatch::bind`] it before sharing.
    #[inline(always)]
    pub(crate) fn unbound() -> Self {
        WorkerLatch {
            core: CoreLatch::new(),
            target: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    /// Records that worker `owner` of `sleep`'s pool waits for this latch.
    ///
    /// # Safety
    ///
    /// `this` points to a live latch that no other thread can reach yet (its job is still
    /// private to the calling owner).
    pub(crate) unsafe fn bind(this: *const Self, owner: usize, sleep: &Sleep) {
        // SAFETY: by the caller's guarantee, nobody else reads or writes `target` now.
        unsafe { (*(*this).target.get()).write(WakeTarget { owner, sleep }) };
    }
}

impl Latch for WorkerLatch {
    unsafe fn set(this: *const Self) {
        // SAFETY: `this` is live until `core.set()` makes the set visible (trait
        // contract); read the target before that. It was bound before the job was shared
        // (`new` or `bind`), and only shared jobs are set by another thread.
        let (target, wake) = unsafe {
            let target = (*(*this).target.get()).assume_init();
            (target, (*this).core.set())
        };
        if wake {
            // SAFETY: the `Sleep` outlives the pool's latches (see the `Send` impl).
            unsafe { (*target.sleep).wake_worker(target.owner) };
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

/// A latch a thread outside every pool blocks on (`install` from outside).
///
/// ## Lifetime of the state
///
/// The mutex and condition variable live behind an `Arc`, not in the job: the setter
/// clones the `Arc` *before* it sets the flag and drops its clone only after it unlocked.
/// Unlocking a futex mutex is a store that lets the waiter in, followed by a
/// `futex_wake` on the mutex's address; in between the waiter may take the lock, see
/// the flag, return and free its frame. Were the mutex in that frame, the wake (and the
/// rest of `unlock(&self)`, whose `&self` must stay valid for the whole call) would
/// touch freed memory: the class of Rust issue 55005. With the setter's clone, the
/// memory outlives every use of it by either side.
///
/// Each thread keeps one state for reuse (no allocation per `install` in the steady
/// state); it is reused only while nobody else holds it (`strong_count == 1`: no latch
/// of this thread is live and no setter still holds a clone), otherwise a fresh one is
/// made.
///
/// ## Memory ordering
///
/// The flag is guarded by the mutex: the setter's writes happen before its unlock, the
/// waiter's reads after its lock.
#[derive(Debug)]
pub(crate) struct LockLatch {
    state: Arc<LockState>,
}

#[derive(Debug)]
struct LockState {
    done: Mutex<bool>,
    cond: Condvar,
}

impl LockState {
    fn new() -> Self {
        LockState {
            done: Mutex::new(false),
            cond: Condvar::new(),
        }
    }
}

impl LockLatch {
    /// A latch that is not set.
    ///
    /// Not inlined: the thread-local's address is then computed at each call, never
    /// cached by a caller's frame across a suspension of a continuation pool's fiber
    /// (which may resume on another thread; see `continuation/README.md`,
    /// "Thread-locals").
    #[inline(never)]
    pub(crate) fn new() -> Self {
        #[cfg(not(loom))]
        {
            thread_local! {
                /// This thread's reusable latch state.
                static STATE: Arc<LockState> = Arc::new(LockState::new());
            }
            // `try_with` fails only while the thread's locals are being destroyed.
            let reusable =
                STATE.try_with(|state| (Arc::strong_count(state) == 1).then(|| Arc::clone(state)));
            if let Ok(Some(state)) = reusable {
                // Nobody else holds the state (see the type's docs): reset the flag left
                // set by this thread's previous `install`.
                *lock(&state.done) = false;
                return LockLatch { state };
            }
        }
        LockLatch {
            state: Arc::new(LockState::new()),
        }
    }

    /// Blocks until the latch is set.
    pub(crate) fn wait(&self) {
        let mut done = lock(&self.state.done);
        while !*done {
            done = self
                .state
                .cond
                .wait(done)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }
}

impl Latch for LockLatch {
    unsafe fn set(this: *const Self) {
        // SAFETY: `*this` is live until the waiter sees the flag, which it cannot before
        // our critical section below; this clone is our last access to `*this`.
        let state = unsafe { Arc::clone(&(*this).state) };
        let mut done = lock(&state.done);
        *done = true;
        state.cond.notify_all();
        // The unlock (and its wake-up of the waiter) acts on `state`, which our clone
        // keeps allocated even if the waiter already returned and dropped its own.
        drop(done);
        drop(state);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    /// The address of a latch's shared state.
    fn state_of(latch: &LockLatch) -> *const LockState {
        Arc::as_ptr(&latch.state)
    }

    #[test]
    fn a_lock_latch_state_is_reused_only_while_nobody_else_holds_it() {
        let first = LockLatch::new();
        let reusable = state_of(&first);
        // A setter still holding its clone (it is finishing its unlock): a new latch of
        // this thread gets a fresh state.
        let setter = Arc::clone(&first.state);
        drop(first);
        let second = LockLatch::new();
        assert_ne!(state_of(&second), reusable);
        drop(second);
        drop(setter);
        // Nobody else holds it: reused, and not set.
        let third = LockLatch::new();
        assert_eq!(state_of(&third), reusable);
        // SAFETY: `third` is live for the whole call.
        unsafe { LockLatch::set(&third) };
        third.wait();
        drop(third);
        let fourth = LockLatch::new();
        assert_eq!(state_of(&fourth), reusable);
        assert!(!*lock(&fourth.state.done));
    }

    #[test]
    fn a_waiter_may_return_while_its_setter_still_unlocks() {
        // The waiter frees its latch (on the heap here, so that valgrind sees the free)
        // as soon as it sees it set, possibly while the setter is still inside `unlock`:
        // nothing the setter touches after its set may be freed memory.
        for _ in 0..200 {
            let latch = Box::new(LockLatch::new());
            let address = &*latch as *const LockLatch as usize;
            let setter = std::thread::spawn(move || {
                // SAFETY: the waiter below keeps `latch` live until it saw it set.
                unsafe { LockLatch::set(address as *const LockLatch) };
            });
            latch.wait();
            drop(latch);
            setter.join().unwrap();
        }
    }
}
