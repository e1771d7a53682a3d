//! System parameters: `Query`, `Res`, `ResMut`, `Commands`, `Local`.

use crate::commands::{CommandBuffer, Commands};
use crate::component::ResourceOf;
use crate::query::{Query, QueryData, QueryDataOf, QueryFilter, QueryFilterOf, QueryPlan};
use crate::system::ParamAccess;
use crate::world::WorldDef;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

/// The per-system state a parameter keeps across runs, whatever the world (`Local`'s
/// value; `()` for the others). Kept apart from [`SystemParam`] so a world can name a
/// system's state type without requiring the system to fit the world.
pub trait ParamState {
    /// The state.
    type State: Default + Send + 'static;
}

/// Something a system can take as a parameter in world `W`.
///
/// # Safety
/// `ACCESS` declares everything `fetch` hands out, with the right mode.
pub unsafe trait SystemParam<W: WorldDef>: ParamState {
    /// The parameter as the system receives it.
    type Item<'w>;
    /// What the parameter reads and writes.
    const ACCESS: ParamAccess;
    /// Evaluating it checks the parameter against `W` (compile-time errors).
    const CHECK: () = ();
    /// Builds the parameter.
    ///
    /// # Safety
    /// Nothing else accesses what `ACCESS` writes, and nothing writes what it reads, for
    /// `'w`; `commands` is this system's buffer.
    unsafe fn fetch<'w>(
        world: &'w W,
        state: &'w mut Self::State,
        commands: NonNull<CommandBuffer>,
    ) -> Self::Item<'w>;
}

/// Shared access to resource `T`.
///
/// ```
/// use metronome_runtime::Res;
/// # #[derive(Default)] struct Time { dt: f32 }
/// fn print(time: Res<Time>) { let _dt: f32 = time.dt; }
/// ```
pub struct Res<'w, T>(&'w T);

/// Exclusive access to resource `T`.
///
/// ```
/// use metronome_runtime::ResMut;
/// # #[derive(Default)] struct Score(u32);
/// fn bump(mut score: ResMut<Score>) { score.0 += 1; }
/// ```
pub struct ResMut<'w, T>(&'w mut T);

/// Per-system state, `T::default()` at first and kept across runs.
///
/// ```
/// use metronome_runtime::Local;
/// fn count(mut runs: Local<u64>) { *runs += 1; }
/// ```
pub struct Local<'s, T>(&'s mut T);

impl<'w, T> Res<'w, T> {
    /// Wraps a reference (for calling systems by hand).
    pub fn new(value: &'w T) -> Self {
        Res(value)
    }
}

impl<'w, T> ResMut<'w, T> {
    /// Wraps a reference (for calling systems by hand).
    pub fn new(value: &'w mut T) -> Self {
        ResMut(value)
    }
}

impl<'s, T> Local<'s, T> {
    /// Wraps a reference (for calling systems by hand).
    pub fn new(value: &'s mut T) -> Self {
        Local(value)
    }
}

impl<T> Deref for Res<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.0
    }
}

impl<T> Deref for ResMut<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.0
    }
}

impl<T> DerefMut for ResMut<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.0
    }
}

impl<T> Deref for Local<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.0
    }
}

impl<T> DerefMut for Local<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.0
    }
}

// SAFETY: declares a shared read of the resource, and hands out `&T`.
unsafe impl<'x, W: WorldDef, T: ResourceOf<W>> SystemParam<W> for Res<'x, T> {
    type Item<'w> = Res<'w, T>;
    const ACCESS: ParamAccess = ParamAccess::Resource {
        id: T::ID,
        write: false,
    };
    unsafe fn fetch<'w>(world: &'w W, _: &'w mut (), _: NonNull<CommandBuffer>) -> Res<'w, T> {
        // SAFETY: the caller guarantees no writer of this resource runs during `'w`.
        Res(unsafe { &*T::cell(world).get() })
    }
}

