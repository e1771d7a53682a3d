//! The heartbeat thread: raises every worker's flag once per interval, but only while
//! some worker is awake. When the whole pool sleeps it parks (see `Sleep::heartbeat_idle`),
//! so an idle pool burns no CPU.
//!
//! A raised flag is one promotion credit ("token accounting" in Beat's sense): a worker
//! earns it only with elapsed time while the pool runs, spends it at its next `join`
//! (or `par_for_each` item), and can hold at most one, so a burst of tiny joins shares at
//! most one job per worker per interval.

use std::sync::Arc;

use super::registry::Registry;

/// The body of the heartbeat thread of a pool with more than one worker.
pub(crate) fn run_heartbeat(registry: Arc<Registry>) {
    while !registry.terminating() {
        registry.sleep.heartbeat_idle(|| registry.terminating());
        if registry.terminating() {
            return;
        }
        std::thread::sleep(registry.heartbeat_interval);
        registry.tick();
    }
}
