//! A broken `#[world]` attribute: several mistakes reported at once, a parse error that
//! does not hide the others, and garbage that must not panic.

use proc_macro2::TokenStream;
use quote::quote;

use super::{assert_has, assert_one, world_errors};

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
            let _ = crate::validate::world(attr.clone(), item);
        }
    }
}
