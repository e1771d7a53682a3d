//! The validated model of a `#[world(...)]` declaration and of a `#[system]` function.
//!
//! `parse` produces the raw syntax, `validate` checks it and builds these types, `expand`
//! turns them into Rust. Every item keeps the user's tokens so later errors can point at
//! them.

use proc_macro2::Span;
use syn::{Attribute, Expr, Ident, Path, Type, Visibility};

/// A whole world, ready to expand.
pub struct WorldModel {
    /// Attributes on the user's struct other than `#[world]` (docs, `#[allow]`...).
    pub attrs: Vec<Attribute>,
    /// Visibility of the user's struct; every generated item takes it.
    pub vis: Visibility,
    /// The world's name (`Game`).
    pub ident: Ident,
    /// Distinct component types, numbered by first appearance (`ComponentOf::ID`).
    pub components: Vec<ComponentModel>,
    /// `sparse(...)`: indices into [`WorldModel::components`] (after every archetype
    /// component), declaration order.
    pub sparse: Vec<usize>,
    /// `track(...)`: indices into [`WorldModel::components`] (archetype components only),
    /// declaration order.
    pub tracked: Vec<usize>,
    /// `hierarchy`: `ChildOf` and `Children` are the last two of `sparse`.
    pub hierarchy: bool,
    /// `serde`: the world gets `save` and `load` (the key's span, for errors).
    pub serde: Option<proc_macro2::Span>,
    /// Archetypes in declaration order.
    pub archetypes: Vec<ArchetypeModel>,
    /// Resources in declaration order (`ResourceOf::ID`).
    pub resources: Vec<ResourceModel>,
    /// Phases in declaration order; systems are numbered across all phases in
    /// declaration order (phase by phase, left to right).
    pub phases: Vec<PhaseModel>,
    pub executor: ExecutorModel,
    pub capacity: CapacityModel,
    /// `on_command_error = panic | collect`, default `panic`.
    pub on_command_error: CommandErrorModel,
    /// Ordering targets missing from their phase while a listed system has a similar name.
    pub unresolved_orders: Vec<UnresolvedOrder>,
    /// `events(...)`, declaration order (`EventOf`).
    pub events: Vec<Type>,
    /// `states(...)`, declaration order.
    pub states: Vec<StateModel>,
    /// The `OnEnter`/`OnExit` lists; their systems are numbered after the phases', list
    /// by list, and each list runs as phase `phases.len() + index`.
    pub transitions: Vec<TransitionModel>,
    /// The frame keys: fixed phases, `max_fixed_steps`, `stats`.
    pub frames: FramesModel,
}

/// `Physics = fixed(hz = 60)` in `phases(...)`, `max_fixed_steps = N` and `stats = on | off`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FramesModel {
    /// Per declared phase (in order), its rate if it is `fixed(hz = N)`.
    pub fixed_hz: Vec<Option<u32>>,
    /// At most this many fixed steps per `update` (default 8).
    pub max_fixed_steps: u32,
    /// Whether the world collects frame statistics (default on).
    pub stats: bool,
}

/// What a deferred command that fails at apply time does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CommandErrorModel {
    Panic,
    Collect,
}

/// `.after(damage)` where no system `damage` is listed but `damge` is: reported by a
/// `const` that needs every path of `near` to resolve (see `validate::near_miss`).
pub struct UnresolvedOrder {
    /// The target as written, where the error is reported.
    pub target: Path,
    pub message: String,
    /// Listed systems with a name similar to the target's.
    pub near: Vec<Path>,
}

/// One component type used by some archetype.
pub struct ComponentModel {
    /// The type as the user wrote it (a path such as `Position` or `physics::Position`).
    pub ty: Type,
}

/// `Mover = (Position, Velocity)`.
pub struct ArchetypeModel {
    pub ident: Ident,
    /// Indices into [`WorldModel::components`], in the declared (column) order.
    pub components: Vec<usize>,
    /// The user's component types, in the declared order, with their spans.
    pub component_tys: Vec<Type>,
}

/// `Time` or `Score = Score::new(0)`.
pub struct ResourceModel {
    pub ty: Type,
    /// `None`: initialised with `Default::default()`.
    pub init: Option<Expr>,
}

/// `Update = [integrate, reap.after(integrate)]`.
pub struct PhaseModel {
    pub ident: Ident,
    pub systems: Vec<SystemEntry>,
}

/// One system listed in a phase.
pub struct SystemEntry {
    /// The path the user wrote (`physics::integrate`).
    pub path: Path,
    /// Its last segment, the system's name in the schedule (`integrate`).
    pub name: Ident,
    /// Indices (into this phase's `systems`) of every system this one must follow:
    /// its own `.after(x)` plus every `x.before(this)`. Validated: no cycle, same phase.
    pub after: Vec<usize>,
    /// `.run_if(..)` conditions, in order.
    pub conditions: Vec<ConditionModel>,
}

