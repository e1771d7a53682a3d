//! What `#[world]` and `#[system]` emit when validation failed: the errors plus stub
//! items, so the user sees their mistake and not a cascade of "cannot find" errors.

use crate::validate::{SystemFailure, WorldFailure};
use proc_macro2::TokenStream;
use quote::quote;

pub fn world_fallback(failure: &WorldFailure) -> TokenStream {
    let error = failure.error.to_compile_error();
    let stub = super::world_stub::world_stub(&failure.stub);
    quote! {
        #error
        #stub
    }
}

pub fn system_fallback(failure: &SystemFailure) -> TokenStream {
    let error = failure.error.to_compile_error();
    match &failure.func {
        Some(func) => quote! { #error #func },
        None => error,
    }
}
