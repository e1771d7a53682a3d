//! Type-erased jobs: what a deque holds and what a thief runs.
//!
//! A [`JobRef`] is two words, a data pointer and the function that runs it. Two kinds of
//! job stand behind it:
//!
//! - [`StackJob`] lives in the frame of the `join` (or `install`) that created it. Its
//!   closure and result sit in `UnsafeCell`s whose access is granted by the job's latch:
//!   until the latch is set only the thread that *executes* the job touches them; after the
//!   owner observed the latch set (acquire), only the owner does.
//! - [`HeapJob`] is boxed and owned by whoever pops it; a scope spawn uses it.

use std::any::Any;
use std::cell::UnsafeCell;
use std::mem::{ManuallyDrop, MaybeUninit};
use std::panic::{self, AssertUnwindSafe};
use std::ptr::NonNull;

use super::latch::{Latch, LockLatch};
use super::unwind;

/// A pointer to a job and the function that executes it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct JobRef {
    data: NonNull<()>,
    execute: unsafe fn(*const ()),
}

// SAFETY: a `JobRef` is only created (`StackJob::as_job_ref`, `HeapJob::into_job_ref`)
// for jobs whose closure and result are `Send`; the pointer is only dereferenced by
// `execute`, once, by the single thread that took the `JobRef` out of a deque.
unsafe impl Send for JobRef {}

impl JobRef {
    /// Builds a `JobRef` from raw parts.
    ///
    /// # Safety
    ///
    /// - `data` must stay valid until `execute(data)` has returned (or the `JobRef` is
    ///   discarded without running, which only its creator may decide).
    /// - `execute(data)` must be sound to call once from any thread.
    pub(crate) unsafe fn new(data: NonNull<()>, execute: unsafe fn(*const ())) -> JobRef {
        JobRef { data, execute }
    }

    /// The job's identity: its data pointer.
    pub(crate) fn id(self) -> *const () {
        self.data.as_ptr()
    }

    /// Runs the job.
    ///
    /// # Safety
    ///
    /// The caller took this `JobRef` out of a deque (or otherwise holds it exclusively) and
    /// runs it at most once.
    pub(crate) unsafe fn execute(self) {
        // SAFETY: `new`'s contract makes `data` valid and `execute` callable once; the
        // caller guarantees this is that once.
        unsafe { (self.execute)(self.data.as_ptr()) }
    }
}

/// How a job ended.
pub(crate) enum JobResult<T> {
    /// Returned a value.
    Ok(T),
    /// Panicked with this payload.
    Panic(Box<dyn Any + Send>),
}

impl<T> JobResult<T> {
    /// Returns the value or resumes the panic. Panics (bug) if the job never ran.
    pub(crate) fn into_return_value(self) -> T {
        match self {
            JobResult::Ok(value) => value,
            JobResult::Panic(payload) => panic::resume_unwind(payload),
        }
    }
}

/// A job in the frame of its creator, which waits for `latch` before leaving the frame.
///
/// ## Memory ordering
///
/// The executing thread writes `result`, then sets `latch` with a release store; the owner
/// reads `result` only after it observed the latch set with an acquire load (or after it
/// ran the job itself). No other synchronisation is needed.
///
/// ## Layout and ownership
///
/// `repr(C)` with the latch first, so a `JobRef`'s data pointer is also the latch's
/// address (the heartbeat's promotion binds a `WorkerLatch` through it). `func` is
/// consumed at most once, by whoever runs or discards the job (`execute`, or the owner via
/// `take_func`); the continuation pool's join leaves it unconsumed when the job was never
/// shared and it ran its own copy of the closure instead. `result` is written once, by
/// `execute`, and read once, by the owner. Neither is dropped implicitly, so the inline
/// path pays no drop flags or tag checks.
#[repr(C)]
pub(crate) struct StackJob<L, F, R> {
    /// Set once the job has finished.
    pub(crate) latch: L,
    /// The closure, until consumed. Access: the executing thread (or the owner, when it
    /// runs or discards the job without having shared it).
    func: UnsafeCell<ManuallyDrop<F>>,
    /// The outcome, once written. Access: the executing thread until `latch` is set,
    /// then the owner.
    result: UnsafeCell<MaybeUninit<JobResult<R>>>,
}

