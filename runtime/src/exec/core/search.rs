//! Where a worker (or guest) looks for a job: its own deque, then the other slots'
//! deques from a random victim (or, with a victim order of the pool's policy, the
//! order's search, then the guests' deques), then the injectors. The search itself is
//! the one every pool runs (`exec/steal.rs`).

use crate::sync::{Injector, Stealer};

use super::registry::WorkerThread;
use crate::exec::job::JobRef;
use crate::exec::steal::{steal_one, Stolen};

impl WorkerThread {
    /// Finds a job: own deque, then other workers' deques, then the injector.
    pub(crate) fn find_work(&self) -> Option<JobRef> {
        if let Some(job) = self.deque.pop() {
            return Some(job);
        }
        self.steal()
    }

    fn steal(&self) -> Option<JobRef> {
        let registry = &*self.registry;
        if let Some(order) = &registry.order {
            if !self.is_guest() {
                let (stealers, injector) = (&registry.stealers, &registry.injector);
                return order
                    .steal(self.index, stealers, injector, self.rng.next())
                    .or_else(|| self.steal_from(&registry.stealers[registry.workers..], &[]));
            }
        }
        self.steal_from(&registry.stealers, registry.order_queues())
    }

    /// Steals from `stealers` (every slot's, or the guests' when a victim order covers
    /// the workers) starting at a random victim, then from the injector and
    /// `order_queues` (`exec/steal.rs`).
    fn steal_from(
        &self,
        stealers: &[Stealer<JobRef>],
        order_queues: &[Injector<JobRef>],
    ) -> Option<JobRef> {
        // The slot index of `stealers[0]`.
        let first = self.registry.stealers.len() - stealers.len();
        let me = self.index.checked_sub(first);
        let registry = &*self.registry;
        steal_one(stealers, me, &registry.injector, order_queues, &self.rng).map(Stolen::into_job)
    }
}
