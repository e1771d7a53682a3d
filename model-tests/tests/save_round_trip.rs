//! Save and load, snapshot and restore, as properties (feature `serde`):
//!
//! - random worlds (spawns in every archetype, despawns that fill the free list, sparse
//!   values with heap memory, a resource, the state, ticks) survive a JSON and a binary
//!   round trip and a snapshot's restore exactly, and go on identically afterwards
//!   (same handles for later spawns, same results of ticks);
//! - fuzzing: every truncation and random byte changes of both forms load as an error or
//!   as a consistent world, never a panic (and a changed binary save is always an error).
//!
//! `METRONOME_PROPTEST_CASES` sets the number of cases (default 64).

use metronome::prelude::*;
use metronome::serde::{Deserialize, Serialize};
use proptest::prelude::*;

#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "metronome::serde")]
pub struct A(pub u32);
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "metronome::serde")]
pub struct B(pub f64);
#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "metronome::serde")]
pub struct C(pub String);
#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "metronome::serde")]
pub struct S(pub Vec<u16>);

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(crate = "metronome::serde")]
pub struct Total(pub u64);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(crate = "metronome::serde")]
pub enum Phase {
    Calm,
    Storm,
}

#[system]
fn grow(mut q: Query<(&mut A, Option<&mut B>)>, mut total: ResMut<Total>) {
    for (a, b) in q.iter_mut() {
        a.0 = a.0.wrapping_mul(3).wrapping_add(1);
        if let Some(b) = b {
            b.0 = b.0 * 0.5 + 1.0;
        }
        total.0 = total.0.wrapping_add(u64::from(a.0));
    }
}

#[system]
fn storms(mut next: ResMut<NextState<Phase>>, total: Res<Total>) {
    if total.0 % 2 == 1 {
        next.set(Phase::Storm);
    }
}

#[world(
    serde,
    archetypes(OnlyA = (A), Ab = (A, B), Abc = (A, B, C), Cb = (C, B)),
    sparse(S),
    resources(Total),
    states(Phase = Phase::Calm),
    phases(Update),
    systems(Update = [grow, storms]),
    executor = sequential,
)]
pub struct W;

#[derive(Clone, Debug)]
enum Op {
    Spawn(u8, u32, String),
    Despawn(usize),
    Sparse(usize, Vec<u16>),
    Unsparse(usize),
    Tick,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..4, any::<u32>(), "[a-z]{0,6}").prop_map(|(k, v, s)| Op::Spawn(k, v, s)),
        2 => any::<usize>().prop_map(Op::Despawn),
        2 => (any::<usize>(), prop::collection::vec(any::<u16>(), 0..4)).prop_map(|(i, v)| Op::Sparse(i, v)),
        1 => any::<usize>().prop_map(Op::Unsparse),
        1 => Just(Op::Tick),
    ]
}

fn build(ops: &[Op]) -> W {
    let mut w = W::new();
    let mut handles: Vec<Entity> = Vec::new();
    for op in ops {
        match op {
            Op::Spawn(k, v, s) => handles.push(match k {
                0 => w.spawn(OnlyA(A(*v))),
                1 => w.spawn(Ab(A(*v), B(f64::from(*v) / 7.0))),
                2 => w.spawn(Abc(A(*v), B(-f64::from(*v)), C(s.clone()))),
                _ => w.spawn(Cb(C(s.clone()), B(0.25))),
            }),
            Op::Despawn(i) if !handles.is_empty() => {
                w.despawn(handles[i % handles.len()]);
            }
            Op::Sparse(i, v) if !handles.is_empty() => {
                let _ = w.insert(handles[i % handles.len()], S(v.clone()));
            }
            Op::Unsparse(i) if !handles.is_empty() => {
                let _ = w.remove::<S>(handles[i % handles.len()]);
            }
            Op::Tick => w.tick(),
            _ => {}
        }
    }
    w
}

/// Everything observable, in storage order.
fn describe(w: &W) -> String {
    let mut out = String::new();
    for (e, a, b, c, s) in w
        .query::<(Entity, Option<&A>, Option<&B>, Option<&C>, Option<&S>)>()
        .iter()
    {
        out += &format!("{e:?} {:?} {a:?} {b:?} {c:?} {s:?}\n", w.archetype_name(e));
    }
    out += &format!(
        "len {} frame {} total {:?} phase {:?}",
        w.len(),
        w.frame(),
        w.resource::<Total>(),
        w.state::<Phase>()
    );
    out
}

/// Runs both worlds on, checking they stay identical.
fn go_on(a: &mut W, b: &mut W) {
    for i in 0..3u32 {
        a.tick();
        b.tick();
        assert_eq!(a.spawn(OnlyA(A(i))), b.spawn(OnlyA(A(i))));
        assert_eq!(describe(a), describe(b));
    }
}

fn cases() -> u32 {
    std::env::var("METRONOME_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

fn saved(w: &W, format: Format) -> Vec<u8> {
    let mut bytes = Vec::new();
    w.save(&mut bytes, format).unwrap();
    bytes
}

/// A loaded world is consistent: its rows and its count agree, and it saves and loads
/// back to itself.
fn consistent(w: &W) {
    assert_eq!(w.query::<Entity>().iter().count(), w.len());
    let again = W::load(&saved(w, Format::Binary)[..], Format::Binary).unwrap();
    assert_eq!(describe(w), describe(&again));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn round_trips_keep_the_world_and_its_future(ops in prop::collection::vec(op(), 0..80)) {
        for format in [Format::Json, Format::Binary] {
            let mut original = build(&ops);
            let mut loaded = W::load(&saved(&original, format)[..], format).unwrap();
            prop_assert_eq!(describe(&original), describe(&loaded));
            go_on(&mut original, &mut loaded);
        }
        let mut original = build(&ops);
        let snapshot = original.snapshot();
        let mut restored = build(&ops[..ops.len() / 2]);
        restored.tick();
        restored.restore(&snapshot);
        prop_assert_eq!(describe(&original), describe(&restored));
        go_on(&mut original, &mut restored);
    }

    #[test]
    fn damaged_saves_are_errors_or_consistent_worlds(
        ops in prop::collection::vec(op(), 0..40),
        flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let w = build(&ops);
        for format in [Format::Json, Format::Binary] {
            let bytes = saved(&w, format);
            let truncated = &bytes[..cut.index(bytes.len())];
            prop_assert!(W::load(truncated, format).is_err());
            let mut changed = bytes.clone();
            for (at, x) in &flips {
                changed[at.index(bytes.len())] ^= x;
            }
            if changed == bytes {
                continue; // the flips cancelled out
            }
            match W::load(&changed[..], format) {
                Ok(loaded) => {
                    // JSON has no checksum: an edit may still describe a world.
                    prop_assert_eq!(format, Format::Json);
                    consistent(&loaded);
                }
                Err(LoadError::Corrupt(_) | LoadError::Inconsistent(_) | LoadError::Layout(_)) => {}
                Err(other) => prop_assert!(false, "unexpected error {other}"),
            }
        }
    }
}
