//! # metronome
//!
//! A statically declared ECS: `#[derive(Component)]`, `#[system]` on plain functions and
//! `#[world(...)]` on a unit struct give you archetype tables (struct of arrays), a static
//! transition table and a schedule computed at compile time, run by a thin runtime of fast
//! executors. `use metronome::prelude::*;` is all a user imports.
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

#![warn(missing_docs)]

pub use metronome_macros::{system, world, Component};
pub use metronome_runtime::{
    Commands, Component, EcsError, Entity, Local, PhaseSchedule, Query, Res, ResMut, Schedule,
    With, Without,
};
pub use metronome_runtime::{EventReader, EventWriter, NextState, State};

/// The executors and the rest of the runtime, usable alone (like rayon).
pub mod runtime {
    pub use metronome_runtime::exec::*;
    pub use metronome_runtime::{continuation, ContinuationPool, ContinuationPoolBuilder};
    pub use metronome_runtime::{
        join, par_for_each, scope, BuildError, Executor, Scope, ThreadPool, ThreadPoolBuilder,
    };
    pub use metronome_runtime::{memory, topology, MemoryPolicy, Topology};
}

/// Everything a user imports: `use metronome::prelude::*;`.
pub mod prelude {
    pub use crate::{
        system, world, Commands, Component, EcsError, Entity, Local, PhaseSchedule, Query, Res,
        ResMut, Schedule, With, Without,
    };
    pub use crate::{EventReader, EventWriter, NextState, State};
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
