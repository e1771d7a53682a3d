//! Model test: random spawn / spawn_batch / despawn / insert / remove /
//! get / get_mut sequences against a plain `HashMap<Entity, ModelEntity>`, checking after
//! every operation its return value, `len`, every live entity's every component, its
//! `archetype_name`, and that every dead (or stale) handle stays dead. Two components are
//! sparse (`S`, and `T` which owns heap memory): inserting and removing them never changes
//! the archetype, and queries, `With`/`Without` filters and `Option`s over them are
//! checked against the model after every operation too.
//!
//! Environment variables:
//! - `METRONOME_PROPTEST_CASES`: number of cases (default 1000), e.g.
//!   `METRONOME_PROPTEST_CASES=100000 cargo test --release -p metronome-model-tests --test model`.
//! - `METRONOME_PROPTEST_SEED`: the RNG seed (a `u64`, default a fixed seed, so runs are
//!   deterministic); set it to explore other sequences.

use metronome::prelude::*;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use std::collections::HashMap;

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct A(pub u32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct B(pub u64);
#[derive(Component, Clone, Debug, PartialEq)]
pub struct C(pub String);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Z;
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct S(pub u32);
#[derive(Component, Clone, Debug, PartialEq)]
pub struct T(pub String);

// Transitions: OnlyA +B Ab +C Abc -A Cb; OnlyA +Z Az +B Abz -Z Ab; the rest fail.
#[world(
    archetypes(
        OnlyA = (A),
        Ab    = (A, B),
        Abc   = (A, B, C),
        Cb    = (C, B),
        Az    = (A, Z),
        Abz   = (B, Z, A),
    ),
    sparse(S, T),
    phases(Update),
    systems(Update = []),
    executor = sequential,
)]
pub struct M;

#[derive(Clone, Debug, Default, PartialEq)]
struct ModelEntity {
    a: Option<u32>,
    b: Option<u64>,
    c: Option<String>,
    z: bool,
    /// Sparse: no part of the archetype.
    s: Option<u32>,
    /// Sparse: no part of the archetype.
    t: Option<String>,
}

impl ModelEntity {
    fn archetype(&self) -> Option<&'static str> {
        match (self.a.is_some(), self.b.is_some(), self.c.is_some(), self.z) {
            (true, false, false, false) => Some("OnlyA"),
            (true, true, false, false) => Some("Ab"),
            (true, true, true, false) => Some("Abc"),
            (false, true, true, false) => Some("Cb"),
            (true, false, false, true) => Some("Az"),
            (true, true, false, true) => Some("Abz"),
            _ => None,
        }
    }

    /// The entity of archetype `kind` (0..6) spawned from `seed`.
    fn of_kind(kind: u8, seed: u32) -> ModelEntity {
        let (a, b, c) = (
            Some(seed),
            Some(seed as u64 * 3 + 1),
            Some(format!("c{seed}")),
        );
        let none = ModelEntity::default();
        match kind {
            0 => ModelEntity { a, ..none },
            1 => ModelEntity { a, b, ..none },
            2 => ModelEntity { a, b, c, ..none },
            3 => ModelEntity { b, c, ..none },
            4 => ModelEntity { a, z: true, ..none },
            _ => ModelEntity {
                a,
                b,
                z: true,
                ..none
            },
        }
    }
}

#[derive(Clone, Debug)]
enum Comp {
    A(u32),
    B(u64),
    C(String),
    Z,
    S(u32),
    T(String),
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    A,
    B,
    C,
    Z,
    S,
    T,
}

#[derive(Clone, Debug)]
enum Op {
    Spawn(u8, u32),
    SpawnBatch(u8, u8, u32),
    Despawn(usize),
    Insert(usize, Comp),
    Remove(usize, Kind),
    Get(usize),
    GetMut(usize, u32),
}

