//! `#[system]`: the function's signature, its parameters and their aliasing.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{FnArg, GenericArgument, Item, ItemFn, Pat, PathArguments, Type};

use super::world::as_path_type;
use super::{display, key_of, Ctxt, SystemFailure};
use crate::model::{DataAccess, ParamKind, ParamModel, QueryAccess, SystemModel};

/// A system takes at most this many parameters.
pub const MAX_PARAMS: usize = 16;
/// A query tuple holds at most this many elements.
pub const MAX_TUPLE: usize = 12;

const PARAM_KINDS: &str =
    "a system takes `Query`, `Res`, `ResMut`, `Commands`, `Local`, `EventWriter`, `EventReader`, `Outbox` and `RemovedComponents` parameters";
const DATA_FORMS: &str =
    "query data is `&T`, `&mut T`, `Tracked<T>`, `Option<&T>`, `Option<&mut T>`, `Entity` or a tuple of these";
const FILTER_FORMS: &str =
    "a filter is `With<T>`, `Without<T>`, `Added<T>`, `Changed<T>` or a tuple of them";

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
        if let Some(param) = check_param(&cx, &arg.ty) {
            params.push(ParamModel {
                kind: param.0,
                ty: (*arg.ty).clone(),
                span: arg.span(),
                access: param.1,
            });
        }
    }
    check_conflicts(&cx, &params);

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

fn strip(ty: &Type) -> Type {
    let mut ty = ty.clone();
    StripLifetimes.visit_type_mut(&mut ty);
    ty
}

/// The type arguments of a path segment, lifetimes left out.
fn type_args<'a>(cx: &Ctxt, segment: &'a syn::PathSegment) -> Option<Vec<&'a Type>> {
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

fn check_param(cx: &Ctxt, ty: &Type) -> Option<(ParamKind, Option<QueryAccess>)> {
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

/// Flattens the data and filter of a query and checks it against itself.
fn check_query(cx: &Ctxt, data: &Type, filter: Option<&Type>) -> Option<QueryAccess> {
    let mut access = QueryAccess {
        data: Vec::new(),
        entity: false,
        with: Vec::new(),
        without: Vec::new(),
    };
    let mut ok = walk_data(cx, data, &mut access);
    if let Some(filter) = filter {
        ok &= walk_filter(cx, filter, &mut access);
    }
    if !ok {
        return None;
    }

    // Aliasing inside the query: a component borrowed mutably and again.
    let mut reported: Vec<String> = Vec::new();
    for (i, later) in access.data.iter().enumerate() {
        let key = key_of(&later.ty);
        if reported.contains(&key) {
            continue;
        }
        let aliased = access.data[..i]
            .iter()
            .any(|earlier| key_of(&earlier.ty) == key && (earlier.mutable || later.mutable));
        if aliased {
            reported.push(key);
            cx.error_spanned_by(
                &later.ty,
                format!(
                    "query accesses `{0}` mutably and again in the same query; a component may be borrowed once when one borrow is mutable, keep only `&mut {0}` (it also reads)",
                    display(&later.ty)
                ),
            );
        }
    }

    // A component both required and excluded: the query can never match.
    for excluded in &access.without {
        let key = key_of(excluded);
        if requires(&access, &key) {
            cx.error_spanned_by(
                excluded,
                format!(
                    "query requires `{0}` and excludes it with `Without<{0}>`, so it matches nothing; remove one of them",
                    display(excluded)
                ),
            );
        }
    }
    Some(access)
}

/// The query only matches archetypes holding the component `key`.
fn requires(access: &QueryAccess, key: &str) -> bool {
    access
        .data
        .iter()
        .any(|data| !data.optional && key_of(&data.ty) == key)
        || access.with.iter().any(|ty| key_of(ty) == key)
}

fn component_path<'a>(cx: &Ctxt, ty: &'a Type) -> Option<&'a Type> {
    if let Some(path) = as_path_type(ty) {
        if path.path.is_ident("Entity") {
            cx.error_spanned_by(
                ty,
                "`Entity` is not a component; write `Entity` without `&` to get the entity in a query",
            );
            return None;
        }
        Some(ty)
    } else {
        cx.error_spanned_by(
            ty,
            format!(
                "component `{}` must be a type path such as `Position` or `physics::Position`",
                display(ty)
            ),
        );
        None
    }
}

