//! The removal logs of tracked components: which entities lost a tracked component
//! (remove, or despawn) and at which change tick, for `RemovedComponents<T>`.
//!
//! Each reader (one `RemovedComponents<T>` parameter of a system) registers the tick of
//! its last run here, so the log is pruned, once per frame, down to the entries some
//! reader has not seen yet: a reader skipped by run conditions keeps what it has not
//! read, and a log nobody reads stays empty.

use crate::entity::Entity;
use crate::storage::ticks::is_newer;
// `std` types, not `crate::sync`'s: storage is plain data, outside every loom model.
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};

/// The removals of one tracked component.
#[derive(Default)]
pub struct RemovalLog {
    /// `(entity, tick)` in the order they happened.
    entries: Vec<(Entity, u32)>,
    /// The last-run ticks of the readers (dropped readers are skipped, then forgotten).
    readers: Mutex<Vec<Weak<AtomicU32>>>,
}

impl RemovalLog {
    /// Records that `entity` lost the component at tick `now`.
    pub(crate) fn push(&mut self, entity: Entity, now: u32) {
        self.entries.push((entity, now));
    }

    /// The entities removed after `last_run`, seen from `now`, in order.
    pub fn since(&self, last_run: u32, now: u32) -> impl Iterator<Item = Entity> + '_ {
        self.entries
            .iter()
            .filter(move |&&(_, tick)| is_newer(tick, last_run, now))
            .map(|&(entity, _)| entity)
    }

    /// Registers a reader whose last run `last_run` tracks.
    pub(crate) fn register(&self, last_run: &Arc<AtomicU32>) {
        self.readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::downgrade(last_run));
    }

    /// Drops the entries every reader has seen (all of them if nobody reads).
    pub(crate) fn prune(&mut self, now: u32) {
        if self.entries.is_empty() {
            return;
        }
        let readers = self
            .readers
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        readers.retain(|r| r.strong_count() > 0);
        // The oldest last run among the readers (the largest age).
        let oldest = readers
            .iter()
            .filter_map(Weak::upgrade)
            .map(|r| r.load(Ordering::Relaxed))
            .max_by_key(|&tick| now.wrapping_sub(tick));
        match oldest {
            None => self.entries.clear(),
            Some(oldest) => self
                .entries
                .retain(|&(_, tick)| is_newer(tick, oldest, now)),
        }
    }
}
