//! `phases(...)` and `systems(...)`: phases, listed systems, orderings and their cycles
//! (diagnostics 7, 8).

use quote::quote;

use super::{assert_has, assert_world_error, with_archetype, world_errors, world_ok};

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

#[test]
fn a_missing_ordering_target_similar_to_a_listed_system_waits_on_name_resolution() {
    // `damge` or `damage` is a typo; only rustc knows which, so no error yet.
    let model = world_ok(with_archetype(quote!(
        phases(P),
        systems(P = [damge, reap.after(damage)])
    )));
    assert_eq!(model.unresolved_orders.len(), 1);
    let order = &model.unresolved_orders[0];
    assert_eq!(crate::validate::key_of(&order.target), "damage");
    assert_eq!(order.near.len(), 1);
    assert_eq!(crate::validate::key_of(&order.near[0]), "damge");
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
