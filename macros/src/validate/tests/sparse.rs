//! Unit tests of `sparse(...)`: numbering and every diagnostic.

use quote::quote;

use super::validate_world as world;

#[test]
fn sparse_components_are_numbered_after_the_archetypes_components() {
    let Ok(model) = world(quote!(
        archetypes(Mover = (Position, Velocity), Prop = (Position)),
        sparse(Slowed, effects::Burning),
    )) else {
        panic!("a valid declaration")
    };
    assert_eq!(model.sparse, [2, 3]);
    assert_eq!(model.components.len(), 4);
    assert!(model
        .archetypes
        .iter()
        .all(|a| a.components.iter().all(|c| *c < 2)));
}

#[test]
fn sparse_diagnostics() {
    let errors = world(quote!(
        archetypes(Mover = (Position, Slowed)),
        sparse(Slowed, Burning, Burning, [u8; 4]),
    ))
    .err()
    .expect("errors");
    assert_eq!(
        errors,
        [
            "component `Slowed` is in `sparse(...)` and in archetype `Mover`; a sparse component is carried by any entity without being part of an archetype: remove it from `sparse(...)` or from the archetype",
            "component `Burning` is listed twice in `sparse(...)`; remove one",
            "sparse component `[u8 ; 4]` must be a type path such as `Slowed` or `effects::Slowed`",
        ]
    );
    let errors = world(quote!(archetypes(Mover = (Position)), sparse = Slowed))
        .err()
        .expect("errors");
    assert_eq!(
        errors,
        ["`sparse` takes a parenthesized list of component types, as in `sparse(Slowed, Burning)`"]
    );
    let errors = world(quote!(archetypes(Mover = (Position)), sparse(A), sparse(B)))
        .err()
        .expect("errors");
    assert_eq!(
        errors,
        ["`sparse` is given twice in `#[world(...)]`; merge both into one `sparse`"]
    );
}