fn comp() -> impl Strategy<Value = Comp> {
    prop_oneof![
        any::<u32>().prop_map(Comp::A),
        any::<u64>().prop_map(Comp::B),
        "[a-z]{0,12}".prop_map(Comp::C),
        Just(Comp::Z),
        any::<u32>().prop_map(Comp::S),
        "[a-z]{0,12}".prop_map(Comp::T),
    ]
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        Just(Kind::A),
        Just(Kind::B),
        Just(Kind::C),
        Just(Kind::Z),
        Just(Kind::S),
        Just(Kind::T)
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..6, any::<u32>()).prop_map(|(k, s)| Op::Spawn(k, s)),
        1 => (0u8..6, 0u8..5, 0u32..1_000_000).prop_map(|(k, n, s)| Op::SpawnBatch(k, n, s)),
        2 => any::<usize>().prop_map(Op::Despawn),
        3 => (any::<usize>(), comp()).prop_map(|(i, c)| Op::Insert(i, c)),
        3 => (any::<usize>(), kind()).prop_map(|(i, k)| Op::Remove(i, k)),
        1 => any::<usize>().prop_map(Op::Get),
        1 => (any::<usize>(), any::<u32>()).prop_map(|(i, v)| Op::GetMut(i, v)),
    ]
}

fn spawn(w: &mut M, kind: u8, seed: u32) -> Entity {
    let x = ModelEntity::of_kind(kind, seed);
    let (a, b, c) = (A(seed), B(x.b.unwrap_or(0)), C(format!("c{seed}")));
    // Archetype structs and exact tuples, alternately.
    match kind {
        0 => w.spawn(OnlyA(a)),
        1 => w.spawn((a, b)),
        2 => w.spawn(Abc(a, b, c)),
        3 => w.spawn((c, b)),
        4 => w.spawn(Az(a, Z)),
        _ => w.spawn((b, Z, a)),
    }
}

fn spawn_batch(w: &mut M, kind: u8, n: u32, seed: u32) -> Vec<Entity> {
    let seeds = seed..seed + n;
    let b = |s: u32| B(s as u64 * 3 + 1);
    let c = |s: u32| C(format!("c{s}"));
    match kind {
        0 => w.spawn_batch(seeds.map(|s| (A(s),))),
        1 => w.spawn_batch(seeds.map(|s| Ab(A(s), b(s)))),
        2 => w.spawn_batch(seeds.map(|s| (A(s), b(s), c(s)))),
        3 => w.spawn_batch(seeds.map(|s| Cb(c(s), b(s)))),
        4 => w.spawn_batch(seeds.map(|s| (A(s), Z))),
        _ => w.spawn_batch(seeds.map(|s| Abz(b(s), Z, A(s)))),
    }
}

fn name(kind: Kind) -> &'static str {
    match kind {
        Kind::A => "A",
        Kind::B => "B",
        Kind::C => "C",
        Kind::Z => "Z",
        Kind::S => "S",
        Kind::T => "T",
    }
}

/// What `insert` must return, applied to the model.
fn model_insert(
    model: &mut HashMap<Entity, ModelEntity>,
    e: Entity,
    c: &Comp,
) -> Result<(), EcsError> {
    let Some(old) = model.get(&e) else {
        return Err(EcsError::DeadEntity(e));
    };
    let mut new = old.clone();
    let (had, component) = match c {
        Comp::A(v) => (new.a.replace(*v).is_some(), "A"),
        Comp::B(v) => (new.b.replace(*v).is_some(), "B"),
        Comp::C(v) => (new.c.replace(v.clone()).is_some(), "C"),
        Comp::Z => (std::mem::replace(&mut new.z, true), "Z"),
        // Sparse: never a transition, so never `NoSuchArchetype`.
        Comp::S(v) => (new.s.replace(*v).is_some(), "S"),
        Comp::T(v) => (new.t.replace(v.clone()).is_some(), "T"),
    };
    if !had && new.archetype().is_none() {
        return Err(EcsError::NoSuchArchetype {
            from: old.archetype().unwrap(),
            component,
        });
    }
    model.insert(e, new);
    Ok(())
}

