//! Latches a *fiber* waits on: instead of blocking its thread, the waiting fiber is
//! parked inside the latch, and whoever sets the latch resumes it.
//!
//! - [`Handoff`]: the state machine (`PENDING`, parked, `DONE`) in one word; while
//!   parked, the word is the address of the [`Parked`] slot that holds the waiter.
//!   Generic over the waiter so that loom can check it with a plain value
//!   (`loom_tests.rs`).
//! - [`FiberLatch`]: a `Handoff<Fiber>`; the `Latch` of a promoted join job. A parked
//!   fiber waits in the `Parked` slot of its own context (`FiberCtx::parked`), so the
//!   latch (and the `StackJob` around it) is one word.
//! - [`ScopeCount`]: a scope's outstanding jobs in front of a `FiberLatch`.

use std::marker::PhantomData;
use std::mem::MaybeUninit;

use crate::sync::atomic::{AtomicUsize, Ordering};

use crate::exec::latch::Latch;

use super::current;
use super::fiber::Fiber;

/// Not set; the waiter runs (or has not arrived yet).
const PENDING: usize = 0;
/// Set. Terminal. Any other value means "parked": it is the address of the waiter's
/// [`Parked`] slot (aligned, so never `PENDING` or `DONE`).
const DONE: usize = 1;

#[cfg(not(loom))]
mod cell {
    /// `UnsafeCell` with loom's closure API.
    pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub(crate) const fn new(value: T) -> Self {
            UnsafeCell(std::cell::UnsafeCell::new(value))
        }
        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }
    }
}

#[cfg(loom)]
use loom::cell;

/// Where a waiter waits while parked in a [`Handoff`]: a slot that the waiter's side
/// owns, outside the latch (a fiber's is in its own context). Accessed only under the
/// latch's protocol.
#[repr(align(8))]
pub(crate) struct Parked<T> {
    slot: cell::UnsafeCell<Option<T>>,
}

// SAFETY: the slot is accessed by one side at a time, ordered by the latch's state word
// (see `Handoff`), and `T: Send` values may cross threads that way.
unsafe impl<T: Send> Sync for Parked<T> {}
// SAFETY: as above; the slot owns at most one `T: Send`.
unsafe impl<T: Send> Send for Parked<T> {}

impl<T> Parked<T> {
    /// An empty slot.
    pub(crate) fn new() -> Self {
        Parked {
            slot: cell::UnsafeCell::new(None),
        }
    }

    /// Whether the slot is empty (nobody parked here).
    ///
    /// # Safety
    ///
    /// No latch refers to this slot (nothing is parked in it, or the caller owns it).
    pub(crate) unsafe fn is_empty(&self) -> bool {
        // SAFETY: by the caller's guarantee nobody else accesses the slot now.
        self.slot.with_mut(|slot| unsafe { (*slot).is_none() })
    }
}

/// A one-shot signal whose waiter parks *in* it: one word.
///
/// ## Memory ordering
///
/// The waiter's scheduler (the fiber has fully switched away, so its stack is quiet)
/// writes the waiter into its [`Parked`] slot, then tries `PENDING -> &slot` with
/// `AcqRel`: the release half publishes the slot. The setter swaps in `DONE` with
/// `AcqRel`: its release half publishes the finished job's result; if it saw a slot
/// address, its acquire half makes the slot's contents visible and it takes the waiter
/// out. If instead the park's compare-exchange finds `DONE` (acquire: the result is
/// visible), the scheduler takes its own waiter back and resumes it at once. Both
/// transitions act on one word, so exactly one side ends up holding the waiter, and the
/// slot is never accessed by both (which state grants the slot: before the park's
/// exchange the scheduler, after the setter saw the address the setter, after a failed
/// park the scheduler again).
///
/// ## Arming
///
/// A join's latch is created *unarmed* ([`Handoff::new_unarmed`]: no store at all) and
/// armed ([`Handoff::arm`], `PENDING`) only when its job is promoted to a shared deque,
/// by the owner's thread before the push that publishes the job. A job that stays
/// private (nearly all of them) never touches its latch, and every other access (a
/// thief's `set`, the owner's `probe` and `park` after the promotion) comes after the
/// arming.
pub(crate) struct Handoff<T> {
    state: std::cell::UnsafeCell<MaybeUninit<AtomicUsize>>,
    _waiter: PhantomData<fn(T) -> T>,
}

// SAFETY: `state` is written non-atomically once (`arm`, or `new`) before the latch is
// shared with another thread (the deque push that publishes the job releases it); after
// that it is only accessed as an atomic. The waiter (a `T: Send`) travels from the
// parking thread to the setter through `Parked`, ordered by the state word.
unsafe impl<T: Send> Sync for Handoff<T> {}

impl<T> Handoff<T> {
    /// A latch that is not set (armed).
    #[inline(always)]
    pub(crate) fn new() -> Self {
        Handoff {
            state: std::cell::UnsafeCell::new(MaybeUninit::new(AtomicUsize::new(PENDING))),
            _waiter: PhantomData,
        }
    }

    /// A latch that must be [`arm`](Self::arm)ed before any other use.
    #[inline(always)]
    pub(crate) fn new_unarmed() -> Self {
        Handoff {
            state: std::cell::UnsafeCell::new(MaybeUninit::uninit()),
            _waiter: PhantomData,
        }
    }

    /// Arms an unarmed latch: not set.
    ///
    /// # Safety
    ///
    /// `this` is live and was created by `new_unarmed`; no other thread can reach it yet
    /// (its job is published after this), and it is armed once.
    #[inline]
    pub(crate) unsafe fn arm(this: *const Self) {
        // SAFETY: by the caller's guarantee nobody else accesses the word now.
        unsafe { (*(*this).state.get()).write(AtomicUsize::new(PENDING)) };
    }

