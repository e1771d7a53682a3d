//! `phases(...)` and `systems(...)`: unknown phases, systems listed twice, orderings that
//! leave their phase, and ordering cycles.

use std::collections::{HashMap, VecDeque};

use syn::{Ident, Path};

use super::{display, key_of, near_miss, Ctxt};
use crate::model::{PhaseModel, SystemEntry, UnresolvedOrder};
use crate::parse::world::{quoted_list, PhaseSystemsDecl};
use crate::parse::List;

/// One `.after`/`.before` constraint, as an edge `from` runs before `to`.
struct Edge<'a> {
    from: usize,
    to: usize,
    /// The target the user wrote, where a cycle is reported.
    target: &'a Path,
}

/// The name of a system in the schedule: the last segment of its path.
fn name_of(path: &Path) -> Ident {
    path.segments
        .last()
        .map(|segment| segment.ident.clone())
        .unwrap_or_else(|| Ident::new("_", proc_macro2::Span::call_site()))
}

pub fn check_phases(
    cx: &Ctxt,
    declared: &[Ident],
    phases_key: Option<&Ident>,
    phases_mentioned: bool,
    systems: Option<(&Ident, &List<PhaseSystemsDecl>)>,
    unresolved: &mut Vec<UnresolvedOrder>,
) -> Vec<PhaseModel> {
    // Declared phases, without duplicates.
    let mut phases: Vec<Ident> = Vec::new();
    for phase in declared {
        if phases.iter().any(|p| p == phase) {
            cx.error_spanned_by(
                phase,
                format!("phase `{phase}` is declared twice in `phases(...)`; remove one"),
            );
        } else {
            phases.push(phase.clone());
        }
    }
    let mut decls: Vec<Vec<&crate::parse::world::SystemDecl>> = vec![Vec::new(); phases.len()];

    if let Some((systems_key, list)) = systems {
        cx.extend(list.errors.iter().cloned());
        if phases_key.is_none() {
            if phases_mentioned {
                // A broken `phases` key was reported already.
                return Vec::new();
            }
            cx.error_spanned_by(
                systems_key,
                "`systems(...)` needs `phases(...)` to list the phases in run order, as in `phases(Update)`",
            );
        } else {
            let mut given: Vec<Option<&Ident>> = vec![None; phases.len()];
            for phase_systems in &list.items {
                cx.extend(phase_systems.systems.errors.iter().cloned());
                let phase = &phase_systems.phase;
                let Some(index) = phases.iter().position(|p| p == phase) else {
                    let hint = if phases.is_empty() {
                        "`phases(...)` declares none; add it there".to_string()
                    } else {
                        format!(
                            "the declared phases are {}; declare it in `phases(...)` or fix the name",
                            quoted_list(&phases)
                        )
                    };
                    cx.error_spanned_by(
                        phase,
                        format!("unknown phase `{phase}` in `systems(...)`; {hint}"),
                    );
                    continue;
                };
                if given[index].is_some() {
                    cx.error_spanned_by(
                        phase,
                        format!("phase `{phase}` is given twice in `systems(...)`; list all its systems in one `{phase} = [...]`"),
                    );
                    continue;
                }
                given[index] = Some(phase);
                decls[index] = phase_systems.systems.items.iter().collect();
            }
        }
    }

    // Systems listed twice (by path), or two systems with one name.
    let mut by_path: HashMap<String, usize> = HashMap::new();
    let mut by_name: HashMap<String, (usize, &Path)> = HashMap::new();
    for (phase, list) in decls.iter_mut().enumerate() {
        list.retain(|decl| {
            let name = name_of(&decl.path);
            if let Some(&first) = by_path.get(&key_of(&decl.path)) {
                let place = if first == phase {
                    "already listed in this phase".to_string()
                } else {
                    format!("already listed in phase `{}`", phases[first])
                };
                cx.error_spanned_by(
                    &decl.path,
                    format!(
                        "system `{}` is listed twice in this world ({place}); a system runs once per tick, remove one",
                        display(&decl.path)
                    ),
                );
                return false;
            }
            if let Some((_, first)) = by_name.get(&name.to_string()) {
                cx.error_spanned_by(
                    &decl.path,
                    format!(
                        "two systems are named `{name}` (`{}` and `{}`); the schedule names systems by function name, rename one of them",
                        display(*first),
                        display(&decl.path)
                    ),
                );
                return false;
            }
            by_path.insert(key_of(&decl.path), phase);
            by_name.insert(name.to_string(), (phase, &decl.path));
            true
        });
    }

    let mut models = Vec::new();
    for (phase_index, (phase, list)) in phases.iter().zip(&decls).enumerate() {
        let names: Vec<Ident> = list.iter().map(|decl| name_of(&decl.path)).collect();
        let mut edges: Vec<Edge> = Vec::new();
        for (this, decl) in list.iter().enumerate() {
            for order in &decl.orders {
                let (word, verb) = if order.before {
                    ("before", "run before")
                } else {
                    ("after", "run after")
                };
                for target in &order.targets {
                    let target_name = name_of(target);
                    let this_name = &names[this];
                    match names.iter().position(|n| *n == target_name) {
                        Some(other) if other == this => cx.error_spanned_by(
                            target,
                            format!("system `{this_name}` is ordered {word} itself; remove `.{word}({})`", display(target)),
                        ),
                        Some(other) => edges.push(if order.before {
                            Edge { from: this, to: other, target }
                        } else {
                            Edge { from: other, to: this, target }
                        }),
                        None => match by_name.get(&target_name.to_string()) {
                            Some(&(other_phase, _)) if other_phase != phase_index => cx.error_spanned_by(
                                target,
                                format!(
                                    "`{this_name}` cannot {verb} `{target_name}`: `{target_name}` is in phase `{}`, not `{phase}`; `.after`/`.before` only order systems of the same phase, phases run in the order of `phases(...)`",
                                    phases[other_phase]
                                ),
                            ),
                            _ => {
                                let message = format!(
                                    "no system `{target_name}` in phase `{phase}` for `{this_name}` to {verb}; list it in `{phase} = [...]` or remove `.{word}({})`",
                                    display(target)
                                );
                                let listed = by_name.values().map(|(_, path)| *path);
                                match near_miss::defer(target, &target_name, listed, &message) {
                                    Some(deferred) => unresolved.push(deferred),
                                    None => cx.error_spanned_by(target, message),
                                }
                            }
                        },
                    }
                }
            }
        }

        report_cycles(cx, &names, &edges);

        let mut after: Vec<Vec<usize>> = vec![Vec::new(); list.len()];
        for edge in &edges {
            if !after[edge.to].contains(&edge.from) {
                after[edge.to].push(edge.from);
            }
        }
        models.push(PhaseModel {
            ident: phase.clone(),
            systems: list
                .iter()
                .zip(names)
                .zip(after)
                .map(|((decl, name), after)| SystemEntry {
                    path: decl.path.clone(),
                    name,
                    after,
                    conditions: super::events::unresolved_conditions(decl),
                })
                .collect(),
        });
    }
    models
}

