//! Two parameters of one system that would alias: the same resource written twice, or
//! two queries that may visit the same entity with one of them writing what both touch.

use super::query::requires;
use crate::model::{ParamKind, ParamModel, QueryAccess};
use crate::validate::{display, key_of, Ctxt};

/// Two parameters of one system that would alias.
pub(super) fn check_conflicts(cx: &Ctxt, params: &[ParamModel]) {
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