impl<L: Latch, F: FnOnce() -> R + Send, R: Send> StackJob<L, F, R> {
    /// Wraps `func`; the job signals `latch` when it finishes on another thread.
    #[inline(always)]
    pub(crate) fn new(func: F, latch: L) -> Self {
        StackJob {
            latch,
            func: UnsafeCell::new(ManuallyDrop::new(func)),
            result: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    /// A `JobRef` to this job.
    ///
    /// # Safety
    ///
    /// The job must not move, and its frame must not be left, until the `JobRef` has been
    /// executed (its latch set) or is known to be discarded.
    #[inline(always)]
    pub(crate) unsafe fn as_job_ref(&self) -> JobRef {
        let data = NonNull::from(self).cast::<()>();
        // SAFETY: the caller keeps `self` in place until the job ran; `execute` is sound
        // from any thread because `F` and `R` are `Send`.
        unsafe { JobRef::new(data, Self::execute) }
    }

    /// Runs the job on a thread that took its `JobRef`: catches a panic into the
    /// result, then sets the latch.
    ///
    /// # Safety
    ///
    /// `this` points to a live `StackJob` whose `JobRef` the caller holds exclusively.
    unsafe fn execute(this: *const ()) {
        let this = this.cast::<Self>();
        // SAFETY: the owner keeps the job alive until its latch is set (`as_job_ref`), and
        // the caller holds the only `JobRef`, so nobody else touches `func`/`result` now.
        unsafe {
            let func = ManuallyDrop::take(&mut *(*this).func.get());
            let abort = unwind::AbortIfPanic;
            (*(*this).result.get()).write(match panic::catch_unwind(AssertUnwindSafe(func)) {
                Ok(value) => JobResult::Ok(value),
                Err(payload) => JobResult::Panic(payload),
            });
            std::mem::forget(abort);
            // The last access to `*this`: the owner may free the job once this returns.
            L::set(std::ptr::addr_of!((*this).latch));
        }
    }

    /// Takes the closure back to run (or drop) it on the owner's thread.
    ///
    /// # Safety
    ///
    /// The job was never shared, or its `JobRef` came back to the owner (popped from its
    /// own deque), so no other thread can run it; and `func` was not consumed yet.
    #[inline(always)]
    pub(crate) unsafe fn take_func(&self) -> F {
        // SAFETY: by the caller's guarantee, only this thread accesses `func`, and it is
        // consumed here for the first and only time.
        unsafe { ManuallyDrop::take(&mut *self.func.get()) }
    }

    /// The job's outcome.
    ///
    /// # Safety
    ///
    /// The latch has been observed set (acquire) by the caller.
    pub(crate) unsafe fn into_result(self) -> JobResult<R> {
        // SAFETY: the latch is set, so `execute` wrote the result (caller's guarantee).
        unsafe { self.result.into_inner().assume_init() }
    }
}

/// Runs `f` as a [`StackJob`] from a thread outside the pool: hands its `JobRef` to
/// `queue` (which makes some worker take it), blocks until it finished, and returns its
/// result or resumes its panic. What every pool's `install` from outside does.
pub(crate) fn run_from_outside<R: Send>(
    f: impl FnOnce() -> R + Send,
    queue: impl FnOnce(JobRef),
) -> R {
    let job = StackJob::new(f, LockLatch::new());
    // SAFETY: we block on the job's latch below before leaving this frame, so the job
    // outlives its execution.
    let job_ref = unsafe { job.as_job_ref() };
    queue(job_ref);
    job.latch.wait();
    // SAFETY: `wait` returned, so the latch is set (under its mutex: acquire).
    unsafe { job.into_result() }.into_return_value()
}

impl<L, F, R> StackJob<L, F, R> {
    /// Moves the result out.
    ///
    /// # Safety
    ///
    /// The job has finished (the caller observed its latch set with acquire ordering), and
    /// the result is taken at most once.
    pub(crate) unsafe fn take_result(&self) -> JobResult<R> {
        // SAFETY: `execute` wrote the result before setting the latch, and no longer
        // touches it (caller's guarantee).
        unsafe { (*self.result.get()).assume_init_read() }
    }
}

/// A boxed job; whoever executes it frees it.
pub(crate) struct HeapJob<F> {
    func: F,
}

impl<F: FnOnce() + Send> HeapJob<F> {
    /// Boxes `func` and returns the `JobRef` that owns it.
    ///
    /// # Safety
    ///
    /// `func` may borrow data of lifetime `'a` (erased here): the caller must make sure
    /// the job has run before `'a` ends (a scope waits for its counter to reach zero).
    /// The returned `JobRef` must be executed exactly once (or the box leaks).
    pub(crate) unsafe fn into_job_ref(func: F) -> JobRef {
        let boxed = Box::new(HeapJob { func });
        let data = NonNull::from(Box::leak(boxed)).cast::<()>();
        // SAFETY: the box stays allocated until `execute` takes it back; `F: Send`.
        unsafe { JobRef::new(data, Self::execute) }
    }

    /// # Safety
    ///
    /// `this` came from `into_job_ref` and is executed once.
    unsafe fn execute(this: *const ()) {
        // SAFETY: `into_job_ref` leaked a `Box<HeapJob<F>>` at `this`; executing once
        // means we are its only owner now.
        let job = unsafe { Box::from_raw(this.cast::<Self>().cast_mut()) };
        // Panics are the closure's business: scope jobs catch their own.
        (job.func)();
    }
}
