//! The compile-time schedule: stage placement as `const fn`s the world's `SCHEDULE` is
//! computed with.
//!
//! Rule: the systems of a phase are placed one by one in declaration order,
//! except that a system waits until every system it must follow has been placed; each goes
//! into the earliest stage after its predecessors' stages that holds no system it
//! conflicts with (per column, see [`ParamAccess::conflicts`]). Two conflicting systems
//! with no chain of explicit orderings between them run in declaration order, as if the
//! later one said `.after(earlier)` (see [`place_stages`]).

use crate::bits::Bits;
use crate::query::matching;
use crate::system::{params_conflict, self_conflict, ParamAccess};

/// A world's schedule: its phases in run order.
///
/// ```
/// use metronome_runtime::{PhaseSchedule, Schedule};
/// const S: Schedule = Schedule { phases: &[PhaseSchedule { name: "Update", stages: &[&["a", "b"], &["c"]] }] };
/// assert_eq!(S.phases[0].stages[1], ["c"]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// Phases in the order `tick()` runs them.
    pub phases: &'static [PhaseSchedule],
}

/// One phase: stages run one after another; the systems of a stage may run at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhaseSchedule {
    /// The phase's name.
    pub name: &'static str,
    /// Stages in order, each listing system names in declaration order.
    pub stages: &'static [&'static [&'static str]],
}

impl Schedule {
    /// The phase called `name`.
    pub fn phase(&self, name: &str) -> Option<&PhaseSchedule> {
        self.phases.iter().find(|p| p.name == name)
    }
}

/// What the schedule needs to know of one system listed in a world.
#[derive(Clone, Copy, Debug)]
pub struct SystemInfo {
    /// The system's name.
    pub name: &'static str,
    /// Index of its phase.
    pub phase: u16,
    /// Its parameters' access.
    pub params: &'static [ParamAccess],
    /// Indices (in the world's system list) of the systems it must follow.
    pub after: &'static [u16],
}

/// Fails (a compile error when evaluated in a `const`) with `conflict_error` if two
/// parameters of one system conflict in a world with these archetypes. `#[world]` emits
/// one such check per listed system, spanned at the system's path; a world whose checks
/// fail does not compile, so the stage runner never sees a self-conflicting system.
pub const fn check_system(
    params: &[ParamAccess],
    archetypes: &[Bits],
    conflict_error: &'static str,
) {
    if self_conflict(params, archetypes) {
        panic!("{}", conflict_error);
    }
}

/// Whether every query parameter of one system matches an archetype of a world with these
/// archetypes (one that has all the components the query requires and `With`s, and none
/// of its `Without`s). `#[world]` checks it for each listed system in a `const` spanned at
/// the system's path, so the error lands on the user's `systems(...)` entry and names the
/// system.
pub const fn queries_match(params: &[ParamAccess], archetypes: &[Bits]) -> bool {
    let mut p = 0;
    while p < params.len() {
        if let ParamAccess::Query {
            data,
            with,
            without,
        } = &params[p]
        {
            if matching(archetypes, data.required.union(*with), *without).is_empty() {
                return false;
            }
        }
        p += 1;
    }
    true
}

