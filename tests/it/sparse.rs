//! Sparse components (`sparse(...)`): carried by any entity without changing its
//! archetype; queries, filters, `Option`, `get`/`get_mut`, despawn, commands and the
//! schedule's conflict rules treat them like any component.

use metronome::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Pos(pub i32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Hp(pub i32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Slowed(pub i32);
#[derive(Component, Clone, Debug, PartialEq)]
pub struct Burning(pub String);

/// Entities a system saw, for the checks.
#[derive(Default)]
pub struct Seen(pub Vec<(Entity, i32)>);

/// Slowed units lose hp by their slow factor.
#[system]
pub fn slow_damage(mut units: Query<(&mut Hp, &Slowed)>) {
    for (hp, slowed) in units.iter_mut() {
        hp.0 -= slowed.0;
    }
}

/// Doubles every slow factor.
#[system]
pub fn worsen(mut slowed: Query<&mut Slowed>) {
    slowed.for_each(|s| s.0 *= 2);
}

/// Reads the slow factors (conflicts with `worsen`, which writes them).
#[system]
pub fn watch(slowed: Query<(Entity, &Slowed)>, mut seen: ResMut<Seen>) {
    seen.0 = slowed.iter().map(|(e, s)| (e, s.0)).collect();
}

/// Slows every unslowed unit with hp above 50, and cures units at 40 or below.
#[system]
pub fn apply_slow(
    fresh: Query<(Entity, &Hp), Without<Slowed>>,
    cured: Query<(Entity, &Hp), With<Slowed>>,
    mut commands: Commands,
) {
    for (e, hp) in fresh.iter() {
        if hp.0 > 50 {
            commands.insert(e, Slowed(1));
        }
    }
    for (e, hp) in cured.iter() {
        if hp.0 <= 40 {
            commands.entity(e).remove::<Slowed>();
        }
    }
}

#[world(
    archetypes(Unit = (Pos, Hp), Prop = (Pos)),
    sparse(Slowed, Burning),
    resources(Seen),
    phases(Update, Effects),
    systems(Update = [slow_damage, worsen, watch], Effects = [apply_slow]),
    executor = sequential,
)]
pub struct Game;

/// The same world on two workers (in a module: archetype structs are per world).
mod par {
    use super::*;
    #[world(
        archetypes(Unit = (Pos, Hp), Prop = (Pos)),
        sparse(Slowed, Burning),
        resources(Seen),
        phases(Update, Effects),
        systems(Update = [slow_damage, worsen, watch], Effects = [apply_slow]),
        executor = work_stealing(workers = 2),
    )]
    pub struct ParGame;
}
use par::ParGame;

#[test]
fn insert_and_remove_never_move_the_entity() {
    let mut game = Game::new();
    let a = game.spawn(Unit(Pos(1), Hp(100)));
    let b = game.spawn((Pos(2),));
    game.insert(a, Slowed(3)).unwrap();
    game.insert(b, Slowed(4)).unwrap();
    assert_eq!(game.archetype_name(a), Some("Unit"));
    assert_eq!(game.archetype_name(b), Some("Prop"));
    assert_eq!(game.get::<Slowed>(a), Some(&Slowed(3)));
    assert!(game.has::<Slowed>(b));
    // Overwrite.
    game.insert(a, Slowed(5)).unwrap();
    assert_eq!(game.get::<Slowed>(a), Some(&Slowed(5)));
    game.get_mut::<Slowed>(b).unwrap().0 = 40;
    assert_eq!(game.remove::<Slowed>(b), Ok(Slowed(40)));
    assert!(!game.has::<Slowed>(b));
    assert_eq!(
        game.remove::<Slowed>(b),
        Err(EcsError::MissingComponent {
            entity: b,
            component: "Slowed"
        })
    );
    assert_eq!(game.archetype_name(b), Some("Prop"));
    // Archetype moves keep the sparse value.
    game.insert(b, Hp(9)).unwrap();
    game.insert(b, Slowed(6)).unwrap();
    game.remove::<Hp>(b).unwrap();
    assert_eq!(game.get::<Slowed>(b), Some(&Slowed(6)));
    assert_eq!(game.get::<Slowed>(a), Some(&Slowed(5)));
}

