//! # metronome
//!
//! A statically declared ECS: `#[derive(Component)]`, `#[system]` on plain functions and
//! `#[world(...)]` on a unit struct give you archetype tables (struct of arrays), a static
//! transition table and a schedule computed at compile time, run by a thin runtime of fast
//! executors. `use metronome::prelude::*;` is all a user imports.
//!
//! The complete grammar of `#[world(...)]` — every key, every executor with its
//! parameters, defaults and bounds — is the documentation of [`world`]; the repository's
//! `docs/` folder holds a guide.
//!
//! ```
//! use metronome::prelude::*;
//!
//! #[derive(Component, Clone, Copy, Debug, PartialEq)]
//! pub struct Position { pub x: f32 }
//! #[derive(Component, Clone, Copy, Debug, PartialEq)]
//! pub struct Velocity { pub x: f32 }
//!
//! #[system]
//! pub fn integrate(mut movers: Query<(&mut Position, &Velocity)>) {
//!     for (pos, vel) in movers.iter_mut() {
//!         pos.x += vel.x;
//!     }
//! }
//!
//! #[world(
//!     archetypes(Mover = (Position, Velocity)),
//!     phases(Update),
//!     systems(Update = [integrate]),
//!     executor = sequential,
//! )]
//! pub struct Game;
//!
//! let mut game = Game::new();
//! let e = game.spawn(Mover(Position { x: 0.0 }, Velocity { x: 2.0 }));
//! game.tick();
//! assert_eq!(game.get::<Position>(e), Some(&Position { x: 2.0 }));
//! ```

