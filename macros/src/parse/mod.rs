//! Parse stage: the raw syntax of `#[world(...)]`, one `syn::Parse` per grammar rule.
//!
//! Parsing is tolerant: every comma-separated list is read entry by entry, and an entry
//! that does not parse is recorded as an error and skipped up to the next comma, so one
//! mistake never hides the others (see [`List`]).

pub mod events;
pub mod world;

use syn::parse::discouraged::Speculative;
use syn::parse::{Parse, ParseStream};
use syn::{Error, Token};

/// The keywords of the world grammar that are peeked for (top-level keys are matched by
/// name in [`world::WorldKey`]).
pub mod kw {
    syn::custom_keyword!(after);
    syn::custom_keyword!(before);
    syn::custom_keyword!(run_if);
}

/// A comma-separated list of `T` that keeps going after a bad entry.
///
/// Parsing a `List` never fails: entries that parse end up in `items`, the errors of the
/// others in `errors` (the bad entry is skipped up to the next top-level comma).
pub struct List<T> {
    pub items: Vec<T>,
    pub errors: Vec<Error>,
}

impl<T: Parse> Parse for List<T> {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut items = Vec::new();
        let mut errors = Vec::new();
        while !input.is_empty() {
            let fork = input.fork();
            match fork.parse::<T>() {
                Ok(item) if fork.is_empty() || fork.peek(Token![,]) => {
                    input.advance_to(&fork);
                    items.push(item);
                }
                Ok(item) => {
                    // Keep the entry; what follows it up to the next comma is skipped.
                    errors.push(fork.error("expected `,`"));
                    input.advance_to(&fork);
                    items.push(item);
                }
                Err(error) => errors.push(error),
            }
            skip_to_comma(input);
            if input.peek(Token![,]) {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(List { items, errors })
    }
}

/// Advances `input` up to (not past) the next comma at this nesting level, or its end.
fn skip_to_comma(input: ParseStream) {
    let _ = input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tt, next)) = rest.token_tree() {
            if let proc_macro2::TokenTree::Punct(punct) = &tt {
                if punct.as_char() == ',' {
                    break;
                }
            }
            rest = next;
        }
        Ok(((), rest))
    });
}
