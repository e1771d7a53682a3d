//! Running a system's parallel loops on the thread that runs the system: the stage
//! runner's answer to loops too short to share.
//!
//! Splitting a loop hands its second half to another thread, which has to notice it
//! (a parked worker is woken through the kernel) before it can start, and moves the
//! rows' cache lines to another core. A loop of a few microseconds can take longer split
//! than whole: the calling thread ends its half and then waits for the other, or takes
//! it back after paying the wake-up. The stage runner times each system in both modes
//! and keeps the faster (`loop_trial.rs`); for a system that runs its loops inline,
//! `run_one` marks the thread it runs on while the system runs
//! ([`InlineLoops::enter`]), and
//! `Query::par_for_each` / `par_for_each_with_commands` of that world's executor then
//! run as `for_each` ([`WorldExecutor::runs_loops_inline`]). Results are identical
//! either way (each row is visited once, commands are merged in row order).
//!
//! The mark names the executor, so a loop over another world's query (or this world's
//! on another thread) is not affected. It is cleared when the guard drops, also while
//! unwinding.

use std::cell::Cell;
use std::ptr;

use super::WorldExecutor;

thread_local! {
    /// The executor whose parallel loops run inline on this thread, or null.
    static INLINE_FOR: Cell<*const WorldExecutor> = const { Cell::new(ptr::null()) };
}

/// While alive, the parallel loops of one executor's queries run on this thread alone
/// (see the module docs); restores the previous mark when dropped.
pub(crate) struct InlineLoops {
    previous: *const WorldExecutor,
}

impl InlineLoops {
    /// Marks this thread: `executor`'s parallel loops run inline until the guard drops.
    #[inline]
    pub(crate) fn enter(executor: &WorldExecutor) -> InlineLoops {
        let marked: *const WorldExecutor = executor;
        InlineLoops {
            previous: INLINE_FOR.with(|mark| mark.replace(marked)),
        }
    }
}

impl Drop for InlineLoops {
    #[inline]
    fn drop(&mut self) {
        INLINE_FOR.with(|mark| mark.set(self.previous));
    }
}

impl WorldExecutor {
    /// Whether a parallel loop over this executor's queries runs on the calling thread
    /// alone: on the sequential executor, and, on a pool, inside a system whose loops the
    /// stage runner found faster unsplit (see `world/inline_loops.rs`).
    ///
    /// ```
    /// use metronome_runtime::{ExecutorConfig, WorldExecutor};
    /// let pool = WorldExecutor::new(ExecutorConfig::WorkStealing {
    ///     workers: Some(2),
    ///     local_queue_size: 64,
    ///     heartbeat_us: 100,
    /// });
    /// assert!(!pool.runs_loops_inline());
    /// assert!(WorldExecutor::new(ExecutorConfig::Sequential).runs_loops_inline());
    /// ```
    #[inline]
    pub fn runs_loops_inline(&self) -> bool {
        let me: *const WorldExecutor = self;
        self.is_sequential() || INLINE_FOR.with(|mark| ptr::eq(mark.get(), me))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::ExecutorConfig;

    fn pool() -> WorldExecutor {
        WorldExecutor::new(ExecutorConfig::WorkStealing {
            workers: Some(2),
            local_queue_size: 64,
            heartbeat_us: 100,
        })
    }

    #[test]
    fn the_mark_covers_its_executor_on_its_thread_until_dropped() {
        let (a, b) = (pool(), pool());
        {
            let _inline = InlineLoops::enter(&a);
            assert!(a.runs_loops_inline());
            assert!(!b.runs_loops_inline(), "another executor");
            std::thread::scope(|s| {
                s.spawn(|| assert!(!a.runs_loops_inline(), "another thread"));
            });
            {
                let _nested = InlineLoops::enter(&b);
                assert!(b.runs_loops_inline() && !a.runs_loops_inline());
            }
            assert!(a.runs_loops_inline(), "the outer mark is restored");
        }
        assert!(!a.runs_loops_inline());
    }

    #[test]
    fn the_mark_is_cleared_when_the_system_unwinds() {
        let a = pool();
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _inline = InlineLoops::enter(&a);
            panic!("a system panics");
        }));
        assert!(unwound.is_err());
        assert!(!a.runs_loops_inline());
    }
}
