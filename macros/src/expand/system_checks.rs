//! Messages of the compile-time checks `#[world]` runs on each listed system (the checks
//! are `const` items spanned at the system's path in `systems(...)`, so a failure points
//! at what the user wrote and the message can name the system and the fix).

/// The error of `check_queries_match`: a query of `system` matches no archetype of `world`.
pub fn no_match_message(system: &str, world: &str) -> String {
    format!(
        "a query of system `{system}` matches no archetype of world `{world}`: no archetype has all the components it reads, writes and requires with `With`, without one it excludes with `Without`; add such an archetype to `archetypes(...)`, or change the query or its filters"
    )
}

/// The `const`s of the ordering errors that wait on name resolution: each names the
/// similar listed systems (a listed one that does not resolve is the error, reported by
/// rustc at the listed name, and the `const` is then not evaluated), then fails with the
/// error at the ordering target.
pub fn unresolved_orders(orders: &[crate::model::UnresolvedOrder]) -> proc_macro2::TokenStream {
    use quote::quote_spanned;
    use syn::spanned::Spanned;
    let rt = super::rt();
    orders
        .iter()
        .map(|order| {
            let span = order.target.span();
            let near = &order.near;
            let message = &order.message;
            quote_spanned! {span=>
                const _: () = {
                    #(let _: &'static str = <#near as #rt::SystemMeta>::NAME;)*
                    ::core::panic!(#message)
                };
            }
        })
        .collect()
}
