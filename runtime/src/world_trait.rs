//! The [`World`] trait: what every `#[world]` type can do, for generic driver code.

use crate::component::{Bundle, ResourceOf};
use crate::entity::Entity;
use crate::exec::BuildError;
use crate::world::{self, ExecutorConfig, WorldDef, WorldExecutor};

/// Every `#[world]` type implements `World`, so driver code (a game loop, a benchmark, a
/// test harness) can be written once for any world:
///
/// ```
/// use metronome_runtime::World;
///
/// fn run_frames<W: World>(world: &mut W, frames: u64) -> usize {
///     while world.frame() < frames {
///         world.tick();
///     }
///     world.len()
/// }
/// ```
///
/// (The `metronome` crate's documentation has a whole world driven this way.)
///
/// The methods are the world's own inherent methods: `new`, `tick`, `frame`,
/// `len`, `is_alive`, `despawn`, `spawn`, `resource`, `resource_mut`. (`update` and
/// `stats`, for frame timing and run statistics, come with the time and insight
/// features and are not part of the trait yet.)
pub trait World: WorldDef {
    /// An empty world with its resources initialised.
    fn new() -> Self;

    /// Runs every phase once, in order (see the world's `tick`).
    #[inline]
    fn tick(&mut self) {
        world::tick(self)
    }

    /// Ticks run so far.
    #[inline]
    fn frame(&self) -> u64 {
        self.core().frame()
    }

    /// Number of live entities.
    #[inline]
    fn len(&self) -> usize {
        self.core().len()
    }

    /// Whether no entity is alive.
    #[inline]
    fn is_empty(&self) -> bool {
        self.core().is_empty()
    }

    /// Whether `entity` is alive.
    #[inline]
    fn is_alive(&self, entity: Entity) -> bool {
        world::is_alive(self, entity)
    }

    /// Despawns `entity`; `false` for a dead or stale entity.
    #[inline]
    fn despawn(&mut self, entity: Entity) -> bool {
        world::despawn(self, entity)
    }

    /// Spawns an entity: an archetype struct, or the exact tuple of an archetype's
    /// components in declared order.
    #[inline]
    fn spawn<B: Bundle<Self>>(&mut self, bundle: B) -> Entity {
        world::spawn(self, bundle)
    }

    /// Resource `T`.
    #[inline]
    fn resource<T: ResourceOf<Self>>(&self) -> &T {
        world::resource(self)
    }

    /// Resource `T`, mutably.
    #[inline]
    fn resource_mut<T: ResourceOf<Self>>(&mut self) -> &mut T {
        world::resource_mut(self)
    }
}

impl WorldExecutor {
    /// The executor `config` describes with `workers` workers instead of the declared
    /// count (a world's `with_workers`): an error if the pool cannot be built (`0`, over
    /// the maximum, threads refused) or if the world is `sequential`, which has no
    /// workers to set.
    ///
    /// ```
    /// use metronome_runtime::{ExecutorConfig, WorldExecutor};
    /// let config = ExecutorConfig::WorkStealing { workers: None, local_queue_size: 256, heartbeat_us: 100 };
    /// assert_eq!(WorldExecutor::with_workers(config, 2).unwrap().workers(), 2);
    /// assert!(WorldExecutor::with_workers(config, 0).is_err());
    /// assert!(WorldExecutor::with_workers(ExecutorConfig::Sequential, 2).is_err());
    /// ```
    pub fn with_workers(
        config: ExecutorConfig,
        workers: usize,
    ) -> Result<WorldExecutor, BuildError> {
        use crate::exec::{NumaPool, ThreadPool};
        use crate::memory::MemoryPolicy;
        let thread_name = |i: usize| format!("metronome-world-{i}");
        match config {
            ExecutorConfig::Sequential => Err(BuildError::SequentialWorld),
            ExecutorConfig::WorkStealing {
                local_queue_size,
                heartbeat_us,
                ..
            } => ThreadPool::builder()
                .workers(workers)
                .local_queue_size(local_queue_size)
                .heartbeat(std::time::Duration::from_micros(heartbeat_us))
                .thread_name(thread_name)
                .build()
                .map(WorldExecutor::Pool),
            ExecutorConfig::NumaAware {
                local_queue_size,
                heartbeat_us,
                pin,
                interleave,
                ..
            } => NumaPool::builder()
                .workers(workers)
                .local_queue_size(local_queue_size)
                .heartbeat(std::time::Duration::from_micros(heartbeat_us))
                .pin(pin)
                .memory(if interleave {
                    MemoryPolicy::Interleave
                } else {
                    MemoryPolicy::Local
                })
                .thread_name(thread_name)
                .build()
                .map(WorldExecutor::Numa),
        }
    }
}
