//! Procedural macros of metronome: `#[world(...)]`, `#[system]` and `#[derive(Component)]`.
//!
//! A pipeline: `parse` (syntax) -> `validate` (checks, all errors at once, builds the
//! `model`) -> `expand` (only `quote!`, cannot fail). This file only holds the shims.
#![forbid(unsafe_code)]
#![allow(missing_docs)]

mod expand;
mod model;
mod parse;
mod validate;

use proc_macro::TokenStream;

/// Declares a world on a unit struct: archetypes, resources, events, states, phases,
/// systems, executor. See the crate `metronome` for the grammar.
///
/// `events(Damage, ...)` declares event types; `states(GameState = GameState::Menu, ...)`
/// state types with their initial values. In `systems(...)`, `OnEnter(GameState::X) = [..]`
/// and `OnExit(GameState::X) = [..]` list the systems of a transition, and a system may
/// carry `.run_if(condition)` (a `#[system]` fn returning `bool`, or
/// `in_state(GameState::X)`), as often as needed.
///
/// `sparse(Slowed, Burning)` declares components that any entity may carry without
/// changing archetype: each lives in a sparse set of its own (values and owners packed,
/// an index by entity slot), so `insert`/`remove` of one never moves the entity. Queries
/// use them like any component (`&T`, `&mut T`, `Option<&T>`, `With<T>`, `Without<T>`),
/// and so do `get`/`get_mut`/`has`, `despawn` and `Commands`. For the schedule a sparse
/// component is one column: two systems that touch it, one writing, never share a stage.
/// A type listed in `sparse(...)` may not also be in an archetype, and is listed once.
///
/// ```text
/// #[world(archetypes(Creep = (Position)), sparse(Slowed), ...)]
/// ```
///
/// (The crate `metronome` has a whole world with a sparse component, run as a doctest.)
///
/// `hierarchy` (no value) adds the sparse components `ChildOf(Entity)` and `Children`,
/// kept consistent by the world, and the methods `set_parent`, `children`, `parent` and
/// `despawn_recursive` (see the crate `metronome`'s README).
///

/// Frames: in `phases(...)`, `Physics = fixed(hz = N)` (N in 1 ..= 10_000) marks a
/// fixed-step phase: `update(real_dt)` runs it as many times as whole steps of `1/N` s
/// have accumulated, `tick()` once, each run with `Time::delta()` = the step.
/// `max_fixed_steps = N` (1 ..= 1_000, default 8) caps the steps of one `update`; the
/// rest are dropped and counted in `stats().dropped_fixed_steps`. `stats = off` (default
/// `on`) removes the frame and system statistics (`stats()` then only counts frames and
/// dropped steps): no clock reads at all.
///
/// ```text
/// phases(Input, Physics = fixed(hz = 60), Update),
/// max_fixed_steps = 8,
/// stats = on,
/// ```
///
/// `executor = ...` is one of:
///
/// ```text
/// sequential
/// work_stealing(workers = N | auto, local_queue_size = P2, heartbeat_us = N)
/// numa_aware(workers = N | auto, local_queue_size = P2, heartbeat_us = N, pin = bool, memory = local | interleave)
/// unsafe(continuation_stealing(workers = N | auto, local_queue_size = P2))
/// ```
///
/// `continuation_stealing` runs the systems on the work-first `ContinuationPool`, where
/// the code after a `join`, `scope` or `par_for_each` may resume on another thread. By
/// writing `unsafe(...)` (like `#[unsafe(no_mangle)]`) the world's author accepts the
/// `# Safety` contract of `ContinuationPoolBuilder::build` for every system of the world,
/// every closure run through the world on its pool (`par_for_each` of a query from
/// `world.query_mut()`, by any code given the world), and everything they call: no `!Send` value, thread-local reference, lock guard or
/// thread-identity-derived address is held across those calls, and no thread-local is
/// accessed after one in the same function. Without `unsafe(...)` it is a compile error
/// that says so; `unsafe(...)` around another executor is an error too.
#[proc_macro_attribute]
pub fn world(attr: TokenStream, item: TokenStream) -> TokenStream {
    match validate::world(attr.into(), item.into()) {
        Ok(model) => expand::world(&model),
        Err(failure) => expand::world_fallback(&failure),
    }
    .into()
}

/// Marks a plain function as a system that worlds can list.
#[proc_macro_attribute]
pub fn system(attr: TokenStream, item: TokenStream) -> TokenStream {
    match validate::system(attr.into(), item.into()) {
        Ok(model) => expand::system(&model),
        Err(failure) => expand::system_fallback(&failure),
    }
    .into()
}

/// Implements `Component` for a type (checking it is `Send + Sync + 'static` and at most
/// 64 KiB).
#[proc_macro_derive(Component)]
pub fn derive_component(item: TokenStream) -> TokenStream {
    match syn::parse::<syn::DeriveInput>(item) {
        Ok(input) => expand::component(&input),
        Err(error) => error.to_compile_error(),
    }
    .into()
}
