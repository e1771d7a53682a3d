//! The stacks of finished fibers a continuation pool keeps for reuse: each worker's
//! own (`WorkerThread::stacks`) and the pool's spares (`Registry::spare_stacks`), moved
//! between them in batches.

use crate::sync::atomic::Ordering;
use crate::sync::{lock, MutexGuard};

use super::stack::FiberStack;
use super::worker::{Registry, WorkerThread};

/// Finished fibers' stacks each worker keeps for reuse. A fresh one costs an `mmap`, page
/// faults as it is touched and, when dropped, an `munmap` (a TLB shoot-down across the
/// pool's threads): tens of µs. A steal that leaves its victim's fiber suspended adds a
/// live fiber until the join completes, so a run with many steals (a chain moving
/// between workers) needs as many stacks (with the former steal grain, `unbalanced`
/// walked side tree first on 2 workers took 5.3 ms with 16 kept per worker and 3.2-3.7
/// ms with 256). A kept stack holds on to the pages it touched (a few KiB for shallow
/// jobs): 128 per worker, plus the pool's [`SPARE_STACKS`], bound that memory.
pub(crate) const POOLED_STACKS: usize = 128;
/// Stacks moved at once between a worker's own pool and the pool-wide spare pool.
const STACK_BATCH: usize = POOLED_STACKS / 2;
/// Spare stacks the whole pool keeps beyond the workers' own: the fibers suspended along
/// a moving chain finish wherever the chain ends, so one worker recycles the stacks
/// that others took; without a shared pool it unmapped all but 128 of them and the
/// others mapped fresh ones at the next run (`unbalanced` right child first: ~870 of
/// 1 000 per repetition).
const SPARE_STACKS: usize = 1024;

impl Registry {
    /// Fiber stacks mapped since the pool started (reused ones are not counted again).
    #[cfg(all(test, not(loom)))]
    pub(crate) fn stacks_mapped(&self) -> usize {
        self.stacks_mapped.load(Ordering::Relaxed)
    }

    /// The spare stacks, locked (a poisoned lock would hold only stacks, each valid on
    /// its own).
    fn spare_stacks(&self) -> MutexGuard<'_, Vec<FiberStack>> {
        lock(&self.spare_stacks)
    }
}

impl WorkerThread {
    /// A stack for a new fiber: one of this worker's, else a batch from the pool's
    /// spares, else a fresh mapping.
    pub(super) fn take_stack(&self) -> FiberStack {
        // SAFETY: `WorkerThread` is not `Sync` (this `UnsafeCell`), so only its own
        // thread runs this; `take_stack` and `recycle_stack` (this file) are the only
        // borrows of `stacks` besides `into_guest_parts`, which consumes the worker, and
        // neither calls the other or any user code while it holds the borrow.
        let stacks = unsafe { &mut *self.stacks.get() };
        if let Some(stack) = stacks.pop() {
            return stack;
        }
        {
            let mut spare = self.registry.spare_stacks();
            let keep = spare.len().saturating_sub(STACK_BATCH);
            stacks.extend(spare.drain(keep..));
        }
        if let Some(stack) = stacks.pop() {
            return stack;
        }
        match FiberStack::new(self.registry.stack_size, self.registry.local_queue_size) {
            Ok(stack) => {
                self.registry.stacks_mapped.fetch_add(1, Ordering::Relaxed);
                stack
            }
            Err(err) => {
                // A job taken from a queue must run, or its latch is never set.
                eprintln!("metronome: cannot map a fiber stack ({err}); aborting");
                std::process::abort();
            }
        }
    }

    /// Keeps a finished fiber's stack: in this worker's pool, which, once full, hands a
    /// batch to the pool's spares; a stack beyond both is unmapped.
    pub(super) fn recycle_stack(&self, stack: FiberStack) {
        // SAFETY: as in `take_stack`.
        let stacks = unsafe { &mut *self.stacks.get() };
        if stacks.len() >= POOLED_STACKS {
            // The least recently recycled ones: the pages of the others are warmer.
            let mut batch: Vec<FiberStack> = stacks.drain(..STACK_BATCH).collect();
            {
                let mut spare = self.registry.spare_stacks();
                let room = SPARE_STACKS.saturating_sub(spare.len()).min(batch.len());
                spare.extend(batch.drain(..room));
            }
            // What did not fit is unmapped here, outside the lock.
            drop(batch);
        }
        stacks.push(stack);
    }
}
