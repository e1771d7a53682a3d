//! Where a worker (or guest) looks for a job: its own deque, then the other slots'
//! deques from a random victim (or, with a victim order of the pool's policy, the
//! order's search, then the guests' deques), then the injectors.

use crate::sync::{Injector, Steal, Stealer};

use super::registry::WorkerThread;
use crate::exec::job::JobRef;

impl WorkerThread {
    /// Finds a job: own deque, then other workers' deques, then the injector.
    pub(crate) fn find_work(&self) -> Option<JobRef> {
        if let Some(job) = self.deque.pop() {
            return Some(job);
        }
        self.steal()
    }

    fn next_random(&self) -> u64 {
        // xorshift64*
        let mut x = self.rng.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn steal(&self) -> Option<JobRef> {
        let registry = &*self.registry;
        if let Some(order) = &registry.order {
            if !self.is_guest() {
                let (stealers, injector) = (&registry.stealers, &registry.injector);
                return order
                    .steal(self.index, stealers, injector, self.next_random())
                    .or_else(|| self.steal_from(&registry.stealers[registry.workers..], &[]));
            }
        }
        self.steal_from(&registry.stealers, registry.order_queues())
    }

    /// Steals from `stealers` (every slot's, or the guests' when a victim order covers
    /// the workers) starting at a random victim, then from the injector and
    /// `order_queues`; repeats while a steal asked to retry.
    fn steal_from(
        &self,
        stealers: &[Stealer<JobRef>],
        order_queues: &[Injector<JobRef>],
    ) -> Option<JobRef> {
        let n = stealers.len();
        // The slot index of `stealers[0]`.
        let first = self.registry.stealers.len() - n;
        loop {
            let mut retry = false;
            let start = if n == 0 {
                0
            } else {
                (self.next_random() % n as u64) as usize
            };
            for i in 0..n {
                let victim = (start + i) % n;
                if first + victim == self.index {
                    continue;
                }
                match stealers[victim].steal() {
                    Steal::Success(job) => return Some(job),
                    Steal::Retry => retry = true,
                    Steal::Empty => {}
                }
            }
            for injector in std::iter::once(&self.registry.injector).chain(order_queues) {
                match injector.steal() {
                    Steal::Success(job) => return Some(job),
                    Steal::Retry => retry = true,
                    Steal::Empty => {}
                }
            }
            if !retry {
                return None;
            }
        }
    }
}
