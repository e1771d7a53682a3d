//! The continuation pool's backend of [`Scope`]: spawns go to the spawning worker's
//! shared deque; the scope's owner *suspends its fiber* until the last job finished,
//! and the job that finishes last resumes it.

use std::panic::{self, AssertUnwindSafe};
use std::ptr;
use std::sync::Arc;

use crate::exec::job::HeapJob;
use crate::exec::scope::{self as exec_scope, Backend, Scope};

use super::current;
use super::join::wait;
use super::latch::ScopeCount;
use super::stack::FiberCtx;
use super::worker::Registry;

/// Where a continuation pool's scope sends its jobs, and what its owner waits for.
pub(crate) struct ScopeBackend {
    registry: Arc<Registry>,
    count: ScopeCount,
}

/// Pointers that travel with a spawned job to another worker.
struct JobPtrs<'scope> {
    scope: *const Scope<'scope>,
    backend: *const ScopeBackend,
}

// SAFETY: `Scope` is `Sync` and `ScopeBackend` is only used through `&` (its count is
// atomic); the owner keeps both alive (waiting on the count) until every job holding
// these pointers released its count.
unsafe impl Send for JobPtrs<'_> {}

impl ScopeBackend {
    /// Spawns `job` in `scope` (whose backend is `self`).
    pub(crate) fn spawn<'scope, F>(&self, scope: &Scope<'scope>, job: F)
    where
        F: FnOnce(&Scope<'scope>) + Send + 'scope,
    {
        self.count.increment();
        let ptrs = JobPtrs {
            scope,
            backend: self,
        };
        let run = move || {
            let ptrs = ptrs;
            // SAFETY: the owner keeps the scope alive until our count is released below.
            let scope = unsafe { &*ptrs.scope };
            if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| job(scope))) {
                scope.store_panic(payload);
            }
            // SAFETY: our count keeps the backend live; this is our last access.
            unsafe { ScopeCount::release_job(ptr::addr_of!((*ptrs.backend).count)) };
        };
        // SAFETY: the job borrows data of lifetime `'scope`; the owner waits for the count
        // to reach zero (every job executed) before `'scope` can end.
        let job_ref = unsafe { HeapJob::into_job_ref(run) };
        match current::current_ctx() {
            Some(ctx) if ptr::eq(&*ctx.worker().registry, &*self.registry) => {
                ctx.worker().push_shared(job_ref);
            }
            _ => self.registry.inject(job_ref),
        }
    }
}

/// Runs a scope body on the fiber of `ctx` and suspends the fiber until every job
/// spawned in it finished.
pub(crate) fn scope_on_fiber<'scope, R>(
    ctx: &FiberCtx,
    body: impl FnOnce(&Scope<'scope>) -> R,
) -> R {
    if std::thread::panicking() {
        // Inside a `Drop` while a panic unwinds: a fiber must not migrate mid-unwind.
        return exec_scope::scope_serial(body);
    }
    let scope = Scope::new(Backend::Continuation(ScopeBackend {
        registry: ctx.worker().registry.clone(),
        count: ScopeCount::new(),
    }));
    let result = panic::catch_unwind(AssertUnwindSafe(|| body(&scope)));
    let Backend::Continuation(backend) = exec_scope::backend(&scope) else {
        unreachable!("a continuation scope")
    };
    if backend.count.release_body() {
        wait(ctx, &backend.count.latch);
    }
    let spawned_panic = exec_scope::take_panic(&scope);
    match result {
        Err(payload) => panic::resume_unwind(payload),
        Ok(_) if spawned_panic.is_some() => panic::resume_unwind(spawned_panic.expect("checked")),
        Ok(value) => value,
    }
}
