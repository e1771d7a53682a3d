//! The item `#[world]` is on and the keys of the attribute: unknown and duplicate keys,
//! archetypes (diagnostics 5, 6, 14), resources, capacity (4), `on_command_error`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{assert_one, assert_world_error, world_errors, world_errors_on, world_ok};
use crate::model::CommandErrorModel;

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

#[test]
fn empty_braces_are_not_a_unit_struct() {
    assert_one(
        &world_errors_on(quote!(archetypes(A = (B))), quote!(struct Game {})),
        "`#[world]` goes on a unit struct such as `pub struct Game;`; write `struct Game;` without braces or parentheses",
    );
}

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