/// The stage of each system (indices within its phase).
///
/// Two conflicting systems of a phase with no chain of `.after`/`.before` between them
/// run in declaration order: the later one waits for the earlier one as if it said
/// `.after(earlier)`. Where that and the explicit orderings form a cycle (`c.before(a)`
/// with `a`, `b`, `c` declared in that order and each conflicting with the next), the
/// explicit orderings win: a system whose explicit predecessors are placed is placed,
/// after every placed system it conflicts with.
pub const fn place_stages<const N: usize>(
    systems: &[SystemInfo; N],
    archetypes: &[Bits],
) -> [u16; N] {
    // conflict[a][b]: same phase and conflicting parameters.
    let mut conflict = [[false; N]; N];
    // waits[k][j]: `j` is declared before `k`, they conflict, and no explicit ordering
    // puts `k` first: `k` runs after `j`.
    let mut waits = [[false; N]; N];
    let mut k = 0;
    while k < N {
        let mut j = 0;
        while j < k {
            if systems[j].phase == systems[k].phase
                && params_conflict(systems[j].params, systems[k].params, archetypes)
            {
                conflict[j][k] = true;
                conflict[k][j] = true;
                waits[k][j] = !precedes(systems, k, j);
            }
            j += 1;
        }
        k += 1;
    }
    let mut stage_of = [u16::MAX; N];
    let mut placed = 0;
    while placed < N {
        // The first unplaced system (declaration order) whose predecessors, explicit and
        // by declaration order, are placed; phases are independent, so one pass over all
        // of them keeps each phase's order.
        let mut pick = N;
        let mut k = 0;
        while k < N {
            if stage_of[k] == u16::MAX
                && ready(&stage_of, systems[k].after)
                && earlier_placed(&stage_of, &waits[k])
            {
                pick = k;
                break;
            }
            k += 1;
        }
        if pick == N {
            // Declaration order and the explicit orderings form a cycle: the explicit
            // orderings win.
            k = 0;
            while k < N {
                if stage_of[k] == u16::MAX && ready(&stage_of, systems[k].after) {
                    pick = k;
                    break;
                }
                k += 1;
            }
        }
        if pick == N {
            panic!("ordering cycle among systems (the #[world] macro should have reported it)");
        }
        // After its explicit predecessors and after every placed system it conflicts
        // with (by construction those all run before it), so never beside a conflict.
        let mut stage = 0u16;
        let mut p = 0;
        while p < systems[pick].after.len() {
            let s = stage_of[systems[pick].after[p] as usize] + 1;
            if s > stage {
                stage = s;
            }
            p += 1;
        }
        let mut j = 0;
        while j < N {
            if conflict[pick][j] && stage_of[j] != u16::MAX && stage_of[j] + 1 > stage {
                stage = stage_of[j] + 1;
            }
            j += 1;
        }
        stage_of[pick] = stage;
        placed += 1;
    }
    stage_of
}

/// Whether every system `waits` marks is placed.
const fn earlier_placed<const N: usize>(stage_of: &[u16; N], waits: &[bool; N]) -> bool {
    let mut j = 0;
    while j < N {
        if waits[j] && stage_of[j] == u16::MAX {
            return false;
        }
        j += 1;
    }
    true
}

/// Whether a chain of explicit orderings makes `first` run before `then`: a walk from
/// `then` back through the systems each must follow.
const fn precedes<const N: usize>(systems: &[SystemInfo; N], first: usize, then: usize) -> bool {
    let mut seen = [false; N];
    let mut stack = [0u16; N];
    let mut top = 0;
    let mut p = 0;
    while p < systems[then].after.len() {
        let before = systems[then].after[p] as usize;
        if !seen[before] {
            seen[before] = true;
            stack[top] = before as u16;
            top += 1;
        }
        p += 1;
    }
    while top > 0 {
        top -= 1;
        let node = stack[top] as usize;
        if node == first {
            return true;
        }
        let mut p = 0;
        while p < systems[node].after.len() {
            let before = systems[node].after[p] as usize;
            if !seen[before] {
                seen[before] = true;
                stack[top] = before as u16;
                top += 1;
            }
            p += 1;
        }
    }
    false
}

const fn ready(stage_of: &[u16], after: &[u16]) -> bool {
    let mut p = 0;
    while p < after.len() {
        if stage_of[after[p] as usize] == u16::MAX {
            return false;
        }
        p += 1;
    }
    true
}

