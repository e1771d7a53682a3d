//! Where an idle continuation worker looks for a job, and how it backs off: its own
//! deque, then the victim search every pool runs (`exec/steal.rs`: the other workers'
//! and the guest slots' deques, oldest first, then the injector), asking the busy
//! workers to share a job while it spins and yields (`exec/back_off.rs`), and every
//! worker and guest slot before it parks.

use crate::exec::back_off;
use crate::exec::job::JobRef;
use crate::exec::steal::{steal_one, Stolen};
use crate::sync::atomic::{AtomicUsize, Ordering};

use super::worker::{WorkerThread, REQUESTED};

impl WorkerThread {
    /// Finds a job: own deque, then the other workers' and guests' (oldest first), then
    /// the injector.
    pub(super) fn find_work(&self) -> Option<JobRef> {
        if let Some(job) = self.pop() {
            return Some(job);
        }
        let registry = &*self.registry;
        let stolen = steal_one(
            &registry.stealers,
            Some(self.index),
            &registry.injector,
            &[],
            &self.rng,
        )?;
        if let Stolen::Victim(_) = stolen {
            registry.steals.fetch_add(1, Ordering::Relaxed);
        }
        Some(stolen.into_job())
    }

    /// Asks one other worker, at random, and every guest present, to share a job at
    /// their next join. (Absent guests are not asked here: a request to an empty slot
    /// would be wasted; `request_all` asks them too.)
    fn request_one(&self) {
        let n = self.registry.num_workers();
        if n >= 2 {
            let mut victim = (self.rng.next() % (n as u64 - 1)) as usize;
            if victim >= self.index {
                victim += 1;
            }
            request(&self.registry.limits[victim]);
        }
        for (g, slot) in self.registry.guests.iter().enumerate() {
            if slot.is_present() {
                request(&self.registry.limits[n + g]);
            }
        }
    }

    /// Asks every other worker and every guest slot, present or not, to share a job;
    /// called before parking, so that the next join anywhere in the pool, a guest's
    /// first one included, shares a job and wakes us.
    fn request_all(&self) {
        for (i, limit) in self.registry.limits.iter().enumerate() {
            if i != self.index {
                request(limit);
            }
        }
    }

    /// One step of backing off after a fruitless search (`exec/back_off.rs`): ask one
    /// worker for work and spin, then yield; then ask all and park.
    pub(super) fn idle_step(&self, idle: &mut u32) {
        if let Some(pause) = back_off::pause_for(*idle, || false) {
            self.request_one();
            pause.run();
            *idle += 1;
        } else if self.registry.sleep.ticking() {
            // A world's tick is under way: keep polling (back off from the start), as the
            // heartbeat pools' workers do (`exec/sleep.rs`, "Ticks").
            self.request_all();
            *idle = 0;
            // Under loom (no back-off) the poll is a spin loop: let the model switch.
            #[cfg(loom)]
            loom::thread::yield_now();
        } else {
            self.request_all();
            let registry = &*self.registry;
            // `ticking` too: a tick that began after the check above (its start claims
            // only the sleepers it sees; this check, after the announcement, sees it).
            registry.sleep.sleep(self.index, None, || {
                registry.has_work() || registry.may_exit() || registry.sleep.ticking()
            });
            *idle = 0;
        }
    }
}

/// Raises the request flag `limit` (unless it is up already: no needless write to a
/// line its owner reads at every join).
fn request(limit: &AtomicUsize) {
    if limit.load(Ordering::Relaxed) != REQUESTED {
        limit.store(REQUESTED, Ordering::Relaxed);
    }
}
