//! `for` loops over a system's queries (which `#[system]` turns into the query
//! iterator's `fold` when the body cannot leave the loop early) do what the loops say:
//! over queries matching several archetypes, with `break`, `continue`, `return` and `?`
//! (left as loops), nested, inside closures, as a block's tail, mutating captured
//! locals, keeping references to the items, with macros in the body. Every result is
//! checked against one computed by hand from the spawned values.

use metronome::prelude::*;

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct A(pub i64);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct B(pub i64);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct V(pub i64);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct W(pub i64);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Z(pub i64);

/// What the systems found.
#[derive(Default, Debug)]
pub struct Out {
    pub sum: i64,
    pub first_over_5: Option<i64>,
    pub visited_before_break: usize,
    pub even_sum: i64,
    pub returned_after: usize,
    pub after_return_loop: bool,
    pub below_20: Vec<i64>,
    pub tried_to_the_end: bool,
    pub pairs_below: usize,
    pub first_w_above: Vec<i64>,
    pub tail_sum: i64,
    pub tail_branch: i64,
    pub max_by_ref: Option<i64>,
    pub log: Vec<String>,
    pub macro_log: Vec<i64>,
}

#[system]
pub fn swap_ab(mut q: Query<(&mut A, &mut B)>) {
    for (a, b) in q.iter_mut() {
        std::mem::swap(&mut a.0, &mut b.0);
    }
}

#[system]
pub fn sum_v(q: Query<&V>, mut out: ResMut<Out>) {
    let mut total = 0;
    for v in &q {
        total += v.0;
    }
    out.sum = total;
}

#[system]
pub fn first_over_5(q: Query<&V>, mut out: ResMut<Out>) {
    for v in q.iter() {
        if v.0 > 5 {
            out.first_over_5 = Some(v.0);
            break;
        }
        out.visited_before_break += 1;
    }
}

#[system]
pub fn even_sum(q: Query<&V>, mut out: ResMut<Out>) {
    for v in q.iter() {
        if v.0 % 2 != 0 {
            continue;
        }
        out.even_sum += v.0;
    }
}

#[system]
pub fn return_at_20(q: Query<&V>, mut out: ResMut<Out>) {
    for v in q.iter() {
        if v.0 == 20 {
            return;
        }
        out.returned_after += 1;
    }
    out.after_return_loop = true;
}

fn below_20(x: i64) -> Option<i64> {
    (x < 20).then_some(x)
}

#[system]
pub fn try_below_20(q: Query<&V>, mut out: ResMut<Out>) -> Option<()> {
    for v in q.iter() {
        let x = below_20(v.0)?;
        out.below_20.push(x);
    }
    out.tried_to_the_end = true;
    Some(())
}

#[system]
pub fn nested(vs: Query<&V>, ws: Query<&W>, mut out: ResMut<Out>) {
    let mut pairs = 0;
    for v in &vs {
        for w in &ws {
            if v.0 < w.0 {
                pairs += 1;
            }
        }
    }
    out.pairs_below = pairs;
    // The inner loop keeps its `break` (and stays a loop); the outer one is free of it.
    let mut found = Vec::new();
    for v in vs.iter() {
        for w in ws.iter() {
            if w.0 > v.0 * 10 {
                found.push(w.0);
                break;
            }
        }
    }
    out.first_w_above = found;
}

#[system]
pub fn bump_in_closure(mut q: Query<&mut Z>) {
    let mut bump = |by: i64| {
        for z in q.iter_mut() {
            z.0 += by;
        }
    };
    bump(1);
    bump(2);
}

#[system]
pub fn tails(q: Query<&V>, mut out: ResMut<Out>) {
    // The loop is the tail of the `if` branch and of the function: its value is `()`.
    if out.tail_branch == 0 {
        for v in &q {
            out.tail_branch += v.0
        }
    } else {
        out.tail_branch = -1;
    }
    for v in q.iter() {
        out.tail_sum += v.0
    }
}

#[system]
pub fn max_by_ref(q: Query<&V>, mut out: ResMut<Out>) {
    let mut refs: Vec<&V> = Vec::new();
    for v in q.iter() {
        refs.push(v);
    }
    out.max_by_ref = refs.iter().map(|v| v.0).max();
}

