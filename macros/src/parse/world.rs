//! The grammar of `#[world(...)]`, one type per rule.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{bracketed, parenthesized, token, Error, Expr, Ident, Path, Token, Type};

use super::{kw, List};

/// The whole attribute: `key ..., key ..., ...`.
pub type WorldAttr = List<WorldKey>;

/// The keys of `#[world(...)]`, in the order the messages list them.
pub const KEYS: &[&str] = &[
    "archetypes",
    "resources",
    "phases",
    "systems",
    "executor",
    "capacity",
    "on_command_error",
    "events",
    "states",
    "sparse",
    "track",
    "hierarchy",
    "serde",
    "max_fixed_steps",
    "stats",
];

/// One top-level key with its value.
pub struct WorldKey {
    /// The key as written, for duplicate-key errors.
    pub name: Ident,
    pub value: KeyValue,
}

/// The value of a top-level key.
pub enum KeyValue {
    /// `archetypes(Mover = (Position, Velocity), ...)`
    Archetypes(List<ArchetypeDecl>),
    /// `resources(Time, Score = Score::new(0))`
    Resources(List<ResourceDecl>),
    /// `phases(Update, Late)`
    Phases(List<PhaseDecl>),
    /// `systems(Update = [a, b.after(a)], ...)`
    Systems(List<PhaseSystemsDecl>),
    /// `executor = work_stealing(workers = 4)`, or
    /// `executor = unsafe(continuation_stealing(workers = 4))`
    Executor(ExecutorDecl),
    /// `capacity(entities = N, commands_per_stage = M)`
    Capacity(List<Param>),
    /// `on_command_error = panic | collect` (the value is checked by validate).
    OnCommandError(Ident),
    /// `events(Damage, ...)`
    Events(List<Type>),
    /// `states(GameState = GameState::Menu, ...)`
    States(List<super::events::StateDecl>),
    /// `sparse(Slowed, Burning)`
    Sparse(List<Type>),
    /// `track(Position, Health)`
    Track(List<Type>),
    /// `hierarchy` (no value).
    Hierarchy,
    /// `serde`: `save`/`load` (feature `serde`), the key's span for the errors.
    Serde(Span),

    /// `max_fixed_steps = N` (the value is checked by validate).
    MaxFixedSteps(Expr),
    /// `stats = on | off` (the value is checked by validate).
    Stats(Ident),
}

impl Parse for WorldKey {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if !input.peek(Ident::peek_any) {
            return Err(input.error(format!(
                "expected a key of `#[world(...)]`, one of {}",
                quoted_list(KEYS)
            )));
        }
        // `List` parses each entry on a fork, so an error here consumes nothing.
        let name = input.call(Ident::parse_any)?;
        let key = name.span();
        let value = match name.to_string().as_str() {
            "archetypes" => KeyValue::Archetypes(parenthesized_list(
                input,
                key,
                "`archetypes` takes a parenthesized list, as in `archetypes(Mover = (Position, Velocity))`",
            )?),
            "resources" => KeyValue::Resources(parenthesized_list(
                input,
                key,
                "`resources` takes a parenthesized list, as in `resources(Time, Score = Score::new(0))`",
            )?),
            "phases" => KeyValue::Phases(parenthesized_list(
                input,
                key,
                "`phases` takes a parenthesized list, as in `phases(Update, Late)`",
            )?),
            "systems" => KeyValue::Systems(parenthesized_list(
                input,
                key,
                "`systems` takes a parenthesized list, as in `systems(Update = [integrate, reap.after(integrate)])`",
            )?),
            "capacity" => KeyValue::Capacity(parenthesized_list(
                input,
                key,
                "`capacity` takes a parenthesized list, as in `capacity(entities = 1_000_000, commands_per_stage = 65_536)`",
            )?),
            "on_command_error" => {
                if !input.peek(Token![=]) || !input.peek2(Ident::peek_any) {
                    return Err(Error::new(
                        next_span(input, key),
                        "expected `on_command_error = panic` or `on_command_error = collect`",
                    ));
                }
                input.parse::<Token![=]>()?;
                KeyValue::OnCommandError(input.call(Ident::parse_any)?)
            }
            "events" => KeyValue::Events(parenthesized_list(
                input,
                key,
                "`events` takes a parenthesized list of event types, as in `events(Damage)`",
            )?),
            "states" => KeyValue::States(parenthesized_list(
                input,
                key,
                "`states` takes a parenthesized list, as in `states(GameState = GameState::Menu)`",
            )?),
            "sparse" => KeyValue::Sparse(sparse_key(input, key)?),
            "track" => KeyValue::Track(parenthesized_list(
                input,
                key,
                "`track` takes a parenthesized list of component types, as in `track(Position, Health)`",
            )?),
            "hierarchy" => hierarchy_key(input)?,
            "serde" => serde_key(input, key)?,

            "max_fixed_steps" => {
                if !input.peek(Token![=]) {
                    return Err(Error::new(
                        next_span(input, key),
                        "expected `max_fixed_steps = N`, as in `max_fixed_steps = 8`",
                    ));
                }
                input.parse::<Token![=]>()?;
                KeyValue::MaxFixedSteps(input.parse()?)
            }
            "stats" => {
                if !input.peek(Token![=]) || !input.peek2(Ident::peek_any) {
                    return Err(Error::new(
                        next_span(input, key),
                        "expected `stats = on` or `stats = off`",
                    ));
                }
                input.parse::<Token![=]>()?;
                KeyValue::Stats(input.call(Ident::parse_any)?)
            }
            "executor" => {
                if !input.peek(Token![=]) {
                    return Err(Error::new(
                        next_span(input, key),
                        "expected `executor = ...`, as in `executor = work_stealing(workers = 4)`",
                    ));
                }
                input.parse::<Token![=]>()?;
                KeyValue::Executor(input.parse()?)
            }
            _ => {
                return Err(Error::new(
                    key,
                    format!(
                        "unknown key `{}` in `#[world(...)]`; expected one of {}",
                        name.unraw(),
                        quoted_list(KEYS)
                    ),
                ))
            }
        };
        Ok(WorldKey { name, value })
    }
}

