//! Validate stage: checks the parsed syntax and builds the [`crate::model`].
//!
//! Every mistake is collected in a [`Ctxt`] and reported at once; on failure the caller
//! still gets whatever could be understood (a [`WorldStub`], the function of a system) so
//! that expand can emit stub items instead of a cascade of follow-up errors.

mod command_error;
mod config;
pub mod events;
mod exclusive;
mod frames;
mod near_miss;
mod order;
mod sparse;
mod system;
mod track;
mod world;

#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::fmt::Display;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;

use crate::model::{SystemModel, WorldModel};

/// Why `#[world(...)]` failed, and what expand can still emit.
pub struct WorldFailure {
    /// Every error found, combined.
    pub error: syn::Error,
    pub stub: WorldStub,
}

/// Whatever could be understood, so expand can still emit stub items (no cascade of
/// "cannot find type" errors). Names are deduplicated; archetypes only keep component
/// types that are plain paths.
pub struct WorldStub {
    pub attrs: Vec<syn::Attribute>,
    pub vis: syn::Visibility,
    /// `None` when the item is not a struct (or has no name).
    pub ident: Option<syn::Ident>,
    pub phases: Vec<syn::Ident>,
    pub archetypes: Vec<(syn::Ident, Vec<syn::Type>)>,
    /// Ordering errors that wait on name resolution (see `near_miss`).
    pub unresolved_orders: Vec<crate::model::UnresolvedOrder>,
}

/// Why `#[system]` failed.
pub struct SystemFailure {
    /// Every error found, combined.
    pub error: syn::Error,
    /// The function, re-emitted so it still exists (`None` when the item is not a fn).
    pub func: Option<syn::ItemFn>,
}

/// Validates `#[world(attr)] item`.
// The failure carries the stub items on purpose; it is built once per macro call.
#[allow(clippy::result_large_err)]
pub fn world(attr: TokenStream, item: TokenStream) -> Result<WorldModel, WorldFailure> {
    world::validate(attr, item)
}

/// Validates `#[system(attr)] item`.
// The failure carries the stub items on purpose; it is built once per macro call.
#[allow(clippy::result_large_err)]
pub fn system(attr: TokenStream, item: TokenStream) -> Result<SystemModel, SystemFailure> {
    system::validate(attr, item)
}

/// Collects errors (serde's `Ctxt`): push, keep going, [`Ctxt::check`] once at the end.
///
/// Dropping a `Ctxt` without checking it is a bug in this crate and panics (outside an
/// unwinding panic), so no error can be lost silently.
pub struct Ctxt {
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Ctxt {
    pub fn new() -> Self {
        Ctxt {
            errors: RefCell::new(Some(Vec::new())),
        }
    }

    /// Records an error pointing at `tokens`.
    pub fn error_spanned_by<T: ToTokens, M: Display>(&self, tokens: T, message: M) {
        self.push(syn::Error::new_spanned(tokens.into_token_stream(), message));
    }

    /// Records an error at `span`.
    pub fn error_at<M: Display>(&self, span: Span, message: M) {
        self.push(syn::Error::new(span, message));
    }

    /// Records an error built elsewhere (a parse error).
    pub fn push(&self, error: syn::Error) {
        self.errors
            .borrow_mut()
            .as_mut()
            .expect("Ctxt used after check")
            .push(error);
    }

    /// Records every error of `errors`.
    pub fn extend(&self, errors: impl IntoIterator<Item = syn::Error>) {
        for error in errors {
            self.push(error);
        }
    }

    /// Consumes the context: `Err` with every error combined, in the order found.
    pub fn check(self) -> Result<(), syn::Error> {
        let errors = self.errors.borrow_mut().take().unwrap_or_default();
        let mut errors = errors.into_iter();
        match errors.next() {
            None => Ok(()),
            Some(mut combined) => {
                for rest in errors {
                    combined.combine(rest);
                }
                Err(combined)
            }
        }
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        if !std::thread::panicking() && self.errors.borrow().is_some() {
            panic!("forgot to check for errors");
        }
    }
}

/// The normalized text of a type or path, used to compare components, resources and
/// systems (`physics :: Position` and `physics::Position` are the same).
pub fn key_of<T: ToTokens>(tokens: &T) -> String {
    tokens
        .to_token_stream()
        .to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The type or path as the user would write it, for messages (`physics::Position`).
pub fn display<T: ToTokens>(tokens: &T) -> String {
    let text = tokens.to_token_stream().to_string();
    // `to_string` spaces every token; undo the spacing that nobody writes.
    let mut out = String::with_capacity(text.len());
    for piece in text.split(' ') {
        let glue = out.ends_with("::")
            || out.ends_with('<')
            || out.ends_with('&')
            || out.ends_with('(')
            || out.ends_with('[')
            || out.ends_with('\'')
            || piece.starts_with("::")
            || piece.starts_with('<')
            || piece.starts_with('>')
            || piece.starts_with(',')
            || piece.starts_with(')')
            || piece.starts_with(']')
            || piece.starts_with('(')
            || out.is_empty();
        if !glue {
            out.push(' ');
        }
        out.push_str(piece);
    }
    out
}