#[test]
fn despawn_removes_sparse_values_and_stale_handles_see_nothing() {
    let mut game = Game::new();
    let a = game.spawn((Pos(1),));
    game.insert(a, Burning("hot".into())).unwrap();
    game.insert(a, Slowed(1)).unwrap();
    assert!(game.despawn(a));
    assert!(!game.has::<Burning>(a));
    assert_eq!(game.insert(a, Slowed(1)), Err(EcsError::DeadEntity(a)));
    // The slot is reused by a new entity: the old values are gone, not inherited.
    let b = game.spawn((Pos(2),));
    assert_eq!(b.index(), a.index());
    assert_eq!(game.get::<Burning>(b), None);
    assert_eq!(game.get::<Slowed>(b), None);
    assert_eq!(game.query::<&Slowed>().len(), 0);
}

#[test]
fn queries_filters_and_options() {
    let mut game = Game::new();
    let units: Vec<Entity> = (0..10).map(|i| game.spawn(Unit(Pos(i), Hp(i)))).collect();
    let props: Vec<Entity> = (0..5).map(|i| game.spawn((Pos(100 + i),))).collect();
    for (i, &e) in units.iter().enumerate() {
        if i % 3 == 0 {
            game.insert(e, Slowed(i as i32)).unwrap();
        }
    }
    game.insert(props[1], Slowed(-1)).unwrap();
    game.insert(units[1], Burning("b".into())).unwrap();
    game.insert(units[3], Burning("c".into())).unwrap();

    let slowed: Vec<(Entity, i32)> = game
        .query::<(Entity, &Slowed)>()
        .iter()
        .map(|(e, s)| (e, s.0))
        .collect();
    assert_eq!(
        slowed,
        vec![
            (units[0], 0),
            (units[3], 3),
            (units[6], 6),
            (units[9], 9),
            (props[1], -1)
        ]
    );
    // Archetype data with a sparse requirement.
    let q = game.query::<(&Hp, &Slowed)>();
    assert_eq!(q.len(), 4);
    assert_eq!(q.iter().len(), 4);
    assert_eq!(q.iter().map(|(h, _)| h.0).sum::<i32>(), 18);
    assert_eq!(q.get(units[3]).map(|(h, s)| (h.0, s.0)), Some((3, 3)));
    assert!(q.get(units[1]).is_none());
    assert!(q.get(props[1]).is_none());
    // Filters.
    let with: Vec<i32> = game
        .query_filtered::<&Pos, (With<Slowed>, Without<Burning>)>()
        .iter()
        .map(|p| p.0)
        .collect();
    assert_eq!(with, vec![0, 6, 9, 101]);
    let without = game.query_filtered::<&Pos, Without<Slowed>>();
    assert_eq!(without.len(), 15 - 5);
    assert!(!without.is_empty());
    // Option.
    let options: Vec<(i32, Option<i32>, bool)> = game
        .query::<(&Pos, Option<&Slowed>, Option<&Burning>)>()
        .iter()
        .map(|(p, s, b)| (p.0, s.map(|s| s.0), b.is_some()))
        .collect();
    assert_eq!(options.len(), 15);
    assert_eq!(options[0], (0, Some(0), false));
    assert_eq!(options[1], (1, None, true));
    assert_eq!(options[3], (3, Some(3), true));
    assert_eq!(options[11], (101, Some(-1), false));
    // Writes through a query, and `get_mut`.
    let mut q = game.query_mut::<(&mut Slowed, Option<&mut Hp>)>();
    for (s, hp) in q.iter_mut() {
        s.0 += 1;
        if let Some(hp) = hp {
            hp.0 = 1000;
        }
    }
    q.get_mut(props[1]).unwrap().0 .0 = 77;
    assert_eq!(game.get::<Slowed>(props[1]), Some(&Slowed(77)));
    assert_eq!(game.get::<Slowed>(units[9]), Some(&Slowed(10)));
    assert_eq!(game.get::<Hp>(units[9]), Some(&Hp(1000)));
    assert_eq!(game.get::<Hp>(units[8]), Some(&Hp(8)));
    let mut count = 0;
    game.query_mut::<&mut Slowed>().for_each(|s| {
        s.0 = 0;
        count += 1;
    });
    assert_eq!(count, 5);
    game.query_mut::<&mut Slowed>().par_for_each(|s| s.0 += 2);
    assert!(game.query::<&Slowed>().iter().all(|s| s.0 == 2));
}

