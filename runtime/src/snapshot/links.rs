//! The hierarchy's invariant (see [`crate::hierarchy`]), checked on loaded data: the
//! world keeps it through every operation, but a save file may say anything.

use crate::hierarchy::{children_in, parent_in};
use crate::storage::Storage;
use crate::world::WorldDef;

/// `Err` naming the first fault unless, for every entity `c` with `ChildOf(p)`, `p` is
/// alive and lists `c` once in its `Children`; every `Children` is non-empty and lists
/// only entities whose parent it is; and no chain of parents is a cycle.
pub(crate) fn check_links<W: WorldDef>(storage: &Storage) -> Result<(), String> {
    let Some(ids) = W::HIERARCHY else {
        return Ok(());
    };
    let sparse = storage.sparse();
    let with_parent = sparse.set(ids.child_of).map_or(&[][..], |s| s.entities());
    let with_children = sparse.set(ids.children).map_or(&[][..], |s| s.entities());
    for &child in with_parent {
        let parent = parent_in::<W>(storage, child).expect("listed in the set");
        if storage.location(parent).is_none() {
            return Err(format!("{child:?}'s parent {parent:?} is not alive"));
        }
        let listed = children_in::<W>(storage, parent)
            .iter()
            .filter(|&&c| c == child)
            .count();
        if listed != 1 {
            return Err(format!(
                "{child:?} is listed {listed} times in the children of its parent {parent:?}"
            ));
        }
    }
    for &parent in with_children {
        let children = children_in::<W>(storage, parent);
        if children.is_empty() {
            return Err(format!("{parent:?} has an empty `Children`"));
        }
        if let Some(&stray) = children
            .iter()
            .find(|&&c| parent_in::<W>(storage, c) != Some(parent))
        {
            return Err(format!(
                "{stray:?} is listed as a child of {parent:?} but is not its child"
            ));
        }
    }
    // Walk up from each child until a root or an entity known to reach one; a walk
    // longer than the number of children repeats an entity: a cycle. Each entity joins
    // `rooted` once, so the walks take linear time in all.
    let mut rooted = std::collections::HashSet::new();
    let mut path = Vec::new();
    for &start in with_parent {
        path.clear();
        let mut at = start;
        while !rooted.contains(&at) {
            path.push(at);
            if path.len() > with_parent.len() + 1 {
                return Err(format!("{start:?} has a cycle among its ancestors"));
            }
            match parent_in::<W>(storage, at) {
                Some(parent) => at = parent,
                None => break,
            }
        }
        rooted.extend(path.iter().copied());
    }
    Ok(())
}