//!
//! ## Events, run conditions and states
//!
//! `events(T, ...)` declares event types: systems send them with [`EventWriter`] and read
//! them with [`EventReader`]. `system.run_if(condition)` runs a system only when a
//! `#[system]` function returning `bool` (reading only: `Res`, `Query` of `&T`,
//! `EventReader`, `Local`) says so, or when `in_state(S::X)` holds. `states(S = initial)`
//! adds the resources [`State<S>`](State) and [`NextState<S>`](NextState); a change asked
//! for with `NextState::set` runs the `OnExit(old)` systems, switches, then runs the
//! `OnEnter(new)` systems, at the start of the next tick.
//!
//! ```
//! use metronome::prelude::*;
//!
//! #[derive(Component, Clone, Copy, Debug, PartialEq)]
//! pub struct Health(pub i32);
//!
//! #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
//! pub enum GameState { Menu, Playing }
//!
//! /// An event: any `'static + Send + Sync` type.
//! pub struct Damage { pub target: Entity, pub amount: i32 }
//!
//! #[system]
//! pub fn hit(mut out: EventWriter<Damage>, q: Query<Entity, With<Health>>) {
//!     out.send_batch(q.iter().map(|target| Damage { target, amount: 3 }));
//! }
//!
//! #[system]
//! pub fn apply_damage(mut inbox: EventReader<Damage>, mut hp: Query<&mut Health>) {
//!     for d in inbox.read() {
//!         if let Some(h) = hp.get_mut(d.target) { h.0 -= d.amount; }
//!     }
//! }
//!
//! #[system]
//! pub fn anyone_alive(q: Query<&Health>) -> bool {
//!     q.iter().any(|h| h.0 > 0)
//! }
//!
//! #[system]
//! pub fn spawn_player(mut commands: Commands) {
//!     commands.spawn((Health(10),));
//! }
//!
//! #[world(
//!     archetypes(Unit = (Health)),
//!     events(Damage),
//!     states(GameState = GameState::Menu),
//!     phases(Update),
//!     systems(
//!         Update = [
//!             hit.run_if(in_state(GameState::Playing)).run_if(anyone_alive),
//!             apply_damage.after(hit),
//!         ],
//!         OnEnter(GameState::Playing) = [spawn_player],
//!     ),
//!     executor = sequential,
//! )]
//! pub struct Game;
//!
//! let mut game = Game::new();
//! game.tick(); // in the menu: nobody is hit
//! assert_eq!(game.len(), 0);
//! game.set_next_state(GameState::Playing);
//! game.tick(); // enters Playing (spawns the player), then the player is hit
//! assert_eq!(game.state::<GameState>(), GameState::Playing);
//! assert_eq!(game.query::<&Health>().iter().next(), Some(&Health(7)));
//! assert_eq!(game.events::<Damage>().count(), 1);
//! ```
//!
//! Where the design leaves a choice open, metronome does what a Bevy user expects:
//!
//! - **Events** age by ticks: a world's `tick` drops, at its start, the events sent
//!   before the previous tick began; `run_phase` alone does not age them. A reader that
//!   did not run for a whole tick (a `run_if` that was false) misses the events older
//!   than that. A new reader (the first run of its system) reads every event still held.
//!   Events sent by the systems of a stage that panicked are discarded with its
//!   commands. An `EventReader` in a run condition has its own place in the events,
//!   apart from its system's.
//! - **Run conditions** may take `Local` (per condition and per `run_if`, kept across
//!   runs) and `EventReader`; a system that is skipped does not run at all (its
//!   `Local`s, readers and commands are untouched). Conditions are evaluated in the
//!   order written and stop at the first `false`.
//! - **States** change only in `tick` (not in `run_phase`). The first tick enters the
//!   initial value, then applies a change asked for before it. The last value set
//!   before a tick wins; setting the current value runs its `OnExit` and `OnEnter`
//!   systems again (Bevy's `NextState::set`). Several state types change in the order
//!   of `states(...)`. The `OnEnter`/`OnExit` lists run like phases (stages, commands
//!   applied at each stage's end) but are not phases: they are not in `SCHEDULE` nor in
//!   the phase enum (the world's `TRANSITIONS` schedule shows their stages), and a
//!   system may be listed both in a phase and in such a list. A
//!   change whose `OnExit` systems panic is dropped (the state keeps its old value); one
//!   whose `OnEnter` systems panic has happened (the state has its new value). Either
//!   way the panic reaches the caller of `tick`, which is not counted.
//!
//! ## Executors
//!
//! `executor = ` takes `sequential`, `work_stealing(...)` (the default, heartbeat work
//! stealing), `numa_aware(...)` or `unsafe(continuation_stealing(...))`. The last one runs
//! the systems on [`runtime::ContinuationPool`], where the code after a `join`, `scope`
//! or `par_for_each` may continue on another thread; `unsafe(...)` is the world author's
//! promise that no system, nor any closure run through the world (`par_for_each` of a
//! query taken from it), holds a thread-bound value across those calls (the contract of
//! [`runtime::ContinuationPoolBuilder::build`]).
//!
//! ```
//! use metronome::prelude::*;
//!
//! #[derive(Component, Clone, Copy, Debug, PartialEq)]
//! pub struct Position { pub x: f32 }
//!
//! #[system]
//! pub fn drift(mut q: Query<&mut Position>) {
//!     q.par_for_each(|p| p.x += 1.0);
//! }
//!
//! #[world(
//!     archetypes(Body = (Position)),
//!     phases(Update),
//!     systems(Update = [drift]),
//!     // `drift` holds only its query (references into the world) across its
//!     // `par_for_each`, and touches no thread-local.
//!     executor = unsafe(continuation_stealing(workers = 2, local_queue_size = 64)),
//! )]
//! pub struct Game;
//!
//! let mut game = Game::new();
//! let e = game.spawn(Body(Position { x: 0.0 }));
//! game.tick();
//! assert_eq!(game.get::<Position>(e), Some(&Position { x: 1.0 }));
//! ```

