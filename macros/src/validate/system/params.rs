//! One parameter of a system: which kind it is (`Query`, `Res`, `Commands`, ...), with
//! its type arguments, lifetimes left out.

use syn::visit_mut::VisitMut;
use syn::{GenericArgument, PathArguments, Type};

use super::query::check_query;
use crate::model::{ParamKind, QueryAccess};
use crate::validate::world::as_path_type;
use crate::validate::{display, Ctxt};

const PARAM_KINDS: &str =
    "a system takes `Query`, `Res`, `ResMut`, `Commands`, `Local`, `EventWriter`, `EventReader`, `Outbox` and `RemovedComponents` parameters";

/// Removes lifetimes (`&'w T` -> `&T`, `Query<'w, D>` -> `Query<D>`).
struct StripLifetimes;

impl VisitMut for StripLifetimes {
    fn visit_type_reference_mut(&mut self, reference: &mut syn::TypeReference) {
        reference.lifetime = None;
        syn::visit_mut::visit_type_reference_mut(self, reference);
    }

    fn visit_angle_bracketed_generic_arguments_mut(
        &mut self,
        args: &mut syn::AngleBracketedGenericArguments,
    ) {
        let kept: syn::punctuated::Punctuated<GenericArgument, syn::Token![,]> =
            std::mem::take(&mut args.args)
                .into_iter()
                .filter(|arg| !matches!(arg, GenericArgument::Lifetime(_)))
                .collect();
        args.args = kept;
        syn::visit_mut::visit_angle_bracketed_generic_arguments_mut(self, args);
    }
}

pub(super) fn strip(ty: &Type) -> Type {
    let mut ty = ty.clone();
    StripLifetimes.visit_type_mut(&mut ty);
    ty
}

/// The type arguments of a path segment, lifetimes left out.
pub(super) fn type_args<'a>(cx: &Ctxt, segment: &'a syn::PathSegment) -> Option<Vec<&'a Type>> {
    match &segment.arguments {
        PathArguments::None => Some(Vec::new()),
        PathArguments::Parenthesized(args) => {
            cx.error_spanned_by(
                args,
                format!("unexpected `(...)` after `{}`", segment.ident),
            );
            None
        }
        PathArguments::AngleBracketed(args) => {
            let mut types = Vec::new();
            for arg in &args.args {
                match arg {
                    GenericArgument::Lifetime(_) => {}
                    GenericArgument::Type(ty) => types.push(ty),
                    other => {
                        cx.error_spanned_by(
                            other,
                            format!(
                                "unexpected argument `{}` of `{}`",
                                display(other),
                                segment.ident
                            ),
                        );
                        return None;
                    }
                }
            }
            Some(types)
        }
    }
}

/// The kind of the parameter of type `ty` (and a query's access), or `None` after
/// reporting why it is not one.
pub(super) fn check_param(cx: &Ctxt, ty: &Type) -> Option<(ParamKind, Option<QueryAccess>)> {
    let unsupported = || {
        cx.error_spanned_by(
            ty,
            format!(
                "unsupported system parameter type `{}`; {PARAM_KINDS}",
                display(ty)
            ),
        );
        None
    };
    let Some(path) = as_path_type(ty) else {
        return unsupported();
    };
    let Some(segment) = path.path.segments.last() else {
        return unsupported();
    };
    let kind = segment.ident.to_string();
    if !matches!(
        kind.as_str(),
        "Query"
            | "Res"
            | "ResMut"
            | "Commands"
            | "Local"
            | "EventWriter"
            | "EventReader"
            | "Outbox"
            | "RemovedComponents"
    ) {
        return unsupported();
    }
    let args = type_args(cx, segment)?;
    match kind.as_str() {
        "Query" => {
            if args.is_empty() || args.len() > 2 {
                cx.error_spanned_by(
                    ty,
                    "`Query` takes query data and an optional filter, as in `Query<&Position>` or `Query<(&mut Position, &Velocity), With<Player>>`",
                );
                return None;
            }
            let access = check_query(cx, args[0], args.get(1).copied())?;
            Some((
                ParamKind::Query {
                    data: strip(args[0]),
                    filter: args.get(1).map(|filter| strip(filter)),
                },
                Some(access),
            ))
        }
        "Commands" => {
            if !args.is_empty() {
                cx.error_spanned_by(ty, "`Commands` takes no type parameter; write `Commands`");
                return None;
            }
            Some((ParamKind::Commands, None))
        }
        "Outbox" => {
            if !args.is_empty() {
                cx.error_spanned_by(ty, "`Outbox` takes no type parameter; write `Outbox`");
                return None;
            }
            Some((ParamKind::Outbox, None))
        }
        one => {
            if args.len() != 1 {
                let example = match one {
                    "Local" => "`Local<u32>`",
                    "EventWriter" => "`EventWriter<Damage>`",
                    "EventReader" => "`EventReader<Damage>`",
                    "RemovedComponents" => "`RemovedComponents<Health>`",
                    "ResMut" => "`ResMut<Time>`",
                    _ => "`Res<Time>`",
                };
                cx.error_spanned_by(
                    ty,
                    format!("`{one}` takes exactly one type, as in {example}"),
                );
                return None;
            }
            // Resource and local types are kept as written: they may need `'static`.
            let inner = args[0].clone();
            Some((
                match one {
                    "Res" => ParamKind::Res(inner),
                    "ResMut" => ParamKind::ResMut(inner),
                    "EventWriter" => ParamKind::EventWriter(inner),
                    "EventReader" => ParamKind::EventReader(inner),
                    "RemovedComponents" => ParamKind::RemovedComponents(inner),
                    _ => ParamKind::Local(inner),
                },
                None,
            ))
        }
    }
}