/// Walks every element of a query data or filter tuple, reporting `too_long` on the
/// first element past [`MAX_TUPLE`].
fn walk_tuple(
    cx: &Ctxt,
    tuple: &syn::TypeTuple,
    access: &mut QueryAccess,
    too_long: &str,
    walk: fn(&Ctxt, &Type, &mut QueryAccess) -> bool,
) -> bool {
    let mut ok = true;
    for (i, elem) in tuple.elems.iter().enumerate() {
        if i == MAX_TUPLE {
            cx.error_spanned_by(elem, too_long);
            ok = false;
        }
        ok &= walk(cx, elem, access);
    }
    ok
}

fn walk_data(cx: &Ctxt, ty: &Type, access: &mut QueryAccess) -> bool {
    let unsupported = || {
        cx.error_spanned_by(
            ty,
            format!("unsupported query data `{}`; {DATA_FORMS}", display(ty)),
        );
        false
    };
    match ty {
        Type::Group(group) => walk_data(cx, &group.elem, access),
        Type::Paren(paren) => walk_data(cx, &paren.elem, access),
        Type::Reference(reference) => match component_path(cx, &reference.elem) {
            Some(component) => {
                access.data.push(DataAccess {
                    ty: strip(component),
                    mutable: reference.mutability.is_some(),
                    optional: false,
                });
                true
            }
            None => false,
        },
        Type::Tuple(tuple) => walk_tuple(
            cx,
            tuple,
            access,
            &format!("a query tuple holds at most {MAX_TUPLE} elements; nest tuples to group more, as in `((&A, &B), &C)`"),
            walk_data,
        ),
        Type::Path(path) if path.qself.is_none() => {
            let Some(segment) = path.path.segments.last() else {
                return unsupported();
            };
            if segment.ident == "Entity" && segment.arguments.is_none() {
                access.entity = true;
                return true;
            }
            if segment.ident == "Tracked" {
                let Some(args) = type_args(cx, segment) else {
                    return false;
                };
                let [inner] = args.as_slice() else {
                    return unsupported();
                };
                return match component_path(cx, inner) {
                    Some(component) => {
                        access.data.push(DataAccess {
                            ty: strip(component),
                            mutable: true,
                            optional: false,
                        });
                        true
                    }
                    None => false,
                };
            }
            if segment.ident != "Option" {
                return unsupported();
            }
            let Some(args) = type_args(cx, segment) else {
                return false;
            };
            let [inner] = args.as_slice() else {
                return unsupported();
            };
            let mut inner: &Type = inner;
            while let Type::Paren(paren) = inner {
                inner = &paren.elem;
            }
            let Type::Reference(reference) = inner else {
                return unsupported();
            };
            match component_path(cx, &reference.elem) {
                Some(component) => {
                    access.data.push(DataAccess {
                        ty: strip(component),
                        mutable: reference.mutability.is_some(),
                        optional: true,
                    });
                    true
                }
                None => false,
            }
        }
        _ => unsupported(),
    }
}

