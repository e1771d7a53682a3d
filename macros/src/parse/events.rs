//! The grammar of in `#[world(...)]`: `events(T, ...)`,
//! `states(S = initial, ...)`, `OnEnter(S::X) = [...]` / `OnExit(S::X) = [...]` in
//! `systems(...)`, and `.run_if(condition)` after a system.

use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{parenthesized, token, Error, Expr, Ident, Path, Token, Type};

/// `GameState = GameState::Menu`.
pub struct StateDecl {
    pub ty: Type,
    pub init: Expr,
}

impl Parse for StateDecl {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let ty: Type = input.parse()?;
        if !input.peek(Token![=]) {
            let name = crate::validate::display(&ty);
            return Err(Error::new_spanned(
                &ty,
                format!(
                    "state `{name}` needs its initial value, as in `states({name} = {name}::Menu)`"
                ),
            ));
        }
        input.parse::<Token![=]>()?;
        Ok(StateDecl {
            ty,
            init: input.parse()?,
        })
    }
}

/// The `OnEnter(S::X)` / `OnExit(S::X)` in front of a list of systems.
pub struct TransitionDecl {
    /// `true` for `OnEnter`.
    pub enter: bool,
    /// The state value, as written.
    pub value: Expr,
}

/// Parses `(S::X)` after `OnEnter`/`OnExit` when `ident` is one of them and a parenthesis
/// follows; `None` otherwise (a plain phase name).
pub fn transition(ident: &Ident, input: ParseStream) -> syn::Result<Option<TransitionDecl>> {
    let enter = if ident == "OnEnter" {
        true
    } else if ident == "OnExit" {
        false
    } else {
        return Ok(None);
    };
    if !input.peek(token::Paren) {
        return Ok(None);
    }
    let content;
    parenthesized!(content in input);
    let value: Expr = content.parse()?;
    if !content.is_empty() {
        return Err(content.error(format!(
            "expected one state value, as in `{ident}(GameState::Playing) = [...]`"
        )));
    }
    Ok(Some(TransitionDecl { enter, value }))
}

/// What `.run_if(...)` names.
#[derive(Clone)]
pub enum ConditionDecl {
    /// A `#[system]` function returning `bool`.
    System(Path),
    /// The ready condition `in_state(S::X)`.
    InState { value: Expr },
}

/// Parses the inside of `.run_if(...)`.
pub fn condition(input: ParseStream) -> syn::Result<ConditionDecl> {
    if input.peek(Ident::peek_any) && input.peek2(token::Paren) {
        let fork = input.fork();
        let keyword = fork.call(Ident::parse_any)?;
        if keyword == "in_state" {
            input.call(Ident::parse_any)?;
            let content;
            parenthesized!(content in input);
            let value: Expr = content.parse()?;
            if !content.is_empty() {
                return Err(content.error(
                    "expected one state value, as in `.run_if(in_state(GameState::Playing))`",
                ));
            }
            return Ok(ConditionDecl::InState { value });
        }
    }
    if input.is_empty() {
        return Err(Error::new(
            input.span(),
            "`.run_if()` names no condition; write `.run_if(condition)` with a `#[system]` fn returning `bool`, or `.run_if(in_state(GameState::Playing))`",
        ));
    }
    let path = Path::parse_mod_style(input).map_err(|error| {
        Error::new(
            error.span(),
            "expected a run condition: a `#[system]` fn returning `bool` (`.run_if(playing)`), or `.run_if(in_state(GameState::Playing))`",
        )
    })?;
    if !input.is_empty() {
        return Err(input.error(
            "expected one condition per `.run_if(...)`; chain them: `.run_if(a).run_if(b)`",
        ));
    }
    Ok(ConditionDecl::System(path))
}