/// System indices sorted by (phase, stage, declaration order): the run order.
pub const fn run_order<const N: usize>(systems: &[SystemInfo; N], stage_of: &[u16; N]) -> [u16; N] {
    let mut order = [0u16; N];
    let mut i = 0;
    while i < N {
        order[i] = i as u16;
        i += 1;
    }
    // Insertion sort: stable, so equal keys keep declaration order.
    let mut i = 1;
    while i < N {
        let mut j = i;
        while j > 0 && key(systems, stage_of, order[j - 1]) > key(systems, stage_of, order[j]) {
            let t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
            j -= 1;
        }
        i += 1;
    }
    order
}

const fn key<const N: usize>(systems: &[SystemInfo; N], stage_of: &[u16; N], i: u16) -> u32 {
    (systems[i as usize].phase as u32) << 16 | stage_of[i as usize] as u32
}

/// System names in run order.
pub const fn names_in_order<const N: usize>(
    systems: &[SystemInfo; N],
    order: &[u16; N],
) -> [&'static str; N] {
    let mut names = [""; N];
    let mut i = 0;
    while i < N {
        names[i] = systems[order[i] as usize].name;
        i += 1;
    }
    names
}

/// The stages of `phase` as slices of `names` (the names in run order); `K` is the number
/// of systems in the phase, and only the first [`stage_count`] entries are used.
pub const fn phase_stages<const K: usize, const N: usize>(
    names: &'static [&'static str],
    systems: &[SystemInfo; N],
    order: &[u16; N],
    stage_of: &[u16; N],
    phase: u16,
) -> [&'static [&'static str]; K] {
    let mut out: [&'static [&'static str]; K] = [&[]; K];
    // Skip the systems of earlier phases.
    let mut start = 0;
    while start < N && systems[order[start] as usize].phase < phase {
        start += 1;
    }
    let (_, mut rest) = names.split_at(start);
    let mut i = start;
    let mut stage = 0;
    while i < N && systems[order[i] as usize].phase == phase {
        let s = stage_of[order[i] as usize];
        let mut end = i;
        while end < N
            && systems[order[end] as usize].phase == phase
            && stage_of[order[end] as usize] == s
        {
            end += 1;
        }
        let (these, after) = rest.split_at(end - i);
        out[stage] = these;
        rest = after;
        stage += 1;
        i = end;
    }
    out
}

/// How many stages `phase` has.
pub const fn stage_count<const N: usize>(
    systems: &[SystemInfo; N],
    stage_of: &[u16; N],
    phase: u16,
) -> usize {
    let mut count = 0;
    let mut i = 0;
    while i < N {
        if systems[i].phase == phase && stage_of[i] as usize + 1 > count {
            count = stage_of[i] as usize + 1;
        }
        i += 1;
    }
    count
}

#[cfg(test)]
mod queries_match_tests {
    use super::queries_match;
    use crate::bits::Bits;
    use crate::query::DataAccess;
    use crate::system::ParamAccess;

    fn query(component: u16, with: Bits, without: Bits) -> ParamAccess {
        ParamAccess::Query {
            data: DataAccess::component(component, false, true),
            with,
            without,
        }
    }

    #[test]
    fn every_query_must_match_an_archetype() {
        // Archetypes {0, 1} and {2}.
        let archetypes = [Bits::EMPTY.with(0).with(1), Bits::EMPTY.with(2)];
        let none = Bits::EMPTY;
        assert!(queries_match(&[], &archetypes));
        assert!(queries_match(
            &[query(0, none, none), query(2, none, none)],
            &archetypes
        ));
        assert!(queries_match(&[ParamAccess::Nothing], &archetypes));
        // Component 3 is in no archetype; 0 with 2 in none; 0 without 1 in none.
        assert!(!queries_match(
            &[query(0, none, none), query(3, none, none)],
            &archetypes
        ));
        assert!(!queries_match(
            &[query(0, Bits::single(2), none)],
            &archetypes
        ));
        assert!(!queries_match(
            &[query(0, none, Bits::single(1))],
            &archetypes
        ));
    }
}