/// The value of `sparse(Slowed, Burning)`: a list of component types.
fn sparse_key(input: ParseStream, key: Span) -> syn::Result<List<Type>> {
    parenthesized_list(
        input,
        key,
        "`sparse` takes a parenthesized list of component types, as in `sparse(Slowed, Burning)`",
    )
}

/// `hierarchy`: a key without a value.
fn hierarchy_key(input: ParseStream) -> syn::Result<KeyValue> {
    if !input.is_empty() && !input.peek(Token![,]) {
        return Err(input.error(
            "`hierarchy` takes no value: write `hierarchy` alone to give the world `ChildOf`/`Children`",
        ));
    }
    Ok(KeyValue::Hierarchy)
}

/// `serde`: a key without a value.
fn serde_key(input: ParseStream, key: Span) -> syn::Result<KeyValue> {
    if !input.is_empty() && !input.peek(Token![,]) {
        return Err(input.error(
            "`serde` takes no value: write `serde` alone to give the world `save` and `load`",
        ));
    }
    Ok(KeyValue::Serde(key))
}

/// The span of the next token, or `fallback` at the end of the input.
fn next_span(input: ParseStream, fallback: Span) -> Span {
    if input.is_empty() {
        fallback
    } else {
        input.span()
    }
}

/// `( T, T, ... )` after a key.
fn parenthesized_list<T: Parse>(
    input: ParseStream,
    key: Span,
    expected: &str,
) -> syn::Result<List<T>> {
    if !input.peek(token::Paren) {
        return Err(Error::new(next_span(input, key), expected));
    }
    let content;
    parenthesized!(content in input);
    content.parse()
}