/// The conflict rules: a sparse component is one column, so `worsen` (writes `Slowed`)
/// and `watch` (reads it) never share a stage, while `slow_damage` (reads it, writes
/// `Hp`) conflicts with `worsen` too.
#[test]
fn a_sparse_component_is_one_column_for_the_schedule() {
    let update = Game::SCHEDULE.phase("Update").unwrap();
    assert_eq!(
        update.stages,
        &[&["slow_damage"][..], &["worsen"][..], &["watch"][..]]
    );
    assert_eq!(ParGame::SCHEDULE, Game::SCHEDULE);
}

fn run_ticks<W: World>(game: &mut W, ticks: u64) {
    for _ in 0..ticks {
        game.tick();
    }
}

/// Systems and deferred commands on a sequential and a two-worker world give the same
/// results, tick by tick.
#[test]
fn systems_and_commands_agree_across_executors() {
    let mut seq = Game::new();
    let mut par = ParGame::new();
    let a: Vec<Entity> = (0..40)
        .map(|i| seq.spawn(Unit(Pos(i), Hp(30 + 2 * i))))
        .collect();
    let b: Vec<Entity> = (0..40)
        .map(|i| par.spawn((Pos(i), Hp(30 + 2 * i))))
        .collect();
    assert_eq!(a, b);
    for _ in 0..6 {
        run_ticks(&mut seq, 1);
        run_ticks(&mut par, 1);
        let hs: Vec<(i32, Option<i32>)> = seq
            .query::<(&Hp, Option<&Slowed>)>()
            .iter()
            .map(|(h, s)| (h.0, s.map(|s| s.0)))
            .collect();
        let hp: Vec<(i32, Option<i32>)> = par
            .query::<(&Hp, Option<&Slowed>)>()
            .iter()
            .map(|(h, s)| (h.0, s.map(|s| s.0)))
            .collect();
        assert_eq!(hs, hp);
        assert_eq!(seq.resource::<Seen>().0, par.resource::<Seen>().0);
    }
    // Something was slowed and something cured along the way.
    assert!(!seq.query::<&Slowed>().is_empty());
    assert!(!seq.query_filtered::<&Hp, Without<Slowed>>().is_empty());
    assert!(seq.take_command_errors().is_empty());
}

/// A value inserted by a deferred command goes with its entity: the next owner of the
/// slot starts without it.
#[test]
fn sparse_values_do_not_outlive_a_despawn_across_ticks() {
    let mut game = Game::new();
    let e = game.spawn(Unit(Pos(0), Hp(100)));
    game.tick(); // `apply_slow` slows it (hp > 50)
    assert_eq!(game.get::<Slowed>(e), Some(&Slowed(1)));
    game.despawn(e);
    game.spawn(Unit(Pos(0), Hp(100)));
    game.tick();
    assert_eq!(game.query::<&Slowed>().len(), 1);
}

static DROPS: AtomicUsize = AtomicUsize::new(0);

/// Counts its drops; panics on drop when told to.
#[derive(Component)]
pub struct Loud(pub bool);
impl Drop for Loud {
    fn drop(&mut self) {
        DROPS.fetch_add(1, Ordering::SeqCst);
        if self.0 {
            panic!("Loud dropped");
        }
    }
}

#[derive(Component)]
pub struct Quiet;
impl Drop for Quiet {
    fn drop(&mut self) {
        DROPS.fetch_add(1, Ordering::SeqCst);
    }
}

