//! The world's resources: the fields of its resource tuple, their initialisers, and the
//! `ResourceOf` impls of the declared resources and of the built-in `Time`.

use crate::model::WorldModel;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::Index;

/// The resource tuple's field types, `SyncCell<T>` of each declared resource in order.
pub(super) fn cell_tys(model: &WorldModel) -> impl Iterator<Item = TokenStream> + '_ {
    let rt = crate::expand::rt();
    model.resources.iter().map(move |r| {
        let ty = &r.ty;
        quote!(#rt::SyncCell<#ty>)
    })
}

/// The resource tuple's initialisers: the declared expression, else `Default::default()`.
pub(super) fn cell_inits(model: &WorldModel) -> impl Iterator<Item = TokenStream> + '_ {
    let rt = crate::expand::rt();
    model.resources.iter().map(move |r| {
        let ty = &r.ty;
        match &r.init {
            Some(expr) => quote_spanned!(expr.span()=> #rt::SyncCell::<#ty>::new(#expr)),
            None => quote_spanned!(ty.span()=> #rt::SyncCell::<#ty>::new(<#ty as ::core::default::Default>::default())),
        }
    })
}

/// `unsafe impl ResourceOf<World>` for each declared resource (field `i` of the tuple),
/// then for `Time` (one more id, its cell in the core).
pub(super) fn resource_impls(model: &WorldModel) -> TokenStream {
    let rt = crate::expand::rt();
    let ident = &model.ident;
    let resource_impls = model.resources.iter().enumerate().map(|(i, r)| {
        let ty = &r.ty;
        let id = i as u16;
        let field = Index::from(i);
        quote_spanned! {ty.span()=>
            // SAFETY: field `#field` of the resource tuple is this resource's only cell.
            unsafe impl #rt::ResourceOf<#ident> for #ty {
                const ID: u16 = #id;
                #[inline(always)]
                fn cell(__mn_world: &#ident) -> &#rt::SyncCell<Self> {
                    &__mn_world.__mn_resources.#field
                }
            }
        }
    });
    let time_id = model.resources.len() as u16;
    quote! {
        #(#resource_impls)*
        // SAFETY: the core's time cell is the only cell of this resource in the world, and
        // id `#time_id` is no other resource's (the declared ones are numbered before it).
        unsafe impl #rt::ResourceOf<#ident> for #rt::Time {
            const ID: u16 = #time_id;
            #[inline(always)]
            fn cell(__mn_world: &#ident) -> &#rt::SyncCell<Self> {
                __mn_world.__mn_core.time_cell()
            }
        }
    }
}
