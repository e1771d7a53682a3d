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

fn world_ok(attr: TokenStream) -> WorldModel {
    match crate::validate::world(attr, unit_struct()) {
        Ok(model) => model,
        Err(failure) => panic!(
            "unexpected errors: {:?}",
            failure
                .error
                .into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
        ),
    }
}

fn world_errors_on(attr: TokenStream, item: TokenStream) -> Vec<String> {
    match crate::validate::world(attr, item) {
        Ok(_) => panic!("expected errors"),
        Err(failure) => failure.error.into_iter().map(|e| e.to_string()).collect(),
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
    match crate::validate::system(quote!(), item) {
        Ok(model) => model,
        Err(failure) => panic!(
            "unexpected errors: {:?}",
            failure
                .error
                .into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
        ),
    }
}

fn system_errors(item: TokenStream) -> Vec<String> {
    match crate::validate::system(quote!(), item) {
        Ok(_) => panic!("expected errors"),
        Err(failure) => failure.error.into_iter().map(|e| e.to_string()).collect(),
    }
}