/// `` `a`, `b`, `c` ``
pub fn quoted_list<T: std::fmt::Display>(names: impl IntoIterator<Item = T>) -> String {
    names
        .into_iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `Mover = (Position, Velocity)`, `Prop = (Position)` or `Prop = Position`.
pub struct ArchetypeDecl {
    pub name: Ident,
    /// The component list as written (`(Position, Velocity)`), for spans.
    pub body: proc_macro2::TokenStream,
    pub components: Vec<Type>,
}

impl Parse for ArchetypeDecl {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if !input.peek(Ident) {
            return Err(input.error("expected an archetype such as `Mover = (Position, Velocity)`"));
        }
        let name: Ident = input.parse()?;
        if !input.peek(Token![=]) {
            return Err(Error::new(
                next_span(input, name.span()),
                format!("expected `=` after archetype name `{name}`, as in `{name} = (Position, Velocity)`"),
            ));
        }
        input.parse::<Token![=]>()?;
        let (body, components) = if input.peek(token::Paren) {
            let content;
            let paren = parenthesized!(content in input);
            let body = paren_tokens(paren, content.fork().parse::<proc_macro2::TokenStream>()?);
            let mut components = Vec::new();
            while !content.is_empty() {
                components.push(component_type(&content)?);
                if content.is_empty() {
                    break;
                }
                content.parse::<Token![,]>()?;
            }
            (body, components)
        } else {
            let ty = component_type(input)?;
            (quote::quote!(#ty), vec![ty])
        };
        Ok(ArchetypeDecl {
            name,
            body,
            components,
        })
    }
}

/// One component type, with a message that says what was expected.
fn component_type(input: ParseStream) -> syn::Result<Type> {
    input.parse::<Type>().map_err(|error| {
        if error.to_string().starts_with("expected one of") {
            Error::new(error.span(), "expected a component type such as `Position`")
        } else {
            error
        }
    })
}

/// Rebuilds `( tokens )` with the user's parenthesis span.
fn paren_tokens(paren: token::Paren, inner: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    let mut group = proc_macro2::Group::new(proc_macro2::Delimiter::Parenthesis, inner);
    group.set_span(paren.span.join());
    proc_macro2::TokenTree::Group(group).into()
}

/// `Time` or `Score = Score::new(0)`.
pub struct ResourceDecl {
    pub ty: Type,
    pub init: Option<Expr>,
}

impl Parse for ResourceDecl {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let ty: Type = input.parse()?;
        let init = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        Ok(ResourceDecl { ty, init })
    }
}

/// `Update`, or `Physics = fixed(hz = 60)`.
pub struct PhaseDecl {
    pub name: Ident,
    /// The `= kind(params)` of a phase with a kind (validate accepts `fixed(hz = N)`).
    pub kind: Option<PhaseKindDecl>,
}

/// `fixed(hz = 60)` after `Physics =`.
pub struct PhaseKindDecl {
    /// `fixed` as written.
    pub name: Ident,
    /// `None` without parentheses.
    pub params: Option<List<Param>>,
}

impl Parse for PhaseDecl {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if !input.peek(Ident) {
            return Err(input.error("expected a phase name such as `Update`"));
        }
        let name: Ident = input.parse()?;
        if !input.peek(Token![=]) {
            return Ok(PhaseDecl { name, kind: None });
        }
        let eq: Token![=] = input.parse()?;
        if !input.peek(Ident::peek_any) {
            return Err(Error::new(
                next_span(input, eq.span),
                format!("expected a phase kind after `{name} =`, as in `{name} = fixed(hz = 60)`"),
            ));
        }
        let kind = input.call(Ident::parse_any)?;
        let params = if input.peek(token::Paren) {
            let content;
            parenthesized!(content in input);
            Some(content.parse()?)
        } else {
            None
        };
        Ok(PhaseDecl {
            name,
            kind: Some(PhaseKindDecl { name: kind, params }),
        })
    }
}

/// `Update = [integrate, reap.after(integrate)]`.
pub struct PhaseSystemsDecl {
    pub phase: Ident,
    /// `OnEnter(S::X)` / `OnExit(S::X)` instead of a phase (`phase` is then the keyword).
    pub transition: Option<super::events::TransitionDecl>,
    pub systems: List<SystemDecl>,
}

impl Parse for PhaseSystemsDecl {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        const EXPECTED: &str =
            "expected `Phase = [system, ...]`, as in `Update = [integrate, reap.after(integrate)]`";
        if !input.peek(Ident) {
            return Err(input.error(EXPECTED));
        }
        let phase: Ident = input.parse()?;
        let transition = super::events::transition(&phase, input)?;
        if !input.peek(Token![=]) {
            return Err(Error::new(next_span(input, phase.span()), EXPECTED));
        }
        input.parse::<Token![=]>()?;
        if !input.peek(token::Bracket) {
            return Err(Error::new(
                next_span(input, phase.span()),
                format!("expected a bracketed list of systems, as in `{phase} = [integrate, reap.after(integrate)]`"),
            ));
        }
        let content;
        bracketed!(content in input);
        Ok(PhaseSystemsDecl {
            phase,
            transition,
            systems: content.parse()?,
        })
    }
}

/// `physics::integrate.after(a).before(b)`.
pub struct SystemDecl {
    pub path: Path,
    pub orders: Vec<OrderDecl>,
    /// `.run_if(condition)`, in order.
    pub conditions: Vec<super::events::ConditionDecl>,
}

/// `.after(x)` or `.before(x)` (several systems may be listed: `.after(x, y)`).
pub struct OrderDecl {
    /// `true` for `.before(..)`.
    pub before: bool,
    pub targets: Vec<Path>,
}