/// `workers = N | auto`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Workers {
    Auto,
    Fixed(usize),
}

/// `memory = local | interleave`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MemoryModel {
    Local,
    Interleave,
}

/// The `executor = ...` key, with defaults filled in. Defaults: `workers = auto`,
/// `local_queue_size = 256`, `heartbeat_us = 100`, `pin = false`, `memory = local`.
/// A missing `executor` key means `work_stealing(workers = auto)`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ExecutorModel {
    Sequential,
    WorkStealing {
        workers: Workers,
        local_queue_size: usize,
        heartbeat_us: u64,
    },
    NumaAware {
        workers: Workers,
        local_queue_size: usize,
        heartbeat_us: u64,
        pin: bool,
        memory: MemoryModel,
    },
    /// Written `unsafe(continuation_stealing(...))`.
    ContinuationStealing {
        workers: Workers,
        local_queue_size: usize,
        /// The user's `unsafe`: the generated `unsafe { builder.build() }` carries its
        /// span.
        accepted: UnsafeToken,
    },
}

/// The `unsafe` keyword the user wrote, kept for its span. Two compare equal whatever
/// their spans (as tokens do with syn's `extra-traits`, which this crate does without:
/// they are the largest part of building syn).
#[derive(Clone, Default)]
pub struct UnsafeToken(pub syn::Token![unsafe]);

impl PartialEq for UnsafeToken {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for UnsafeToken {}

impl std::fmt::Debug for UnsafeToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unsafe")
    }
}

impl quote::ToTokens for UnsafeToken {
    fn to_tokens(&self, tokens: &mut proc_macro2::TokenStream) {
        self.0.to_tokens(tokens);
    }
}

/// `capacity(entities = N, commands_per_stage = M)`, defaults `1 << 20` and `65_536`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct CapacityModel {
    pub entities: u64,
    pub commands_per_stage: u32,
}

/// A `#[system]` function, validated.
pub struct SystemModel {
    /// The function, unchanged.
    pub func: syn::ItemFn,
    /// Its parameters in order.
    pub params: Vec<ParamModel>,
}

/// One parameter of a system.
pub struct ParamModel {
    pub kind: ParamKind,
    /// The parameter's whole type as written, for spans.
    pub ty: Type,
    pub span: Span,
    /// For `Query` parameters: every component it reads, writes, requires or excludes.
    pub access: Option<QueryAccess>,
}

/// What a system parameter is, recognised by the last segment of its type path.
#[allow(clippy::large_enum_variant)]
pub enum ParamKind {
    /// `Query<D>` / `Query<D, F>`: `data` and `filter` as written (lifetimes elided).
    Query {
        data: Type,
        filter: Option<Type>,
    },
    Res(Type),
    ResMut(Type),
    Commands,
    /// `Outbox`: sends records to other worlds of a coordinator (deferred, like `Commands`).
    Outbox,
    Local(Type),
    /// `&mut W`, the only parameter of an exclusive system: `W` as written (lifetimes
    /// elided).
    Exclusive(Type),
    EventWriter(Type),
    EventReader(Type),
    /// `RemovedComponents<T>`: `T` as written.
    RemovedComponents(Type),
}

/// What a `Query` parameter touches, flattened from its (possibly nested) tuples.
/// Added by the validate stage; `None` on parameters that are not queries.
pub struct QueryAccess {
    /// `&T`, `&mut T`, `Option<&T>`, `Option<&mut T>` in the order written (depth first).
    pub data: Vec<DataAccess>,
    /// `Entity` appears in the data.
    pub entity: bool,
    /// `With<T>` filters.
    pub with: Vec<Type>,
    /// `Without<T>` filters.
    pub without: Vec<Type>,
}

/// One component borrowed by a query.
pub struct DataAccess {
    /// The component type as written (lifetimes removed), with the user's spans.
    pub ty: Type,
    /// `&mut T` / `Option<&mut T>`.
    pub mutable: bool,
    /// `Option<&T>` / `Option<&mut T>`: the component is not required.
    pub optional: bool,
}

/// `GameState = GameState::Menu` in `states(...)`.
pub struct StateModel {
    pub ty: Type,
    pub init: Expr,
}

/// `OnEnter(GameState::Playing) = [...]` or `OnExit(..) = [...]`.
pub struct TransitionModel {
    /// `true` for `OnEnter`.
    pub enter: bool,
    /// Index into [`WorldModel::states`].
    pub state: usize,
    /// The state value, as written.
    pub value: Expr,
    /// The systems, placed into stages like a phase (`ident` is `OnEnter`/`OnExit`).
    pub phase: PhaseModel,
}

/// One `.run_if(..)`.
#[derive(Clone)]
pub enum ConditionModel {
    /// A `#[system]` function returning `bool`.
    System(Path),
    /// `in_state(value)`, `state` an index into [`WorldModel::states`].
    InState { value: Expr, state: usize },
}
