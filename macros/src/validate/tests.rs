//! Unit tests of the parse and validate stages: every diagnostic, several at once, and
//! garbage that must not panic.

use proc_macro2::TokenStream;
use quote::quote;

use super::config::nearest_power_of_two;
use crate::model::{
    CommandErrorModel, ExecutorModel, MemoryModel, ParamKind, SystemModel, Workers, WorldModel,
};

fn unit_struct() -> TokenStream {
    quote!(
        pub struct Game;
    )
}

fn world_ok(attr: TokenStream) -> WorldModel {
    match super::world(attr, unit_struct()) {
        Ok(model) => model,
        Err(failure) => panic!(
            "unexpected errors: {:?}",
            failure
                .error
                .into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
        ),
    }
}

fn world_errors_on(attr: TokenStream, item: TokenStream) -> Vec<String> {
    match super::world(attr, item) {
        Ok(_) => panic!("expected errors"),
        Err(failure) => failure.error.into_iter().map(|e| e.to_string()).collect(),
    }
}

fn world_errors(attr: TokenStream) -> Vec<String> {
    world_errors_on(attr, unit_struct())
}

/// The attribute with one archetype, plus `rest`.
fn with_archetype(rest: TokenStream) -> TokenStream {
    quote!(archetypes(Mover = (Position, Velocity)), #rest)
}

#[track_caller]
fn assert_one(errors: &[String], expected: &str) {
    assert_eq!(errors, [expected.to_string()], "errors: {errors:#?}");
}

/// `with_archetype(rest)` fails with exactly the error `expected`.
#[track_caller]
fn assert_world_error(rest: TokenStream, expected: &str) {
    assert_one(&world_errors(with_archetype(rest)), expected);
}

#[track_caller]
fn assert_has(errors: &[String], expected: &str) {
    assert!(
        errors.iter().any(|e| e == expected),
        "missing {expected:?} in {errors:#?}"
    );
}

// ---------------------------------------------------------------- world: valid

#[test]
fn full_example_builds_the_model() {
    let model = world_ok(quote!(
        archetypes(
            Mover = (Position, Velocity),
            Unit = (Position, Velocity, Health),
            Prop = (Position),
        ),
        resources(Time, Score = Score::new(0)),
        phases(Update, Late),
        systems(
            Update = [integrate, reap.after(integrate)],
            Late = [advance_clock],
        ),
        executor = work_stealing(workers = 4, local_queue_size = 256, heartbeat_us = 100),
        capacity(entities = 1_000_000, commands_per_stage = 65_536),
    ));
    assert_eq!(model.ident, "Game");
    let components: Vec<String> = model
        .components
        .iter()
        .map(|c| super::key_of(&c.ty))
        .collect();
    assert_eq!(components, ["Position", "Velocity", "Health"]);
    let archetypes: Vec<(String, Vec<usize>)> = model
        .archetypes
        .iter()
        .map(|a| (a.ident.to_string(), a.components.clone()))
        .collect();
    assert_eq!(
        archetypes,
        [
            ("Mover".into(), vec![0, 1]),
            ("Unit".into(), vec![0, 1, 2]),
            ("Prop".into(), vec![0]),
        ]
    );
    assert_eq!(model.archetypes[1].component_tys.len(), 3);
    assert_eq!(model.resources.len(), 2);
    assert!(model.resources[0].init.is_none());
    assert!(model.resources[1].init.is_some());
    assert_eq!(model.phases.len(), 2);
    assert_eq!(model.phases[0].ident, "Update");
    assert_eq!(model.phases[0].systems[1].name, "reap");
    assert_eq!(model.phases[0].systems[1].after, [0]);
    assert!(model.phases[0].systems[0].after.is_empty());
    assert_eq!(model.phases[1].systems[0].name, "advance_clock");
    assert_eq!(
        model.executor,
        ExecutorModel::WorkStealing {
            workers: Workers::Fixed(4),
            local_queue_size: 256,
            heartbeat_us: 100
        }
    );
    assert_eq!(model.capacity.entities, 1_000_000);
    assert_eq!(model.capacity.commands_per_stage, 65_536);
}

#[test]
fn defaults_and_minimal_world() {
    let model = world_ok(quote!(archetypes(Prop = Position)));
    assert_eq!(model.archetypes[0].components, [0]);
    assert!(model.phases.is_empty());
    assert!(model.resources.is_empty());
    assert_eq!(
        model.executor,
        ExecutorModel::WorkStealing {
            workers: Workers::Auto,
            local_queue_size: 256,
            heartbeat_us: 100
        }
    );
    assert_eq!(model.capacity.entities, 1 << 20);
    assert_eq!(model.capacity.commands_per_stage, 65_536);
}

#[test]
fn keys_in_any_order_and_paths_and_generics() {
    let model = world_ok(quote!(
        executor = sequential,
        phases(Update),
        resources(Map<K, V>, ::std::string::String = String::new()),
        systems(Update = [physics::integrate, m::d.after(integrate).before(integrate2), integrate2]),
        archetypes(A = (physics::Position, Wrapper<u32, u64>), B = (physics :: Position)),
    ));
    assert_eq!(model.executor, ExecutorModel::Sequential);
    assert_eq!(model.components.len(), 2);
    assert_eq!(model.archetypes[1].components, [0]);
    assert_eq!(model.resources.len(), 2);
    let systems = &model.phases[0].systems;
    assert_eq!(systems[1].name, "d");
    assert_eq!(systems[1].after, [0]);
    assert_eq!(systems[2].after, [1]);
}

#[test]
fn after_edges_are_deduplicated_and_before_becomes_after() {
    let model = world_ok(with_archetype(quote!(
        phases(P),
        systems(P = [a, b.after(a).after(a), c.before(b), d.after(a, c)]),
    )));
    let after: Vec<Vec<usize>> = model.phases[0]
        .systems
        .iter()
        .map(|s| s.after.clone())
        .collect();
    assert_eq!(after, [vec![], vec![0, 2], vec![], vec![0, 2]]);
}

#[test]
fn executors_with_all_parameters() {
    let model = world_ok(with_archetype(quote!(
        executor = numa_aware(
            workers = auto,
            local_queue_size = 1024u32,
            heartbeat_us = 1_000,
            pin = true,
            memory = interleave
        )
    )));
    assert_eq!(
        model.executor,
        ExecutorModel::NumaAware {
            workers: Workers::Auto,
            local_queue_size: 1024,
            heartbeat_us: 1000,
            pin: true,
            memory: MemoryModel::Interleave
        }
    );
    let model = world_ok(with_archetype(quote!(
        executor = unsafe(continuation_stealing(workers = 1024))
    )));
    assert_eq!(
        model.executor,
        ExecutorModel::ContinuationStealing {
            workers: Workers::Fixed(1024),
            local_queue_size: 256,
            accepted: Default::default(),
        }
    );
    let model = world_ok(with_archetype(quote!(executor = work_stealing)));
    assert_eq!(
        model.executor,
        ExecutorModel::WorkStealing {
            workers: Workers::Auto,
            local_queue_size: 256,
            heartbeat_us: 100
        }
    );
    let model = world_ok(with_archetype(quote!(executor = sequential())));
    assert_eq!(model.executor, ExecutorModel::Sequential);
    let model = world_ok(with_archetype(quote!(capacity(
        entities = 4_294_967_295u64,
        commands_per_stage = 1
    ))));
    assert_eq!(model.capacity.entities, 4_294_967_295);
    assert_eq!(model.capacity.commands_per_stage, 1);
}

#[test]
fn stub_keeps_what_was_understood() {
    let failure = super::world(
        quote!(
            archetypes(A = (Position), A = (Velocity), B = (&Health, Velocity)),
            phases(Update, Late, Update),
            executor = nope,
        ),
        quote!(
            #[derive(Debug)]
            pub(crate) struct Game;
        ),
    )
    .err()
    .expect("errors");
    let stub = failure.stub;
    assert_eq!(stub.ident.expect("ident"), "Game");
    assert_eq!(stub.attrs.len(), 1);
    assert!(matches!(stub.vis, syn::Visibility::Restricted(_)));
    let phases: Vec<String> = stub.phases.iter().map(|p| p.to_string()).collect();
    assert_eq!(phases, ["Update", "Late"]);
    let archetypes: Vec<(String, usize)> = stub
        .archetypes
        .iter()
        .map(|(name, tys)| (name.to_string(), tys.len()))
        .collect();
    assert_eq!(archetypes, [("A".into(), 1), ("B".into(), 1)]);
}

// ---------------------------------------------------------------- world: item (14)

#[test]
fn world_on_other_items() {
    let attr = quote!(archetypes(A = (Position)));
    let expected = "`#[world]` goes on a unit struct such as `pub struct Game;`";
    assert_one(
        &world_errors_on(
            attr.clone(),
            quote!(
                enum Game {
                    A,
                }
            ),
        ),
        expected,
    );
    assert_one(
        &world_errors_on(
            attr.clone(),
            quote!(
                fn game() {}
            ),
        ),
        expected,
    );
    assert_one(
        &world_errors_on(attr.clone(), quote!(impl Game {})),
        expected,
    );
    assert_one(
        &world_errors_on(attr.clone(), quote!(struct Game { x: u32 })),
        "`#[world]` goes on a unit struct such as `pub struct Game;`; remove the fields of `Game`: components belong in `archetypes(...)`",
    );
    assert_one(
        &world_errors_on(attr.clone(), quote!(struct Game(u32);)),
        "`#[world]` goes on a unit struct such as `pub struct Game;`; remove the fields of `Game`: components belong in `archetypes(...)`",
    );
    assert_one(
        &world_errors_on(
            attr.clone(),
            quote!(
                struct Game<T>
                where
                    T: Copy;
            ),
        ),
        "a world cannot be generic; remove the generic parameters of `Game`",
    );
    assert_one(&world_errors_on(attr, quote!(+ - *)), expected);
}

// ---------------------------------------------------------------- world: keys (14)

#[test]
fn unknown_and_duplicate_keys() {
    assert_world_error(
        quote!(foo(1)),
        "unknown key `foo` in `#[world(...)]`; expected one of `archetypes`, `resources`, `phases`, `systems`, `executor`, `capacity`, `on_command_error`, `events`, `states`, `sparse`, `track`, `hierarchy`, `serde`, `max_fixed_steps`, `stats`",
    );
    assert_world_error(
        quote!(executor = sequential, executor = sequential),
        "`executor` is given twice in `#[world(...)]`; merge both into one `executor`",
    );
    assert_world_error(
        quote!(archetypes(B = (Health))),
        "`archetypes` is given twice in `#[world(...)]`; merge both into one `archetypes`",
    );
    assert_one(
        &world_errors(quote!()),
        "missing `archetypes(...)`: a world needs at least one archetype, as in `#[world(archetypes(Mover = (Position, Velocity)))]`",
    );
    assert_one(
        &world_errors(quote!(phases(Update))),
        "missing `archetypes(...)`: a world needs at least one archetype, as in `archetypes(Mover = (Position, Velocity))`",
    );
    assert_one(
        &world_errors(quote!(archetypes())),
        "`archetypes()` declares no archetype; add one such as `Mover = (Position, Velocity)`",
    );
    assert_one(
        &world_errors(quote!(archetypes = 5)),
        "`archetypes` takes a parenthesized list, as in `archetypes(Mover = (Position, Velocity))`",
    );
    assert_world_error(
        quote!(executor(sequential)),
        "expected `executor = ...`, as in `executor = work_stealing(workers = 4)`",
    );
}

// ---------------------------------------------------------------- world: archetypes (5, 6)

#[test]
fn diag5_empty_archetype_and_duplicate_component() {
    assert_one(
        &world_errors(quote!(archetypes(Mover = (Position), Empty = ()))),
        "archetype `Empty` has no component; list at least one, as in `Empty = (Position)`",
    );
    assert_one(
        &world_errors(quote!(archetypes(Mover = (Position, Velocity, Position)))),
        "component `Position` appears twice in archetype `Mover`; an archetype holds each component once, remove one",
    );
    assert_one(
        &world_errors(quote!(archetypes(Mover = (physics::Position, physics :: Position)))),
        "component `physics::Position` appears twice in archetype `Mover`; an archetype holds each component once, remove one",
    );
}

#[test]
fn diag6_same_component_set() {
    assert_one(
        &world_errors(quote!(archetypes(Mover = (Position, Velocity), Walker = (Velocity, Position)))),
        "archetypes `Mover` and `Walker` have the same components; an archetype is known by its set of components, so remove `Walker` or change its components",
    );
}

#[test]
fn archetype_names() {
    assert_one(
        &world_errors(quote!(archetypes(Mover = (Position), Mover = (Velocity)))),
        "archetype `Mover` is declared twice; rename one of them (the first is `Mover = ...`)",
    );
    assert_one(
        &world_errors(quote!(archetypes(Game = (Position)))),
        "archetype `Game` has the name of the world; rename the archetype",
    );
    assert_one(
        &world_errors(quote!(archetypes(GamePhase = (Position)))),
        "archetype `GamePhase` has the name of the generated phase enum `GamePhase`; rename the archetype",
    );
    assert_one(
        &world_errors(quote!(archetypes(Position = (Position, Velocity)))),
        "archetype `Position` has the name of the component `Position`; the generated `struct Position` would clash with it, rename the archetype",
    );
    assert_one(
        &world_errors(quote!(archetypes(A = (&Position)))),
        "component `&Position` must be a type path such as `Position` or `physics::Position`",
    );
}

#[test]
fn component_and_archetype_limits() {
    let components: Vec<syn::Ident> = (0..257u32)
        .map(|i| quote::format_ident!("C{}", i))
        .collect();
    let errors = world_errors(quote!(archetypes(Big = (#(#components),*))));
    assert_one(
        &errors,
        "a world holds at most 256 component types; `C256` is one too many",
    );

    let names: Vec<syn::Ident> = (0..257u32)
        .map(|i| quote::format_ident!("A{}", i))
        .collect();
    let sets: Vec<TokenStream> = (1..=257u32)
        .map(|mask| {
            let tys = (0..9u32)
                .filter(|bit| mask & (1 << bit) != 0)
                .map(|bit| quote::format_ident!("C{}", bit));
            quote!((#(#tys),*))
        })
        .collect();
    let errors = world_errors(quote!(archetypes(#(#names = #sets),*)));
    assert_one(
        &errors,
        "a world holds at most 256 archetypes; `A256` is one too many, split the world",
    );
}

// ---------------------------------------------------------------- world: resources

#[test]
fn resources() {
    assert_world_error(
        quote!(resources(Time, Score, Time = Time::default())),
        "resource `Time` is listed twice in `resources(...)`; remove one",
    );
    let many: Vec<syn::Ident> = (0..256u32)
        .map(|i| quote::format_ident!("R{}", i))
        .collect();
    assert_world_error(
        quote!(resources(#(#many),*)),
        "a world holds at most 255 resources besides the built-in `Time`; `R255` is one too many",
    );
}

// ---------------------------------------------------------------- world: phases, systems (7, 8)

#[test]
fn diag7_phases_and_systems() {
    assert_world_error(
        quote!(phases(Update, Late), systems(Updat = [a])),
        "unknown phase `Updat` in `systems(...)`; the declared phases are `Update`, `Late`; declare it in `phases(...)` or fix the name",
    );
    assert_world_error(
        quote!(phases(), systems(Update = [a])),
        "unknown phase `Update` in `systems(...)`; `phases(...)` declares none; add it there",
    );
    assert_world_error(
        quote!(systems(Update = [a])),
        "`systems(...)` needs `phases(...)` to list the phases in run order, as in `phases(Update)`",
    );
    assert_world_error(
        quote!(phases(Update, Update)),
        "phase `Update` is declared twice in `phases(...)`; remove one",
    );
    assert_world_error(
        quote!(phases(Update), systems(Update = [a], Update = [b])),
        "phase `Update` is given twice in `systems(...)`; list all its systems in one `Update = [...]`",
    );
    assert_world_error(
        quote!(phases(Update, Late), systems(Update = [a, b], Late = [c, a])),
        "system `a` is listed twice in this world (already listed in phase `Update`); a system runs once per tick, remove one",
    );
    assert_world_error(
        quote!(phases(Update), systems(Update = [a, b, a])),
        "system `a` is listed twice in this world (already listed in this phase); a system runs once per tick, remove one",
    );
    assert_world_error(
        quote!(phases(Update), systems(Update = [x::run, y::run])),
        "two systems are named `run` (`x::run` and `y::run`); the schedule names systems by function name, rename one of them",
    );
    assert_world_error(
        quote!(phases(Update, Late), systems(Update = [a.after(c)], Late = [c])),
        "`a` cannot run after `c`: `c` is in phase `Late`, not `Update`; `.after`/`.before` only order systems of the same phase, phases run in the order of `phases(...)`",
    );
    assert_world_error(
        quote!(phases(Update), systems(Update = [a.before(nothing)])),
        "no system `nothing` in phase `Update` for `a` to run before; list it in `Update = [...]` or remove `.before(nothing)`",
    );
    assert_world_error(
        quote!(phases(Update), systems(Update = [a.after(m::a)])),
        "system `a` is ordered after itself; remove `.after(m::a)`",
    );
}

#[test]
fn diag8_cycles_are_named_and_reported_once() {
    let message =
        "ordering cycle: `a` -> `b` -> `a`; remove one of these `.after`/`.before` constraints";
    assert_eq!(
        world_errors(with_archetype(quote!(
            phases(P),
            systems(P = [a.after(b), b.after(a)])
        ))),
        [message]
    );
    let message = "ordering cycle: `a` -> `c` -> `b` -> `a`; remove one of these `.after`/`.before` constraints";
    assert_eq!(
        world_errors(with_archetype(quote!(phases(P), systems(P = [a.before(c), b.after(c), c, d.after(a), b2, e.before(a).after(b)])))),
        ["ordering cycle: `a` -> `c` -> `b` -> `e` -> `a`; remove one of these `.after`/`.before` constraints"]
    );
    assert_eq!(
        world_errors(with_archetype(quote!(
            phases(P),
            systems(P = [a.before(c), c.before(b), b.before(a)])
        ))),
        [message]
    );
    // Two separate cycles, both reported.
    let errors = world_errors(with_archetype(quote!(
        phases(P, Q),
        systems(
            P = [a.after(b), b.after(a)],
            Q = [x.after(y), y.after(x), z]
        )
    )));
    assert_eq!(errors.len(), 2);
    assert_has(
        &errors,
        "ordering cycle: `x` -> `y` -> `x`; remove one of these `.after`/`.before` constraints",
    );
}

// ---------------------------------------------------------------- world: executor (1, 2, 3)

#[test]
fn diag1_local_queue_size() {
    assert_world_error(
        quote!(executor = work_stealing(local_queue_size = 100)),
        "`local_queue_size` must be a power of two, got 100; try 128",
    );
    assert_world_error(
        quote!(executor = numa_aware(local_queue_size = 300)),
        "`local_queue_size` must be a power of two, got 300; try 256",
    );
    assert_world_error(
        quote!(executor = unsafe(continuation_stealing(local_queue_size = 0))),
        "`local_queue_size` must be a power of two, got 0; try 1",
    );
    assert_world_error(
        quote!(executor = work_stealing(local_queue_size = 1_000usize)),
        "`local_queue_size` must be a power of two, got 1000; try 1024",
    );
    assert_world_error(
        quote!(executor = work_stealing(local_queue_size = big)),
        "`local_queue_size` takes a power of two such as 256, got `big`",
    );
    assert_eq!(nearest_power_of_two(3), 4);
    assert_eq!(nearest_power_of_two(5), 4);
    assert_eq!(nearest_power_of_two(6), 8);
    assert_eq!(nearest_power_of_two(u64::MAX), 1 << 63);
}

#[test]
fn diag2_workers_and_heartbeat() {
    assert_world_error(
        quote!(executor = work_stealing(workers = 0)),
        "`workers` must be between 1 and 1_024 or `auto`, got 0",
    );
    assert_world_error(
        quote!(executor = work_stealing(workers = 1025)),
        "`workers` must be between 1 and 1_024 or `auto`, got 1025",
    );
    assert_world_error(
        quote!(executor = work_stealing(workers = -3)),
        "`workers` must be between 1 and 1_024 or `auto`, got -3",
    );
    assert_world_error(
        quote!(executor = work_stealing(workers = many)),
        "`workers` takes an integer between 1 and 1_024 or `auto`, got `many`",
    );
    assert_world_error(
        quote!(executor = work_stealing(workers = 99999999999999999999999)),
        "`workers` must be between 1 and 1_024 or `auto`, got 99999999999999999999999",
    );
    assert_world_error(
        quote!(executor = numa_aware(heartbeat_us = 0)),
        "`heartbeat_us` must be between 1 and 1_000_000, got 0",
    );
    assert_world_error(
        quote!(executor = numa_aware(heartbeat_us = 1_000_001)),
        "`heartbeat_us` must be between 1 and 1_000_000, got 1_000_001",
    );
}

#[test]
fn diag3_executor_parameters_and_names() {
    assert_world_error(
        quote!(executor = sequential(workers = 4)),
        "`sequential` takes no parameters; `workers` belongs to `work_stealing`, `numa_aware` and `continuation_stealing`",
    );
    assert_world_error(
        quote!(executor = work_stealing(pin = true)),
        "`work_stealing` takes `workers`, `local_queue_size`, `heartbeat_us`; `pin` belongs to `numa_aware`",
    );
    assert_world_error(
        quote!(executor = unsafe(continuation_stealing(heartbeat_us = 5))),
        "`continuation_stealing` takes `workers`, `local_queue_size`; `heartbeat_us` belongs to `work_stealing` and `numa_aware`",
    );
    assert_world_error(
        quote!(executor = work_stealing(threads = 4)),
        "unknown executor parameter `threads`; `work_stealing` takes `workers`, `local_queue_size`, `heartbeat_us`",
    );
    assert_world_error(
        quote!(executor = rayon(workers = 4)),
        "unknown executor `rayon`; expected one of `sequential`, `work_stealing`, `numa_aware`, `continuation_stealing`",
    );
    assert_world_error(
        quote!(executor = numa_aware(memory = remote)),
        "`memory` takes `local` or `interleave`, got `remote`",
    );
    assert_world_error(
        quote!(executor = numa_aware(pin = 1)),
        "`pin` takes `true` or `false`, got `1`",
    );
    assert_world_error(
        quote!(executor = numa_aware(workers = 2, workers = 3)),
        "`workers` is given twice in `numa_aware(...)`; keep one",
    );
    assert_world_error(
        quote!(executor = 5),
        "expected an executor: one of `sequential`, `work_stealing`, `numa_aware`, `continuation_stealing`",
    );
}

// ---------------------------------------------------------------- world: capacity (4)

#[test]
fn diag4_capacity() {
    assert_world_error(
        quote!(capacity(entities = 0)),
        "`entities` must be between 1 and 4_294_967_295, got 0",
    );
    assert_world_error(
        quote!(capacity(entities = 4_294_967_296)),
        "`entities` must be between 1 and 4_294_967_295, got 4_294_967_296",
    );
    assert_world_error(
        quote!(capacity(commands_per_stage = 1_000_001)),
        "`commands_per_stage` must be between 1 and 1_000_000, got 1_000_001",
    );
    assert_world_error(
        quote!(capacity(commands_per_stage = 0)),
        "`commands_per_stage` must be between 1 and 1_000_000, got 0",
    );
    assert_world_error(
        quote!(capacity(rows = 5)),
        "unknown capacity key `rows`; `capacity` takes `entities` and `commands_per_stage`",
    );
    assert_world_error(
        quote!(capacity(entities = 5, entities = 6)),
        "`entities` is given twice in `capacity(...)`; keep one",
    );
    assert_world_error(
        quote!(capacity(entities = 1.5)),
        "`entities` takes an integer between 1 and 4_294_967_295, got `1.5`",
    );
}

// ---------------------------------------------------------------- world: all at once

#[test]
fn several_mistakes_are_reported_at_once() {
    let errors = world_errors(quote!(
        archetypes(Mover = (Position, Position), Empty = (), Again = (Position)),
        bogus = 3,
        phases(Update),
        systems(Update = [a.after(b), b.after(a)], Nope = [c]),
        executor = work_stealing(local_queue_size = 100, workers = 0, pin = true),
        capacity(entities = 0),
    ));
    let expected = [
        "unknown key `bogus` in `#[world(...)]`; expected one of `archetypes`, `resources`, `phases`, `systems`, `executor`, `capacity`, `on_command_error`, `events`, `states`, `sparse`, `track`, `hierarchy`, `serde`, `max_fixed_steps`, `stats`",
        "component `Position` appears twice in archetype `Mover`; an archetype holds each component once, remove one",
        "archetype `Empty` has no component; list at least one, as in `Empty = (Position)`",
        "unknown phase `Nope` in `systems(...)`; the declared phases are `Update`; declare it in `phases(...)` or fix the name",
        "ordering cycle: `a` -> `b` -> `a`; remove one of these `.after`/`.before` constraints",
        "`local_queue_size` must be a power of two, got 100; try 128",
        "`workers` must be between 1 and 1_024 or `auto`, got 0",
        "`work_stealing` takes `workers`, `local_queue_size`, `heartbeat_us`; `pin` belongs to `numa_aware`",
        "`entities` must be between 1 and 4_294_967_295, got 0",
    ];
    for message in expected {
        assert_has(&errors, message);
    }
    assert_eq!(errors.len(), expected.len(), "{errors:#?}");
}

#[test]
fn parse_errors_in_one_entry_do_not_hide_the_others() {
    let errors = world_errors(quote!(
        archetypes(Mover = (Position,, Velocity), 5, Ok = (Position), Bad (Velocity), Empty = ()),
        resources(Time = , Score),
        phases(Update, 7),
        systems(Update = [a..b, c.then(a), d.after()], 9),
    ));
    assert_has(
        &errors,
        "expected an archetype such as `Mover = (Position, Velocity)`",
    );
    assert_has(
        &errors,
        "expected `=` after archetype name `Bad`, as in `Bad = (Position, Velocity)`",
    );
    assert_has(
        &errors,
        "archetype `Empty` has no component; list at least one, as in `Empty = (Position)`",
    );
    assert_has(&errors, "expected a phase name such as `Update`");
    assert_has(
        &errors,
        "expected `.after(system)`, `.before(system)` or `.run_if(condition)`",
    );
    assert_has(
        &errors,
        "`.after()` names no system; write `.after(other_system)` or remove it",
    );
    assert_has(
        &errors,
        "expected `Phase = [system, ...]`, as in `Update = [integrate, reap.after(integrate)]`",
    );
    assert!(errors.len() >= 9, "{errors:#?}");
}

#[test]
fn garbage_never_panics() {
    let inputs: Vec<TokenStream> = vec![
        quote!(archetypes = 5, (())),
        quote!((())),
        quote!(5),
        quote!("archetypes"),
        quote!(,,,,),
        quote!(archetypes),
        quote!(archetypes(,)),
        quote!(archetypes((A) = (B))),
        quote!(archetypes(A = )),
        quote!(archetypes(A = 5)),
        quote!(archetypes(A = (5, "x"))),
        quote!(archetypes(A = [B])),
        quote!(archetypes(A = (B) C)),
        quote!(archetypes(A = (B)) phases(X)),
        quote!(archetypes(A = (B)), phases),
        quote!(archetypes(A = (B)), phases(()), systems(() = [])),
        quote!(archetypes(A = (B)), phases(X), systems(X = [])),
        quote!(archetypes(A = (B)), phases(X), systems(X = [a.after])),
        quote!(archetypes(A = (B)), phases(X), systems(X = [a.after(5)])),
        quote!(
            archetypes(A = (B)),
            phases(X),
            systems(X = [a.after(b::<T>)])
        ),
        quote!(archetypes(A = (B)), phases(X), systems(X = [a::<T>])),
        quote!(archetypes(A = (B)), phases(X), systems(X = [.after(a)])),
        quote!(archetypes(A = (B)), phases(X), systems(X = a)),
        quote!(archetypes(A = (B)), executor),
        quote!(archetypes(A = (B)), executor =),
        quote!(archetypes(A = (B)), executor = work_stealing(workers)),
        quote!(archetypes(A = (B)), executor = work_stealing(workers =)),
        quote!(archetypes(A = (B)), executor = work_stealing(= 4)),
        quote!(archetypes(A = (B)), executor = work_stealing(workers = 4) extra),
        quote!(archetypes(A = (B)), executor = work_stealing[workers = 4]),
        quote!(archetypes(A = (B)), executor = r#type),
        quote!(archetypes(A = (B)), executor = work_stealing(r#type = 4)),
        quote!(archetypes(A = (B)), capacity),
        quote!(archetypes(A = (B)), capacity(entities)),
        quote!(archetypes(A = (B)), capacity(entities = -0)),
        quote!(archetypes(A = (B)), capacity(entities = 0x10)),
        quote!(archetypes(A = (B)), capacity(entities = 1e3)),
        quote!(archetypes(A = (B)), capacity(entities = (5))),
        quote!(archetypes(A = (B)), capacity(5)),
        quote!(archetypes(A = (B)), resources(= 5)),
        quote!(archetypes(A = (B)), resources(5)),
        quote!(archetypes(A = (B)), resources(A, A, A)),
        quote!(archetypes(A = (B)), r#type(x)),
        quote!(archetypes(A = (B)) + - * / ;),
        quote!(archetypes(A = (B)); phases(X)),
        quote!(
            #[doc = "x"]
            archetypes(A = (B))
        ),
        quote!(archetypes(A = (B<C, D>, E))),
        quote!(archetypes(A = (B < C, D))),
        quote!(archetypes(A = (fn(u8) -> u8, dyn Send, [u8; 4], impl Send, _, !))),
        quote!(archetypes(A = (<T as Trait>::Assoc))),
        quote!(
            archetypes(A = (B)),
            phases(Update),
            systems(Update = [a.after(a).before(a)])
        ),
    ];
    for attr in inputs {
        for item in [
            quote!(
                struct Game;
            ),
            quote!(
                struct Game<T>(T);
            ),
            quote!(),
            quote!(garbage((()))),
            quote!(
                mod m {}
            ),
        ] {
            let _ = super::world(attr.clone(), item);
        }
    }
}

// ---------------------------------------------------------------- systems

fn system_ok(item: TokenStream) -> SystemModel {
    match super::system(quote!(), item) {
        Ok(model) => model,
        Err(failure) => panic!(
            "unexpected errors: {:?}",
            failure
                .error
                .into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
        ),
    }
}

fn system_errors(item: TokenStream) -> Vec<String> {
    match super::system(quote!(), item) {
        Ok(_) => panic!("expected errors"),
        Err(failure) => failure.error.into_iter().map(|e| e.to_string()).collect(),
    }
}

#[test]
fn system_parameters_are_recognised() {
    let model = system_ok(quote!(
        pub fn integrate<'w>(
            time: Res<Time>,
            mut movers: Query<
                'w,
                'w,
                (&'w mut Position, &Velocity, Option<&Health>, Entity),
                (With<Player>, Without<Frozen>),
            >,
            _: ResMut<Score>,
            mut commands: Commands<'w>,
            mut counter: metronome::Local<u32>,
            other: Query<((&A, &B), Option<&mut C>)>,
        ) {
        }
    ));
    assert_eq!(model.params.len(), 6);
    assert!(matches!(model.params[0].kind, ParamKind::Res(_)));
    let ParamKind::Query { data, filter } = &model.params[1].kind else {
        panic!("query");
    };
    assert_eq!(
        super::key_of(data),
        "(&mutPosition,&Velocity,Option<&Health>,Entity)"
    );
    assert_eq!(
        super::key_of(filter.as_ref().expect("filter")),
        "(With<Player>,Without<Frozen>)"
    );
    let access = model.params[1].access.as_ref().expect("access");
    let data: Vec<(String, bool, bool)> = access
        .data
        .iter()
        .map(|d| (super::key_of(&d.ty), d.mutable, d.optional))
        .collect();
    assert_eq!(
        data,
        [
            ("Position".into(), true, false),
            ("Velocity".into(), false, false),
            ("Health".into(), false, true),
        ]
    );
    assert!(access.entity);
    assert_eq!(access.with.len(), 1);
    assert_eq!(access.without.len(), 1);
    assert!(matches!(model.params[2].kind, ParamKind::ResMut(_)));
    assert!(matches!(model.params[3].kind, ParamKind::Commands));
    assert!(matches!(model.params[4].kind, ParamKind::Local(_)));
    assert_eq!(
        model.params[5].access.as_ref().expect("access").data.len(),
        3
    );
    assert!(model.params[2].access.is_none());
}

#[test]
fn system_item_errors() {
    assert_eq!(
        system_errors(quote!(
            struct S;
        )),
        ["`#[system]` goes on a free function such as `fn integrate(time: Res<Time>) {}`"]
    );
    assert_eq!(
        system_errors(quote!(
            fn f(&self) {}
        )),
        ["system `f` cannot take `self`; make it a free function outside the `impl` block"]
    );
    assert_eq!(
        system_errors(quote!(
            fn f<T>(q: Query<&T>) {}
        )),
        ["system `f` cannot be generic; remove the type and const parameters"]
    );
    assert_eq!(
        system_errors(quote!(async fn f() {})),
        ["system `f` cannot be `async`; remove `async`, a system runs to completion within its stage"]
    );
    assert_eq!(
        system_errors(quote!(
            const fn f() {}
        )),
        ["system `f` cannot be a `const fn`; remove `const`"]
    );
    let failure = super::system(
        quote!(x),
        quote!(
            fn f() {}
        ),
    )
    .err()
    .expect("error");
    assert!(failure.func.is_some());
    assert_eq!(
        failure.error.to_string(),
        "`#[system]` takes no arguments; write `#[system]` and order systems in `#[world(systems(...))]`"
    );
    let params: Vec<TokenStream> = (0..17u32)
        .map(|i| {
            let name = quote::format_ident!("r{}", i);
            quote!(#name: Res<Time>)
        })
        .collect();
    assert_eq!(
        system_errors(quote!(fn f(#(#params),*) {})),
        ["a system takes at most 16 parameters, this is parameter 17; group resources into one struct or split the system"]
    );
    assert_eq!(
        system_errors(quote!(fn f((a, b): (Res<A>, Res<B>)) {})),
        [
            "a system parameter is a plain name such as `time` or `mut movers`, or `_`",
            "unsupported system parameter type `(Res<A>, Res<B>)`; a system takes `Query`, `Res`, `ResMut`, `Commands`, `Local`, `EventWriter`, `EventReader`, `Outbox` and `RemovedComponents` parameters",
        ]
    );
}

#[test]
fn on_command_error_values() {
    for (value, policy) in [
        (quote!(panic), CommandErrorModel::Panic),
        (quote!(collect), CommandErrorModel::Collect),
    ] {
        let model = world_ok(quote!(archetypes(M = (A)), on_command_error = #value));
        assert_eq!(model.on_command_error, policy);
    }
    assert_eq!(
        world_ok(quote!(archetypes(M = (A)))).on_command_error,
        CommandErrorModel::Panic
    );
    assert_eq!(
        world_errors(quote!(archetypes(M = (A)), on_command_error = ignore)),
        ["unknown `on_command_error` value `ignore`; write `on_command_error = panic` (the default: a command that fails when applied panics, naming the system) or `on_command_error = collect` (failed commands are kept for `take_command_errors()`)"]
    );
}

#[test]
fn an_exclusive_system_takes_the_world_alone() {
    let model = crate::validate::system(
        quote!(),
        quote!(
            fn rebuild(game: &mut Game) {}
        ),
    )
    .ok()
    .expect("valid exclusive system");
    assert_eq!(model.params.len(), 1);
    assert!(matches!(&model.params[0].kind, ParamKind::Exclusive(_)));
}

#[test]
fn an_exclusive_system_cannot_tick_its_world() {
    let message = |m: &str| {
        format!("exclusive system `rebuild` calls `{m}` on its world; an exclusive system runs inside a tick, so it may call every world method but `tick` and `run_phase`: move the call out of the system, or list the work it needs as systems of a phase")
    };
    assert_eq!(
        system_errors(quote!(
            fn rebuild(game: &mut Game) {
                game.spawn((A,));
                game.tick();
                if true {
                    (*game).run_phase(GamePhase::Update);
                }
                Game::tick(game);
                World::run_phase(&mut *game, GamePhase::Update);
            }
        )),
        [
            message("tick"),
            message("run_phase"),
            message("tick"),
            message("run_phase")
        ]
    );
    // Another value's `tick` (a timer resource) is fine.
    let model = crate::validate::system(
        quote!(),
        quote!(
            fn rebuild(game: &mut Game) {
                game.resource_mut::<Timer>().tick();
                other.tick();
            }
        ),
    );
    assert!(model.is_ok());
}

#[test]
fn outbox_parameter() {
    let model = crate::validate::system(
        quote!(),
        quote!(
            fn leave(mut outbox: Outbox, q: Query<Entity>) {}
        ),
    )
    .ok()
    .expect("`Outbox` is a parameter");
    assert!(matches!(model.params[0].kind, ParamKind::Outbox));
    assert_eq!(
        system_errors(quote!(
            fn f(outbox: Outbox<u8>) {}
        )),
        ["`Outbox` takes no type parameter; write `Outbox`"]
    );
}

#[test]
fn unsupported_parameters() {
    assert_eq!(
        system_errors(quote!(fn f(x: u32, y: &World, z: Vec<u8>) {})),
        [
            "unsupported system parameter type `u32`; a system takes `Query`, `Res`, `ResMut`, `Commands`, `Local`, `EventWriter`, `EventReader`, `Outbox` and `RemovedComponents` parameters",
            "unsupported system parameter type `&World`; a system takes `Query`, `Res`, `ResMut`, `Commands`, `Local`, `EventWriter`, `EventReader`, `Outbox` and `RemovedComponents` parameters",
            "unsupported system parameter type `Vec<u8>`; a system takes `Query`, `Res`, `ResMut`, `Commands`, `Local`, `EventWriter`, `EventReader`, `Outbox` and `RemovedComponents` parameters",
        ]
    );
    // `&mut W` makes the system exclusive: every other parameter is reported.
    assert_eq!(
        system_errors(quote!(fn f(x: u32, y: &mut World, z: Vec<u8>) {})),
        [
            "exclusive system `f` takes `&mut World` and no other parameter, since it has the whole world; remove `u32` and use the world's methods instead (`query_mut`, `resource_mut`, `spawn`, ...), or move this work into an ordinary system",
            "exclusive system `f` takes `&mut World` and no other parameter, since it has the whole world; remove `Vec<u8>` and use the world's methods instead (`query_mut`, `resource_mut`, `spawn`, ...), or move this work into an ordinary system",
        ]
    );
    assert_eq!(
        system_errors(quote!(fn f(a: Res, b: Res<A, B>, c: Commands<X>, d: Query, e: Query<A, B, C>) {})),
        [
            "`Res` takes exactly one type, as in `Res<Time>`",
            "`Res` takes exactly one type, as in `Res<Time>`",
            "`Commands` takes no type parameter; write `Commands`",
            "`Query` takes query data and an optional filter, as in `Query<&Position>` or `Query<(&mut Position, &Velocity), With<Player>>`",
            "`Query` takes query data and an optional filter, as in `Query<&Position>` or `Query<(&mut Position, &Velocity), With<Player>>`",
        ]
    );
    assert_eq!(
        system_errors(quote!(fn f(a: Query<Position>, b: Query<&Position, Recent<Position>>, c: Query<Option<Position>>, d: Query<&[u8]>) {})),
        [
            "unsupported query data `Position`; query data is `&T`, `&mut T`, `Tracked<T>`, `Option<&T>`, `Option<&mut T>`, `Entity` or a tuple of these",
            "unsupported query filter `Recent<Position>`; a filter is `With<T>`, `Without<T>`, `Added<T>`, `Changed<T>` or a tuple of them",
            "unsupported query data `Option<Position>`; query data is `&T`, `&mut T`, `Tracked<T>`, `Option<&T>`, `Option<&mut T>`, `Entity` or a tuple of these",
            "component `[u8]` must be a type path such as `Position` or `physics::Position`",
        ]
    );
    let thirteen: Vec<TokenStream> = (0..13u32)
        .map(|i| {
            let name = quote::format_ident!("C{}", i);
            quote!(&#name)
        })
        .collect();
    assert_eq!(
        system_errors(quote!(fn f(q: Query<(#(#thirteen),*)>) {})),
        ["a query tuple holds at most 12 elements; nest tuples to group more, as in `((&A, &B), &C)`"]
    );
    let twelve = &thirteen[..12];
    system_ok(quote!(fn f(q: Query<((#(#twelve),*), &D)>) {}));
}

#[test]
fn diag9_query_aliasing_itself() {
    let message = "query accesses `Position` mutably and again in the same query; a component may be borrowed once when one borrow is mutable, keep only `&mut Position` (it also reads)";
    assert_eq!(
        system_errors(quote!(
            fn f(q: Query<(&mut Position, &Position)>) {}
        )),
        [message]
    );
    assert_eq!(
        system_errors(quote!(
            fn f(q: Query<(&Position, (&Velocity, &mut Position))>) {}
        )),
        [message]
    );
    assert_eq!(
        system_errors(quote!(
            fn f(q: Query<(&mut Position, Option<&mut Position>, &mut Position)>) {}
        )),
        [message]
    );
    system_ok(quote!(
        fn f(q: Query<(&Position, &Position)>) {}
    ));
    assert_eq!(
        system_errors(quote!(fn f(q: Query<&Position, Without<Position>>) {})),
        ["query requires `Position` and excludes it with `Without<Position>`, so it matches nothing; remove one of them"]
    );
    system_ok(quote!(
        fn f(q: Query<Option<&Position>, Without<Position>>) {}
    ));
}

#[test]
fn diag9_parameters_conflicting() {
    assert_eq!(
        system_errors(quote!(fn f(a: Res<Time>, b: ResMut<Time>) {})),
        ["resource `Time` is borrowed mutably and again in this system (`Res<Time>` and `ResMut<Time>`); keep only the `ResMut<Time>`, it also reads"]
    );
    assert_eq!(
        system_errors(quote!(
            fn f(a: ResMut<Time>, b: ResMut<Time>) {}
        )),
        ["resource `Time` is borrowed mutably twice in this system; keep one `ResMut<Time>`"]
    );
    system_ok(quote!(
        fn f(a: Res<Time>, b: Res<Time>, c: ResMut<Score>, d: Commands, e: Commands) {}
    ));
    assert_eq!(
        system_errors(quote!(fn f(a: Query<&mut Position>, b: Query<(&Velocity, &Position)>) {})),
        ["`Query<(&Velocity, &Position)>` conflicts with `Query<&mut Position>` of the same system: both access `Position` and one of them mutably; make the queries disjoint with `With<C>` on one and `Without<C>` on the other, or merge them into one query"]
    );
    // Whether these meet depends on the world (an archetype with `Position` and
    // `Velocity`): left to the world's per-column check, not rejected here.
    system_ok(quote!(
        fn f(a: Query<&Position>, b: Query<Option<&mut Position>, With<Velocity>>) {}
    ));
    system_ok(quote!(
        fn f(a: Query<&mut Position, With<Velocity>>, b: Query<&Position, With<Health>>) {}
    ));
    // Disjoint through `With`/`Without` or a required component.
    system_ok(quote!(
        fn f(a: Query<&mut Position, With<Velocity>>, b: Query<&Position, Without<Velocity>>) {}
    ));
    system_ok(quote!(
        fn f(a: Query<(&mut Position, &Velocity)>, b: Query<&mut Position, (Without<Velocity>,)>) {}
    ));
    system_ok(quote!(
        fn f(a: Query<&mut Position, Without<Player>>, b: Query<(&mut Position, &Player)>) {}
    ));
    // An optional component does not make a query disjoint.
    assert_eq!(
        system_errors(quote!(
            fn f(
                a: Query<(&mut Position, Option<&Velocity>)>,
                b: Query<&Position, Without<Velocity>>,
            ) {
            }
        ))
        .len(),
        1
    );
    // Reads never conflict.
    system_ok(quote!(
        fn f(a: Query<&Position>, b: Query<(Entity, &Position)>) {}
    ));
}

#[test]
fn system_garbage_never_panics() {
    let items: Vec<TokenStream> = vec![
        quote!(),
        quote!(fn),
        quote!(fn f),
        quote!(
            fn f();
        ),
        quote!(
            extern "C" fn f(q: Query<&A>) {}
        ),
        quote!(
            unsafe fn f() {}
        ),
        quote!(
            fn f(x: Query<<T as X>::Y>) {}
        ),
        quote!(
            fn f(x: <T as X>::Res) {}
        ),
        quote!(
            fn f(x: Query<&dyn A>) {}
        ),
        quote!(
            fn f(x: Query<(), ()>) {}
        ),
        quote!(
            fn f(x: Query<&A, With>) {}
        ),
        quote!(
            fn f(x: Query<&A, With<&B>>) {}
        ),
        quote!(
            fn f(x: Query<&A, With<B, C>>) {}
        ),
        quote!(
            fn f(x: Query<Option>) {}
        ),
        quote!(
            fn f(x: Query<Option<Option<&A>>>) {}
        ),
        quote!(
            fn f(x: Query<Entity<A>>) {}
        ),
        quote!(
            fn f(x: Query<Fn(A) -> B>) {}
        ),
        quote!(
            fn f(x: Res<'static>) {}
        ),
        quote!(
            fn f(x: Res<N = 3>) {}
        ),
        quote!(
            fn f(x: Res<{ 3 }>) {}
        ),
        quote!(
            fn f(x: impl Fn()) {}
        ),
        quote!(
            fn f(ref x: Res<A>) {}
        ),
        quote!(
            fn f(x @ _: Res<A>) {}
        ),
        quote!(
            fn f(x: Query<(&mut A, &mut A)>, y: Query<&A>) {}
        ),
    ];
    for item in items {
        let _ = super::system(quote!(), item.clone());
        let _ = super::system(quote!(a = b), item);
    }
}

#[test]
fn keywords_raw_identifiers_and_method_names() {
    let model = world_ok(quote!(
        archetypes(Type = (K, V), Move = (T), Loop = (r#Self2)),
        phases(Match, Async),
        systems(
            Match = [
                r#loop,
                spawn.after(r#loop),
                tick.before(spawn),
                crate::sys::r#move
            ],
            Async = [self::despawn, super::insert],
        ),
    ));
    assert_eq!(model.archetypes.len(), 3);
    assert_eq!(model.phases[0].systems[1].after, [0, 2]);
    assert_eq!(model.phases[0].systems[3].name, "r#move");
    assert_eq!(model.phases[1].systems.len(), 2);
}

#[test]
fn empty_braces_are_not_a_unit_struct() {
    assert_one(
        &world_errors_on(quote!(archetypes(A = (B))), quote!(struct Game {})),
        "`#[world]` goes on a unit struct such as `pub struct Game;`; write `struct Game;` without braces or parentheses",
    );
}

#[test]
fn resource_types_keep_their_lifetimes() {
    let model = system_ok(quote!(
        fn f(a: Res<&'static str>, b: Query<&'static Position>) {}
    ));
    let ParamKind::Res(ty) = &model.params[0].kind else {
        panic!("res");
    };
    assert_eq!(super::key_of(ty), "&'staticstr");
    let ParamKind::Query { data, .. } = &model.params[1].kind else {
        panic!("query");
    };
    assert_eq!(super::key_of(data), "&Position");
    assert_eq!(
        system_errors(quote!(
            fn f(q: Query<(&Position, &Entity)>) {}
        )),
        ["`Entity` is not a component; write `Entity` without `&` to get the entity in a query"]
    );
}

#[test]
fn missing_comma_between_entries() {
    assert_one(
        &world_errors(quote!(archetypes(A = (B) C = (D)))),
        "expected `,`",
    );
    assert_eq!(
        world_errors(quote!(archetypes(A = (B)) phases(X))),
        ["expected `,`"]
    );
}

#[test]
fn failed_system_keeps_its_function() {
    let failure = super::system(
        quote!(),
        quote!(
            pub fn f(x: u32, y: Res<A>) {}
        ),
    )
    .err()
    .expect("error");
    assert_eq!(failure.func.expect("func").sig.ident, "f");
}

// ------------------------------------------------ continuation_stealing needs `unsafe`

/// The message for `continuation_stealing` without `unsafe(...)`.
const CONTINUATION_WITHOUT_UNSAFE: &str = "`continuation_stealing` may resume a system on another thread after any `join`, `scope` or `par_for_each`, which the compiler cannot check: write `executor = unsafe(continuation_stealing(...))` to promise that no system holds a thread-bound value (`!Send` value, thread-local reference, lock guard) across them (the contract of `ContinuationPoolBuilder::build`)";

#[test]
fn continuation_stealing_without_unsafe_is_an_error() {
    assert_world_error(
        quote!(executor = continuation_stealing(workers = 2)),
        CONTINUATION_WITHOUT_UNSAFE,
    );
    assert_world_error(
        quote!(executor = continuation_stealing),
        CONTINUATION_WITHOUT_UNSAFE,
    );
    // Reported with the parameters' errors, all at once.
    let errors = world_errors(with_archetype(quote!(
        executor = continuation_stealing(local_queue_size = 100, pin = true)
    )));
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert_has(&errors, CONTINUATION_WITHOUT_UNSAFE);
    assert_has(
        &errors,
        "`local_queue_size` must be a power of two, got 100; try 128",
    );
}

#[test]
fn unsafe_continuation_stealing_keeps_its_parameter_checks() {
    let model = world_ok(with_archetype(
        quote!(executor = unsafe(continuation_stealing)),
    ));
    assert!(matches!(
        model.executor,
        ExecutorModel::ContinuationStealing {
            workers: Workers::Auto,
            local_queue_size: 256,
            ..
        }
    ));
    assert_world_error(
        quote!(executor = unsafe(continuation_stealing(local_queue_size = 100))),
        "`local_queue_size` must be a power of two, got 100; try 128",
    );
    assert_world_error(
        quote!(executor = unsafe(continuation_stealing(workers = 2048))),
        "`workers` must be between 1 and 1_024 or `auto`, got 2048",
    );
    assert_world_error(
        quote!(executor = unsafe(continuation_stealing(heartbeat_us = 5))),
        "`continuation_stealing` takes `workers`, `local_queue_size`; `heartbeat_us` belongs to `work_stealing` and `numa_aware`",
    );
}

#[test]
fn unsafe_around_other_executors_or_malformed_is_an_error() {
    assert_world_error(
        quote!(executor = unsafe(work_stealing(workers = 2))),
        "`work_stealing` has no safety contract to accept: remove `unsafe(...)` and write `executor = work_stealing(...)`",
    );
    assert_world_error(
        quote!(executor = unsafe(sequential)),
        "`sequential` has no safety contract to accept: remove `unsafe(...)` and write `executor = sequential(...)`",
    );
    assert_world_error(
        quote!(executor = unsafe continuation_stealing),
        "expected `unsafe(...)` around the executor, as in `executor = unsafe(continuation_stealing(workers = 4))`",
    );
    assert_world_error(
        quote!(executor = unsafe(unsafe(continuation_stealing))),
        "`unsafe(...)` is written once, as in `executor = unsafe(continuation_stealing(workers = 4))`",
    );
    assert_world_error(
        quote!(executor = unsafe(continuation_stealing, sequential)),
        "expected one executor inside `unsafe(...)`, as in `executor = unsafe(continuation_stealing(workers = 4))`",
    );
}

#[test]
fn a_missing_ordering_target_similar_to_a_listed_system_waits_on_name_resolution() {
    // `damge` or `damage` is a typo; only rustc knows which, so no error yet.
    let model = world_ok(with_archetype(quote!(
        phases(P),
        systems(P = [damge, reap.after(damage)])
    )));
    assert_eq!(model.unresolved_orders.len(), 1);
    let order = &model.unresolved_orders[0];
    assert_eq!(super::key_of(&order.target), "damage");
    assert_eq!(order.near.len(), 1);
    assert_eq!(super::key_of(&order.near[0]), "damge");
    assert!(
        order.message.ends_with("(did you mean `damge`?)"),
        "{}",
        order.message
    );
    // A target unlike every listed system is reported at once.
    assert_world_error(
        quote!(phases(P), systems(P = [damage, reap.after(render)])),
        "no system `render` in phase `P` for `reap` to run after; list it in `P = [...]` or remove `.after(render)`",
    );
}
