//! `Query::iter`, `iter_mut` and `IntoIterator` against `Query::for_each`: the same items
//! in the same order (archetypes in declaration order, rows in storage order), exact
//! `size_hint`/`len`/`count` at every step, `fold` from any point, and `None` for ever
//! after the end, across empty archetypes (first, middle and last of a match set),
//! filters, `Option` columns, zero-sized components and `Entity`; for queries that match
//! one archetype and several.

use metronome::prelude::*;

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Pos(pub i32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Vel(pub i32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Hp(pub i32);
/// Zero-sized.
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Tag;

#[world(
    archetypes(
        Mover = (Pos, Vel),
        Tagged = (Pos, Vel, Tag),
        Unit = (Pos, Vel, Hp),
        Prop = (Pos),
        Marked = (Pos, Hp, Tag),
        Husk = (Hp),
    ),
    executor = sequential,
)]
pub struct It;

/// Checks every way to iterate `$d` filtered by `$f` against `for_each`; `$key` maps an
/// item (by value, `&mut` or `&` alike) to something comparable. Returns the items' keys.
macro_rules! check {
    ($world:expr, $d:ty, $f:ty, |$item:pat_param| $key:expr) => {{
        let mut want = Vec::new();
        $world
            .query_filtered_mut::<$d, $f>()
            .for_each(|$item| want.push($key));
        let n = want.len();
        let mut q = $world.query_filtered_mut::<$d, $f>();
        assert_eq!(q.len(), n);
        assert_eq!(q.is_empty(), n == 0);

        // `next` one item at a time, with the exact length left at each step, then `None`
        // for ever (fused).
        let mut it = q.iter_mut();
        assert_eq!(it.size_hint(), (n, Some(n)));
        let mut got = Vec::new();
        while let Some($item) = it.next() {
            got.push($key);
            assert_eq!(it.size_hint(), (n - got.len(), Some(n - got.len())));
            assert_eq!(it.len(), n - got.len());
        }
        assert!(it.next().is_none());
        assert!(it.next().is_none());
        assert_eq!(it.size_hint(), (0, Some(0)));
        assert_eq!(got, want, "next() over iter_mut");

        // `for` loops, the README's idiom, over both `IntoIterator`s and `iter`.
        let mut got = Vec::new();
        for $item in &mut q {
            got.push($key);
        }
        assert_eq!(got, want, "for over &mut Query");
        let mut got = Vec::new();
        for $item in &q {
            got.push($key);
        }
        assert_eq!(got, want, "for over &Query");
        let mut got = Vec::new();
        for $item in q.iter() {
            got.push($key);
        }
        assert_eq!(got, want, "for over iter()");

        // `fold` (and so `for_each`, `count`, ...) after any number of `next`s.
        for k in 0..=n {
            let mut it = q.iter_mut();
            let mut got = Vec::new();
            for _ in 0..k {
                let $item = it.next().unwrap();
                got.push($key);
            }
            assert_eq!(it.len(), n - k);
            let got = it.fold(got, |mut got, $item| {
                got.push($key);
                got
            });
            assert_eq!(got, want, "fold after {k} next()");

            let mut it = q.iter();
            for _ in 0..k {
                it.next().unwrap();
            }
            assert_eq!(it.count(), n - k, "count after {k} next()");
        }
        let mut got = Vec::new();
        q.iter_mut().for_each(|$item| got.push($key));
        assert_eq!(got, want, "Iterator::for_each");
        want
    }};
}

/// Every query shape of the world, checked; returns the keys of the widest one.
fn check_all(w: &mut It) -> Vec<(Entity, i32, Option<i32>)> {
    // Several archetypes, `Entity`, an `Option` column some of them lack.
    let all = check!(w, (Entity, &mut Pos, Option<&mut Hp>), (), |(e, p, h)| (
        e,
        p.0,
        h.map(|h| h.0)
    ));
    // Filters.
    check!(w, (Entity, &Pos), With<Vel>, |(e, p)| (e, p.0));
    check!(w, (&mut Pos, Entity), (Without<Vel>, Without<Hp>), |(
        p,
        e,
    )| (
        e, p.0
    ));
    check!(w, (Entity, &mut Hp), Without<Tag>, |(e, h)| (e, h.0));
    // One archetype, through a filter and directly.
    check!(w, (Entity, &mut Hp), Without<Pos>, |(e, h)| (e, h.0));
    check!(w, (&Vel, &mut Hp), (), |(v, h)| (v.0, h.0));
    // Zero-sized components, in tables that may stay empty.
    check!(w, (Entity, &Tag), (), |(e, t)| (e, *t));
    check!(w, (Entity, Option<&Tag>, &Pos), (), |(e, t, p)| (
        e,
        t.copied(),
        p.0
    ));
    // `Entity` alone: every archetype.
    check!(w, Entity, (), |e| e);
    all
}