/// What `remove` must return (the removed value as a `Comp`), applied to the model.
fn model_remove(
    model: &mut HashMap<Entity, ModelEntity>,
    e: Entity,
    kind: Kind,
) -> Result<Comp, EcsError> {
    let Some(old) = model.get(&e) else {
        return Err(EcsError::DeadEntity(e));
    };
    let mut new = old.clone();
    let removed = match kind {
        Kind::A => new.a.take().map(Comp::A),
        Kind::B => new.b.take().map(Comp::B),
        Kind::C => new.c.take().map(Comp::C),
        Kind::Z => std::mem::replace(&mut new.z, false).then_some(Comp::Z),
        Kind::S => new.s.take().map(Comp::S),
        Kind::T => new.t.take().map(Comp::T),
    };
    let component = name(kind);
    let Some(removed) = removed else {
        return Err(EcsError::MissingComponent {
            entity: e,
            component,
        });
    };
    if new.archetype().is_none() {
        return Err(EcsError::NoSuchArchetype {
            from: old.archetype().unwrap(),
            component,
        });
    }
    model.insert(e, new);
    Ok(removed)
}

fn read(w: &M, e: Entity) -> ModelEntity {
    ModelEntity {
        a: w.get::<A>(e).map(|a| a.0),
        b: w.get::<B>(e).map(|b| b.0),
        c: w.get::<C>(e).map(|c| c.0.clone()),
        z: w.get::<Z>(e).is_some(),
        s: w.get::<S>(e).map(|s| s.0),
        t: w.get::<T>(e).map(|t| t.0.clone()),
    }
}

fn check(w: &M, model: &HashMap<Entity, ModelEntity>, handles: &[Entity]) {
    assert_eq!(w.len(), model.len());
    assert_eq!(w.is_empty(), model.is_empty());
    for &e in handles {
        match model.get(&e) {
            Some(x) => {
                assert!(w.is_alive(e), "{e:?} should be alive");
                assert_eq!(&read(w, e), x, "{e:?}");
                assert_eq!(w.has::<A>(e), x.a.is_some());
                assert_eq!(w.has::<B>(e), x.b.is_some());
                assert_eq!(w.has::<C>(e), x.c.is_some());
                assert_eq!(w.has::<Z>(e), x.z);
                assert_eq!(w.has::<S>(e), x.s.is_some());
                assert_eq!(w.has::<T>(e), x.t.is_some());
                assert_eq!(w.archetype_name(e), x.archetype(), "{e:?}");
            }
            None => {
                assert!(!w.is_alive(e), "{e:?} should be dead");
                assert_eq!(read(w, e), ModelEntity::default(), "{e:?}");
                assert!(!w.has::<A>(e));
                assert!(!w.has::<S>(e) && !w.has::<T>(e));
                assert_eq!(w.archetype_name(e), None);
            }
        }
    }
    let mut n = 0;
    type All<'a> = (
        Entity,
        Option<&'a A>,
        Option<&'a B>,
        Option<&'a C>,
        Option<&'a Z>,
        Option<&'a S>,
        Option<&'a T>,
    );
    for (e, a, b, c, z, s, t) in w.query::<All>().iter() {
        let x = model.get(&e).expect("a queried entity is alive");
        let got = ModelEntity {
            a: a.map(|a| a.0),
            b: b.map(|b| b.0),
            c: c.map(|c| c.0.clone()),
            z: z.is_some(),
            s: s.map(|s| s.0),
            t: t.map(|t| t.0.clone()),
        };
        assert_eq!(&got, x, "{e:?} through a query");
        n += 1;
    }
    assert_eq!(n, model.len());
    // Sparse requirements and filters, each against the model.
    let mut with_s: Vec<(Entity, u32)> = w
        .query::<(Entity, &S)>()
        .iter()
        .map(|(e, s)| (e, s.0))
        .collect();
    let mut want: Vec<(Entity, u32)> = model.iter().filter_map(|(e, x)| Some((*e, x.s?))).collect();
    with_s.sort();
    want.sort();
    assert_eq!(with_s, want, "query (Entity, &S)");
    assert_eq!(w.query::<(Entity, &S)>().len(), want.len());
    let mut a_without_t: Vec<(Entity, u32)> = w
        .query_filtered::<(Entity, &A), (Without<T>, With<S>)>()
        .iter()
        .map(|(e, a)| (e, a.0))
        .collect();
    let mut want: Vec<(Entity, u32)> = model
        .iter()
        .filter(|(_, x)| x.t.is_none() && x.s.is_some())
        .filter_map(|(e, x)| Some((*e, x.a?)))
        .collect();
    a_without_t.sort();
    want.sort();
    assert_eq!(
        a_without_t, want,
        "query (Entity, &A), (Without<T>, With<S>)"
    );
    for &e in handles {
        let got = w
            .query::<(&S, &T)>()
            .get(e)
            .map(|(s, t)| (s.0, t.0.clone()));
        let want = model.get(&e).and_then(|x| Some((x.s?, x.t.clone()?)));
        assert_eq!(got, want, "query (&S, &T).get({e:?})");
    }
}

