//! in `#[world(...)]`: `events(...)`, `states(...)`, the
//! `OnEnter`/`OnExit` lists of `systems(...)` and the `.run_if(...)` conditions.

use std::collections::HashSet;

use syn::{Expr, Ident, Path, Type};

use super::world::as_path_type;
use super::{display, key_of, order, Ctxt};
use crate::model::{
    ConditionModel, PhaseModel, ResourceModel, StateModel, TransitionModel, UnresolvedOrder,
};
use crate::parse::events::{ConditionDecl, StateDecl};
use crate::parse::world::{PhaseSystemsDecl, SystemDecl};
use crate::parse::List;

/// At most this many event types in one world.
pub const MAX_EVENTS: usize = 256;

/// `events(T, ...)`: type paths, each once.
pub fn check_events(cx: &Ctxt, list: List<Type>) -> Vec<Type> {
    cx.extend(list.errors);
    let mut seen = HashSet::new();
    let mut events = Vec::new();
    for ty in list.items {
        if as_path_type(&ty).is_none() {
            cx.error_spanned_by(
                &ty,
                format!(
                    "event `{}` must be a type path such as `Damage` or `combat::Damage`",
                    display(&ty)
                ),
            );
            continue;
        }
        if !seen.insert(key_of(&ty)) {
            cx.error_spanned_by(
                &ty,
                format!(
                    "event `{}` is listed twice in `events(...)`; remove one",
                    display(&ty)
                ),
            );
            continue;
        }
        if events.len() == MAX_EVENTS {
            cx.error_spanned_by(
                &ty,
                format!(
                    "a world holds at most {MAX_EVENTS} event types; `{}` is one too many",
                    display(&ty)
                ),
            );
        }
        events.push(ty);
    }
    events
}

/// `states(S = initial, ...)`: type paths, each once.
pub fn check_states(cx: &Ctxt, list: List<StateDecl>) -> Vec<StateModel> {
    cx.extend(list.errors);
    let mut seen = HashSet::new();
    let mut states = Vec::new();
    for decl in list.items {
        if as_path_type(&decl.ty).is_none() {
            cx.error_spanned_by(
                &decl.ty,
                format!(
                    "state `{}` must be a type path such as `GameState`",
                    display(&decl.ty)
                ),
            );
            continue;
        }
        if !seen.insert(key_of(&decl.ty)) {
            cx.error_spanned_by(
                &decl.ty,
                format!(
                    "state `{}` is listed twice in `states(...)`; remove one",
                    display(&decl.ty)
                ),
            );
            continue;
        }
        states.push(StateModel {
            ty: decl.ty,
            init: decl.init,
        });
    }
    states
}

