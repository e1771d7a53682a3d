//! Names that collide with generated ones in naive macros (gecs broke on `K` and `AS`):
//! components named like generic parameters, items named like runtime types,
//! archetypes and phases whose lower-case forms are keywords, systems named like world
//! methods, and systems named by path from a submodule.
use metronome::prelude::*;

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct K(pub u32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct T(pub u32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct W(pub u32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct V(pub u32);

/// User items named like the runtime's types.
pub mod names {
    use metronome::prelude::*;

    #[derive(Component, Clone, Copy, Debug, PartialEq)]
    pub struct Table(pub u8);
    #[derive(Component, Clone, Copy, Debug, PartialEq)]
    pub struct Query(pub u8);
    #[derive(Component, Clone, Copy, Debug, PartialEq)]
    pub struct Storage(pub u8);
    #[derive(Component, Clone, Copy, Debug, PartialEq)]
    pub struct Bits(pub u8);
    #[derive(Default)]
    pub struct Schedule(pub u32);
    #[derive(Default)]
    pub struct World(pub u32);
}

pub mod systems {
    use super::names;
    use super::{K, T, W};
    use metronome::prelude::*;

    #[system]
    pub fn spawn(mut q: Query<(&mut K, &T)>, sched: Res<names::Schedule>) {
        for (k, t) in q.iter_mut() {
            k.0 += t.0 + sched.0;
        }
    }

    #[system]
    pub fn tick(mut w: Query<&mut W>, mut world: ResMut<names::World>) {
        for w in w.iter_mut() {
            w.0 += 1;
        }
        world.0 += 1;
    }

    #[system]
    pub fn insert(
        q: Query<(Entity, &names::Table, Option<&names::Query>)>,
        mut commands: Commands,
    ) {
        for (e, _, _) in q.iter() {
            commands.remove::<names::Table>(e);
        }
    }

    #[system]
    pub fn get(_q: Query<&names::Storage, With<names::Bits>>) {}

    #[system]
    pub fn new(mut local: Local<u32>) {
        *local += 1;
    }

    pub mod nested {
        use metronome::prelude::*;

        #[system]
        pub fn len(_q: Query<&super::super::V>) {}
    }
}

#[world(
    archetypes(
        AS = (K, T),
        Loop = (W),
        Move = (K, T, W),
        Match = (names::Table, names::Query),
        Struct = (names::Storage, names::Bits),
        Fn = (names::Query),
        Self_ = (V),
    ),
    resources(names::Schedule, names::World = names::World(7)),
    phases(Type, Async, Impl),
    systems(
        Type = [systems::spawn, systems::tick.after(systems::spawn)],
        Async = [systems::insert, systems::get.before(systems::insert)],
        Impl = [systems::new, systems::nested::len],
    ),
    executor = sequential,
)]
pub struct Where;

fn main() {
    let mut world = Where::new();
    let e = world.spawn(AS(K(1), T(2)));
    let m = world.spawn((names::Table(1), names::Query(2)));
    world.spawn(Move(K(0), T(0), W(0)));
    world.tick();
    world.run_phase(WherePhase::Type);
    assert_eq!(world.get::<K>(e), Some(&K(5)));
    assert_eq!(world.archetype_name(m), Some("Fn"));
    assert_eq!(world.resource::<names::World>().0, 9);
    assert_eq!(
        Where::ARCHETYPES,
        &["AS", "Loop", "Move", "Match", "Struct", "Fn", "Self_"]
    );
    assert_eq!(Where::SCHEDULE.phases[2].name, "Impl");
    assert_eq!(
        Where::SCHEDULE.phases[1].stages,
        &[&["get"][..], &["insert"][..]]
    );
}
