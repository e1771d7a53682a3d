//! The stand-in world that `#[world]` emits when its declaration has errors: the world
//! struct with every inherent method and constant a real world has, the phase enum and
//! the archetype structs, so that code using the world type-checks and the user sees only
//! the declaration's errors, not one follow-up error per use.
//!
//! Signatures are looser than the real ones (plain generics where the world bounds them by
//! its components), since the stub cannot know which types the declaration meant; the
//! bodies are never run: a crate with a failed `#[world]` does not compile.

use crate::validate::WorldStub;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The stub items of `stub`'s world, or nothing when the item had no name.
pub fn world_stub(stub: &WorldStub) -> TokenStream {
    let rt = super::rt();
    let Some(ident) = &stub.ident else {
        return TokenStream::new();
    };
    let vis = &stub.vis;
    let attrs = &stub.attrs;
    let phase_enum = format_ident!("{}Phase", ident);
    let phases = &stub.phases;
    let archetype_names = stub.archetypes.iter().map(|(name, _)| name.to_string());
    let archetypes = stub.archetypes.iter().map(|(name, tys)| {
        quote! {
            #[allow(dead_code)]
            #vis struct #name(#(pub #tys),*);
        }
    });
    let near = super::system_checks::near_paths(&stub.unresolved_orders);
    let (near_alias_items, near_aliases) = super::system_checks::system_aliases(ident, &near);
    let unresolved_orders =
        super::system_checks::unresolved_orders(&stub.unresolved_orders, &near, &near_aliases);
    let never = quote! {
        ::core::unreachable!("the `#[world]` declaration has errors; this crate does not compile")
    };
    let json = quote! {
        #rt::__if_serde! {
            pub fn import_json_lines(&mut self, reader: impl ::std::io::BufRead) -> #rt::ImportReport { #never }
        }
    };
    quote! {
        #(#attrs)*
        #vis struct #ident;

        #[derive(
            ::core::clone::Clone, ::core::marker::Copy, ::core::fmt::Debug, ::core::cmp::PartialEq,
            ::core::cmp::Eq, ::core::hash::Hash, ::core::cmp::PartialOrd, ::core::cmp::Ord,
        )]
        #vis enum #phase_enum { #(#phases,)* }

        #(#archetypes)*

        #near_alias_items
        #unresolved_orders

        #[allow(dead_code, unused_variables, clippy::all)]
        impl #ident {
            pub const ARCHETYPES: &'static [&'static str] = &[#(#archetype_names),*];
            pub const SCHEDULE: #rt::Schedule = #rt::Schedule { phases: &[] };
            pub fn new() -> Self { #ident }
            pub fn set_parent(&mut self, child: #rt::Entity, parent: #rt::Entity) -> ::core::result::Result<(), #rt::EcsError> { #never }
            pub fn children(&self, entity: #rt::Entity) -> &[#rt::Entity] { #never }
            pub fn parent(&self, entity: #rt::Entity) -> ::core::option::Option<#rt::Entity> { #never }
            pub fn despawn_recursive(&mut self, entity: #rt::Entity) -> bool { #never }
            pub fn with_workers(workers: usize) -> ::core::result::Result<Self, #rt::BuildError> { #never }
            pub fn spawn<__MnB>(&mut self, bundle: __MnB) -> #rt::Entity { #never }
            pub fn spawn_batch<__MnB>(&mut self, iter: impl ::core::iter::IntoIterator<Item = __MnB>) -> ::std::vec::Vec<#rt::Entity> { #never }
            pub fn despawn(&mut self, entity: #rt::Entity) -> bool { #never }
            pub fn is_alive(&self, entity: #rt::Entity) -> bool { #never }
            pub fn len(&self) -> usize { #never }
            pub fn is_empty(&self) -> bool { #never }
            pub fn get<__MnT>(&self, entity: #rt::Entity) -> ::core::option::Option<&__MnT> { #never }
            pub fn get_mut<__MnT>(&mut self, entity: #rt::Entity) -> ::core::option::Option<&mut __MnT> { #never }
            pub fn has<__MnT>(&self, entity: #rt::Entity) -> bool { #never }
            #[doc(hidden)]
            pub fn __set_change_tick(&mut self, tick: u32) { #never }
            pub fn insert<__MnT>(&mut self, entity: #rt::Entity, component: __MnT) -> ::core::result::Result<(), #rt::EcsError> { #never }
            pub fn remove<__MnT>(&mut self, entity: #rt::Entity) -> ::core::result::Result<__MnT, #rt::EcsError> { #never }
            pub fn archetype_name(&self, entity: #rt::Entity) -> ::core::option::Option<&'static str> { #never }
            pub fn resource<__MnT>(&self) -> &__MnT { #never }
            pub fn resource_mut<__MnT>(&mut self) -> &mut __MnT { #never }
            pub fn query<__MnD: #rt::QueryData>(&self) -> #rt::Query<'_, __MnD> { #never }
            pub fn query_filtered<__MnD: #rt::QueryData, __MnF: #rt::QueryFilter>(&self) -> #rt::Query<'_, __MnD, __MnF> { #never }
            pub fn query_mut<__MnD: #rt::QueryData>(&mut self) -> #rt::Query<'_, __MnD> { #never }
            pub fn query_filtered_mut<__MnD: #rt::QueryData, __MnF: #rt::QueryFilter>(&mut self) -> #rt::Query<'_, __MnD, __MnF> { #never }
            pub fn tick(&mut self) { #never }
            pub fn run_phase(&mut self, phase: #phase_enum) { #never }
            pub fn frame(&self) -> u64 { #never }
            pub fn update(&mut self, real_dt: ::core::time::Duration) { #never }
            pub fn run(&mut self, config: #rt::RunConfig, stop: &::core::sync::atomic::AtomicBool) -> #rt::FrameStats { #never }
            pub fn stats(&self) -> &#rt::FrameStats { #never }
            pub fn trim_memory(&mut self) -> usize { #never }
            pub fn executor_info(&self) -> (&'static str, usize) { #never }
            pub fn follow_pressure(&mut self, monitor: &#rt::pressure::PressureMonitor) { #never }
            pub fn take_command_errors(&mut self) -> ::std::vec::Vec<#rt::EcsError> { #never }
            pub const TRANSITIONS: #rt::Schedule = #rt::Schedule { phases: &[] };
            pub fn send_event<__MnT>(&mut self, event: __MnT) { #never }
            pub fn events<__MnT>(&self) -> ::core::iter::Empty<&__MnT> { #never }
            pub fn state<__MnS>(&self) -> __MnS { #never }
            pub fn set_next_state<__MnS>(&mut self, value: __MnS) { #never }
            pub fn take(&mut self, entity: #rt::Entity) -> ::core::result::Result<#rt::Record, #rt::EcsError> { #never }
            pub fn put<__MnR>(&mut self, record: __MnR) -> ::core::result::Result<#rt::Entity, #rt::EcsError> { #never }
            pub fn transfer<__MnTo>(&mut self, entity: #rt::Entity, to: &mut __MnTo) -> ::core::result::Result<#rt::Entity, #rt::EcsError> { #never }
            pub fn import<__MnI>(&mut self, records: __MnI) -> #rt::ImportReport { #never }
            pub fn take_outbox(&mut self) -> ::std::vec::Vec<(usize, #rt::Record)> { #never }
            pub fn snapshot(&self) -> ! { #never }
            pub fn restore<__MnS>(&mut self, snapshot: &__MnS) { #never }
            #json
        }

        impl ::core::default::Default for #ident {
            fn default() -> Self {
                #ident
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::quote;
    use std::collections::BTreeSet;

    /// The public inherent items (`fn` and `const`) of `impl Game` blocks in `tokens`.
    fn inherent_items(tokens: TokenStream) -> BTreeSet<String> {
        let file: syn::File = syn::parse2(tokens).expect("the expansion parses");
        let mut names = BTreeSet::new();
        for item in file.items {
            let syn::Item::Impl(block) = item else {
                continue;
            };
            let self_ty = &block.self_ty;
            if block.trait_.is_some() || quote!(#self_ty).to_string() != "Game" {
                continue;
            }
            for item in block.items {
                match item {
                    syn::ImplItem::Fn(f) if matches!(f.vis, syn::Visibility::Public(_)) => {
                        names.insert(f.sig.ident.to_string());
                    }
                    syn::ImplItem::Const(c) if matches!(c.vis, syn::Visibility::Public(_)) => {
                        names.insert(c.ident.to_string());
                    }
                    _ => {}
                }
            }
        }
        names
    }

    #[test]
    fn the_stub_has_every_public_item_of_a_real_world() {
        let item = quote!(
            pub struct Game;
        );
        let attr = quote!(
            archetypes(Mover = (Position, Velocity)),
            resources(Time),
            phases(Update, Physics = fixed(hz = 60)),
            max_fixed_steps = 4,
            stats = off,
            systems(
                Update = [integrate.run_if(ready)],
                OnEnter(GameState::Playing) = [setup],
            ),
            events(Damage),
            states(GameState = GameState::Menu),
            sparse(Slowed),
            track(Position),
            hierarchy,
        );
        let Ok(model) = crate::validate::world(attr.clone(), item.clone()) else {
            panic!("valid world");
        };
        let real = inherent_items(crate::expand::world(&model));
        assert!(
            real.contains("new") && real.contains("SCHEDULE") && real.contains("set_parent"),
            "{real:?}"
        );

        let broken = quote!(#attr colour = blue);
        let Err(failure) = crate::validate::world(broken, item) else {
            panic!("invalid world");
        };
        let stub = inherent_items(super::world_stub(&failure.stub));
        let missing: Vec<_> = real.difference(&stub).collect();
        assert!(missing.is_empty(), "the stub world lacks {missing:?}");
    }
}