    /// The state word.
    #[inline(always)]
    fn state(&self) -> &AtomicUsize {
        // SAFETY: every caller runs after `new` or `arm` initialised the word (see
        // "Arming"), and after that it is only accessed through shared references.
        unsafe { (*self.state.get()).assume_init_ref() }
    }

    /// Whether the latch is set (acquire).
    #[inline(always)]
    pub(crate) fn probe(&self) -> bool {
        self.state().load(Ordering::Acquire) == DONE
    }

    /// Parks `waiter` in `home` and the latch. Returns it back if the latch is already
    /// set (then the caller resumes it); otherwise the setter will take it.
    ///
    /// # Safety
    ///
    /// `this` is live until the waiter is resumed; called at most once per latch.
    /// `home` is empty, and live and untouched by anyone else until the waiter is taken
    /// out of it again (by the setter, or returned here).
    pub(crate) unsafe fn park(this: *const Self, home: *const Parked<T>, waiter: T) -> Option<T> {
        // SAFETY: live by the caller's guarantee; before the exchange only we touch the
        // slot.
        let (this, home) = unsafe { (&*this, &*home) };
        home.slot.with_mut(|slot| {
            // SAFETY: see above.
            unsafe { *slot = Some(waiter) }
        });
        let parked = home as *const Parked<T> as usize;
        debug_assert!(parked != PENDING && parked != DONE);
        match this
            .state()
            .compare_exchange(PENDING, parked, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => None,
            // Already `DONE`: the setter never looks at the slot; take the waiter back.
            // SAFETY: the setter saw `PENDING`, so it does not touch the slot.
            Err(_) => home.slot.with_mut(|slot| unsafe { (*slot).take() }),
        }
    }

    /// Sets the latch; returns the parked waiter, if it parked before, for the caller to
    /// resume.
    ///
    /// # Safety
    ///
    /// `this` is live; called at most once. After this returns `None` the latch may be
    /// freed at any time (its owner saw `DONE`), so do not touch it again.
    pub(crate) unsafe fn set(this: *const Self) -> Option<T> {
        // SAFETY: live by the caller's guarantee until the swap below makes `DONE`
        // visible. If we saw a slot address, the waiter cannot run (so cannot free the
        // latch or its slot) until we resume it, after taking it out of the slot; the
        // acquire half of the swap makes the slot's contents visible.
        unsafe {
            match (*this).state().swap(DONE, Ordering::AcqRel) {
                PENDING => None,
                parked => {
                    debug_assert_ne!(parked, DONE, "a latch is set once");
                    let home = &*(parked as *const Parked<T>);
                    home.slot.with_mut(|slot| (*slot).take())
                }
            }
        }
    }
}

/// The latch of a join's promoted second closure: its owner fiber parks in it.
pub(crate) type FiberLatch = Handoff<Fiber>;

impl Latch for FiberLatch {
    /// Sets the latch from the fiber that ran the job; a parked owner is handed to this
    /// fiber's scheduler, which resumes it as soon as this fiber's job has returned.
    unsafe fn set(this: *const Self) {
        // SAFETY: by the trait's contract `this` is live, and this is its one set.
        if let Some(owner) = unsafe { Handoff::set(this) } {
            let ctx = current::current_ctx().expect("a fiber latch is set on a fiber");
            let previous = ctx.handoff.replace(Some(owner));
            debug_assert!(previous.is_none(), "one handoff per job");
            // Never the case (a job sets one latch, at its end); should it be, leak the
            // fiber rather than drop it: dropping a suspended fiber unwinds its stack.
            std::mem::forget(previous);
        }
    }
}

/// A scope's outstanding work (its body plus each spawned job) in front of the latch
/// its owner waits on: a `FiberLatch` in the pool; generic so that loom can check the
/// count with a latch that needs no fiber (`loom_tests.rs`).
///
/// ## Memory ordering
///
/// Increments are `Relaxed` (made by a holder of a count, so the count cannot reach zero
/// meanwhile). Decrements are `AcqRel`: the last one acquires every job's writes and
/// releases them through the latch to the owner.
pub(crate) struct ScopeCount<L = FiberLatch> {
    pending: AtomicUsize,
    pub(crate) latch: L,
}

impl ScopeCount {
    /// A count of one: the body.
    pub(crate) fn new() -> Self {
        ScopeCount::with_latch(FiberLatch::new())
    }
}

impl<L: Latch> ScopeCount<L> {
    /// A count of one (the body) in front of `latch`, which is not set.
    pub(crate) fn with_latch(latch: L) -> Self {
        ScopeCount {
            pending: AtomicUsize::new(1),
            latch,
        }
    }

    /// One more job; the caller holds a count.
    pub(crate) fn increment(&self) {
        self.pending.fetch_add(1, Ordering::Relaxed);
    }

    /// The body's release: whether jobs are still outstanding (then the owner waits for
    /// `latch`, which the last job sets).
    pub(crate) fn release_body(&self) -> bool {
        self.pending.fetch_sub(1, Ordering::AcqRel) != 1
    }

    /// A job's release, at the very end of the job.
    ///
    /// # Safety
    ///
    /// `this` is live while our count is outstanding; not touched after.
    pub(crate) unsafe fn release_job(this: *const Self) {
        // SAFETY: our count keeps `*this` live until the decrement; if it was the last,
        // the owner still waits for the latch (live until set), which `set` handles.
        unsafe {
            if (*this).pending.fetch_sub(1, Ordering::AcqRel) == 1 {
                L::set(std::ptr::addr_of!((*this).latch));
            }
        }
    }
}
