//! `#[world(...)]`: the item, the keys, archetypes, components and resources.

use std::collections::{HashMap, HashSet};

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Ident, Item, Type, Visibility};

use super::{
    command_error, config, display, events, frames, key_of, order, Ctxt, WorldFailure, WorldStub,
};
use crate::model::{ArchetypeModel, ComponentModel, ResourceModel, WorldModel};
use crate::parse::world::{
    ArchetypeDecl, ExecutorDecl, KeyValue, Param, PhaseDecl, PhaseSystemsDecl, ResourceDecl,
    WorldAttr,
};
use crate::parse::List;

/// At most this many distinct component types in one world.
pub const MAX_COMPONENTS: usize = 256;
/// At most this many archetypes in one world.
pub const MAX_ARCHETYPES: usize = 256;
/// At most this many resources in one world.
pub const MAX_RESOURCES: usize = 256;

const UNIT_STRUCT: &str = "`#[world]` goes on a unit struct such as `pub struct Game;`";

// The failure carries the stub items on purpose; it is built once per macro call.
#[allow(clippy::result_large_err)]
pub fn validate(attr: TokenStream, item: TokenStream) -> Result<WorldModel, WorldFailure> {
    let cx = Ctxt::new();
    let target = item_target(&cx, item);

    let attr_span_tokens = attr.clone();
    let parsed: WorldAttr = match syn::parse2(attr) {
        Ok(parsed) => parsed,
        Err(error) => {
            cx.push(error);
            List {
                items: Vec::new(),
                errors: Vec::new(),
            }
        }
    };
    cx.extend(parsed.errors);

    let mut archetypes: Option<(Ident, List<ArchetypeDecl>)> = None;
    let mut resources: Option<List<ResourceDecl>> = None;
    let mut phases: Option<(Ident, List<PhaseDecl>)> = None;
    let mut systems: Option<(Ident, List<PhaseSystemsDecl>)> = None;
    let mut executor: Option<ExecutorDecl> = None;
    let mut capacity: Option<List<Param>> = None;
    let mut on_command_error: Option<Ident> = None;
    let mut events: Option<List<Type>> = None;
    let mut states: Option<List<crate::parse::events::StateDecl>> = None;
    let mut sparse: Option<List<Type>> = None;
    let mut hierarchy: Option<()> = None;
    let mut track: Option<List<Type>> = None;
    let mut serde: Option<proc_macro2::Span> = None;

    let mut max_fixed_steps: Option<(Ident, syn::Expr)> = None;
    let mut stats: Option<Ident> = None;
    for key in parsed.items {
        let name = key.name;
        let duplicate = match key.value {
            KeyValue::Archetypes(list) => put(&mut archetypes, (name.clone(), list)),
            KeyValue::Resources(list) => put(&mut resources, list),
            KeyValue::Phases(list) => put(&mut phases, (name.clone(), list)),
            KeyValue::Systems(list) => put(&mut systems, (name.clone(), list)),
            KeyValue::Executor(decl) => put(&mut executor, decl),
            KeyValue::Capacity(list) => put(&mut capacity, list),
            KeyValue::OnCommandError(value) => put(&mut on_command_error, value),
            KeyValue::Events(list) => put(&mut events, list),
            KeyValue::States(list) => put(&mut states, list),
            KeyValue::Sparse(list) => put(&mut sparse, list),
            KeyValue::Track(list) => put(&mut track, list),
            KeyValue::Hierarchy => put(&mut hierarchy, ()),
            KeyValue::Serde(span) => put(&mut serde, span),

            KeyValue::MaxFixedSteps(value) => put(&mut max_fixed_steps, (name.clone(), value)),
            KeyValue::Stats(value) => put(&mut stats, value),
        };
        if duplicate {
            cx.error_at(
                name.span(),
                format!("`{name}` is given twice in `#[world(...)]`; merge both into one `{name}`"),
            );
        }
    }

    if let Some(span) = serde {
        if !cfg!(feature = "serde") {
            cx.error_at(
                span,
                "the `serde` key needs the cargo feature `serde` of `metronome`: add `features = [\"serde\"]` to its dependency in Cargo.toml",
            );
        }
    }

    // Archetypes and components.
    let world_ident = target.ident.as_ref();
    let (mut components, archetype_models, stub_archetypes) = match &archetypes {
        Some((name, list)) => {
            cx.extend(list.errors.iter().cloned());
            if list.items.is_empty() && list.errors.is_empty() {
                cx.error_at(
                    name.span(),
                    "`archetypes()` declares no archetype; add one such as `Mover = (Position, Velocity)`",
                );
            }
            check_archetypes(&cx, &list.items, world_ident)
        }
        // A present but broken `archetypes` key was reported already.
        None if mentions_key(&attr_span_tokens, "archetypes") => {
            (Vec::new(), Vec::new(), Vec::new())
        }
        None => {
            if attr_span_tokens.is_empty() {
                cx.error_at(
                    proc_macro2::Span::call_site(),
                    "missing `archetypes(...)`: a world needs at least one archetype, as in `#[world(archetypes(Mover = (Position, Velocity)))]`",
                );
            } else {
                cx.error_spanned_by(
                    &attr_span_tokens,
                    "missing `archetypes(...)`: a world needs at least one archetype, as in `archetypes(Mover = (Position, Velocity))`",
                );
            }
            (Vec::new(), Vec::new(), Vec::new())
        }
    };

    // Sparse components: numbered after the archetypes' components.
    let mut sparse_models = sparse.map_or_else(Vec::new, |list| {
        cx.extend(list.errors);
        super::sparse::check_sparse(&cx, &list.items, &mut components, &archetype_models)
    });
    if hierarchy.is_some() {
        sparse_models.extend(super::sparse::hierarchy_components(&mut components));
    }
    let tracked_models = track.map_or_else(Vec::new, |list| {
        cx.extend(list.errors);
        super::track::check_track(&cx, &list.items, &components, &sparse_models)
    });

    // Resources.
    let mut resource_models = match resources {
        Some(list) => {
            cx.extend(list.errors);
            check_resources(&cx, list.items)
        }
        None => Vec::new(),
    };

    // Events and states (`State<S>`/`NextState<S>` are resources).
    let event_models = events.map_or_else(Vec::new, |list| events::check_events(&cx, list));
    let state_models = states.map_or_else(Vec::new, |list| events::check_states(&cx, list));
    resource_models.extend(events::state_resources(&state_models));
    let systems_key = systems.as_ref().map(|(name, _)| name.clone());
    let (systems, transition_decls) = events::split_transitions(systems);

    // Phases and systems.
    let phase_decls: Vec<Ident> = match &phases {
        Some((_, list)) => {
            cx.extend(list.errors.iter().cloned());
            list.items.iter().map(|p| p.name.clone()).collect()
        }
        None => Vec::new(),
    };
    let stub_phases = dedup_idents(&phase_decls);
    let mut unresolved_orders = Vec::new();
    let mut phase_models = order::check_phases(
        &cx,
        &phase_decls,
        phases.as_ref().map(|(name, _)| name),
        mentions_key(&attr_span_tokens, "phases"),
        systems.as_ref().map(|(name, list)| (name, list)),
        &mut unresolved_orders,
    );
    let mut transitions = events::check_transitions(
        &cx,
        systems_key.as_ref(),
        transition_decls,
        &state_models,
        &mut unresolved_orders,
    );
    events::resolve_conditions(
        &cx,
        phase_models
            .iter_mut()
            .chain(transitions.iter_mut().map(|t| &mut t.phase)),
        &state_models,
    );

    let executor_model = match &executor {
        Some(decl) => config::check_executor(&cx, decl),
        None => config::default_executor(),
    };
    let capacity_model = match &capacity {
        Some(list) => config::check_capacity(&cx, list),
        None => config::default_capacity(),
    };

    let on_command_error_model = command_error::check(&cx, on_command_error.as_ref());
    let frames_model = frames::check(
        &cx,
        phases.as_ref().map_or(&[][..], |(_, list)| &list.items[..]),
        max_fixed_steps.as_ref().map(|(key, value)| (key, value)),
        stats.as_ref(),
    );

    let stub = WorldStub {
        attrs: target.attrs,
        vis: target.vis,
        ident: target.ident,
        phases: stub_phases,
        archetypes: stub_archetypes,
        unresolved_orders,
    };
    match cx.check() {
        Err(error) => Err(WorldFailure { error, stub }),
        Ok(()) => match stub.ident {
            Some(ident) => Ok(WorldModel {
                attrs: stub.attrs,
                vis: stub.vis,
                ident,
                components,
                sparse: sparse_models,
                tracked: tracked_models,
                hierarchy: hierarchy.is_some(),
                serde,
                archetypes: archetype_models,
                resources: resource_models,
                phases: phase_models,
                executor: executor_model,
                capacity: capacity_model,
                unresolved_orders: stub.unresolved_orders,
                on_command_error: on_command_error_model,
                events: event_models,
                states: state_models,
                transitions,
                frames: frames_model,
            }),
            // Unreachable: a missing name is always reported; stay total anyway.
            None => Err(WorldFailure {
                error: syn::Error::new(proc_macro2::Span::call_site(), UNIT_STRUCT),
                stub,
            }),
        },
    }
}

