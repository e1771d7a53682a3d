//! Procedural macros of metronome: `#[world(...)]`, `#[system]` and `#[derive(Component)]`.
//!
//! A pipeline: `parse` (syntax) -> `validate` (checks, all errors at once, builds the
//! `model`) -> `expand` (only `quote!`, cannot fail). This file only holds the shims.
#![forbid(unsafe_code)]
#![allow(missing_docs)]

mod expand;
mod model;
mod parse;
mod validate;

use proc_macro::TokenStream;

/// Declares a world on a unit struct: archetypes, resources, phases, systems, executor.
/// See the crate `metronome` for the grammar.
#[proc_macro_attribute]
pub fn world(attr: TokenStream, item: TokenStream) -> TokenStream {
    match validate::world(attr.into(), item.into()) {
        Ok(model) => expand::world(&model),
        Err(failure) => expand::world_fallback(&failure),
    }
    .into()
}

/// Marks a plain function as a system that worlds can list.
#[proc_macro_attribute]
pub fn system(attr: TokenStream, item: TokenStream) -> TokenStream {
    match validate::system(attr.into(), item.into()) {
        Ok(model) => expand::system(&model),
        Err(failure) => expand::system_fallback(&failure),
    }
    .into()
}

/// Implements `Component` for a type (checking it is `Send + Sync + 'static` and at most
/// 64 KiB).
#[proc_macro_derive(Component)]
pub fn derive_component(item: TokenStream) -> TokenStream {
    match syn::parse::<syn::DeriveInput>(item) {
        Ok(input) => expand::component(&input),
        Err(error) => error.to_compile_error(),
    }
    .into()
}
