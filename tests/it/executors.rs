//! Worlds on every parallel executor (`work_stealing`, `continuation_stealing`,
//! `numa_aware`) give exactly the sequential executor's results (every component of every
//! entity), run their stages' systems in parallel, and survive panicking systems.

use metronome::prelude::*;

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Pos(pub f64, pub f64);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Vel(pub f64, pub f64);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Hp(pub i64);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Spin(pub f64);

#[derive(Default)]
pub struct Kills(pub u64);
#[derive(Default)]
pub struct Ticks(pub u64);

#[derive(Default)]
pub struct Explode(pub bool);

#[system]
pub fn movement(mut q: Query<(&mut Pos, &Vel)>) {
    q.par_for_each(|(p, v)| {
        p.0 += v.0;
        p.1 += v.1;
    });
}

#[system]
pub fn spin(mut q: Query<&mut Spin>, explode: Res<Explode>) {
    if explode.0 {
        panic!("system exploded on purpose");
    }
    for s in q.iter_mut() {
        s.0 = (s.0 * 1.0001 + 0.5) % 360.0;
    }
}

#[system]
pub fn damage(mut q: Query<(&Vel, &mut Hp)>, ticks: Res<Ticks>) {
    q.for_each(|(v, hp)| {
        if (v.0 as i64 + ticks.0 as i64) % 3 == 0 {
            hp.0 -= 3;
        }
    });
}

#[system]
pub fn reap(q: Query<(Entity, &Hp)>, mut commands: Commands, mut kills: ResMut<Kills>) {
    for (e, hp) in q.iter() {
        if hp.0 <= 0 {
            commands.despawn(e);
            commands.spawn((Pos(0.5, 0.5), Vel(1.0, -1.0)));
            kills.0 += 1;
        }
    }
}

#[system]
pub fn count(mut ticks: ResMut<Ticks>) {
    ticks.0 += 1;
}

macro_rules! game_world {
    ($name:ident, $($exec:tt)+) => {
        #[world(
            archetypes(Walker = (Pos, Vel), Unit = (Pos, Vel, Hp), Top = (Spin), Turret = (Vel, Hp)),
            resources(Kills, Ticks, Explode),
            phases(Update, Late),
            systems(Update = [movement, spin, damage, reap.after(damage)], Late = [count]),
            executor = $($exec)+,
        )]
        pub struct $name;
    };
}

// Archetype structs are items of the world's module: one module per world.
mod seq {
    use super::*;
    game_world!(SeqGame, sequential);
}
use seq::SeqGame;

macro_rules! populate {
    ($w:expr) => {{
        let w = &mut $w;
        for i in 0..3000 {
            let f = i as f64;
            match i % 4 {
                0 => {
                    w.spawn((Pos(f, -f), Vel(0.5, 0.25)));
                }
                1 => {
                    w.spawn((Pos(f, f), Vel(-1.0, 1.0), Hp(20 + (i % 13) as i64)));
                }
                2 => {
                    w.spawn((Spin(f),));
                }
                _ => {
                    w.spawn((Vel(f * 2.0, 1.0), Hp(10)));
                }
            }
        }
    }};
}

/// Every component of every entity, by entity.
type Snapshot = Vec<(Entity, Option<Pos>, Option<Vel>, Option<Hp>, Option<Spin>)>;

macro_rules! snapshot {
    ($w:expr) => {{
        let mut v: Snapshot = $w
            .query::<(
                Entity,
                Option<&Pos>,
                Option<&Vel>,
                Option<&Hp>,
                Option<&Spin>,
            )>()
            .iter()
            .map(|(e, p, v, h, s)| (e, p.copied(), v.copied(), h.copied(), s.copied()))
            .collect();
        v.sort_by_key(|x| x.0);
        v
    }};
}

/// The same game and the same checks on one parallel executor.
macro_rules! executor_suite {
    ($suite:ident, $($exec:tt)+) => {
        mod $suite {
            use super::*;
            game_world!(ParGame, $($exec)+);

            #[test]
            fn matches_sequential() {
                let mut seq = SeqGame::new();
                let mut par = ParGame::new();
                populate!(seq);
                populate!(par);
                // movement, spin and damage share stage 0 (disjoint columns), reap follows damage.
                assert_eq!(
                    ParGame::SCHEDULE.phases[0].stages,
                    &[&["movement", "spin", "damage"][..], &["reap"][..]]
                );
                for _ in 0..60 {
                    seq.tick();
                    par.tick();
                }
                assert!(
                    seq.resource::<Kills>().0 > 0,
                    "the game must exercise commands"
                );
                assert_eq!(seq.resource::<Kills>().0, par.resource::<Kills>().0);
                assert_eq!(seq.len(), par.len());
                assert_eq!(snapshot!(seq), snapshot!(par));
                assert!(seq.take_command_errors().is_empty());
                assert!(par.take_command_errors().is_empty());
            }

            #[test]
            fn panicking_system_reaches_caller_and_world_stays_usable() {
                let mut par = ParGame::new();
                populate!(par);
                par.tick();
                par.resource_mut::<Explode>().0 = true;
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    par.run_phase(ParGamePhase::Update)
                }));
                par.resource_mut::<Explode>().0 = false;
                let payload = result.expect_err("the panic must reach the caller");
                assert_eq!(
                    payload.downcast_ref::<&str>(),
                    Some(&"system exploded on purpose")
                );
                // The pool and the world keep working.
                par.tick();
                assert_eq!(par.frame(), 2);
                assert_eq!(par.resource::<Ticks>().0, 2);
            }
        }
    };
}

executor_suite!(
    work_stealing,
    work_stealing(workers = 2, local_queue_size = 64, heartbeat_us = 50)
);
// `unsafe(...)`: the systems of this file hold only their parameters (references into
// the world, command buffers) across their `par_for_each`, and access no thread-local.
executor_suite!(
    continuation_stealing,
    unsafe(continuation_stealing(workers = 2, local_queue_size = 64))
);
executor_suite!(
    numa_aware,
    numa_aware(workers = 2, pin = false, memory = local)
);
