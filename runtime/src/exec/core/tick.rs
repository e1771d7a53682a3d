//! A world's tick on a pool: while a [`TickActivity`] lives, the pool's workers do not
//! park and its heartbeat thread rests (`sleep.rs`, "Ticks"). The heartbeat pools and
//! the continuation pool share the sleep state (`exec/sleep.rs`), so the rule is one.

//!
//! A tick of the tower-defense game at 10 000 enemies lasts about 100 µs and hands work
//! to the pool a few times (stages, the halves of its loops). A worker that parked
//! between two hand-offs answers the next one through the kernel (a futex wake-up, tens
//! of µs on a VM), and the heartbeat thread, ticking every interval while a worker is
//! idle, preempts one of the two threads that run the tick on a two-core machine. So a
//! tick wakes the workers once, at its start, and they search (spinning, then yielding)
//! until it ends; then they back off and park as between any two jobs, and an idle pool
//! between frames uses no CPU.

use std::sync::Arc;

use super::registry::Registry;
use crate::exec::sleep::Sleep;

/// A pool whose workers park in a [`Sleep`]: what a [`TickActivity`] holds of it.
pub(crate) trait TickedPool: Send + Sync {
    /// The pool's sleep state.
    fn sleep(&self) -> &Sleep;
}

impl TickedPool for Registry {
    fn sleep(&self) -> &Sleep {
        &self.sleep
    }
}

/// While alive, a tick of a world is under way on the pool (see the module docs). Ends
/// the tick when dropped, also while unwinding. Ticks nest (a tick's phases, a world
/// ticked from inside another's tick): the pool's workers park again once the last ends.
pub(crate) struct TickActivity {
    pool: Arc<dyn TickedPool>,
}

impl TickActivity {
    /// Begins a tick on `pool`: the outermost claims every sleeping worker.
    pub(crate) fn begin(pool: Arc<dyn TickedPool>) -> TickActivity {
        pool.sleep().begin_tick();
        TickActivity { pool }
    }
}

impl Drop for TickActivity {
    fn drop(&mut self) {
        self.pool.sleep().end_tick();
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::time::Duration;

    use super::super::{CoreConfig, PoolCore, Threads};
    use crate::exec::test_support::{check_a_tick_keeps_one_worker_awake, eventually};

    /// A pool of one worker and its heartbeat thread, the heartbeat every 100 µs.
    fn pool() -> PoolCore {
        let config = CoreConfig {
            heartbeat: Duration::from_micros(100),
            ..CoreConfig::default()
        };
        let threads = Threads {
            worker_prefix: "tick-test-",
            heartbeat_name: "tick-test-hb",
            stack_size: None,
        };
        PoolCore::start(&config, 1, None, threads, |_| || ()).unwrap()
    }

    /// The tick's start wakes a parked worker, which then does not park again until the
    /// tick ends, while the heartbeat thread rests; after the tick, the worker parks
    /// again.
    #[test]
    fn a_tick_wakes_the_parked_workers_until_it_ends_and_rests_the_heartbeat() {
        let pool = pool();
        let sleep = &pool.registry.sleep;
        check_a_tick_keeps_one_worker_awake(
            sleep,
            || pool.begin_tick(),
            || {
                assert!(
                    eventually(|| sleep.heartbeat_resting()),
                    "the heartbeat rests"
                )
            },
        );
    }

    /// Ticks nest: the pool stays active until the outermost ends.
    #[test]
    fn nested_ticks_end_with_the_outermost() {
        let pool = pool();
        let outer = pool.begin_tick();
        drop(pool.begin_tick());
        assert!(pool.registry.sleep.ticking());
        drop(outer);
        assert!(!pool.registry.sleep.ticking());
    }
}
