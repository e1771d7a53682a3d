//! `track(Position, Health)`: components whose changes queries can filter on.

use std::collections::{HashMap, HashSet};

use syn::Type;

use super::world::as_path_type;
use super::{display, key_of, Ctxt};
use crate::model::ComponentModel;

/// Checks the `track(...)` list against the world's components; returns their indices,
/// in declaration order. Each entry must be a type path, listed once, and a component of
/// some archetype (a sparse component cannot be tracked).
pub fn check_track(
    cx: &Ctxt,
    tys: &[Type],
    components: &[ComponentModel],
    sparse: &[usize],
) -> Vec<usize> {
    let known: HashMap<String, usize> = components
        .iter()
        .enumerate()
        .filter_map(|(i, c)| as_path_type(&c.ty).map(|p| (key_of(p), i)))
        .collect();
    let mut listed = HashSet::new();
    let mut indices = Vec::new();
    for ty in tys {
        let Some(path) = as_path_type(ty) else {
            cx.error_spanned_by(
                ty,
                format!(
                    "tracked component `{}` must be a type path such as `Position` or `physics::Position`",
                    display(ty)
                ),
            );
            continue;
        };
        let key = key_of(path);
        if !listed.insert(key.clone()) {
            cx.error_spanned_by(
                ty,
                format!(
                    "component `{}` is listed twice in `track(...)`; remove one",
                    display(ty)
                ),
            );
            continue;
        }
        match known.get(&key) {
            Some(index) if sparse.contains(index) => cx.error_spanned_by(
                ty,
                format!(
                    "component `{}` is sparse; `track(...)` takes archetype components only (a sparse component has no change ticks): remove it from `track(...)`",
                    display(ty)
                ),
            ),
            Some(&index) => indices.push(index),
            None => cx.error_spanned_by(
                ty,
                format!(
                    "component `{}` in `track(...)` is in no archetype of this world; add it to an archetype or remove it from `track(...)`",
                    display(ty)
                ),
            ),
        }
    }
    indices
}
