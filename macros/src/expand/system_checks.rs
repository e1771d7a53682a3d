//! Messages of the compile-time checks `#[world]` runs on each listed system (the checks
//! are `const` items spanned at the system's path in `systems(...)`, so a failure points
//! at what the user wrote and the message can name the system and the fix).

use proc_macro2::{Delimiter, Group, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, Path};

use crate::model::{ConditionModel, UnresolvedOrder};
use crate::validate::{display, key_of};

/// The error when `queries_match` fails: a query of `system` matches no archetype of `world`.
pub fn no_match_message(system: &str, world: &str) -> String {
    format!(
        "a query of system `{system}` matches no archetype of world `{world}`: no archetype has all the components it reads, writes and requires with `With`, without one it excludes with `Without`; add such an archetype to `archetypes(...)`, or change the query or its filters"
    )
}

/// One private type alias per listed system (`type __mn_Game_system_0 = ...;`, the
/// `#[system]`'s struct the path names) and the alias paths, spanned at the user's paths,
/// that the rest of the expansion uses instead: a path that does not resolve is then
/// reported once, at the user's token, not once per context that names it.
///
/// Each path is resolved by [`resolve_listed`], so that a function listed without
/// `#[system]` is reported as such, naming it and the fix.
pub fn system_aliases(world: &Ident, paths: &[Path]) -> (TokenStream, Vec<Path>) {
    let mut items = TokenStream::new();
    let mut aliases = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let alias = format_ident!("__mn_{}_system_{}", world, i, span = path.span());
        items.extend(resolve_listed(&alias, path));
        aliases.push(Path::from(alias));
    }
    (items, aliases)
}

/// The run conditions of each listed system (`(name, conditions)`, in world order) with
/// every condition function replaced by an alias (`__mn_Game_condition_0`) made by
/// [`resolve_listed`], and the alias items: a condition function without `#[system]` is
/// reported as such, once, at its path in `run_if(...)`.
pub fn condition_aliases(
    world: &Ident,
    systems: &[(String, &[ConditionModel])],
) -> (TokenStream, Vec<(String, Vec<ConditionModel>)>) {
    let mut items = TokenStream::new();
    let mut count = 0usize;
    let aliased = systems
        .iter()
        .map(|(name, conditions)| {
            let conditions = conditions
                .iter()
                .map(|condition| match condition {
                    ConditionModel::System(path) => {
                        let alias =
                            format_ident!("__mn_{}_condition_{}", world, count, span = path.span());
                        count += 1;
                        items.extend(resolve_listed(&alias, path));
                        ConditionModel::System(Path::from(alias))
                    }
                    other => other.clone(),
                })
                .collect();
            (name.clone(), conditions)
        })
        .collect();
    (items, aliased)
}

/// `type #alias = ...;`: the type that `path` names, or the runtime's `NotASystem` when it
/// names none (a function without `#[system]`), and the check that it is not the latter.
///
/// The path is imported, in a block of its own, under the name `__mn_listed`, beside a
/// glob import of a fallback module defining that name as `NotASystem` (type namespace)
/// and a `NoItem` (value namespace): the explicit import shadows the glob exactly in the
/// namespaces where the path names something. The block sees all that the world's scope
/// sees (`use` paths start from lexical scope, so block-scope items of a function body
/// too), and an impl of `ListedSystem` carries the type out of it. The check then fails
/// with "`damage` is not a `#[system]`" where the type is `NotASystem` and the value is
/// not `NoItem` (a path that names nothing is reported by rustc instead).
///
/// A one-name path is, in addition, defined as a macro in an enclosing block, so that its
/// import always succeeds (macros are a namespace of their own, which the user's function
/// and struct do not use), and named as a value outside that block: a typo is reported
/// there, once, as rustc's "cannot find value" with its suggestion of a similar name.
fn resolve_listed(alias: &Ident, path: &Path) -> TokenStream {
    let rt = super::rt();
    let span = path.span();
    // Stable proc macros cannot join spans; an item or expression whose first token has
    // the path's first span and whose last token has its last span covers the whole path
    // in rustc's messages.
    let last = path.segments.last().map_or(span, |s| s.ident.span());
    let resolver = format_ident!("{}_listed", alias, span = span);
    let local = format_ident!("__mn_listed", span = last);
    let shown = display(path);
    let function = path
        .segments
        .last()
        .map_or_else(|| shown.clone(), |s| s.ident.to_string());
    let message =
        format!("`{shown}` is not a `#[system]`: add the attribute `#[system]` to `fn {function}`");
    let arguments = Group::new(Delimiter::Parenthesis, quote!("{}", #message));
    let arguments = {
        let mut group = arguments;
        group.set_span(last);
        group
    };
    let semi = quote_spanned!(last=> ;);
    let resolve = quote_spanned! {span=>
        const _: () = {
            #[allow(non_snake_case)]
            mod __mn_fallback {
                #[allow(non_camel_case_types)]
                pub(super) type __mn_listed = ::metronome::__private::NotASystem;
                #[allow(non_upper_case_globals)]
                pub(super) const __mn_listed: ::metronome::__private::NoItem = ::metronome::__private::NoItem;
            }
            #[allow(unused_imports)]
            use __mn_fallback::*;
            #[allow(unused_imports)]
            use #path as #local #semi
            impl #rt::ListedSystem for #resolver {
                type System = #local;
            }
            const _: () = if <#local as #rt::SystemMeta>::NOT_A_SYSTEM
                && #rt::names_an_item(&#local)
            {
                ::core::panic! #arguments
            };
        };
    };
    let resolve = match path.get_ident() {
        Some(name) => quote_spanned! {span=>
            const _: () = {
                #[allow(unused_macros)]
                macro_rules! #name {
                    () => {};
                }
                #resolve
            };
            const _: () = {
                let _ = #name;
            };
        },
        None => resolve,
    };
    quote_spanned! {span=>
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        struct #resolver;
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        type #alias = <#resolver as #rt::ListedSystem>::System;
        #resolve
    }
}

/// The `const`s of the ordering errors that wait on name resolution: each names the
/// similar listed systems (through their aliases `listed[i]` of `listed_paths[i]`; a listed
/// one that is no `#[system]`, or names nothing, is the error, reported at the listed
/// name, and the `const` then does not fail), then fails with the error at the ordering
/// target.
pub fn unresolved_orders(
    orders: &[UnresolvedOrder],
    listed_paths: &[Path],
    listed: &[Path],
) -> TokenStream {
    let rt = super::rt();
    orders
        .iter()
        .map(|order| {
            let span = order.target.span();
            let near: Vec<&Path> = order
                .near
                .iter()
                .filter_map(|path| {
                    let key = key_of(path);
                    let i = listed_paths.iter().position(|p| key_of(p) == key)?;
                    Some(&listed[i])
                })
                .collect();
            let message = &order.message;
            let fail = quote_spanned!(span=> ::core::panic!("{}", #message));
            if near.is_empty() {
                quote_spanned!(span=> const _: () = #fail;)
            } else {
                quote_spanned! {span=>
                    const _: () = if !(#(<#near as #rt::SystemMeta>::NOT_A_SYSTEM)||*) {
                        #fail
                    };
                }
            }
        })
        .collect()
}

/// The distinct near-miss paths of `orders`, in order (the stub world aliases them).
pub fn near_paths(orders: &[UnresolvedOrder]) -> Vec<Path> {
    let mut paths: Vec<Path> = Vec::new();
    for path in orders.iter().flat_map(|order| &order.near) {
        if !paths.iter().any(|p| key_of(p) == key_of(path)) {
            paths.push(path.clone());
        }
    }
    paths
}