fn run(ops: Vec<Op>) {
    let mut w = M::new();
    let mut model: HashMap<Entity, ModelEntity> = HashMap::new();
    let mut handles: Vec<Entity> = Vec::new();
    let pick =
        |handles: &[Entity], i: usize| (!handles.is_empty()).then(|| handles[i % handles.len()]);
    for op in ops {
        match op {
            Op::Spawn(kind, seed) => {
                let e = spawn(&mut w, kind, seed);
                assert!(
                    !model.contains_key(&e) && !handles.contains(&e),
                    "fresh handle {e:?}"
                );
                model.insert(e, ModelEntity::of_kind(kind, seed));
                handles.push(e);
            }
            Op::SpawnBatch(kind, n, seed) => {
                let es = spawn_batch(&mut w, kind, n as u32, seed);
                assert_eq!(es.len(), n as usize);
                for (i, e) in es.into_iter().enumerate() {
                    assert!(
                        !model.contains_key(&e) && !handles.contains(&e),
                        "fresh handle {e:?}"
                    );
                    model.insert(e, ModelEntity::of_kind(kind, seed + i as u32));
                    handles.push(e);
                }
            }
            Op::Despawn(i) => {
                let Some(e) = pick(&handles, i) else { continue };
                assert_eq!(w.despawn(e), model.remove(&e).is_some(), "despawn {e:?}");
            }
            Op::Insert(i, c) => {
                let Some(e) = pick(&handles, i) else { continue };
                let want = model_insert(&mut model, e, &c);
                let got = match c {
                    Comp::A(v) => w.insert(e, A(v)),
                    Comp::B(v) => w.insert(e, B(v)),
                    Comp::C(v) => w.insert(e, C(v)),
                    Comp::Z => w.insert(e, Z),
                    Comp::S(v) => w.insert(e, S(v)),
                    Comp::T(v) => w.insert(e, T(v)),
                };
                assert_eq!(got, want, "insert into {e:?}");
            }
            Op::Remove(i, kind) => {
                let Some(e) = pick(&handles, i) else { continue };
                let want = model_remove(&mut model, e, kind);
                match (kind, want) {
                    (Kind::A, Ok(Comp::A(v))) => assert_eq!(w.remove::<A>(e), Ok(A(v))),
                    (Kind::B, Ok(Comp::B(v))) => assert_eq!(w.remove::<B>(e), Ok(B(v))),
                    (Kind::C, Ok(Comp::C(v))) => assert_eq!(w.remove::<C>(e), Ok(C(v))),
                    (Kind::Z, Ok(Comp::Z)) => assert_eq!(w.remove::<Z>(e), Ok(Z)),
                    (Kind::S, Ok(Comp::S(v))) => assert_eq!(w.remove::<S>(e), Ok(S(v))),
                    (Kind::T, Ok(Comp::T(v))) => assert_eq!(w.remove::<T>(e), Ok(T(v))),
                    (Kind::S, Err(err)) => assert_eq!(w.remove::<S>(e), Err(err)),
                    (Kind::T, Err(err)) => assert_eq!(w.remove::<T>(e), Err(err)),
                    (Kind::A, Err(err)) => assert_eq!(w.remove::<A>(e), Err(err)),
                    (Kind::B, Err(err)) => assert_eq!(w.remove::<B>(e), Err(err)),
                    (Kind::C, Err(err)) => assert_eq!(w.remove::<C>(e), Err(err)),
                    (Kind::Z, Err(err)) => assert_eq!(w.remove::<Z>(e), Err(err)),
                    (kind, want) => unreachable!("{kind:?} {want:?}"),
                }
            }
            Op::Get(i) => {
                let Some(e) = pick(&handles, i) else { continue };
                assert_eq!(read(&w, e), model.get(&e).cloned().unwrap_or_default());
            }
            Op::GetMut(i, v) => {
                let Some(e) = pick(&handles, i) else { continue };
                let got = w.get_mut::<A>(e).map(|a| std::mem::replace(a, A(v)).0);
                let want = model
                    .get_mut(&e)
                    .and_then(|x| x.a.as_mut())
                    .map(|a| std::mem::replace(a, v));
                assert_eq!(got, want, "get_mut {e:?}");
                if let Some(x) = model.get_mut(&e) {
                    if let Some(b) = x.b {
                        let b = b.wrapping_add(1);
                        w.get_mut::<B>(e).expect("has B").0 = b;
                        x.b = Some(b);
                    }
                    if let Some(s) = x.s {
                        let s = s.wrapping_mul(3);
                        w.query_mut::<&mut S>().get_mut(e).expect("has S").0 = s;
                        x.s = Some(s);
                    }
                }
            }
        }
        check(&w, &model, &handles);
    }
}

