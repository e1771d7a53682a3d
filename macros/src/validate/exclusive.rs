//! Exclusive systems: `fn rebuild(game: &mut Game)`, whose only parameter is the world.

use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, FnArg, Ident, ItemFn, Pat, Type};

use super::{display, Ctxt};
use crate::model::{ParamKind, ParamModel};

/// If a parameter of `func` is `&mut W`, the system is exclusive: its parameters (just
/// that one), or an error on every other parameter. `None` for an ordinary system.
pub fn params(cx: &Ctxt, func: &ItemFn) -> Option<Vec<ParamModel>> {
    let typed: Vec<&syn::PatType> = func
        .sig
        .inputs
        .iter()
        .filter_map(|arg| match arg {
            FnArg::Typed(arg) => Some(arg),
            FnArg::Receiver(_) => None,
        })
        .collect();
    let (position, world) = typed
        .iter()
        .enumerate()
        .find_map(|(i, arg)| match &*arg.ty {
            Type::Reference(r) if r.mutability.is_some() => Some((i, r)),
            _ => None,
        })?;
    let world_ty = {
        let mut elem = (*world.elem).clone();
        if let Type::Path(path) = &mut elem {
            for segment in &mut path.path.segments {
                if let syn::PathArguments::AngleBracketed(args) = &mut segment.arguments {
                    args.args = std::mem::take(&mut args.args)
                        .into_iter()
                        .filter(|a| !matches!(a, syn::GenericArgument::Lifetime(_)))
                        .collect();
                }
            }
        }
        elem
    };
    let name = &func.sig.ident;
    for (i, arg) in typed.iter().enumerate() {
        if i != position {
            cx.error_spanned_by(
                arg,
                format!(
                    "exclusive system `{name}` takes `&mut {}` and no other parameter, since it has the whole world; remove `{}` and use the world's methods instead (`query_mut`, `resource_mut`, `spawn`, ...), or move this work into an ordinary system",
                    display(&world_ty),
                    display(&arg.ty),
                ),
            );
        }
    }
    if let Pat::Ident(binding) = &*typed[position].pat {
        forbid_tick(cx, func, &binding.ident);
    }
    Some(vec![ParamModel {
        kind: ParamKind::Exclusive(world_ty),
        ty: (*typed[position].ty).clone(),
        span: typed[position].span(),
        access: None,
    }])
}

/// Reports every call of `tick`/`run_phase` on the world parameter in the body
/// (`game.tick()`, `(*game).run_phase(..)`, `Game::tick(game)`, `World::tick(game)`):
/// an exclusive system runs inside a tick. (A call through a helper function is caught
/// at run time, where `run_phase` panics.)
fn forbid_tick(cx: &Ctxt, func: &ItemFn, world: &Ident) {
    let mut calls = TickCalls {
        world,
        found: Vec::new(),
    };
    let mut body = (*func.block).clone();
    calls.visit_block_mut(&mut body);
    let name = &func.sig.ident;
    for method in calls.found {
        cx.error_spanned_by(
            &method,
            format!(
                "exclusive system `{name}` calls `{method}` on its world; an exclusive system runs inside a tick, so it may call every world method but `tick` and `run_phase`: move the call out of the system, or list the work it needs as systems of a phase"
            ),
        );
    }
}

struct TickCalls<'a> {
    world: &'a Ident,
    found: Vec<Ident>,
}

fn is_tick(method: &Ident) -> bool {
    method == "tick" || method == "run_phase"
}

/// `game`, `*game`, `(game)`, `&mut *game`: the world parameter itself.
fn is_world(expr: &Expr, world: &Ident) -> bool {
    match expr {
        Expr::Path(path) => path.qself.is_none() && path.path.is_ident(world),
        Expr::Unary(unary) => {
            matches!(unary.op, syn::UnOp::Deref(_)) && is_world(&unary.expr, world)
        }
        Expr::Paren(paren) => is_world(&paren.expr, world),
        Expr::Reference(reference) => is_world(&reference.expr, world),
        _ => false,
    }
}

impl VisitMut for TickCalls<'_> {
    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        if is_tick(&call.method) && is_world(&call.receiver, self.world) {
            self.found.push(call.method.clone());
        }
        visit_mut::visit_expr_method_call_mut(self, call);
    }

    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        if let Expr::Path(path) = &*call.func {
            let method = path.path.segments.last().map(|s| &s.ident);
            if let (Some(method), Some(first)) = (method, call.args.first()) {
                if path.path.segments.len() > 1 && is_tick(method) && is_world(first, self.world) {
                    self.found.push(method.clone());
                }
            }
        }
        visit_mut::visit_expr_call_mut(self, call);
    }
}