// SAFETY: declares an exclusive write of the resource, and hands out `&mut T`.
unsafe impl<'x, W: WorldDef, T: ResourceOf<W>> SystemParam<W> for ResMut<'x, T> {
    type Item<'w> = ResMut<'w, T>;
    const ACCESS: ParamAccess = ParamAccess::Resource {
        id: T::ID,
        write: true,
    };
    unsafe fn fetch<'w>(world: &'w W, _: &'w mut (), _: NonNull<CommandBuffer>) -> ResMut<'w, T> {
        // SAFETY: the caller guarantees nothing else accesses this resource during `'w`.
        ResMut(unsafe { &mut *T::cell(world).get() })
    }
}

// SAFETY: `Local` touches only its own state, which the caller hands out exclusively.
unsafe impl<'x, W: WorldDef, T: Default + Send + 'static> SystemParam<W> for Local<'x, T> {
    type Item<'w> = Local<'w, T>;
    const ACCESS: ParamAccess = ParamAccess::Nothing;
    unsafe fn fetch<'w>(_: &'w W, state: &'w mut T, _: NonNull<CommandBuffer>) -> Local<'w, T> {
        Local(state)
    }
}

// SAFETY: `Commands` only records into the system's own buffer: no world access.
unsafe impl<'x, W: WorldDef> SystemParam<W> for Commands<'x> {
    type Item<'w> = Commands<'w>;
    const ACCESS: ParamAccess = ParamAccess::Nothing;
    unsafe fn fetch<'w>(
        world: &'w W,
        _: &'w mut (),
        commands: NonNull<CommandBuffer>,
    ) -> Commands<'w> {
        // SAFETY: the caller passes this system's buffer, used meanwhile only by this
        // system's own `Commands` and `EventWriter` handles, on this thread (neither is
        // `Send`), as `__from_raw` allows; the index is the world's, whose stage runner flushes reservations (see
        // `apply_stage_commands` and `DiscardOnUnwind` in `world`).
        unsafe { Commands::__from_raw(commands, world.core().storage().entities()) }
    }
}

// SAFETY: declares the query's reads, writes and matched archetypes (via its filter).
unsafe impl<'x, W: WorldDef, D: QueryDataOf<W>, F: QueryFilterOf<W>> SystemParam<W>
    for Query<'x, D, F>
where
    D: QueryData,
    F: QueryFilter,
{
    type Item<'w> = Query<'w, D, F>;
    const ACCESS: ParamAccess = ParamAccess::Query {
        // `Added`/`Changed` read the ticks of their components: a read of the component
        // for the schedule (unless the query writes it anyway).
        data: crate::query::DataAccess {
            reads: D::ACCESS
                .reads
                .union(F::ADDED.union(F::CHANGED).difference(D::ACCESS.writes)),
            ..D::ACCESS
        },
        with: F::WITH,
        without: F::WITHOUT,
    };
    const CHECK: () = {
        let _ = QueryPlan::<W, D, F>::ARCHETYPES;
    };
    unsafe fn fetch<'w>(
        world: &'w W,
        state: &'w mut LastRun,
        _: NonNull<CommandBuffer>,
    ) -> Query<'w, D, F> {
        let core = world.core();
        let last_run = if const { QueryPlan::<W, D, F>::TICKS } {
            state.advance(core.storage().change_tick())
        } else {
            0
        };
        // SAFETY: the core's storage is `W`'s, one table per archetype (a `WorldCore<W>` is
        // only built by the unsafe `WorldCore::new`, and its fields are private); the
        // caller guarantees the access declared above is free during `'w`.
        unsafe { Query::__new::<W>(core.storage(), core.executor(), last_run) }
    }
}

impl<T> ParamState for Res<'_, T> {
    type State = ();
}

impl<T> ParamState for ResMut<'_, T> {
    type State = ();
}

impl<T: Default + Send + 'static> ParamState for Local<'_, T> {
    type State = T;
}

impl ParamState for Commands<'_> {
    type State = ();
}

impl<D: QueryData, F: QueryFilter> ParamState for Query<'_, D, F> {
    type State = LastRun;
}

