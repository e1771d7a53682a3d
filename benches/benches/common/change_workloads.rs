//! What the change-detection bench (`change_detection.rs`) and its profile driver
//! (`examples/cd_profile.rs`) share: the tracked worlds, the `changed_iter` worlds of
//! both libraries, and the iteration kernels as `#[inline(never)]` functions (one call per
//! iteration, so that objdump and callgrind can read them). `#[path]`-included after
//! `ecs_workloads.rs` (whose components and worlds it uses).
#![allow(dead_code)]

use super::ecs_workloads::*;

/// `changed_iter`'s component (4 bytes, as a counter or a health would be).
#[derive(metronome::Component, bevy_ecs::component::Component, Clone, Copy, Debug)]
pub struct Pos(pub f32);

/// `add_remove_sparse`'s sparse component.
#[derive(metronome::Component, bevy_ecs::component::Component, Clone, Copy, Debug)]
#[component(storage = "SparseSet")]
pub struct Sparse(pub f32);

pub const CHANGED_ENTITIES: usize = 100_000;
pub const CHANGED_PER_TICK: usize = CHANGED_ENTITIES / 100;

/// The entities to write each tick, and what the `Changed` system saw.
#[derive(Default)]
pub struct Targets(pub Vec<metronome::Entity>);
#[derive(Default)]
pub struct Seen(pub f32);

/// A fixed pseudo-random order of `items` (a xorshift Fisher-Yates).
fn shuffle<T>(mut items: Vec<T>) -> Vec<T> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for i in (1..items.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        items.swap(i, (state % (i as u64 + 1)) as usize);
    }
    items
}

pub mod m_tracked {
    use super::*;
    use metronome::prelude::*;

    #[world(
        archetypes(Object = (Transform, Position, Rotation, Velocity)),
        track(Position),
        executor = sequential,
    )]
    pub struct Tracked;

    pub fn build() -> Tracked {
        let mut w = Tracked::new();
        w.spawn_batch((0..BIG).map(|_| Object(transform(), position(), rotation(), velocity())));
        w
    }
}

pub mod m_changed {
    use super::*;
    use metronome::prelude::*;

    /// Writes the targets (1 % of the entities).
    #[system]
    pub fn touch(mut q: Query<Tracked<Pos>>, targets: Res<Targets>) {
        for &e in &targets.0 {
            if let Some(mut p) = q.get_mut(e) {
                p.0 += 1.0;
            }
        }
    }

    /// Sums what changed since its last run.
    #[system]
    pub fn changed(q: Query<&Pos, Changed<Pos>>, mut seen: ResMut<Seen>) {
        let mut sum = 0.0;
        for p in q.iter() {
            sum += p.0;
        }
        seen.0 = sum;
    }

    #[world(
        archetypes(Unit = (Pos)),
        track(Pos),
        resources(Targets, Seen),
        phases(Update, Late),
        systems(Update = [touch], Late = [changed]),
        executor = sequential,
    )]
    pub struct ChangedWorld;

    pub fn build() -> ChangedWorld {
        let mut w = ChangedWorld::new();
        let entities = w.spawn_batch((0..CHANGED_ENTITIES).map(|i| Unit(Pos(i as f32))));
        w.resource_mut::<Targets>().0 = shuffle(entities)
            .into_iter()
            .take(CHANGED_PER_TICK)
            .collect();
        w.tick();
        w
    }
}

pub mod m_sparse {
    use super::*;
    use metronome::prelude::*;

    #[world(archetypes(OnlyA = (A)), sparse(Sparse), executor = sequential)]
    pub struct SparseWorld;
}

pub mod b_changed {
    use super::*;
    use bevy_ecs::prelude::*;

    #[derive(Resource)]
    pub struct Targets(pub Vec<Entity>);
    #[derive(Resource, Default)]
    pub struct Seen(pub f32);

    pub fn touch(mut q: Query<&mut Pos>, targets: Res<Targets>) {
        for &e in &targets.0 {
            if let Ok(mut p) = q.get_mut(e) {
                p.0 += 1.0;
            }
        }
    }

    pub fn changed(q: Query<&Pos, Changed<Pos>>, mut seen: ResMut<Seen>) {
        let mut sum = 0.0;
        for p in q.iter() {
            sum += p.0;
        }
        seen.0 = sum;
    }

    pub fn build() -> (World, Schedule) {
        let mut world = World::new();
        let entities: Vec<Entity> = world
            .spawn_batch((0..CHANGED_ENTITIES).map(|i| (Pos(i as f32),)))
            .collect();
        world.insert_resource(Targets(
            shuffle(entities)
                .into_iter()
                .take(CHANGED_PER_TICK)
                .collect(),
        ));
        world.insert_resource(Seen::default());
        let mut schedule = Schedule::default();
        schedule.set_executor(bevy_ecs::schedule::SingleThreadedExecutor::new());
        schedule.add_systems((touch, changed).chain());
        schedule.run(&mut world);
        (world, schedule)
    }
}

#[inline(never)]
pub fn metronome_tracked_iter(w: &mut m_tracked::Tracked) {
    for (v, mut p) in w
        .query_mut::<(&Velocity, metronome::Tracked<Position>)>()
        .iter_mut()
    {
        p.0 += v.0;
    }
}

#[inline(never)]
pub fn metronome_tracked_iter_ref(w: &mut m_tracked::Tracked) {
    for (v, p) in w.query_mut::<(&Velocity, &mut Position)>().iter_mut() {
        p.0 += v.0;
    }
}