/// The resources `State<S>` and `NextState<S>` of every state type, appended to the
/// world's resources.
pub fn state_resources(states: &[StateModel]) -> Vec<ResourceModel> {
    let rt = crate::expand::rt();
    states
        .iter()
        .flat_map(|state| {
            let (ty, init) = (&state.ty, &state.init);
            [
                ResourceModel {
                    ty: syn::parse_quote_spanned!(syn::spanned::Spanned::span(ty)=> #rt::State<#ty>),
                    init: Some(syn::parse_quote_spanned!(syn::spanned::Spanned::span(init)=> #rt::State::<#ty>::new(#init))),
                },
                ResourceModel {
                    ty: syn::parse_quote_spanned!(syn::spanned::Spanned::span(ty)=> #rt::NextState<#ty>),
                    init: None,
                },
            ]
        })
        .collect()
}

/// Splits the `OnEnter`/`OnExit` lists off `systems(...)`.
pub fn split_transitions(
    systems: Option<(Ident, List<PhaseSystemsDecl>)>,
) -> (
    Option<(Ident, List<PhaseSystemsDecl>)>,
    Vec<PhaseSystemsDecl>,
) {
    let Some((key, list)) = systems else {
        return (None, Vec::new());
    };
    let (transitions, phases): (Vec<_>, Vec<_>) = list
        .items
        .into_iter()
        .partition(|decl| decl.transition.is_some());
    let only_transitions = phases.is_empty() && list.errors.is_empty() && !transitions.is_empty();
    let rest = List {
        items: phases,
        errors: list.errors,
    };
    // `systems(OnEnter(..) = [..])` alone needs no `phases(...)`.
    let rest = (!only_transitions).then_some((key, rest));
    (rest, transitions)
}

/// Checks each `OnEnter`/`OnExit` list like a phase of its own.
pub fn check_transitions(
    cx: &Ctxt,
    systems_key: Option<&Ident>,
    decls: Vec<PhaseSystemsDecl>,
    states: &[StateModel],
    unresolved: &mut Vec<UnresolvedOrder>,
) -> Vec<TransitionModel> {
    let mut seen: HashSet<(bool, usize, String)> = HashSet::new();
    let mut transitions = Vec::new();
    for decl in decls {
        let Some(transition) = &decl.transition else {
            continue;
        };
        let (enter, value) = (transition.enter, transition.value.clone());
        let keyword = decl.phase.clone();
        let Some(state) = state_of(cx, &value, states, &format!("{keyword}(..)")) else {
            cx.extend(decl.systems.errors);
            continue;
        };
        if !seen.insert((enter, state, key_of(&value))) {
            cx.error_spanned_by(
                &value,
                format!(
                    "`{keyword}({})` is given twice in `systems(...)`; list all its systems in one `{keyword}({}) = [...]`",
                    display(&value),
                    display(&value)
                ),
            );
            continue;
        }
        let key = systems_key.cloned().unwrap_or_else(|| keyword.clone());
        let list = List {
            items: vec![decl],
            errors: Vec::new(),
        };
        let mut phases = order::check_phases(
            cx,
            std::slice::from_ref(&keyword),
            Some(&key),
            true,
            Some((&key, &list)),
            unresolved,
        );
        if let Some(phase) = phases.pop() {
            transitions.push(TransitionModel {
                enter,
                state,
                value,
                phase,
            });
        }
    }
    transitions
}

/// The conditions of `decl`, with `in_state` not yet tied to its state (see
/// [`resolve_conditions`]).
pub fn unresolved_conditions(decl: &SystemDecl) -> Vec<ConditionModel> {
    decl.conditions
        .iter()
        .map(|condition| match condition {
            ConditionDecl::System(path) => ConditionModel::System(path.clone()),
            ConditionDecl::InState { value, .. } => ConditionModel::InState {
                value: value.clone(),
                state: usize::MAX,
            },
        })
        .collect()
}

/// Ties every `in_state(..)` condition to its state type (an error where there is none).
pub fn resolve_conditions<'a>(
    cx: &Ctxt,
    phases: impl IntoIterator<Item = &'a mut PhaseModel>,
    states: &[StateModel],
) {
    for phase in phases {
        for entry in &mut phase.systems {
            for condition in &mut entry.conditions {
                if let ConditionModel::InState { value, state } = condition {
                    if let Some(index) = state_of(cx, value, states, "in_state(..)") {
                        *state = index;
                    }
                }
            }
        }
    }
}

/// The state type of a value such as `GameState::Playing`: the path without its last
/// segment, compared with the declared state types (in full, else by last segment); a
/// bare `Playing` names the only state type. An error naming the fix otherwise.
fn state_of(cx: &Ctxt, value: &Expr, states: &[StateModel], what: &str) -> Option<usize> {
    let path = value_path(value);
    let prefix: Option<Path> = path.and_then(|path| {
        let mut prefix = path.clone();
        prefix.segments.pop()?;
        prefix.segments.pop_punct();
        (!prefix.segments.is_empty()).then_some(prefix)
    });
    if states.is_empty() {
        let example = prefix.as_ref().map_or("GameState".to_string(), display);
        cx.error_spanned_by(
            value,
            format!("`{what}` needs a state type, and this world declares none; declare it with its initial value: `states({example} = {})`", display(value)),
        );
        return None;
    }
    let Some(prefix) = prefix else {
        if path.is_some() && states.len() == 1 {
            return Some(0);
        }
        cx.error_spanned_by(
            value,
            format!(
                "`{what}` takes a state value written with its type, as in `{}::Playing`",
                display(&states[0].ty)
            ),
        );
        return None;
    };
    let key = key_of(&prefix);
    if let Some(index) = states.iter().position(|s| key_of(&s.ty) == key) {
        return Some(index);
    }
    let last = |ty: &Type| {
        as_path_type(ty)
            .and_then(|p| p.path.segments.last())
            .map(|s| s.ident.to_string())
    };
    let prefix_last = prefix.segments.last().map(|s| s.ident.to_string());
    let by_last: Vec<usize> = (0..states.len())
        .filter(|&i| last(&states[i].ty) == prefix_last)
        .collect();
    if let [index] = by_last.as_slice() {
        return Some(*index);
    }
    cx.error_spanned_by(
        &prefix,
        format!(
            "`{}` is not a state of this world; declare it in `states(...)` with its initial value, as in `states({} = {})`",
            display(&prefix),
            display(&prefix),
            display(value)
        ),
    );
    None
}

/// `S::X`, `S::X(..)` or `S::X { .. }`: the path.
fn value_path(value: &Expr) -> Option<&Path> {
    match value {
        Expr::Path(path) if path.qself.is_none() => Some(&path.path),
        Expr::Call(call) => value_path(&call.func),
        Expr::Struct(s) if s.qself.is_none() => Some(&s.path),
        Expr::Paren(paren) => value_path(&paren.expr),
        Expr::Group(group) => value_path(&group.expr),
        _ => None,
    }
}

/// A system returns nothing, or a value (`bool` for a run condition) that can be named:
/// not `impl Trait`.
pub fn check_output(cx: &Ctxt, func: &syn::ItemFn) {
    if let syn::ReturnType::Type(_, ty) = &func.sig.output {
        if matches!(**ty, Type::ImplTrait(_) | Type::Infer(_)) {
            cx.error_spanned_by(
                ty,
                format!(
                    "system `{}` returns `{}`; a system returns nothing, or `bool` when it is a run condition",
                    func.sig.ident,
                    display(ty)
                ),
            );
        }
    }
}
