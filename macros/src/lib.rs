//! Procedural macros of metronome: `#[world(...)]`, `#[system]` and `#[derive(Component)]`.
//!
//! A pipeline: `parse` (syntax) -> `validate` (checks, all errors at once, builds the
//! `model`) -> `expand` (only `quote!`, cannot fail). This file only holds the shims.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod expand;
mod model;
mod parse;
mod validate;

use proc_macro::TokenStream;

/// Declares a world on a unit struct: its archetypes, resources, events, states, phases,
/// systems and executor, all fixed at compile time.
///
/// ```
/// use metronome::prelude::*;
///
/// #[derive(Component, Clone, Copy, Debug, PartialEq)]
/// pub struct Position { pub x: f32 }
/// #[derive(Component, Clone, Copy, Debug, PartialEq)]
/// pub struct Velocity { pub x: f32 }
///
/// pub struct Gravity(pub f32); // a resource with an initialiser: no `Default` needed
///
/// #[system]
/// pub fn fall(g: Res<Gravity>, mut q: Query<&mut Velocity>) {
///     for v in q.iter_mut() { v.x -= g.0; }
/// }
/// #[system]
/// pub fn integrate(mut q: Query<(&mut Position, &Velocity)>) {
///     for (p, v) in q.iter_mut() { p.x += v.x; }
/// }
///
/// #[world(
///     archetypes(Body = (Position, Velocity), Marker = Position),
///     resources(Gravity = Gravity(1.0)),
///     phases(Update),
///     systems(Update = [fall.before(integrate), integrate]),
///     executor = work_stealing(workers = 2, local_queue_size = 256, heartbeat_us = 100),
///     capacity(entities = 10_000, commands_per_stage = 1_024),
///     on_command_error = panic,
/// )]
/// pub struct Game;
///
/// let mut game = Game::new();
/// let e = game.spawn(Body(Position { x: 0.0 }, Velocity { x: 0.0 }));
/// game.tick();
/// assert_eq!(game.get::<Position>(e), Some(&Position { x: -1.0 }));
/// assert_eq!(Game::SCHEDULE.phases[0].stages, [["fall"].as_slice(), &["integrate"]]);
/// ```
///
/// # Grammar
///
/// The attribute is a comma-separated list of keys, each at most once, in any order
/// (a trailing comma is allowed). Only `archetypes` is required.
///
/// ```text
/// #[world(
///     archetypes(Name = (Component, ...), Name = Component, ...),   // required, >= 1
///     resources(Type, Type = initialiser_expr, ...),
///     events(Type, ...),
///     states(Type = initial_value_expr, ...),
///     phases(Phase, Phase = fixed(hz = N), ...),
///     sparse(Component, ...),
///     track(Component, ...),
///     hierarchy,
///     systems(
///         Phase = [system, system.after(a, b).before(c).run_if(cond), ...],
///         OnEnter(State::Value) = [system, ...],
///         OnExit(State::Value) = [system, ...],
///     ),
///     executor = EXECUTOR,
///     capacity(entities = N, commands_per_stage = N),
///     on_command_error = panic | collect,
///     max_fixed_steps = N,
///     stats = on | off,
/// )]
/// pub struct World;   // a unit struct; any visibility
///
/// EXECUTOR :=
///       sequential
///     | work_stealing(workers = N | auto, local_queue_size = P2, heartbeat_us = N)
///     | numa_aware(workers = N | auto, local_queue_size = P2, heartbeat_us = N,
///                  pin = true | false, memory = local | interleave)
///     | unsafe(continuation_stealing(workers = N | auto, local_queue_size = P2))
/// ```
///
/// ## Keys
///
/// - **`archetypes(Name = (A, B, ...), ...)`** (required, at least one): each archetype is
///   a set of component types (`#[derive(Component)]` types, written as paths); a single
///   component may be written without parentheses (`Prop = Position`). Each becomes a
///   tuple struct `Name(A, B, ...)` in the world's module, used with `spawn`. No two
///   archetypes may have the same set of components, and an archetype is not named like
///   a component or `{World}Phase`. At most 256 archetypes and 256 distinct component
///   types per world, at most 254 components per archetype.
/// - **`resources(T, T = expr, ...)`**: resource types (any `'static + Send + Sync`
///   type), read with `Res<T>` and written with `ResMut<T>`. Without an initialiser the
///   type must implement `Default`; `T = expr` initialises it with `expr` (evaluated in
///   `new()`). At most 256 resources, each listed once.
/// - **`events(T, ...)`**: event types (any `'static + Send + Sync` type), sent with
///   `EventWriter<T>` and read with `EventReader<T>`; an event is readable during the
///   tick it was sent in and the next one. At most 256.
/// - **`states(S = S::Initial, ...)`**: state types (`Copy + Eq + Hash + Debug + Send +
///   Sync + 'static`, usually a field-less enum) with their initial value. Each adds the
///   resources `State<S>` and `NextState<S>`; a change asked for with
///   `NextState::set` (or the world's `set_next_state`) happens at the start of the next
///   `tick`: the `OnExit(old)` list runs, the state switches, the `OnEnter(new)` list runs.
/// - **`phases(Update, ...)`**: the phases, in the order `tick` runs them; each becomes a
///   variant of the generated enum `{World}Phase` (for `run_phase`). Required when
///   `systems` lists a phase; each phase declared once. `Physics = fixed(hz = N)`
///   (N in `1..=10_000`) marks a fixed-step phase: `update(real_dt)` runs it as many
///   times as whole steps of `1/N` s have accumulated (at most `max_fixed_steps`),
///   `tick()` once; each run sees `Time::delta()` = the step.
/// - **`sparse(T, ...)`**: components any entity may carry without changing archetype:
///   each lives in a sparse set of its own (values and owners packed, an index by entity
///   slot), so `insert`/`remove` of one never moves the entity. Queries use them like any
///   component (`&T`, `&mut T`, `Option<&T>`, `With<T>`, `Without<T>`), and so do
///   `get`/`get_mut`/`has`, `despawn` and `Commands`. For the schedule a sparse component
///   is one column: two systems that touch it, one writing, never share a stage. A type
///   in `sparse(...)` may not also be in an archetype, and is listed once.
/// - **`track(T, ...)`**: change detection for these archetype components (each listed
///   once; a sparse component cannot be tracked). Their tables keep, per row, the tick
///   the value was added at and last changed at. Query filters `Added<T>` and
///   `Changed<T>` pass the rows added (spawn, insert) or changed (a write) since the
///   system's last run, whether run conditions skipped it meanwhile or not; outside
///   systems, since the start of the last `tick`. `Tracked<T>` query data yields `Mut<T>`,
///   which marks its row changed only when written through (`DerefMut`); `&mut T` of a
///   tracked `T` marks every row it visits. `get_mut`, `insert` (and their commands)
///   count as changes. `Added`/`Changed`/`Tracked` of an untracked component do not
///   compile. Untracked components pay nothing.
/// - **`hierarchy`** (no value): adds the sparse components `ChildOf(Entity)` and
///   `Children`, kept consistent by the world, and the methods `set_parent` (a cycle is an
///   `EcsError`), `children`, `parent` and `despawn_recursive`;
///   `commands.entity(c).set_parent(p)` defers one.
/// - **`systems(...)`**: for each phase, `Phase = [..]` lists its systems (`#[system]`
///   functions, by path: `integrate` or `physics::integrate`; a function listed without
///   `#[system]` is a compile error that says to add it); `OnEnter(S::X) = [..]` and
///   `OnExit(S::X) = [..]` list the systems of a state transition. After a system:
///   - `.after(a, ...)` / `.before(b, ...)`: explicit orderings against systems of the
///     same list (a system runs in a later stage than the ones it is after);
///   - `.run_if(cond)`: the system runs only when `cond` holds; `cond` is a `#[system]`
///     function returning `bool` whose parameters only read (`Res`, `Query` of `&T`,
///     `EventReader`, `Local`), or `in_state(S::X)`. Several `.run_if` are evaluated in
///     the order written and stop at the first `false`.
///
///   Systems that conflict (one writes what the other reads or writes, per column) are
///   placed in different stages, in declaration order unless an ordering says
///   otherwise; the others share a stage and may run at once. A system is listed once
///   per list; two systems with the same function name cannot be in one world. An
///   exclusive system (whose only parameter is `&mut World`) is a stage of its own and
///   takes no `.run_if`. Ordering cycles are compile errors that name the cycle.
/// - **`executor = ...`** (default `work_stealing(workers = auto, local_queue_size = 256,
///   heartbeat_us = 100)`): what runs the systems of a stage and the queries'
///   `par_for_each`.
/// - **`capacity(entities = N, commands_per_stage = N)`**: reservations made by `new()`;
///   both grow past them instead of failing. `entities`: the entity index's initial
///   capacity, `1..=4_294_967_295`, default `1_048_576`. `commands_per_stage`: a
///   reservation hint for each stage's command buffers, `1..=1_000_000`, default
///   `65_536`.
/// - **`on_command_error = panic | collect`** (default `panic`): what happens when a
///   deferred command fails as it is applied (an `insert` on a despawned entity, a
///   bundle matching no archetype). `panic`: the failed command changes nothing, the rest
///   of that stage's commands are discarded and `tick` panics, naming the system.
///   `collect`: the error is kept, with the system's name, for `take_command_errors()`.
/// - **`max_fixed_steps = N`** (`1..=1_000`, default `8`): at most this many steps of a
///   fixed phase per `update`; the rest are dropped and counted in
///   `stats().dropped_fixed_steps`.
/// - **`stats = on | off`** (default `on`): `off` removes the frame and system
///   statistics (`stats()` then only counts frames and dropped steps): no clock reads.
///
/// ## Executors and their parameters
///
/// | executor | runs on | parameters (default; bounds) |
/// |---|---|---|
/// | `sequential` | the thread that calls `tick` | none |
/// | `work_stealing(..)` | `ThreadPool`: heartbeat work stealing | `workers` (`auto`; `1..=1_024` or `auto`), `local_queue_size` (`256`; a power of two), `heartbeat_us` (`100`; `1..=1_000_000`) |
/// | `numa_aware(..)` | `NumaPool`: workers placed node by node, nearest victims first | the three above, `pin` (`false`; `true`/`false`: pin each worker to its core), `memory` (`local`; `local`: first-touch placement, or `interleave`: big column blocks interleaved over the pool's nodes) |
/// | `unsafe(continuation_stealing(..))` | `ContinuationPool`: work-first continuation stealing on fibers | `workers` (`auto`; `1..=1_024` or `auto`), `local_queue_size` (`256`; a power of two) |
///
/// `workers` counts the threads that run the systems, **the thread that calls `tick`
/// included**: it takes part in the pool, so `work_stealing(workers = n)` and
/// `numa_aware(workers = n)` start `n - 1` pool threads (`workers = 1`: none, the world
/// runs as on `sequential`); `continuation_stealing(workers = n)` starts `n` (its caller
/// waits). `workers = auto` is `std::thread::available_parallelism()`. `heartbeat_us` is how often a busy worker offers part of its
/// work to idle ones. Each parameter is given at most once; a parameter of another
/// executor is an error that says which executor takes it. Integer parameters are
/// integer literals (`1_000` is fine), so the bounds are checked at compile time.
/// `Game::with_workers(n)` builds the declared executor with `n` workers (counted the
/// same way) instead.
///
/// `continuation_stealing` runs the systems on the work-first `ContinuationPool`, where
/// the code after a `join`, `scope` or `par_for_each` may resume on another thread. By
/// writing `unsafe(...)` (like `#[unsafe(no_mangle)]`) the world's author accepts the
/// `# Safety` contract of `ContinuationPoolBuilder::build` for every system of the world,
/// every closure run through the world on its pool (`par_for_each` of a query from
/// `world.query_mut()`, by any code given the world), and everything they call: no
/// `!Send` value, thread-local reference, lock guard or thread-identity-derived address
/// is held across those calls, and no thread-local is accessed after one in the same
/// function. Without `unsafe(...)` it is a compile error that says so; `unsafe(...)`
/// around another executor is an error too.
///
/// # What it generates
///
/// The unit struct becomes the world. It implements `metronome::World` and has, among
/// others: `new()`, `with_workers(n)`, `spawn(bundle)`, `spawn_batch(iter)`,
/// `despawn(e)`, `insert(e, c)`, `remove::<C>(e)`, `get::<C>(e)`, `get_mut::<C>(e)`,
/// `has::<C>(e)`, `is_alive(e)`, `archetype_name(e)`, `len()`, `is_empty()`,
/// `query::<D>()`, `query_mut::<D>()`, `query_filtered::<D, F>()`,
/// `query_filtered_mut::<D, F>()`, `resource::<R>()`, `resource_mut::<R>()`, `tick()`,
/// `run_phase(phase)`, `frame()`, `take_command_errors()`; with events `send_event` and
/// `events::<E>()`; with states `state::<S>()` and `set_next_state(s)`. The constants
/// `SCHEDULE` (the phases' stages, computed at compile time), `TRANSITIONS` (the stages
/// of the `OnEnter`/`OnExit` lists) and `ARCHETYPES` (their names) describe it. Next to
/// it: one tuple struct per archetype and the enum `{World}Phase`.
///
/// Every mistake in the attribute is a compile error at the tokens concerned, all of
/// them at once, each saying how to fix it.
#[proc_macro_attribute]
pub fn world(attr: TokenStream, item: TokenStream) -> TokenStream {
    match validate::world(attr.into(), item.into()) {
        Ok(model) => expand::world(&model),
        Err(failure) => expand::world_fallback(&failure),
    }
    .into()
}

