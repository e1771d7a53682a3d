//! Unit tests of `track(...)`: the tracked indices and every diagnostic.

use quote::quote;

use super::validate_world as world;

#[test]
fn tracked_components_are_archetype_components_in_declaration_order() {
    let Ok(model) = world(quote!(
        archetypes(
            Mover = (Position, Velocity),
            Unit = (Position, physics::Health)
        ),
        track(physics::Health, Position),
    )) else {
        panic!("a valid declaration")
    };
    assert_eq!(model.tracked, [2, 0]);
    let Ok(model) = world(quote!(archetypes(Mover = (Position)))) else {
        panic!("a valid declaration")
    };
    assert!(model.tracked.is_empty());
}

#[test]
fn track_diagnostics() {
    let errors = world(quote!(
        archetypes(Mover = (Position, Health)),
        sparse(Slowed),
        track(Health, Health, Slowed, Burning, [u8; 4]),
    ))
    .err()
    .expect("errors");
    assert_eq!(
        errors,
        [
            "component `Health` is listed twice in `track(...)`; remove one",
            "component `Slowed` is sparse; `track(...)` takes archetype components only (a sparse component has no change ticks): remove it from `track(...)`",
            "component `Burning` in `track(...)` is in no archetype of this world; add it to an archetype or remove it from `track(...)`",
            "tracked component `[u8 ; 4]` must be a type path such as `Position` or `physics::Position`",
        ]
    );
    let errors = world(quote!(archetypes(Mover = (Position)), track = Position))
        .err()
        .expect("errors");
    assert_eq!(
        errors,
        ["`track` takes a parenthesized list of component types, as in `track(Position, Health)`"]
    );
    let errors = world(quote!(
        archetypes(Mover = (Position)),
        track(Position),
        track(Position)
    ))
    .err()
    .expect("errors");
    assert_eq!(
        errors,
        ["`track` is given twice in `#[world(...)]`; merge both into one `track`"]
    );
}
