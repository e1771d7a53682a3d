//! Generic driver code: every world implements `metronome::World`,
//! and `with_workers(n)` overrides the declared worker count.

use metronome::prelude::*;

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Pos(pub i64);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Vel(pub i64);

#[derive(Default)]
pub struct Sum(pub i64);

#[system]
pub fn step(mut q: Query<(&mut Pos, &Vel)>) {
    q.par_for_each(|(p, v)| p.0 += v.0);
}

#[system]
pub fn total(q: Query<&Pos>, mut sum: ResMut<Sum>) {
    sum.0 = q.iter().map(|p| p.0).sum();
}

macro_rules! world_of {
    ($module:ident, $name:ident, $($exec:tt)+) => {
        pub mod $module {
            use super::*;
            #[world(
                archetypes(Mover = (Pos, Vel), Still = (Pos)),
                resources(Sum),
                phases(Update, Late),
                systems(Update = [step], Late = [total]),
                executor = $($exec)+,
            )]
            pub struct $name;
        }
    };
}

world_of!(seq, Seq, sequential);
world_of!(ws, Ws, work_stealing(workers = 2));
world_of!(numa, Numa, numa_aware(workers = 2));
// `step` and `total` hold nothing thread-bound across `par_for_each`.
world_of!(cont, Cont, unsafe(continuation_stealing(workers = 2)));

/// Written once, for any world.
fn drive<W: World>(w: &mut W, frames: u64) -> (i64, usize, u64)
where
    Sum: ResourceOf<W>,
    (Pos, Vel): Bundle<W>,
    (Pos,): Bundle<W>,
{
    let movers: Vec<Entity> = (0..1000).map(|i| w.spawn((Pos(i), Vel(i % 7)))).collect();
    let still = w.spawn((Pos(-5),));
    assert!(w.is_alive(still));
    assert!(w.despawn(still));
    assert!(!w.despawn(still));
    assert!(!w.is_alive(still));
    assert!(movers.iter().all(|&e| w.is_alive(e)));
    while w.frame() < frames {
        w.tick();
    }
    w.resource_mut::<Sum>().0 += 1;
    (w.resource::<Sum>().0, w.len(), w.frame())
}

#[test]
fn one_driver_runs_every_world_alike() {
    let expected = drive(&mut seq::Seq::new(), 5);
    assert_eq!(expected.1, 1000);
    assert_eq!(expected.2, 5);
    assert_eq!(drive(&mut ws::Ws::new(), 5), expected);
    assert_eq!(drive(&mut numa::Numa::new(), 5), expected);
    assert_eq!(drive(&mut cont::Cont::new(), 5), expected);
    assert_eq!(drive(&mut <ws::Ws as World>::new(), 5), expected);
    for workers in [1, 2, 4] {
        assert_eq!(
            drive(&mut ws::Ws::with_workers(workers).unwrap(), 5),
            expected
        );
        assert_eq!(
            drive(&mut numa::Numa::with_workers(workers).unwrap(), 5),
            expected
        );
        assert_eq!(
            drive(&mut cont::Cont::with_workers(workers).unwrap(), 5),
            expected
        );
    }
}

#[test]
fn with_workers_sets_the_count_or_says_why_not() {
    let w = ws::Ws::with_workers(3).unwrap();
    // (`WorldDef::core` is the generated code's interface, not a user API.)
    use metronome::__private::WorldDef;
    assert_eq!(w.core().executor().workers(), 3);
    assert!(matches!(
        ws::Ws::with_workers(0),
        Err(BuildError::NoWorkers)
    ));
    assert!(matches!(
        cont::Cont::with_workers(0),
        Err(BuildError::NoWorkers)
    ));
    let err = seq::Seq::with_workers(2)
        .err()
        .expect("sequential has no workers");
    assert!(matches!(err, BuildError::SequentialWorld));
    assert!(err.to_string().contains("sequential"), "{err}");
}
