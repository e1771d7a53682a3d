//! Unit tests of the parse and validate stages: every diagnostic, several at once, and
//! garbage that must not panic; one module per part of the input, the shared helpers
//! here.

mod events;
mod frames;
mod sparse;
mod system_item;
mod system_params;
mod track;
mod world_executor;
mod world_keys;
mod world_model;
mod world_schedule;
mod world_syntax;

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{SystemModel, WorldModel};

fn unit_struct() -> TokenStream {
    quote!(
        pub struct Game;
    )
}

/// `#[world(attr)] item` validated: the model, or every error's message in order.
fn validate_world_on(attr: TokenStream, item: TokenStream) -> Result<WorldModel, Vec<String>> {
    crate::validate::world(attr, item).map_err(|failure| messages(failure.error))
}

/// `#[world(attr)] pub struct Game;` validated.
fn validate_world(attr: TokenStream) -> Result<WorldModel, Vec<String>> {
    validate_world_on(attr, unit_struct())
}

/// `#[system] item` validated: the model, or every error's message in order.
fn validate_system(item: TokenStream) -> Result<SystemModel, Vec<String>> {
    crate::validate::system(quote!(), item).map_err(|failure| messages(failure.error))
}

/// The message of each error combined in `error`.
fn messages(error: syn::Error) -> Vec<String> {
    error.into_iter().map(|e| e.to_string()).collect()
}

fn world_ok(attr: TokenStream) -> WorldModel {
    validate_world(attr).unwrap_or_else(|errors| panic!("unexpected errors: {errors:?}"))
}

fn world_errors_on(attr: TokenStream, item: TokenStream) -> Vec<String> {
    match validate_world_on(attr, item) {
        Ok(_) => panic!("expected errors"),
        Err(errors) => errors,
    }
}

fn world_errors(attr: TokenStream) -> Vec<String> {
    world_errors_on(attr, unit_struct())
}

/// The attribute with one archetype, plus `rest`.
fn with_archetype(rest: TokenStream) -> TokenStream {
    quote!(archetypes(Mover = (Position, Velocity)), #rest)
}

#[track_caller]
fn assert_one(errors: &[String], expected: &str) {
    assert_eq!(errors, [expected.to_string()], "errors: {errors:#?}");
}

/// `with_archetype(rest)` fails with exactly the error `expected`.
#[track_caller]
fn assert_world_error(rest: TokenStream, expected: &str) {
    assert_one(&world_errors(with_archetype(rest)), expected);
}

#[track_caller]
fn assert_has(errors: &[String], expected: &str) {
    assert!(
        errors.iter().any(|e| e == expected),
        "missing {expected:?} in {errors:#?}"
    );
}

fn system_ok(item: TokenStream) -> SystemModel {
    validate_system(item).unwrap_or_else(|errors| panic!("unexpected errors: {errors:?}"))
}

fn system_errors(item: TokenStream) -> Vec<String> {
    match validate_system(item) {
        Ok(_) => panic!("expected errors"),
        Err(errors) => errors,
    }
}
