//! Exclusive systems: `fn rebuild(game: &mut Game)`, whose only parameter is the world.

use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, Type};

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
    Some(vec![ParamModel {
        kind: ParamKind::Exclusive(world_ty),
        ty: (*typed[position].ty).clone(),
        span: typed[position].span(),
        access: None,
    }])
}