impl Parse for SystemDecl {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if !(input.peek(Ident)
            || input.peek(Token![::])
            || input.peek(Token![crate])
            || input.peek(Token![self])
            || input.peek(Token![super]))
        {
            return Err(
                input.error("expected a system path such as `integrate` or `physics::integrate`")
            );
        }
        let path = Path::parse_mod_style(input)?;
        let mut orders = Vec::new();
        let mut conditions = Vec::new();
        while input.peek(Token![.]) {
            input.parse::<Token![.]>()?;
            if input.peek(kw::run_if) {
                let keyword = input.call(Ident::parse_any)?;
                if !input.peek(token::Paren) {
                    return Err(Error::new(
                        next_span(input, keyword.span()),
                        "expected `.run_if(condition)`",
                    ));
                }
                let content;
                parenthesized!(content in input);
                conditions.push(super::events::condition(&content)?);
                continue;
            }
            let before = if input.peek(kw::after) {
                false
            } else if input.peek(kw::before) {
                true
            } else {
                return Err(Error::new(
                    next_span(input, path.span()),
                    "expected `.after(system)`, `.before(system)` or `.run_if(condition)`",
                ));
            };
            let keyword = input.call(Ident::parse_any)?;
            if !input.peek(token::Paren) {
                return Err(Error::new(
                    next_span(input, keyword.span()),
                    format!("expected `.{keyword}(system)`"),
                ));
            }
            let content;
            parenthesized!(content in input);
            let targets = Punctuated::<Path, Token![,]>::parse_terminated_with(
                &content,
                Path::parse_mod_style,
            )?;
            if targets.is_empty() {
                return Err(Error::new(
                    keyword.span(),
                    format!("`.{keyword}()` names no system; write `.{keyword}(other_system)` or remove it"),
                ));
            }
            orders.push(OrderDecl {
                before,
                targets: targets.into_iter().collect(),
            });
        }
        Ok(SystemDecl {
            path,
            orders,
            conditions,
        })
    }
}

/// `sequential`, `work_stealing(workers = 4, ...)` or
/// `unsafe(continuation_stealing(workers = 4, ...))`.
pub struct ExecutorDecl {
    pub name: Ident,
    /// `None` without parentheses.
    pub params: Option<List<Param>>,
    /// The `unsafe` of `unsafe(executor(...))`, as written: the world's author accepts
    /// the executor's safety contract (only `continuation_stealing` has one).
    pub unsafe_token: Option<Token![unsafe]>,
}

impl Parse for ExecutorDecl {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Token![unsafe]) {
            let unsafe_token: Token![unsafe] = input.parse()?;
            if !input.peek(token::Paren) {
                return Err(Error::new(
                    next_span(input, unsafe_token.span),
                    "expected `unsafe(...)` around the executor, as in `executor = unsafe(continuation_stealing(workers = 4))`",
                ));
            }
            let content;
            parenthesized!(content in input);
            if content.peek(Token![unsafe]) {
                return Err(content.error("`unsafe(...)` is written once, as in `executor = unsafe(continuation_stealing(workers = 4))`"));
            }
            let mut inner: ExecutorDecl = content.parse()?;
            if !content.is_empty() {
                return Err(content.error(
                    "expected one executor inside `unsafe(...)`, as in `executor = unsafe(continuation_stealing(workers = 4))`",
                ));
            }
            inner.unsafe_token = Some(unsafe_token);
            return Ok(inner);
        }
        if !input.peek(Ident::peek_any) {
            return Err(input.error(
                "expected an executor: one of `sequential`, `work_stealing`, `numa_aware`, `continuation_stealing`",
            ));
        }
        let name = input.call(Ident::parse_any)?;
        let params = if input.peek(token::Paren) {
            let content;
            parenthesized!(content in input);
            Some(content.parse()?)
        } else {
            None
        };
        Ok(ExecutorDecl {
            name,
            params,
            unsafe_token: None,
        })
    }
}

/// `key = value` inside `executor = name(...)` or `capacity(...)`.
pub struct Param {
    pub key: Ident,
    pub value: Expr,
}

impl Parse for Param {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if !input.peek(Ident::peek_any) {
            return Err(input.error("expected `key = value`"));
        }
        let key = input.call(Ident::parse_any)?;
        if !input.peek(Token![=]) {
            return Err(Error::new(
                next_span(input, key.span()),
                format!("expected `{} = value`", key.unraw()),
            ));
        }
        input.parse::<Token![=]>()?;
        Ok(Param {
            key,
            value: input.parse()?,
        })
    }
}
