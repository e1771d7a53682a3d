//! The heartbeat thread: raises every worker's flag once per interval, but only while
//! some worker is awake and some worker is idle. When the whole pool sleeps it parks (see
//! `Sleep::heartbeat_idle`), so an idle pool burns no CPU; while every worker is busy it
//! rests (`Sleep::heartbeat_busy`), so it does not preempt them for promotions nobody
//! would steal.
//!
//! A raised flag is one promotion credit ("token accounting" in Beat's sense): a worker
//! earns it only with elapsed time while the pool runs, spends it at its next `join`
//! (or `par_for_each` item), and can hold at most one, so a burst of tiny joins shares at
//! most one job per worker per interval.
//!
//! Once a world on the pool runs a tick it does not tick at all until work outside a
//! tick wakes it (see `sleep.rs`, "Ticks"): during a tick the workers poll and make the
//! steal requests themselves.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::registry::Registry;
use crate::exec::builder;
use crate::exec::error::BuildError;

/// How long the heartbeat thread keeps its rhythm after the whole pool came to rest
/// (every worker asleep, no guest in) before it parks too. A thread that enters the pool
/// within this time (a game's next frame, at 200 Hz or more) finds it ticking and pays
/// nothing to wake it; later, it pays one wake-up. Resting, it reads the clock once per
/// interval and raises no flags that matter.
const LINGER: Duration = Duration::from_millis(5);

/// Starts the heartbeat thread of `registry`'s pool, named `name`, if the pool has more
/// than one participant: workers plus guest slots (with one, nobody could steal what a
/// heartbeat shares).
pub(crate) fn start(
    registry: &Arc<Registry>,
    name: &str,
) -> Result<Option<JoinHandle<()>>, BuildError> {
    let workers = registry.num_workers();
    if workers + registry.guests.len() <= 1 {
        return Ok(None);
    }
    let registry = registry.clone();
    builder::spawn(workers, name.into(), None, move || run_heartbeat(registry)).map(Some)
}

/// The body of the heartbeat thread of a pool with more than one worker.
///
/// `thread::sleep` oversleeps by tens of µs (timer slack and wake-up: a 100 µs sleep takes
/// ~173 µs at the median on the reference machine), so the thread asks for the interval
/// minus a running estimate of that overshoot, and ticks close to the configured period.
pub(crate) fn run_heartbeat(registry: Arc<Registry>) {
    let interval = registry.heartbeat_interval;
    let mut overshoot = Duration::ZERO;
    let mut resting_since: Option<Instant> = None;
    while !registry.terminating() {
        if registry.sleep.ticking() {
            // A world's tick: its polling workers make the steal requests (`sleep.rs`,
            // "Ticks"); rest until work outside a tick needs us.
            registry
                .sleep
                .heartbeat_during_tick(|| registry.terminating());
            resting_since = None;
            continue;
        }
        if registry.sleep.all_resting() {
            let since = *resting_since.get_or_insert_with(Instant::now);
            if since.elapsed() >= LINGER {
                registry.sleep.heartbeat_idle(|| registry.terminating());
                resting_since = None;
            }
        } else {
            resting_since = None;
        }
        registry.sleep.heartbeat_busy(|| registry.terminating());
        if registry.terminating() {
            return;
        }
        let request = interval.saturating_sub(overshoot);
        let start = Instant::now();
        std::thread::sleep(request);
        let over = start.elapsed().saturating_sub(request);
        // Exponential average over ~8 sleeps; a long stall (preemption) moves it by 1/8.
        overshoot = (overshoot * 7 + over.min(interval)) / 8;
        registry.tick();
    }
}