/// Marks a plain function as a system that worlds can list in `#[world(systems(...))]`.
///
/// The function stays callable as written; next to it `#[system]` adds a same-named
/// marker (in the type namespace) that implements `System<W>` for every world `W` that
/// has the components and resources its parameters use, with the access of each
/// parameter as a constant the world's schedule is computed from.
///
/// Parameters, any number and in any order:
///
/// - `Query<D>` / `Query<D, F>`: the entities that have the components of `D` (`&T`,
///   `&mut T`, `Entity`, `Option<&T>`, tuples of them), filtered by `F` (`With<T>`,
///   `Without<T>`, tuples);
/// - `Res<T>` / `ResMut<T>`: a resource of the world;
/// - `Commands`: deferred spawns, despawns, inserts and removes, applied at the end of
///   the system's stage;
/// - `EventWriter<E>` / `EventReader<E>`: send and read events;
/// - `Local<T>`: a value kept by the system from one run to the next (`T: Default`).
///
/// A system whose only parameter is `&mut World` (the world's type) is exclusive: it
/// runs alone, as a stage of its own, on the thread that called `tick`. A system may
/// return a value: one returning `bool` can be a run condition (`.run_if(system)`).
/// Two queries of one system that could alias (`&mut T` and `&T` of the same component
/// in overlapping archetypes) are a compile error that says how to make them disjoint.
///
/// ```
/// use metronome::prelude::*;
///
/// #[derive(Component, Clone, Copy, Debug, PartialEq)]
/// pub struct Health(pub i32);
///
/// #[system]
/// pub fn reap(units: Query<(Entity, &Health)>, mut commands: Commands, mut reaped: Local<u32>) {
///     for (entity, health) in units.iter() {
///         if health.0 <= 0 {
///             commands.despawn(entity);
///             *reaped += 1;
///         }
///     }
/// }
///
/// #[world(archetypes(Unit = (Health)), phases(Update), systems(Update = [reap]), executor = sequential)]
/// pub struct Game;
///
/// let mut game = Game::new();
/// let dead = game.spawn(Unit(Health(0)));
/// let alive = game.spawn(Unit(Health(5)));
/// game.tick();
/// assert!(!game.is_alive(dead) && game.is_alive(alive));
/// ```
#[proc_macro_attribute]
pub fn system(attr: TokenStream, item: TokenStream) -> TokenStream {
    match validate::system(attr.into(), item.into()) {
        Ok(model) => expand::system(&model),
        Err(failure) => expand::system_fallback(&failure),
    }
    .into()
}

/// Implements `Component` for a type (checking it is `Send + Sync + 'static` and at most
/// 64 KiB), so that archetypes of a `#[world]` can list it.
///
/// ```
/// use metronome::prelude::*;
///
/// #[derive(Component, Clone, Copy, Debug, PartialEq)]
/// pub struct Position { pub x: f32, pub y: f32 }
///
/// #[world(archetypes(Point = (Position)), executor = sequential)]
/// pub struct Space;
///
/// let mut space = Space::new();
/// let e = space.spawn(Point(Position { x: 1.0, y: 2.0 }));
/// assert_eq!(space.get::<Position>(e), Some(&Position { x: 1.0, y: 2.0 }));
/// ```
#[proc_macro_derive(Component)]
pub fn derive_component(item: TokenStream) -> TokenStream {
    match syn::parse::<syn::DeriveInput>(item) {
        Ok(input) => expand::component(&input),
        Err(error) => error.to_compile_error(),
    }
    .into()
}