//!
//! ## Sparse components
//!
//! `sparse(Slowed, ...)` declares components that any entity may carry without changing
//! archetype (one sparse set each): `insert`/`remove` never move the entity, and queries,
//! `With`/`Without`, `Option`, `get`/`get_mut`, `despawn` and `Commands` treat them like
//! any component. A query that touches one walks the tables its archetype components match
//! and skips the rows whose entity fails the sparse requirements (items keep the usual
//! order); its `par_for_each` runs on the caller. For the schedule a sparse component is
//! one column: systems writing it never share a stage with others touching it.
//!
//! ```
//! use metronome::prelude::*;
//!
//! #[derive(Component, Clone, Copy, Debug, PartialEq)]
//! pub struct Position { pub x: f32 }
//! #[derive(Component, Clone, Copy, Debug, PartialEq)]
//! pub struct Slowed(pub f32);
//!
//! #[system]
//! pub fn walk(mut creeps: Query<(&mut Position, Option<&Slowed>)>) {
//!     for (p, slowed) in creeps.iter_mut() {
//!         p.x += slowed.map_or(1.0, |s| s.0);
//!     }
//! }
//!
//! #[system]
//! pub fn thaw(slowed: Query<(Entity, &Position), With<Slowed>>, mut commands: Commands) {
//!     for (e, p) in slowed.iter() {
//!         if p.x >= 1.0 { commands.remove::<Slowed>(e); }
//!     }
//! }
//!
//! #[world(
//!     archetypes(Creep = (Position)),
//!     sparse(Slowed),
//!     phases(Update),
//!     systems(Update = [walk, thaw]),
//!     executor = sequential,
//! )]
//! pub struct Game;
//!
//! let mut game = Game::new();
//! let e = game.spawn((Position { x: 0.0 },));
//! game.insert(e, Slowed(0.5))?;
//! assert_eq!(game.archetype_name(e), Some("Creep")); // not moved
//! game.tick(); // x = 0.5
//! game.tick(); // x = 1.0, thawed
//! assert!(!game.has::<Slowed>(e));
//! game.tick();
//! assert_eq!(game.get::<Position>(e), Some(&Position { x: 2.0 }));
//! # Ok::<(), EcsError>(())
//! ```
//!
//! ## Systems that talk
//!
//! `Commands::spawn` hands the new entity's handle back at once (it is alive once the
//! stage's commands are applied); `commands.entity(e)` chains commands on one entity; a
//! system whose only parameter is `&mut Game` is exclusive: it runs alone, as a stage of
//! its own, and may call the world's methods. A command that fails when applied panics,
//! naming the system (or is kept for `take_command_errors()` with
//! `on_command_error = collect`). Every world implements [`World`], for driver code
//! written once.
//!
//! ```
//! use metronome::prelude::*;
//!
//! #[derive(Component, Clone, Copy, Debug, PartialEq)]
//! pub struct Position { pub x: f32 }
//! #[derive(Component, Clone, Copy, Debug, PartialEq)]
//! pub struct Health(pub i32);
//!
//! #[derive(Default)]
//! pub struct Spawned(pub Vec<Entity>);
//!
//! #[system]
//! pub fn setup(mut spawned: ResMut<Spawned>, mut commands: Commands) {
//!     if spawned.0.is_empty() {
//!         let e: Entity = commands.spawn((Position { x: 0.0 },));
//!         commands.entity(e).insert(Health(3));
//!         spawned.0.push(e);
//!     }
//! }
//!
//! #[system]
//! pub fn hurt(mut units: Query<(Entity, &mut Health)>, mut commands: Commands) {
//!     units.par_for_each_with_commands(&mut commands, |(e, health), cmds| {
//!         health.0 -= 1;
//!         if health.0 <= 0 {
//!             cmds.despawn(e);
//!         }
//!     });
//! }
//!
//! /// Exclusive: the whole world, alone in its stage.
//! #[system]
//! pub fn census(game: &mut Game) {
//!     let alive = game.len() as f32;
//!     for p in game.query_mut::<&mut Position>().iter_mut() {
//!         p.x = alive;
//!     }
//! }
//!
//! #[world(
//!     archetypes(Unit = (Position, Health), Prop = (Position)),
//!     resources(Spawned),
//!     phases(Update),
//!     systems(Update = [setup, hurt, census]),
//!     executor = work_stealing(workers = 2),
//!     on_command_error = panic,
//! )]
//! pub struct Game;
//!
//! fn drive<W: World>(world: &mut W, frames: u64) -> usize {
//!     while world.frame() < frames {
//!         world.tick();
//!     }
//!     world.len()
//! }
//!
//! assert_eq!(
//!     Game::SCHEDULE.phases[0].stages,
//!     [["setup", "hurt"].as_slice(), &["census"]]
//! );
//! let mut game = Game::with_workers(2)?;
//! assert_eq!(drive(&mut game, 1), 1);
//! let e = game.resource::<Spawned>().0[0];
//! assert_eq!(game.get::<Health>(e), Some(&Health(3)), "spawned at the end of `setup`'s stage");
//! assert_eq!(game.get::<Position>(e), Some(&Position { x: 1.0 }));
//! assert_eq!(drive(&mut game, 4), 0, "three runs of `hurt` later");
//! assert!(!game.is_alive(e));
//! # Ok::<(), BuildError>(())
//! ```

