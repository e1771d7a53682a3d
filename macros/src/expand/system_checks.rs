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

/// One private type alias per listed system (`type __mn_Game_system_0 = physics::integrate;`)
/// and the alias paths, spanned at the user's paths, that the rest of the expansion uses
/// instead: a path that does not resolve (a typo, a function without `#[system]`) is then
/// reported once, at the user's token, not once per context that names it.
pub fn system_aliases(world: &Ident, paths: &[Path]) -> (TokenStream, Vec<Path>) {
    let mut items = TokenStream::new();
    let mut aliases = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let alias = format_ident!("__mn_{}_system_{}", world, i, span = path.span());
        items.extend(quote_spanned! {path.span()=>
            #[doc(hidden)]
            #[allow(non_camel_case_types)]
            type #alias = #path;
        });
        aliases.push(Path::from(alias));
    }
    (items, aliases)
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
            let message = &order.message;
            quote_spanned! {span=>
                const _: () = {
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