fn walk_filter(cx: &Ctxt, ty: &Type, access: &mut QueryAccess) -> bool {
    let unsupported = || {
        cx.error_spanned_by(
            ty,
            format!("unsupported query filter `{}`; {FILTER_FORMS}", display(ty)),
        );
        false
    };
    match ty {
        Type::Group(group) => walk_filter(cx, &group.elem, access),
        Type::Paren(paren) => walk_filter(cx, &paren.elem, access),
        Type::Tuple(tuple) => walk_tuple(
            cx,
            tuple,
            access,
            &format!(
                "a filter tuple holds at most {MAX_TUPLE} elements; nest tuples to group more"
            ),
            walk_filter,
        ),
        Type::Path(path) if path.qself.is_none() => {
            let Some(segment) = path.path.segments.last() else {
                return unsupported();
            };
            // `Added<T>`/`Changed<T>` require `T` as `With<T>` does (and read its ticks).
            let with =
                segment.ident == "With" || segment.ident == "Added" || segment.ident == "Changed";
            if !with && segment.ident != "Without" {
                return unsupported();
            }
            let Some(args) = type_args(cx, segment) else {
                return false;
            };
            let [inner] = args.as_slice() else {
                return unsupported();
            };
            match component_path(cx, inner) {
                Some(component) => {
                    let component = strip(component);
                    if with {
                        access.with.push(component);
                    } else {
                        access.without.push(component);
                    }
                    true
                }
                None => false,
            }
        }
        _ => unsupported(),
    }
}

/// Two parameters of one system that would alias.
fn check_conflicts(cx: &Ctxt, params: &[ParamModel]) {
    for (b, later) in params.iter().enumerate() {
        for earlier in &params[..b] {
            match (&earlier.kind, &later.kind) {
                (ParamKind::ResMut(x), ParamKind::ResMut(y)) if key_of(x) == key_of(y) => {
                    cx.error_spanned_by(
                        &later.ty,
                        format!(
                            "resource `{0}` is borrowed mutably twice in this system; keep one `ResMut<{0}>`",
                            display(y)
                        ),
                    );
                }
                (ParamKind::Res(x), ParamKind::ResMut(y))
                | (ParamKind::ResMut(x), ParamKind::Res(y))
                    if key_of(x) == key_of(y) =>
                {
                    cx.error_spanned_by(
                        &later.ty,
                        format!(
                            "resource `{0}` is borrowed mutably and again in this system (`Res<{0}>` and `ResMut<{0}>`); keep only the `ResMut<{0}>`, it also reads",
                            display(y)
                        ),
                    );
                }
                _ => {}
            }
            let (Some(a), Some(b_access)) = (&earlier.access, &later.access) else {
                continue;
            };
            // Only conflicts that hold in every world are reported here; whether two
            // partly overlapping queries meet depends on the world's archetypes, and the
            // world's compile-time schedule checks that per column.
            if disjoint(a, b_access) || !(nested(a, b_access) || nested(b_access, a)) {
                continue;
            }
            let clash = b_access.data.iter().find(|y| {
                a.data
                    .iter()
                    .any(|x| key_of(&x.ty) == key_of(&y.ty) && (x.mutable || y.mutable))
            });
            if let Some(clash) = clash {
                cx.error_spanned_by(
                    &clash.ty,
                    format!(
                        "`{}` conflicts with `{}` of the same system: both access `{}` and one of them mutably; make the queries disjoint with `With<C>` on one and `Without<C>` on the other, or merge them into one query",
                        display(&later.ty),
                        display(&earlier.ty),
                        display(&clash.ty)
                    ),
                );
            }
        }
    }
}

/// Every archetype that `inner` matches, `outer` matches too: `outer` requires nothing
/// `inner` does not, and excludes nothing `inner` does not exclude.
fn nested(outer: &QueryAccess, inner: &QueryAccess) -> bool {
    let required = |q: &QueryAccess| -> Vec<String> {
        q.data
            .iter()
            .filter(|d| !d.optional)
            .map(|d| key_of(&d.ty))
            .chain(q.with.iter().map(key_of))
            .collect()
    };
    let inner_required = required(inner);
    let inner_without: Vec<String> = inner.without.iter().map(key_of).collect();
    required(outer).iter().all(|k| inner_required.contains(k))
        && outer
            .without
            .iter()
            .all(|ty| inner_without.contains(&key_of(ty)))
}

/// No entity can match both queries: one requires a component the other excludes.
fn disjoint(a: &QueryAccess, b: &QueryAccess) -> bool {
    b.without.iter().any(|ty| requires(a, &key_of(ty)))
        || a.without.iter().any(|ty| requires(b, &key_of(ty)))
}