#[world(
    archetypes(Thing = (Pos)),
    sparse(Loud, Quiet),
    executor = sequential,
)]
pub struct DropWorld;

/// Every sparse value is dropped exactly once, by despawn, overwrite, remove or the
/// world's drop, also when a drop panics (the world stays consistent).
#[test]
fn sparse_values_drop_once_even_when_a_drop_panics() {
    DROPS.store(0, Ordering::SeqCst);
    let mut w = DropWorld::new();
    let a = w.spawn((Pos(1),));
    let b = w.spawn((Pos(2),));
    let c = w.spawn((Pos(3),));
    w.insert(a, Loud(false)).unwrap();
    w.insert(a, Loud(false)).unwrap(); // overwrite drops the old one
    assert_eq!(DROPS.load(Ordering::SeqCst), 1);
    w.insert(b, Loud(true)).unwrap();
    w.insert(b, Quiet).unwrap();
    w.insert(c, Quiet).unwrap();
    // Despawn: the panicking `Loud` still lets `Quiet` and the table row go.
    let r = catch_unwind(AssertUnwindSafe(|| w.despawn(b)));
    assert!(r.is_err());
    assert_eq!(DROPS.load(Ordering::SeqCst), 3);
    assert!(!w.is_alive(b));
    assert!(!w.has::<Quiet>(b));
    assert_eq!(w.query::<&Quiet>().len(), 1);
    assert_eq!(w.query::<&Loud>().len(), 1);
    // An overwrite whose old value panics on drop keeps the new value.
    w.insert(c, Loud(true)).unwrap();
    let r = catch_unwind(AssertUnwindSafe(|| w.insert(c, Loud(false))));
    assert!(r.is_err());
    assert_eq!(DROPS.load(Ordering::SeqCst), 4);
    assert!(!w.get::<Loud>(c).unwrap().0);
    // Remove hands the value out.
    let loud = w.remove::<Loud>(a).unwrap();
    assert_eq!(DROPS.load(Ordering::SeqCst), 4);
    drop(loud);
    assert_eq!(DROPS.load(Ordering::SeqCst), 5);
    // The world's drop drops the rest: `c`'s `Loud` and `Quiet`.
    drop(w);
    assert_eq!(DROPS.load(Ordering::SeqCst), 7);
}

/// Marks every slowed unit as burning, in parallel chunks with commands.
#[system]
pub fn ignite_slowed(mut slowed: Query<(Entity, &Slowed)>, mut commands: Commands) {
    slowed.par_for_each_with_commands(&mut commands, |(e, s), cmds| {
        cmds.insert(e, Burning(format!("slowed {}", s.0)));
    });
}

/// `ignite_slowed` on two workers (in a module: archetype structs are per world).
mod par_commands {
    use super::*;
    #[world(
        archetypes(Unit = (Pos, Hp)),
        sparse(Slowed, Burning),
        phases(Update),
        systems(Update = [ignite_slowed]),
        executor = work_stealing(workers = 2),
    )]
    pub struct IgniteGame;
}

/// `par_for_each_with_commands` on a pool visits only the entities that pass the sparse
/// requirements, with their sparse values (it once walked the tables as if the query had
/// no sparse part).
#[test]
fn par_for_each_with_commands_honours_sparse_requirements() {
    let mut game = par_commands::IgniteGame::new();
    let units: Vec<Entity> = (0..300)
        .map(|i| game.spawn(par_commands::Unit(Pos(i), Hp(i))))
        .collect();
    for (i, &e) in units.iter().enumerate() {
        if i % 7 == 0 {
            game.insert(e, Slowed(i as i32)).unwrap();
        }
    }
    game.tick();
    assert!(game.take_command_errors().is_empty());
    for (i, &e) in units.iter().enumerate() {
        let expected = (i % 7 == 0).then(|| Burning(format!("slowed {i}")));
        assert_eq!(game.get::<Burning>(e), expected.as_ref(), "unit {i}");
    }
}