/// The attribute has a top-level token `key` (a key that may have failed to parse).
fn mentions_key(attr: &TokenStream, key: &str) -> bool {
    attr.clone().into_iter().any(|tt| match tt {
        proc_macro2::TokenTree::Ident(ident) => ident == key,
        _ => false,
    })
}

/// Stores `value` in an empty slot; `true` (and nothing stored) when it was taken.
fn put<T>(slot: &mut Option<T>, value: T) -> bool {
    if slot.is_some() {
        true
    } else {
        *slot = Some(value);
        false
    }
}

fn dedup_idents(idents: &[Ident]) -> Vec<Ident> {
    let mut seen = HashSet::new();
    idents
        .iter()
        .filter(|ident| seen.insert(ident.to_string()))
        .cloned()
        .collect()
}

/// What the attribute is on.
struct Target {
    attrs: Vec<syn::Attribute>,
    vis: Visibility,
    ident: Option<Ident>,
}

fn item_target(cx: &Ctxt, item: TokenStream) -> Target {
    let item: Item = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(_) => {
            cx.error_spanned_by(&item, UNIT_STRUCT);
            return Target {
                attrs: Vec::new(),
                vis: Visibility::Inherited,
                ident: None,
            };
        }
    };
    match item {
        Item::Struct(s) => {
            if !matches!(s.fields, syn::Fields::Unit) && s.fields.is_empty() {
                cx.error_spanned_by(
                    &s.fields,
                    format!(
                        "{UNIT_STRUCT}; write `struct {};` without braces or parentheses",
                        s.ident
                    ),
                );
            } else if !matches!(s.fields, syn::Fields::Unit) {
                cx.error_spanned_by(
                    &s.fields,
                    format!("{UNIT_STRUCT}; remove the fields of `{}`: components belong in `archetypes(...)`", s.ident),
                );
            }
            if !s.generics.params.is_empty() || s.generics.where_clause.is_some() {
                cx.error_spanned_by(
                    &s.generics,
                    format!(
                        "a world cannot be generic; remove the generic parameters of `{}`",
                        s.ident
                    ),
                );
            }
            Target {
                attrs: s.attrs,
                vis: s.vis,
                ident: Some(s.ident),
            }
        }
        Item::Enum(e) => {
            let (token, ident) = (e.enum_token, &e.ident);
            cx.error_spanned_by(quote!(#token #ident), UNIT_STRUCT);
            Target {
                attrs: e.attrs,
                vis: e.vis,
                ident: Some(e.ident),
            }
        }
        Item::Union(u) => {
            let (token, ident) = (u.union_token, &u.ident);
            cx.error_spanned_by(quote!(#token #ident), UNIT_STRUCT);
            Target {
                attrs: u.attrs,
                vis: u.vis,
                ident: Some(u.ident),
            }
        }
        Item::Fn(f) => {
            let (token, ident) = (f.sig.fn_token, &f.sig.ident);
            cx.error_spanned_by(quote!(#token #ident), UNIT_STRUCT);
            Target {
                attrs: Vec::new(),
                vis: Visibility::Inherited,
                ident: None,
            }
        }
        other => {
            cx.error_spanned_by(&other, UNIT_STRUCT);
            Target {
                attrs: Vec::new(),
                vis: Visibility::Inherited,
                ident: None,
            }
        }
    }
}

/// `Type::Path` without `qself`, looking through invisible groups and parentheses.
pub fn as_path_type(ty: &Type) -> Option<&syn::TypePath> {
    match ty {
        Type::Path(path) if path.qself.is_none() => Some(path),
        Type::Group(group) => as_path_type(&group.elem),
        Type::Paren(paren) => as_path_type(&paren.elem),
        _ => None,
    }
}

type Archetypes = (
    Vec<ComponentModel>,
    Vec<ArchetypeModel>,
    Vec<(Ident, Vec<Type>)>,
);

fn check_archetypes(cx: &Ctxt, decls: &[ArchetypeDecl], world: Option<&Ident>) -> Archetypes {
    let mut components: Vec<ComponentModel> = Vec::new();
    let mut component_index: HashMap<String, usize> = HashMap::new();
    let mut models = Vec::new();
    let mut stub = Vec::new();
    let mut names: HashMap<String, Ident> = HashMap::new();
    let mut sets: HashMap<Vec<usize>, Ident> = HashMap::new();
    let mut too_many_components = false;
    // Single-identifier component names, to catch `Position = (Position)`.
    let mut component_names: HashMap<String, Type> = HashMap::new();

    for (n, decl) in decls.iter().enumerate() {
        let name = &decl.name;
        if n == MAX_ARCHETYPES {
            cx.error_spanned_by(
                name,
                format!("a world holds at most {MAX_ARCHETYPES} archetypes; `{name}` is one too many, split the world"),
            );
        }
        if let Some(first) = names.get(&name.to_string()) {
            cx.error_spanned_by(
                name,
                format!("archetype `{name}` is declared twice; rename one of them (the first is `{first} = ...`)"),
            );
            continue;
        }
        names.insert(name.to_string(), name.clone());
        // A name that clashes with another generated item stays out of the stub.
        let clash = world.and_then(|world| {
            if name == world {
                Some("the name of the world".to_string())
            } else if *name == format!("{world}Phase") {
                Some(format!(
                    "the name of the generated phase enum `{world}Phase`"
                ))
            } else {
                None
            }
        });
        if let Some(what) = &clash {
            cx.error_spanned_by(
                name,
                format!("archetype `{name}` has {what}; rename the archetype"),
            );
        }
        if decl.components.is_empty() {
            cx.error_spanned_by(
                &decl.body,
                format!("archetype `{name}` has no component; list at least one, as in `{name} = (Position)`"),
            );
        }

        let mut indices = Vec::new();
        let mut tys = Vec::new();
        let mut seen: HashSet<usize> = HashSet::new();
        for ty in &decl.components {
            let Some(path) = as_path_type(ty) else {
                cx.error_spanned_by(
                    ty,
                    format!(
                        "component `{}` must be a type path such as `Position` or `physics::Position`",
                        display(ty)
                    ),
                );
                continue;
            };
            let key = key_of(path);
            let index = match component_index.get(&key) {
                Some(&index) => index,
                None => {
                    if components.len() == MAX_COMPONENTS && !too_many_components {
                        too_many_components = true;
                        cx.error_spanned_by(
                            ty,
                            format!("a world holds at most {MAX_COMPONENTS} component types; `{}` is one too many", display(ty)),
                        );
                    }
                    let index = components.len();
                    component_index.insert(key, index);
                    components.push(ComponentModel { ty: ty.clone() });
                    if let Some(ident) = path.path.get_ident() {
                        component_names
                            .entry(ident.to_string())
                            .or_insert_with(|| ty.clone());
                    }
                    index
                }
            };
            if !seen.insert(index) {
                cx.error_spanned_by(
                    ty,
                    format!(
                        "component `{}` appears twice in archetype `{name}`; an archetype holds each component once, remove one",
                        display(ty)
                    ),
                );
                continue;
            }
            indices.push(index);
            tys.push(ty.clone());
        }

        let mut set = indices.clone();
        set.sort_unstable();
        if !set.is_empty() && set.len() == decl.components.len() {
            if let Some(first) = sets.get(&set) {
                cx.error_spanned_by(
                    name,
                    format!("archetypes `{first}` and `{name}` have the same components; an archetype is known by its set of components, so remove `{name}` or change its components"),
                );
            } else {
                sets.insert(set, name.clone());
            }
        }

        if clash.is_none() {
            stub.push((name.clone(), tys.clone()));
        }
        models.push(ArchetypeModel {
            ident: name.clone(),
            components: indices,
            component_tys: tys,
        });
    }

    stub.retain(|(name, _)| !component_names.contains_key(&name.to_string()));
    for model in &models {
        if let Some(component) = component_names.get(&model.ident.to_string()) {
            cx.error_spanned_by(
                &model.ident,
                format!(
                    "archetype `{}` has the name of the component `{}`; the generated `struct {}` would clash with it, rename the archetype",
                    model.ident,
                    display(component),
                    model.ident
                ),
            );
        }
    }

    (components, models, stub)
}

fn check_resources(cx: &Ctxt, decls: Vec<ResourceDecl>) -> Vec<ResourceModel> {
    let mut seen = HashSet::new();
    let mut models = Vec::new();
    for decl in decls {
        if !seen.insert(key_of(&decl.ty)) {
            cx.error_spanned_by(
                &decl.ty,
                format!(
                    "resource `{}` is listed twice in `resources(...)`; remove one",
                    display(&decl.ty)
                ),
            );
            continue;
        }
        if models.len() == MAX_RESOURCES - 1 {
            cx.error_spanned_by(
                &decl.ty,
                format!(
                    "a world holds at most {} resources besides the built-in `Time`; `{}` is one too many",
                    MAX_RESOURCES - 1,
                    display(&decl.ty)
                ),
            );
        }
        models.push(ResourceModel {
            ty: decl.ty,
            init: decl.init,
        });
    }
    models
}
