//! The world's component impls: `ComponentOf` (id and storage kind) of every component,
//! `TrackedOf` of the `track(...)` ones, and the component-set constants built from ids.

use crate::model::WorldModel;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

/// `unsafe impl ComponentOf<World>` (with its size check) for each component, in id
/// order, then `impl TrackedOf<World>` for each tracked one.
pub(super) fn component_impls(model: &WorldModel) -> TokenStream {
    let rt = crate::expand::rt();
    let ident = &model.ident;
    let component_impls = model.components.iter().enumerate().map(|(i, component)| {
        let ty = &component.ty;
        let id = i as u16;
        let sparse = model.sparse.contains(&i);
        quote_spanned! {ty.span()=>
            // SAFETY: `#id` is this type's index in the world's component list, and the
            // world's tables (its sparse set, for a `sparse(...)` one: `SPARSE` says
            // which, as `WorldDef::SPARSE` does) store it under that id.
            unsafe impl #rt::ComponentOf<#ident> for #ty {
                const ID: u16 = #id;
                const SPARSE: bool = #sparse;
            }
            const _: () = <#ty as #rt::Component>::SIZE_CHECK;
        }
    });
    let tracked_impls = model.tracked.iter().map(|&i| {
        let ty = &model.components[i].ty;
        quote_spanned! {ty.span()=>
            // `TRACKED` of the world lists this component: every table that has it keeps
            // its change ticks (`WorldCore::new`).
            impl #rt::TrackedOf<#ident> for #ty {}
        }
    });
    quote! {
        #(#component_impls)*
        #(#tracked_impls)*
    }
}

/// The `Bits` constant of a set of component ids: `Bits::EMPTY.with(a).with(b)...`.
pub(super) fn bits(ids: impl IntoIterator<Item = usize>) -> TokenStream {
    let rt = crate::expand::rt();
    let with = ids.into_iter().map(|c| quote!(.with(#c)));
    quote!(#rt::Bits::EMPTY #(#with)*)
}
