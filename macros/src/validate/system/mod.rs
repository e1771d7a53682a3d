//! `#[system]`: the function's signature, its parameters and their aliasing.
//!
//! [`validate`] checks the item and the signature here, each parameter in `params`
//! (queries in `query`), then the parameters against each other in `conflicts`.

mod conflicts;
mod params;
mod query;

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::spanned::Spanned;
use syn::{FnArg, Item, ItemFn, Pat};

use super::{Ctxt, SystemFailure};
use crate::model::{ParamModel, SystemModel};

/// A system takes at most this many parameters.
pub const MAX_PARAMS: usize = 16;

// The failure carries the stub items on purpose; it is built once per macro call.
#[allow(clippy::result_large_err)]
pub fn validate(attr: TokenStream, item: TokenStream) -> Result<SystemModel, SystemFailure> {
    let cx = Ctxt::new();
    if !attr.is_empty() {
        cx.error_spanned_by(
            &attr,
            "`#[system]` takes no arguments; write `#[system]` and order systems in `#[world(systems(...))]`",
        );
    }
    const FREE_FN: &str =
        "`#[system]` goes on a free function such as `fn integrate(time: Res<Time>) {}`";
    let func = match syn::parse2::<Item>(item.clone()) {
        Ok(Item::Fn(func)) => func,
        Ok(other) => {
            let at = match &other {
                Item::Struct(s) => {
                    let (t, i) = (s.struct_token, &s.ident);
                    quote!(#t #i)
                }
                Item::Enum(e) => {
                    let (t, i) = (e.enum_token, &e.ident);
                    quote!(#t #i)
                }
                _ => other.to_token_stream(),
            };
            cx.error_spanned_by(at, FREE_FN);
            return Err(fail(cx, None));
        }
        Err(_) => {
            cx.error_spanned_by(&item, FREE_FN);
            return Err(fail(cx, None));
        }
    };

    check_signature(&cx, &func);
    super::events::check_output(&cx, &func);

    if let Some(params) = super::exclusive::params(&cx, &func) {
        return match cx.check() {
            Ok(()) => Ok(SystemModel { func, params }),
            Err(error) => Err(SystemFailure {
                error,
                func: Some(func),
            }),
        };
    }

    let mut params = Vec::new();
    for (position, arg) in func.sig.inputs.iter().enumerate() {
        let FnArg::Typed(arg) = arg else { continue };
        if position == MAX_PARAMS {
            cx.error_spanned_by(
                arg,
                format!("a system takes at most {MAX_PARAMS} parameters, this is parameter {}; group resources into one struct or split the system", position + 1),
            );
        }
        match &*arg.pat {
            Pat::Ident(ident) if ident.by_ref.is_none() && ident.subpat.is_none() => {}
            Pat::Wild(_) => {}
            other => cx.error_spanned_by(
                other,
                "a system parameter is a plain name such as `time` or `mut movers`, or `_`",
            ),
        }
        if let Some(param) = params::check_param(&cx, &arg.ty) {
            params.push(ParamModel {
                kind: param.0,
                ty: (*arg.ty).clone(),
                span: arg.span(),
                access: param.1,
            });
        }
    }
    conflicts::check_conflicts(&cx, &params);

    match cx.check() {
        Ok(()) => Ok(SystemModel { func, params }),
        Err(error) => Err(SystemFailure {
            error,
            func: Some(func),
        }),
    }
}

fn fail(cx: Ctxt, func: Option<ItemFn>) -> SystemFailure {
    match cx.check() {
        Err(error) => SystemFailure { error, func },
        // Callers only fail after reporting; stay total anyway.
        Ok(()) => SystemFailure {
            error: syn::Error::new(proc_macro2::Span::call_site(), "invalid `#[system]`"),
            func,
        },
    }
}

fn check_signature(cx: &Ctxt, func: &ItemFn) {
    let sig = &func.sig;
    let name = &sig.ident;
    if let Some(token) = &sig.constness {
        cx.error_spanned_by(
            token,
            format!("system `{name}` cannot be a `const fn`; remove `const`"),
        );
    }
    if let Some(token) = &sig.asyncness {
        cx.error_spanned_by(
            token,
            format!("system `{name}` cannot be `async`; remove `async`, a system runs to completion within its stage"),
        );
    }
    if let Some(token) = &sig.unsafety {
        cx.error_spanned_by(
            token,
            format!("system `{name}` cannot be an `unsafe fn`; remove `unsafe` and use `unsafe` blocks inside"),
        );
    }
    if let Some(abi) = &sig.abi {
        cx.error_spanned_by(
            abi,
            format!("system `{name}` cannot have an `extern` ABI; remove it"),
        );
    }
    if let Some(variadic) = &sig.variadic {
        cx.error_spanned_by(variadic, format!("system `{name}` cannot be variadic"));
    }
    let generic = sig
        .generics
        .params
        .iter()
        .any(|param| !matches!(param, syn::GenericParam::Lifetime(_)));
    if generic {
        cx.error_spanned_by(
            &sig.generics,
            format!("system `{name}` cannot be generic; remove the type and const parameters"),
        );
    } else if let Some(clause) = &sig.generics.where_clause {
        cx.error_spanned_by(
            clause,
            format!("system `{name}` cannot have a `where` clause; remove it"),
        );
    }
    for arg in &sig.inputs {
        if let FnArg::Receiver(receiver) = arg {
            cx.error_spanned_by(
                receiver,
                format!("system `{name}` cannot take `self`; make it a free function outside the `impl` block"),
            );
        }
    }
}
