//! `sparse(Slowed, Burning)`: components stored in sparse sets, outside every archetype.

use std::collections::HashMap;

use syn::Type;

use super::world::{as_path_type, MAX_COMPONENTS};
use super::{display, key_of, Ctxt};
use crate::model::{ArchetypeModel, ComponentModel};

/// Checks the `sparse(...)` list and appends its components to `components` (after the
/// archetypes' components); returns their indices, in declaration order. Each entry must
/// be a type path, listed once, and in no archetype.
pub fn check_sparse(
    cx: &Ctxt,
    tys: &[Type],
    components: &mut Vec<ComponentModel>,
    archetypes: &[ArchetypeModel],
) -> Vec<usize> {
    let archetype_components: HashMap<String, usize> = components
        .iter()
        .enumerate()
        .filter_map(|(i, c)| as_path_type(&c.ty).map(|p| (key_of(p), i)))
        .collect();
    let mut listed: HashMap<String, Type> = HashMap::new();
    let mut indices = Vec::new();
    for ty in tys {
        let Some(path) = as_path_type(ty) else {
            cx.error_spanned_by(
                ty,
                format!(
                    "sparse component `{}` must be a type path such as `Slowed` or `effects::Slowed`",
                    display(ty)
                ),
            );
            continue;
        };
        let key = key_of(path);
        if listed.contains_key(&key) {
            cx.error_spanned_by(
                ty,
                format!(
                    "component `{}` is listed twice in `sparse(...)`; remove one",
                    display(ty)
                ),
            );
            continue;
        }
        listed.insert(key.clone(), ty.clone());
        if let Some(&index) = archetype_components.get(&key) {
            let owners: Vec<String> = archetypes
                .iter()
                .filter(|a| a.components.contains(&index))
                .map(|a| format!("`{}`", a.ident))
                .collect();
            cx.error_spanned_by(
                ty,
                format!(
                    "component `{}` is in `sparse(...)` and in archetype {}; a sparse component is carried by any entity without being part of an archetype: remove it from `sparse(...)` or from the archetype",
                    display(ty),
                    owners.join(", ")
                ),
            );
            continue;
        }
        if components.len() >= MAX_COMPONENTS {
            cx.error_spanned_by(
                ty,
                format!(
                    "a world holds at most {MAX_COMPONENTS} component types; `{}` is one too many",
                    display(ty)
                ),
            );
            continue;
        }
        indices.push(components.len());
        components.push(ComponentModel { ty: ty.clone() });
    }
    indices
}

/// `hierarchy`: appends the runtime's `ChildOf` and `Children` to `components` (as sparse
/// components); their indices.
pub fn hierarchy_components(components: &mut Vec<ComponentModel>) -> [usize; 2] {
    let rt = crate::expand::rt();
    let first = components.len();
    components.push(ComponentModel {
        ty: syn::parse_quote!(#rt::ChildOf),
    });
    components.push(ComponentModel {
        ty: syn::parse_quote!(#rt::Children),
    });
    [first, first + 1]
}
