//! A world on `numa_aware(workers = 2, pin = true, memory = interleave)` gives exactly the
//! sequential world's results, and its big columns (≥ 2 MiB) are mapped blocks that are
//! grown, shrunk back to nothing and freed by their own path.

use metronome::__private::WorldDef;
use metronome::prelude::*;
use metronome::runtime::memory::BlockKind;

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Pos(pub f64, pub f64);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Vel(pub f64, pub f64);
#[derive(Component, Clone, Debug, PartialEq)]
pub struct Name(pub String);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Hp(pub i64);

#[derive(Default)]
pub struct Moved(pub u64);

#[system]
pub fn movement(mut q: Query<(&mut Pos, &Vel)>) {
    q.par_for_each(|(p, v)| {
        p.0 += v.0;
        p.1 += v.1;
    });
}

#[system]
pub fn wear(mut q: Query<&mut Hp>) {
    q.par_for_each(|hp| hp.0 -= 1);
}

#[system]
pub fn reap(q: Query<(Entity, &Hp, &Name)>, mut commands: Commands, mut moved: ResMut<Moved>) {
    for (e, hp, name) in q.iter() {
        if hp.0 <= 0 {
            commands.despawn(e);
            commands.spawn((Pos(0.0, 0.0), Vel(1.0, 1.0)));
            moved.0 += name.0.len() as u64;
        }
    }
}

mod seq {
    use super::*;
    #[world(
        archetypes(Body = (Pos, Vel), Mortal = (Pos, Vel, Hp, Name)),
        resources(Moved),
        phases(Update),
        systems(Update = [movement, wear, reap.after(wear)]),
        executor = sequential,
    )]
    pub struct SeqWorld;
}
mod numa {
    use super::*;
    #[world(
        archetypes(Body = (Pos, Vel), Mortal = (Pos, Vel, Hp, Name)),
        resources(Moved),
        phases(Update),
        systems(Update = [movement, wear, reap.after(wear)]),
        executor = numa_aware(
            workers = 2,
            local_queue_size = 64,
            heartbeat_us = 50,
            pin = true,
            memory = interleave
        ),
    )]
    pub struct NumaWorld;
}
use numa::NumaWorld;
use seq::SeqWorld;

/// Enough bodies that a 16-byte column passes 2 MiB (131 072 rows).
const BODIES: usize = 160_000;
/// Entities that carry a `String` (a component that needs drop) and die over time.
const MORTALS: usize = 3_000;

macro_rules! populate {
    ($w:expr) => {{
        let w = &mut $w;
        w.spawn_batch((0..BODIES).map(|i| (Pos(i as f64, 0.0), Vel(0.5, i as f64 * 1e-3))));
        for i in 0..MORTALS {
            w.spawn((
                Pos(0.0, i as f64),
                Vel(1.0, 0.0),
                Hp(1 + (i % 17) as i64),
                Name(format!("mortal-{i}")),
            ));
        }
    }};
}

type Snapshot = Vec<(Entity, Option<Pos>, Option<Hp>, Option<Name>)>;

macro_rules! snapshot {
    ($w:expr) => {{
        let mut v: Snapshot = $w
            .query::<(Entity, Option<&Pos>, Option<&Hp>, Option<&Name>)>()
            .iter()
            .map(|(e, p, h, n)| (e, p.copied(), h.copied(), n.cloned()))
            .collect();
        v.sort_by_key(|x| x.0);
        v
    }};
}

/// The block kinds of every column of every table.
fn block_kinds<W: WorldDef>(world: &W) -> Vec<Vec<Option<BlockKind>>> {
    world
        .core()
        .storage()
        .tables()
        .iter()
        .map(|t| t.columns().iter().map(|c| c.block_kind()).collect())
        .collect()
}

#[test]
fn numa_world_matches_sequential_and_places_big_columns() {
    let mut seq = SeqWorld::new();
    let mut par = NumaWorld::new();
    assert_eq!(par.core().executor().workers(), 2);
    populate!(seq);
    populate!(par);
    for _ in 0..20 {
        seq.tick();
        par.tick();
    }
    assert!(
        seq.resource::<Moved>().0 > 0,
        "the game must exercise commands"
    );
    assert_eq!(seq.resource::<Moved>().0, par.resource::<Moved>().0);
    assert_eq!(seq.len(), par.len());
    assert_eq!(snapshot!(seq), snapshot!(par));

    // The bodies' columns passed 2 MiB: mapped on the NUMA world (on Linux), heap blocks
    // on the sequential one; the small mortal columns stay on the heap everywhere.
    let mapped = if cfg!(target_os = "linux") {
        BlockKind::Mapped
    } else {
        BlockKind::Heap
    };
    let heap = Some(BlockKind::Heap);
    assert_eq!(block_kinds(&par)[0], [Some(mapped), Some(mapped)]);
    assert_eq!(block_kinds(&seq)[0], [heap, heap]);
    assert!(block_kinds(&par)[1].iter().all(|k| *k == heap));

    // Dropping both worlds frees every column by its own path (valgrind checks this
    // test too, see `.ci/valgrind`).
    drop(seq);
    drop(par);
}
