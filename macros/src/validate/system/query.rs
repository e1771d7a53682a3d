//! A `Query<D, F>` parameter: its data and filter flattened into a [`QueryAccess`] and
//! checked against itself.

use syn::Type;

use super::params::{strip, type_args};
use crate::model::{DataAccess, QueryAccess};
use crate::validate::world::as_path_type;
use crate::validate::{display, key_of, Ctxt};

/// A query tuple holds at most this many elements.
pub const MAX_TUPLE: usize = 12;

const DATA_FORMS: &str =
    "query data is `&T`, `&mut T`, `Tracked<T>`, `Option<&T>`, `Option<&mut T>`, `Entity` or a tuple of these";
const FILTER_FORMS: &str =
    "a filter is `With<T>`, `Without<T>`, `Added<T>`, `Changed<T>` or a tuple of them";

/// Flattens the data and filter of a query and checks it against itself.
pub(super) fn check_query(cx: &Ctxt, data: &Type, filter: Option<&Type>) -> Option<QueryAccess> {
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
pub(super) fn requires(access: &QueryAccess, key: &str) -> bool {
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