#![deny(missing_docs)]

pub use metronome_macros::{system, world, Component};
pub use metronome_runtime::pressure::{PressureConfig, PressureLevel, PressureMonitor};
/// The `serde` crate that `save`/`load` use (feature `serde`): derive `Serialize` and
/// `Deserialize` through it without a dependency of your own, with
/// `#[serde(crate = "metronome::serde")]`.
#[cfg(feature = "serde")]
pub use metronome_runtime::save::serde;
#[cfg(feature = "serde")]
pub use metronome_runtime::save::{Format, LoadError, SaveError};
pub use metronome_runtime::Snapshot;
pub use metronome_runtime::{Added, Changed, Mut, RemovedComponents, Tracked};
pub use metronome_runtime::{
    BuildError, Bundle, CommandErrorPolicy, Commands, Component, EcsError, Entity, EntityCommands,
    Local, PhaseSchedule, Query, Res, ResMut, ResourceOf, Schedule, With, Without, World,
};
pub use metronome_runtime::{ChildOf, Children, EventReader, EventWriter, NextState, State};
pub use metronome_runtime::{Coordinator, ImportReport, Outbox, Record, Rejected};
pub use metronome_runtime::{FrameStats, RunConfig, SystemStats, Time};

/// The executors and the rest of the runtime, usable alone (like rayon).
pub mod runtime {
    pub use metronome_runtime::exec::*;
    pub use metronome_runtime::{continuation, ContinuationPool, ContinuationPoolBuilder};
    pub use metronome_runtime::{
        join, par_for_each, scope, BuildError, Executor, Scope, ThreadPool, ThreadPoolBuilder,
    };
    pub use metronome_runtime::{memory, pressure, topology, MemoryPolicy, Topology};
}

/// Everything a user imports: `use metronome::prelude::*;`.
pub mod prelude {
    pub use crate::Snapshot;
    pub use crate::{
        system, world, BuildError, Bundle, CommandErrorPolicy, Commands, Component, EcsError,
        Entity, EntityCommands, Local, PhaseSchedule, Query, Res, ResMut, ResourceOf, Schedule,
        With, Without, World,
    };
    pub use crate::{Added, Changed, Mut, RemovedComponents, Tracked};
    pub use crate::{ChildOf, Children};
    pub use crate::{Coordinator, ImportReport, Outbox, Record, Rejected};
    pub use crate::{EventReader, EventWriter, NextState, State};
    #[cfg(feature = "serde")]
    pub use crate::{Format, LoadError, SaveError};
    pub use crate::{FrameStats, RunConfig, SystemStats, Time};
    pub use crate::{PressureConfig, PressureLevel, PressureMonitor};
}

/// What generated code names; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use metronome_runtime::world;
    pub use metronome_runtime::*;
}

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The guide in `docs/`: every Rust block is compiled (and run, or must fail to
/// compile where marked `compile_fail`) as a doctest.
#[cfg(doctest)]
pub mod guide {
    #[doc = include_str!("../docs/getting-started.md")]
    pub struct GettingStarted;
    #[doc = include_str!("../docs/worlds.md")]
    pub struct Worlds;
    #[doc = include_str!("../docs/systems-and-queries.md")]
    pub struct SystemsAndQueries;
    #[doc = include_str!("../docs/commands-and-events.md")]
    pub struct CommandsAndEvents;
    #[doc = include_str!("../docs/states-and-run-conditions.md")]
    pub struct StatesAndRunConditions;
    #[doc = include_str!("../docs/records-and-coordinator.md")]
    pub struct RecordsAndCoordinator;
    #[doc = include_str!("../docs/saving.md")]
    pub struct Saving;
    #[doc = include_str!("../docs/executors.md")]
    pub struct Executors;
    #[doc = include_str!("../docs/compile-errors.md")]
    pub struct CompileErrors;
    #[doc = include_str!("../docs/performance.md")]
    pub struct Performance;
    #[doc = include_str!("../docs/soundness.md")]
    pub struct Soundness;
}