macro_rules! push_value {
    ($out:expr, $v:expr) => {
        $out.push($v)
    };
}

#[system]
pub fn with_macros(q: Query<&V>, mut out: ResMut<Out>) {
    for v in &q {
        assert!(v.0 > 0, "{} is positive", v.0);
        debug_assert_ne!(v.0, 0);
        out.log.push(format!("{}", v.0));
    }
    // A macro of the crate could hold anything: the loop stays a loop, and works.
    for v in &q {
        push_value!(out.macro_log, v.0 * 2);
    }
}

#[world(
    archetypes(P1 = (A, B, V, Z), P2 = (A, B, V, W), P3 = (A, B, Z), P4 = (V, W)),
    resources(Out),
    phases(Update),
    systems(Update = [
        swap_ab, sum_v, first_over_5, even_sum, return_at_20, try_below_20, nested,
        bump_in_closure, tails, max_by_ref, with_macros,
    ]),
    executor = sequential,
)]
pub struct Loops;

fn world() -> Loops {
    let mut w = Loops::new();
    w.spawn_batch([1, 2, 3].map(|i| P1(A(i), B(-i), V(i), Z(0))));
    w.spawn_batch([10, 20].map(|i| P2(A(i), B(-i), V(i), W(i * 10))));
    w.spawn_batch([7].map(|i| P3(A(i), B(-i), Z(i))));
    w.spawn_batch([1000].map(|i| P4(V(i), W(i * 5))));
    w
}

#[test]
fn loops_over_several_archetypes_do_what_they_say() {
    let mut w = world();
    w.tick();
    let out = w.resource::<Out>();
    // V in archetype order: 1, 2, 3 (P1), 10, 20 (P2), 1000 (P4).
    assert_eq!(out.sum, 1036);
    assert_eq!(out.first_over_5, Some(10));
    assert_eq!(out.visited_before_break, 3);
    assert_eq!(out.even_sum, 2 + 10 + 20 + 1000);
    assert_eq!(out.returned_after, 4);
    assert!(!out.after_return_loop);
    assert_eq!(out.below_20, [1, 2, 3, 10]);
    assert!(!out.tried_to_the_end);
    // W: 100, 200 (P2), 5000 (P4); pairs v < w: 5 + 5 + 6.
    assert_eq!(out.pairs_below, 16);
    // First w above 10 * v: 100 for 1..=3, 200 for 10, 5000 for 20, none for 1000.
    assert_eq!(out.first_w_above, [100, 100, 100, 200, 5000]);
    assert_eq!(out.tail_sum, 1036);
    assert_eq!(out.tail_branch, 1036);
    assert_eq!(out.max_by_ref, Some(1000));
    assert_eq!(out.log, ["1", "2", "3", "10", "20", "1000"]);
    assert_eq!(out.macro_log, [2, 4, 6, 20, 40, 2000]);

    // A and B swapped in P1, P2 and P3; Z bumped by 1 + 2 in P1 and P3.
    let mut ab = Vec::new();
    w.query_mut::<(&A, &B)>()
        .for_each(|(a, b)| ab.push((a.0, b.0)));
    assert_eq!(
        ab,
        [(-1, 1), (-2, 2), (-3, 3), (-10, 10), (-20, 20), (-7, 7)]
    );
    let mut z = Vec::new();
    w.query_mut::<&Z>().for_each(|z_| z.push(z_.0));
    assert_eq!(z, [3, 3, 3, 10]);

    // A second tick: the swap undoes itself, the branch of `tails` flips.
    w.tick();
    let mut ab = Vec::new();
    w.query_mut::<(&A, &B)>()
        .for_each(|(a, b)| ab.push((a.0, b.0)));
    assert_eq!(
        ab,
        [(1, -1), (2, -2), (3, -3), (10, -10), (20, -20), (7, -7)]
    );
    assert_eq!(w.resource::<Out>().tail_branch, -1);
    assert_eq!(w.resource::<Out>().tail_sum, 2 * 1036);
}