/// The change tick of a query parameter's last run (for its `Added`/`Changed` filters);
/// before the first run, everything counts as new.
///
/// ```
/// use metronome_runtime::LastRun;
/// let mut last = LastRun::default();
/// let first = last.advance(10);
/// assert!(10u32.wrapping_sub(first) > 1_000_000, "the first run sees everything");
/// assert_eq!(last.advance(12), 10);
/// ```
#[derive(Default, Debug, Clone, Copy)]
pub struct LastRun(Option<u32>);

impl LastRun {
    /// The last run's tick (clamped to the oldest age a tick may have, or that age
    /// before the first run), recording `now` as the new last run.
    pub fn advance(&mut self, now: u32) -> u32 {
        use crate::storage::ticks::{clamp, MAX_CHANGE_AGE};
        let last = self
            .0
            .map_or(now.wrapping_sub(MAX_CHANGE_AGE), |last| clamp(last, now));
        self.0 = Some(now);
        last
    }
}

/// The entities that lost tracked component `T` (by `remove`, or `despawn`) since the
/// system's last run, in the order they lost it; `T` must be in `track(...)` of the
/// world. A system skipped by run conditions sees, at its next run, every removal since
/// the run before; before its first run it sees none.
///
/// ```
/// use metronome_runtime::RemovedComponents;
/// # struct Health(i32); impl metronome_runtime::Component for Health { const NAME: &'static str = "Health"; }
/// fn mourn(removed: RemovedComponents<Health>) {
///     for entity in removed.read() {
///         let _ = entity;
///     }
/// }
/// ```
pub struct RemovedComponents<'w, T> {
    log: Option<&'w crate::storage::RemovalLog>,
    last_run: u32,
    now: u32,
    _component: std::marker::PhantomData<fn() -> T>,
}

impl<T> RemovedComponents<'_, T> {
    /// The entities that lost `T` since the system's last run, oldest first.
    pub fn read(&self) -> impl Iterator<Item = crate::entity::Entity> + '_ {
        self.log
            .into_iter()
            .flat_map(|log| log.since(self.last_run, self.now))
    }
}

/// The state of a [`RemovedComponents`] parameter: its last run's tick, shared with the
/// world's removal log, which keeps what this reader has not seen.
///
/// ```
/// use metronome_runtime::{ParamState, RemovalReader, RemovedComponents};
/// # struct Health; impl metronome_runtime::Component for Health { const NAME: &'static str = "Health"; }
/// let _state: <RemovedComponents<Health> as ParamState>::State = RemovalReader::default();
/// ```
#[derive(Default)]
pub struct RemovalReader {
    last_run: Option<std::sync::Arc<std::sync::atomic::AtomicU32>>,
}

impl<T: 'static> ParamState for RemovedComponents<'_, T> {
    type State = RemovalReader;
}

// SAFETY: reads the world's removal log of `T`, which only `&mut` world operations
// (never a running stage) change: nothing to declare.
unsafe impl<'x, W: WorldDef, T: crate::query::TrackedOf<W>> SystemParam<W>
    for RemovedComponents<'x, T>
{
    type Item<'w> = RemovedComponents<'w, T>;
    const ACCESS: ParamAccess = ParamAccess::Nothing;
    unsafe fn fetch<'w>(
        world: &'w W,
        state: &'w mut RemovalReader,
        _: NonNull<CommandBuffer>,
    ) -> RemovedComponents<'w, T> {
        use std::sync::atomic::Ordering;
        let storage = world.core().storage();
        let now = storage.change_tick();
        let log = storage.removals(T::ID);
        let last_run = match &state.last_run {
            Some(last) => crate::storage::ticks::clamp(last.load(Ordering::Relaxed), now),
            None => {
                // The first run: nothing before it; from now on the log keeps what this
                // reader has not seen.
                let last = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(now));
                if let Some(log) = log {
                    log.register(&last);
                }
                state.last_run = Some(last);
                now
            }
        };
        if let Some(last) = &state.last_run {
            last.store(now, Ordering::Relaxed);
        }
        RemovedComponents {
            log,
            last_run,
            now,
            _component: std::marker::PhantomData,
        }
    }
}
