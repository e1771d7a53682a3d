//! The [`World`] trait: what every `#[world]` type can do, for generic driver code.

use crate::component::{Bundle, ResourceOf};
use crate::entity::Entity;
use crate::error::EcsError;
use crate::exec::BuildError;
use crate::record::Record;
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
/// The methods are the world's own: `new`, `tick`, `frame`, `len`, `is_alive`,
/// `despawn`, `spawn`, `resource`, `resource_mut`, `update`, `stats`, and the record
/// moves `take` and `put` (section "Worlds that move"), so that generic code can move
/// entities between worlds of any type (a sharded world migrating them between ranks).
pub trait World: WorldDef {
    /// An empty world with its resources initialised.
    fn new() -> Self;

    /// Runs every phase once, in order (see the world's `tick`).
    #[inline]
    fn tick(&mut self) {
        world::tick(self)
    }

    /// Runs one frame of `real_dt`: fixed phases as often as their accumulators allow,
    /// every other phase once (see the world's `update`).
    #[inline]
    fn update(&mut self, real_dt: std::time::Duration) {
        crate::frames::update(self, real_dt)
    }

    /// The world's frame and system statistics.
    #[inline]
    fn stats(&self) -> &crate::frames::FrameStats {
        self.core().stats()
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

    /// Removes `entity` and returns its components as a world-independent record (see
    /// the world's `take`).
    #[inline]
    fn take(&mut self, entity: Entity) -> Result<Record, EcsError> {
        world::records::take(self, entity)
    }

    /// Spawns an entity from `record` (see the world's `put`): on `Err` nothing changed,
    /// the record included; on `Ok` a `&mut` record is left empty.
    #[inline]
    fn put(&mut self, mut record: impl std::borrow::BorrowMut<Record>) -> Result<Entity, EcsError> {
        world::records::put(self, record.borrow_mut())
    }
}

impl WorldExecutor {
    /// The executor's name as a world declares it: `sequential`, `work_stealing`,
    /// `numa_aware` or `continuation_stealing`.
    ///
    /// ```
    /// use metronome_runtime::{ExecutorConfig, WorldExecutor};
    /// assert_eq!(WorldExecutor::new(ExecutorConfig::Sequential).name(), "sequential");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            WorldExecutor::Sequential => "sequential",
            WorldExecutor::Pool(_) => "work_stealing",
            WorldExecutor::Numa(_) => "numa_aware",
            WorldExecutor::Continuation(_) => "continuation_stealing",
        }
    }

    /// The executor `config` describes with `workers` threads instead of the declared
    /// count (a world's `with_workers`), the calling thread counted (see
    /// [`WorldExecutor::build`]): an error if the pool cannot be built (`0`, over the
    /// maximum, threads refused) or if the world is `sequential`, which has no workers
    /// to set.
    ///
    /// ```
    /// use metronome_runtime::{ExecutorConfig, WorldExecutor};
    /// let config = ExecutorConfig::WorkStealing { workers: None, local_queue_size: 256, heartbeat_us: 100 };
    /// assert_eq!(WorldExecutor::with_workers(config, 2).unwrap().workers(), 2);
    /// // The calling thread alone: no pool.
    /// assert!(WorldExecutor::with_workers(config, 1).unwrap().is_sequential());
    /// assert!(WorldExecutor::with_workers(config, 0).is_err());
    /// assert!(WorldExecutor::with_workers(ExecutorConfig::Sequential, 2).is_err());
    /// ```
    pub fn with_workers(
        config: ExecutorConfig,
        workers: usize,
    ) -> Result<WorldExecutor, BuildError> {
        WorldExecutor::build(config, Some(workers))
    }
}
