//! What `#[world]` and `#[system]` emit when validation failed: the errors plus stub
//! items, so the user sees their mistake and not a cascade of "cannot find" errors.

use crate::validate::{SystemFailure, WorldFailure};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn world_fallback(failure: &WorldFailure) -> TokenStream {
    let error = failure.error.to_compile_error();
    let stub = &failure.stub;
    let Some(ident) = &stub.ident else {
        return error;
    };
    let vis = &stub.vis;
    let attrs = &stub.attrs;
    let phase_enum = format_ident!("{}Phase", ident);
    let phases = &stub.phases;
    let archetypes = stub
        .archetypes
        .iter()
        .map(|(name, tys)| quote!(#vis struct #name(#(pub #tys),*);));
    quote! {
        #error
        #(#attrs)*
        #vis struct #ident;
        #[derive(
            ::core::clone::Clone, ::core::marker::Copy, ::core::fmt::Debug,
            ::core::cmp::PartialEq, ::core::cmp::Eq, ::core::hash::Hash,
        )]
        #vis enum #phase_enum { #(#phases,)* }
        #(#archetypes)*
    }
}

pub fn system_fallback(failure: &SystemFailure) -> TokenStream {
    let error = failure.error.to_compile_error();
    match &failure.func {
        Some(func) => quote! { #error #func },
        None => error,
    }
}
