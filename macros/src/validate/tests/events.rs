//! Unit tests of `events(...)`, `states(...)`, `OnEnter`/`OnExit` and `.run_if(...)`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{validate_world, with_archetype};
use crate::model::{ConditionModel, WorldModel};

fn world(attr: TokenStream) -> Result<WorldModel, Vec<String>> {
    validate_world(with_archetype(attr))
}

#[track_caller]
fn errors(attr: TokenStream) -> Vec<String> {
    match world(attr) {
        Ok(_) => panic!("expected errors"),
        Err(errors) => errors,
    }
}

#[test]
fn the_model_holds_events_states_transitions_and_conditions() {
    let Ok(model) = world(quote!(
        events(Damage, combat::Heal),
        states(GameState = GameState::Menu, Music = Music::Quiet),
        phases(Update),
        systems(
            Update = [
                hit.run_if(playing).run_if(in_state(Music::Loud)),
                apply.after(hit)
            ],
            OnEnter(GameState::Playing) = [setup, after_setup.after(setup)],
            OnExit(GameState::Playing) = [],
        ),
    )) else {
        panic!("valid")
    };
    assert_eq!(model.events.len(), 2);
    assert_eq!(model.states.len(), 2);
    // `State<S>` and `NextState<S>` per state type.
    assert_eq!(model.resources.len(), 4);
    assert_eq!(model.phases.len(), 1);
    assert_eq!(model.transitions.len(), 2);
    let enter = &model.transitions[0];
    assert!(enter.enter && enter.state == 0);
    assert_eq!(enter.phase.systems.len(), 2);
    assert_eq!(enter.phase.systems[1].after, [0]);
    assert!(!model.transitions[1].enter);
    let hit = &model.phases[0].systems[0];
    assert!(matches!(hit.conditions[0], ConditionModel::System(_)));
    assert!(matches!(
        hit.conditions[1],
        ConditionModel::InState { state: 1, .. }
    ));
}

#[test]
fn transitions_alone_need_no_phases() {
    let Ok(model) = world(quote!(
        states(GameState = GameState::Menu),
        systems(OnEnter(GameState::Menu) = [show_menu]),
    )) else {
        panic!("valid")
    };
    assert!(model.phases.is_empty());
    assert_eq!(model.transitions.len(), 1);
}

/// A misspelled `.after(..)` target in an `OnEnter` list waits on name resolution like
/// one in a phase (the world's `const` then reports it, or the listed typo).
#[test]
fn a_near_miss_ordering_target_in_a_transition_list_waits_on_name_resolution() {
    let Ok(model) = world(quote!(
        states(GameState = GameState::Menu),
        systems(OnEnter(GameState::Menu) = [stup, show.after(setup)]),
    )) else {
        panic!("valid")
    };
    assert_eq!(model.unresolved_orders.len(), 1);
    let order = &model.unresolved_orders[0];
    assert_eq!(crate::validate::key_of(&order.target), "setup");
    assert_eq!(crate::validate::key_of(&order.near[0]), "stup");
}

#[test]
fn a_bare_variant_names_the_only_state_type() {
    assert!(world(quote!(
        states(GameState = GameState::Menu),
        phases(Update),
        systems(
            Update = [a.run_if(in_state(Playing))],
            OnEnter(Playing) = [b]
        ),
    ))
    .is_ok());
}

#[test]
fn a_state_needs_an_initial_value() {
    assert_eq!(
        errors(quote!(states(GameState))),
        ["state `GameState` needs its initial value, as in `states(GameState = GameState::Menu)`"]
    );
}

#[test]
fn events_and_states_are_listed_once() {
    assert_eq!(
        errors(quote!(events(Damage, Damage))),
        ["event `Damage` is listed twice in `events(...)`; remove one"]
    );
    assert_eq!(
        errors(quote!(states(S = S::A, S = S::B))),
        ["state `S` is listed twice in `states(...)`; remove one"]
    );
}

#[test]
fn a_transition_of_an_undeclared_state_names_the_fix() {
    assert_eq!(
        errors(quote!(
            states(GameState = GameState::Menu),
            systems(OnEnter(Level::One) = [a]),
        )),
        ["`Level` is not a state of this world; declare it in `states(...)` with its initial value, as in `states(Level = Level::One)`"]
    );
    assert_eq!(
        errors(quote!(phases(Update), systems(OnExit(Level::One) = [a]))),
        ["`OnExit(..)` needs a state type, and this world declares none; declare it with its initial value: `states(Level = Level::One)`"]
    );
    assert_eq!(
        errors(quote!(
            phases(Update),
            systems(Update = [a.run_if(in_state(Level::One))]),
        )),
        ["`in_state(..)` needs a state type, and this world declares none; declare it with its initial value: `states(Level = Level::One)`"]
    );
}

#[test]
fn a_transition_is_given_once() {
    assert_eq!(
        errors(quote!(
            states(S = S::A),
            systems(OnEnter(S::B) = [a], OnEnter(S::B) = [b]),
        )),
        ["`OnEnter(S::B)` is given twice in `systems(...)`; list all its systems in one `OnEnter(S::B) = [...]`"]
    );
}

#[test]
fn run_if_names_one_condition() {
    let e = errors(quote!(phases(Update), systems(Update = [a.run_if()])));
    assert!(e[0].starts_with("`.run_if()` names no condition"), "{e:?}");
    let e = errors(quote!(phases(Update), systems(Update = [a.run_if(b, c)])));
    assert!(
        e[0].starts_with("expected one condition per `.run_if(...)`"),
        "{e:?}"
    );
}

#[test]
fn a_system_cannot_return_impl_trait() {
    let errors: Vec<String> = match crate::validate::system(
        quote!(),
        quote!(
            fn f() -> impl Sized {}
        ),
    ) {
        Ok(_) => panic!("expected an error"),
        Err(failure) => failure.error.into_iter().map(|e| e.to_string()).collect(),
    };
    assert_eq!(
        errors,
        ["system `f` returns `impl Sized`; a system returns nothing, or `bool` when it is a run condition"]
    );
}
