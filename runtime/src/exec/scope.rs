//! Scoped spawning: [`Scope`] and the scope body on a worker.

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;
use std::panic::{self, AssertUnwindSafe};
use std::ptr;
use std::sync::Arc;

use crate::sync::{lock, Mutex};

use super::job::HeapJob;
use super::latch::{CountLatch, Latch};
use super::registry::{Registry, WorkerThread};

/// A scope in which closures borrowing the caller's stack can be spawned; created by
/// [`scope`](crate::exec::scope) or [`Executor::scope`](crate::exec::Executor::scope).
///
/// Every job spawned in the scope (and, recursively, in the scopes it is handed) finishes
/// before `scope` returns. If the body or any job panics, `scope` resumes the first panic
/// (the body's, if it panicked) after all of them finished.
///
/// One `Scope` type serves every executor: a crate-private backend decides where a spawned
/// job goes (run at once outside any pool; the current worker's shared deque on a
/// [`ThreadPool`](crate::exec::ThreadPool) or [`NumaPool`](crate::exec::NumaPool); the
/// current fiber's pool on a [`ContinuationPool`](crate::ContinuationPool)), so code
/// written against `&Scope` runs on all of them.
///
/// ```
/// use metronome_runtime::{scope, ThreadPool};
///
/// let pool = ThreadPool::builder().workers(2).build().unwrap();
/// let mut parts = [0u32; 4];
/// pool.install(|| {
///     scope(|s| {
///         for (i, part) in parts.iter_mut().enumerate() {
///             s.spawn(move |_| *part = i as u32 * 10);
///         }
///     })
/// });
/// assert_eq!(parts, [0, 10, 20, 30]);
/// ```
pub struct Scope<'scope> {
    backend: Backend,
    /// The first panic of a spawned job. Written by the job before its count is
    /// released; read by the owner after the count reached zero.
    panic: Mutex<Option<Box<dyn Any + Send>>>,
    /// Invariant in `'scope`, like `std::thread::Scope`.
    marker: PhantomData<fn(&'scope ()) -> &'scope ()>,
}

pub(crate) enum Backend {
    /// Outside any pool: `spawn` runs the job at once, on the caller.
    Serial,
    /// On a worker (or guest) of a heartbeat pool (`ThreadPool`, `NumaPool`): jobs go to
    /// the spawning worker's shared deque; `count` tracks the body plus outstanding jobs.
    Heartbeat {
        registry: Arc<Registry>,
        count: CountLatch,
    },
    /// On a fiber of a `ContinuationPool` (see `continuation/scope.rs`).
    Continuation(super::route::ContinuationScope),
}

impl fmt::Debug for Scope<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let backend = match self.backend {
            Backend::Serial => "serial",
            Backend::Heartbeat { .. } => "heartbeat",
            Backend::Continuation(_) => "continuation",
        };
        f.debug_struct("Scope")
            .field("backend", &backend)
            .finish_non_exhaustive()
    }
}

/// A `*const Scope` that may travel with its job to another worker.
struct ScopePtr<'scope>(*const Scope<'scope>);

// SAFETY: `Scope` is `Sync`, and the owner keeps it alive (waiting on its count) until
// every job holding a `ScopePtr` released its count.
unsafe impl Send for ScopePtr<'_> {}

impl<'scope> Scope<'scope> {
    pub(crate) fn new(backend: Backend) -> Self {
        Scope {
            backend,
            panic: Mutex::new(None),
            marker: PhantomData,
        }
    }

    /// Spawns `job` in this scope: it may run on another worker, at the latest before the
    /// scope ends. It gets the scope back, to spawn more.
    ///
    /// Outside any pool the job runs at once, on the caller.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use metronome_runtime::{scope, ThreadPool};
    ///
    /// let pool = ThreadPool::builder().workers(2).build().unwrap();
    /// let count = AtomicUsize::new(0);
    /// pool.install(|| {
    ///     scope(|s| {
    ///         s.spawn(|s| {
    ///             count.fetch_add(1, Ordering::Relaxed);
    ///             s.spawn(|_| {
    ///                 count.fetch_add(1, Ordering::Relaxed);
    ///             });
    ///         });
    ///     })
    /// });
    /// assert_eq!(count.into_inner(), 2);
    /// ```
    pub fn spawn<F>(&self, job: F)
    where
        F: FnOnce(&Scope<'scope>) + Send + 'scope,
    {
        if let Backend::Continuation(backend) = &self.backend {
            return backend.spawn(self, job);
        }
        let Backend::Heartbeat { registry, count } = &self.backend else {
            return job(self);
        };
        count.increment();
        let this = ScopePtr(self);
        let run = move || {
            let this = this;
            // SAFETY: the owner keeps the scope alive until our count is released below.
            let scope = unsafe { &*this.0 };
            if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| job(scope))) {
                scope.store_panic(payload);
            }
            if let Backend::Heartbeat { count, .. } = &scope.backend {
                // SAFETY: our count keeps the latch live; this is our last access.
                unsafe { CountLatch::set(count) };
            }
        };
        // SAFETY: the job borrows data of lifetime `'scope`; the owner of the scope waits
        // for the count to reach zero (every job executed) before `'scope` can end.
        let job_ref = unsafe { HeapJob::into_job_ref(run) };
        let worker = WorkerThread::current();
        // SAFETY: a non-null `current` is this thread's live worker.
        match unsafe { worker.as_ref() } {
            Some(worker) if ptr::eq(&*worker.registry, &**registry) => worker.push_shared(job_ref),
            _ => registry.inject(job_ref),
        }
    }

    pub(crate) fn store_panic(&self, payload: Box<dyn Any + Send>) {
        let mut slot = lock(&self.panic);
        if slot.is_none() {
            *slot = Some(payload);
        }
    }
}

/// The backend of `scope`.
pub(crate) fn backend<'a>(scope: &'a Scope<'_>) -> &'a Backend {
    &scope.backend
}

/// Takes the first panic a spawned job stored.
pub(crate) fn take_panic(scope: &Scope<'_>) -> Option<Box<dyn Any + Send>> {
    lock(&scope.panic).take()
}

/// Runs a scope body serially on a thread outside any pool.
pub(crate) fn scope_serial<'scope, R>(body: impl FnOnce(&Scope<'scope>) -> R) -> R {
    body(&Scope::new(Backend::Serial))
}

/// Runs a scope body on `worker` and waits (helping) for every job spawned in it.
pub(crate) fn scope_on_worker<'scope, R>(
    worker: &WorkerThread,
    body: impl FnOnce(&Scope<'scope>) -> R,
) -> R {
    let scope = Scope::new(Backend::Heartbeat {
        registry: worker.registry.clone(),
        count: CountLatch::new(worker.index, &worker.registry.sleep),
    });
    let result = panic::catch_unwind(AssertUnwindSafe(|| body(&scope)));
    let Backend::Heartbeat { count, .. } = &scope.backend else {
        unreachable!()
    };
    // SAFETY: `count` is live (in this frame); this releases the body's count.
    unsafe { CountLatch::set(count) };
    worker.wait_until(&count.latch.core);
    let spawned_panic = lock(&scope.panic).take();
    match result {
        Err(payload) => panic::resume_unwind(payload),
        Ok(_) if spawned_panic.is_some() => panic::resume_unwind(spawned_panic.expect("checked")),
        Ok(value) => value,
    }
}