/// Reports one cycle per strongly connected component, once, on the constraint that
/// closes it.
fn report_cycles(cx: &Ctxt, names: &[Ident], edges: &[Edge]) {
    let n = names.len();
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); n];
    for edge in edges {
        if !next[edge.from].contains(&edge.to) {
            next[edge.from].push(edge.to);
        }
    }
    // reach[a][b]: b can be reached from a in one or more steps.
    let reach: Vec<Vec<bool>> = (0..n)
        .map(|start| {
            let mut seen = vec![false; n];
            let mut stack: Vec<usize> = next[start].clone();
            while let Some(node) = stack.pop() {
                if !seen[node] {
                    seen[node] = true;
                    stack.extend(&next[node]);
                }
            }
            seen
        })
        .collect();
    let mut done = vec![false; n];
    for start in 0..n {
        if done[start] || !reach[start][start] {
            continue;
        }
        let component: Vec<bool> = (0..n)
            .map(|node| node == start || (reach[start][node] && reach[node][start]))
            .collect();
        for (node, inside) in component.iter().enumerate() {
            if *inside {
                done[node] = true;
            }
        }
        // Shortest way from `start` back to itself, inside the component.
        let mut parent: Vec<Option<usize>> = vec![None; n];
        let mut queue = VecDeque::from([start]);
        let mut last = None;
        'search: while let Some(node) = queue.pop_front() {
            for &to in &next[node] {
                if to == start {
                    last = Some(node);
                    break 'search;
                }
                if component[to] && parent[to].is_none() && to != start {
                    parent[to] = Some(node);
                    queue.push_back(to);
                }
            }
        }
        let Some(mut node) = last else { continue };
        let mut cycle = vec![start, node];
        while node != start {
            node = parent[node].unwrap_or(start);
            cycle.push(node);
        }
        cycle.reverse();
        // `cycle` is now start -> ... -> start.
        let text = cycle
            .iter()
            .map(|&node| format!("`{}`", names[node]))
            .collect::<Vec<_>>()
            .join(" -> ");
        let message =
            format!("ordering cycle: {text}; remove one of these `.after`/`.before` constraints");
        // Once per cycle, on the constraint that closes it: the one into `start`, the
        // cycle's first system in declaration order.
        let closing = (cycle[cycle.len() - 2], start);
        if let Some(edge) = edges.iter().find(|e| (e.from, e.to) == closing) {
            cx.error_spanned_by(edge.target, &message);
        }
    }
}