#[test]
fn iterators_match_for_each_in_every_world_state() {
    let mut w = It::new();

    // Nothing spawned: every table empty.
    assert!(check_all(&mut w).is_empty());

    // Movers, units, props and husks; `Tagged` and `Marked` stay empty (an empty table in
    // the middle of a match set).
    let movers: Vec<Entity> = (0..5).map(|i| w.spawn(Mover(Pos(i), Vel(i)))).collect();
    let units: Vec<Entity> = (0..3)
        .map(|i| w.spawn(Unit(Pos(100 + i), Vel(i), Hp(10 * i))))
        .collect();
    let props: Vec<Entity> = (0..4).map(|i| w.spawn(Prop(Pos(200 + i)))).collect();
    let husks: Vec<Entity> = (0..2).map(|i| w.spawn(Husk(Hp(-i)))).collect();
    let all = check_all(&mut w);
    let mut order = movers.clone();
    order.extend(&units);
    order.extend(&props);
    order.extend(&husks);
    let entities: Vec<Entity> = all.iter().map(|k| k.0).collect();
    assert_eq!(
        entities,
        order[..12].to_vec(),
        "archetypes in declaration order, rows in spawn order"
    );
    assert_eq!(all[5], (units[0], 100, Some(0)));

    // Tags in the middle and at the end.
    let tagged = w.spawn(Tagged(Pos(300), Vel(3), Tag));
    let marked = w.spawn(Marked(Pos(400), Hp(4), Tag));
    let all = check_all(&mut w);
    assert_eq!(all[5], (tagged, 300, None));
    assert_eq!(all.last(), Some(&(marked, 400, Some(4))));

    // The first table of every match set empty; a table emptied in the middle.
    for &e in movers.iter().chain(&units) {
        assert!(w.despawn(e));
    }
    let all = check_all(&mut w);
    assert_eq!(all[0], (tagged, 300, None));

    // Rows reordered by a despawn (storage order, not spawn order).
    assert!(w.despawn(props[0]));
    let all = check_all(&mut w);
    let entities: Vec<Entity> = all.iter().map(|k| k.0).collect();
    assert_eq!(entities, vec![tagged, props[3], props[1], props[2], marked]);

    // Everything gone again.
    for e in [
        tagged, marked, props[1], props[2], props[3], husks[0], husks[1],
    ] {
        assert!(w.despawn(e));
    }
    assert!(check_all(&mut w).is_empty());
}

#[test]
fn for_loops_write_through_every_table() {
    let mut w = It::new();
    for i in 0..50 {
        w.spawn(Mover(Pos(i), Vel(1)));
        w.spawn(Unit(Pos(i), Vel(2), Hp(0)));
        w.spawn(Tagged(Pos(i), Vel(3), Tag));
    }
    let mut q = w.query_mut::<(&mut Pos, &Vel)>();
    for (p, v) in q.iter_mut() {
        p.0 += v.0 * 1000;
    }
    for (p, v) in &mut q {
        p.0 += v.0;
    }
    let sum: i64 = q.iter().map(|(p, _)| i64::from(p.0)).sum();
    // 3 archetypes × sum(0..50) + 50 × (1 + 2 + 3) × 1001.
    assert_eq!(sum, 3 * 1225 + 50 * 6 * 1001);
}

#[test]
fn an_iterator_stops_where_it_was_dropped() {
    let mut w = It::new();
    for i in 0..10 {
        w.spawn(Mover(Pos(i), Vel(0)));
        w.spawn(Prop(Pos(100 + i)));
    }
    let mut q = w.query_mut::<&mut Pos>();
    // Write the first 15 items (all movers and half the props), then stop.
    for p in q.iter_mut().take(15) {
        p.0 = -p.0;
    }
    let got: Vec<i32> = q.iter().map(|p| p.0).collect();
    let want: Vec<i32> = (0..10)
        .map(|i| -i)
        .chain((100..105).map(|x| -x))
        .chain(105..110)
        .collect();
    assert_eq!(got, want);
}
