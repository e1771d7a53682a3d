//! Messages of the compile-time checks `#[world]` runs on each listed system (the checks
//! are `const` items spanned at the system's path in `systems(...)`, so a failure points
//! at what the user wrote and the message can name the system and the fix).

use proc_macro2::TokenStream;
use quote::{format_ident, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, Path};

use crate::model::UnresolvedOrder;
use crate::validate::key_of;

/// The error when `queries_match` fails: a query of `system` matches no archetype of `world`.
pub fn no_match_message(system: &str, world: &str) -> String {
    format!(
        "a query of system `{system}` matches no archetype of world `{world}`: no archetype has all the components it reads, writes and requires with `With`, without one it excludes with `Without`; add such an archetype to `archetypes(...)`, or change the query or its filters"
    )
}

/// One private type alias per listed system (`type __mn_Game_system_0 = ...;`) and the
/// alias paths, spanned at the user's paths, that the rest of the expansion uses
/// instead: a path that does not resolve (a typo) is then reported once, at the user's
/// token, not once per context that names it.
///
/// A one-name path (`damage`) resolves with a fallback (see [`resolve_with_fallback`]),
/// so that a function listed without `#[system]` becomes the runtime's `NotASystem`,
/// whose check ([`not_a_system_check`]) says to add the attribute, instead of rustc's
/// "expected type, found function".
pub fn system_aliases(world: &Ident, paths: &[Path]) -> (TokenStream, Vec<Path>) {
    let mut items = TokenStream::new();
    let mut aliases = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let alias = format_ident!("__mn_{}_system_{}", world, i, span = path.span());
        match path.get_ident() {
            Some(name) => items.extend(resolve_with_fallback(&alias, name)),
            None => items.extend(quote_spanned! {path.span()=>
                #[doc(hidden)]
                #[allow(non_camel_case_types)]
                type #alias = #path;
            }),
        }
        aliases.push(Path::from(alias));
    }
    (items, aliases)
}

/// `type #alias = #name;` where `#name` in the type namespace is the `#[system]`'s struct
/// if the module has one, and `NotASystem` otherwise, through lexical scopes: the alias
/// is a projection of a trait implemented inside two nested blocks; the inner one
/// glob-imports the module (so the struct, if any, is the innermost name), the outer one
/// glob-imports a fallback type of the same name. A name that is nothing at all also
/// resolves to the fallback: [`not_a_system_check`] names the value too, so that the
/// typo is reported by rustc there, once.
fn resolve_with_fallback(alias: &Ident, name: &Ident) -> TokenStream {
    let rt = super::rt();
    let span = name.span();
    let resolver = format_ident!("{}_resolver", alias, span = span);
    quote_spanned! {span=>
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        struct #resolver;
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        type #alias = <#resolver as #rt::ListedSystem>::System;
        const _: () = {
            #[allow(non_snake_case)]
            mod __mn_fallback {
                #[allow(non_camel_case_types, dead_code)]
                pub type #name = #rt::NotASystem;
            }
            #[allow(unused_imports)]
            use __mn_fallback::*;
            const _: () = {
                #[allow(unused_imports)]
                use self::*;
                impl #rt::ListedSystem for #resolver {
                    type System = #name;
                }
            };
        };
    }
}

/// The check that the system `path` (through its alias `alias`) is a `#[system]`,
/// spanned at the user's path. It names the path as a value as well: a typo fails there
/// (rustc's "cannot find value", with its suggestion) and the check is not evaluated.
pub fn not_a_system_check(path: &Path, alias: &Path) -> TokenStream {
    let rt = super::rt();
    let span = path.span();
    let Some(name) = path.get_ident() else {
        return TokenStream::new();
    };
    let message = format!("`{name}` is not a `#[system]`: add the attribute");
    quote_spanned! {span=>
        const _: () = {
            let _ = #name;
            if <#alias as #rt::SystemMeta>::NOT_A_SYSTEM {
                ::core::panic!("{}", #message)
            }
        };
    }
}

/// The `const`s of the ordering errors that wait on name resolution: each names the
/// similar listed systems (through their aliases `listed[i]` of `listed_paths[i]`; a listed
/// one that does not resolve is the error, reported by rustc at the listed name, and the
/// `const` is then not evaluated), then fails with the error at the ordering target.
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
            let near = order.near.iter().filter_map(|path| {
                let key = key_of(path);
                let i = listed_paths.iter().position(|p| key_of(p) == key)?;
                Some(&listed[i])
            });
            // A one-name listed path resolves to a fallback type even when it names
            // nothing (see `resolve_with_fallback`): naming it as a value stops the
            // `const` there.
            let near_values = order.near.iter().filter_map(Path::get_ident);
            let message = &order.message;
            quote_spanned! {span=>
                const _: () = {
                    #(let _ = #near_values;)*
                    #(let _: &'static str = <#near as #rt::SystemMeta>::NAME;)*
                    ::core::panic!("{}", #message)
                };
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