fn config() -> ProptestConfig {
    let env = |name: &str| {
        std::env::var(name).ok().map(|v| {
            v.parse::<u64>()
                .unwrap_or_else(|_| panic!("{name} is not a number: {v}"))
        })
    };
    let cases = env("METRONOME_PROPTEST_CASES").unwrap_or(1000) as u32;
    let seed = env("METRONOME_PROPTEST_SEED").unwrap_or(0x6d65_7472_6f6e_6f6d);
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn world_matches_hashmap_model(ops in prop::collection::vec(op(), 0..64)) {
        run(ops);
    }
}

/// A fixed sequence through every kind of transition and failure (also a smoke test of
/// the model itself).
#[test]
fn model_walkthrough() {
    run(vec![
        Op::Spawn(0, 1),
        Op::Insert(0, Comp::B(2)),
        Op::Insert(0, Comp::C("x".into())),
        Op::Insert(0, Comp::Z),
        Op::Remove(0, Kind::A),
        Op::Remove(0, Kind::C),
        Op::Insert(0, Comp::A(5)),
        Op::SpawnBatch(5, 4, 10),
        Op::Remove(2, Kind::Z),
        Op::Remove(3, Kind::B),
        Op::Despawn(1),
        Op::Despawn(1),
        Op::Spawn(3, 7),
        Op::Insert(1, Comp::A(1)),
        Op::GetMut(5, 9),
        Op::Get(1),
        Op::Despawn(0),
        Op::Remove(0, Kind::A),
        Op::Insert(1, Comp::S(3)),
        Op::Insert(1, Comp::T("t".into())),
        Op::Insert(1, Comp::S(4)),
        Op::GetMut(1, 2),
        Op::Insert(2, Comp::T("u".into())),
        Op::Remove(1, Kind::S),
        Op::Remove(1, Kind::S),
        Op::Insert(1, Comp::Z),
        Op::Despawn(1),
        Op::Spawn(0, 8),
        Op::Remove(2, Kind::T),
    ]);
}
