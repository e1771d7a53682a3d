//! Ordering targets that are missing from their phase while a listed system has a similar
//! name: one of the two is a typo, and only name resolution knows which. Instead of an
//! error at the target, `#[world]` emits a `const` that names the similar listed systems
//! and then fails with the error: if a listed system does not resolve (the typo is in
//! `systems(...)`), rustc reports it there, once, and never evaluates the `const`;
//! otherwise the `const` reports the missing target, at the target.

use syn::{Ident, Path};

use crate::model::UnresolvedOrder;

/// Whether `a` and `b` are close enough to be a typo of one another: an edit distance of
/// at most a third of the longer name (at least 1), as rustc's own suggestions.
pub fn similar(a: &Ident, b: &Ident) -> bool {
    let (a, b) = (a.to_string(), b.to_string());
    let limit = (a.chars().count().max(b.chars().count()) / 3).max(1);
    a != b && edit_distance(&a, &b) <= limit
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// The deferred error for `target`, or `None` when no listed system is similar (the error
/// is then reported at once).
pub fn defer<'a>(
    target: &Path,
    target_name: &Ident,
    listed: impl IntoIterator<Item = &'a Path>,
    message: &str,
) -> Option<UnresolvedOrder> {
    let near: Vec<Path> = listed
        .into_iter()
        .filter(|path| {
            path.segments
                .last()
                .is_some_and(|last| similar(&last.ident, target_name))
        })
        .cloned()
        .collect();
    let names: Vec<String> = near
        .iter()
        .map(|path| format!("`{}`", super::display(path)))
        .collect();
    (!near.is_empty()).then(|| UnresolvedOrder {
        target: target.clone(),
        message: format!("{message} (did you mean {}?)", names.join(" or ")),
        near,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::Span;

    fn ident(name: &str) -> Ident {
        Ident::new(name, Span::call_site())
    }

    #[test]
    fn typos_are_similar_and_other_names_are_not() {
        assert!(similar(&ident("damge"), &ident("damage")));
        assert!(similar(&ident("reap"), &ident("reaps")));
        assert!(!similar(&ident("damage"), &ident("damage")));
        assert!(!similar(&ident("render"), &ident("integrate")));
        assert!(!similar(&ident("ab"), &ident("cd")));
    }
}
