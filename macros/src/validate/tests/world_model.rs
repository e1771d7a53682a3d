//! Valid worlds: the model `validate` builds from them, and the stub kept from a failed
//! one.

use quote::quote;

use super::{with_archetype, world_ok};
use crate::model::{ExecutorModel, MemoryModel, Workers};

#[test]
fn full_example_builds_the_model() {
    let model = world_ok(quote!(
        archetypes(
            Mover = (Position, Velocity),
            Unit = (Position, Velocity, Health),
            Prop = (Position),
        ),
        resources(Time, Score = Score::new(0)),
        phases(Update, Late),
        systems(
            Update = [integrate, reap.after(integrate)],
            Late = [advance_clock],
        ),
        executor = work_stealing(workers = 4, local_queue_size = 256, heartbeat_us = 100),
        capacity(entities = 1_000_000, commands_per_stage = 65_536),
    ));
    assert_eq!(model.ident, "Game");
    let components: Vec<String> = model
        .components
        .iter()
        .map(|c| crate::validate::key_of(&c.ty))
        .collect();
    assert_eq!(components, ["Position", "Velocity", "Health"]);
    let archetypes: Vec<(String, Vec<usize>)> = model
        .archetypes
        .iter()
        .map(|a| (a.ident.to_string(), a.components.clone()))
        .collect();
    assert_eq!(
        archetypes,
        [
            ("Mover".into(), vec![0, 1]),
            ("Unit".into(), vec![0, 1, 2]),
            ("Prop".into(), vec![0]),
        ]
    );
    assert_eq!(model.archetypes[1].component_tys.len(), 3);
    assert_eq!(model.resources.len(), 2);
    assert!(model.resources[0].init.is_none());
    assert!(model.resources[1].init.is_some());
    assert_eq!(model.phases.len(), 2);
    assert_eq!(model.phases[0].ident, "Update");
    assert_eq!(model.phases[0].systems[1].name, "reap");
    assert_eq!(model.phases[0].systems[1].after, [0]);
    assert!(model.phases[0].systems[0].after.is_empty());
    assert_eq!(model.phases[1].systems[0].name, "advance_clock");
    assert_eq!(
        model.executor,
        ExecutorModel::WorkStealing {
            workers: Workers::Fixed(4),
            local_queue_size: 256,
            heartbeat_us: 100
        }
    );
    assert_eq!(model.capacity.entities, 1_000_000);
    assert_eq!(model.capacity.commands_per_stage, 65_536);
}

#[test]
fn defaults_and_minimal_world() {
    let model = world_ok(quote!(archetypes(Prop = Position)));
    assert_eq!(model.archetypes[0].components, [0]);
    assert!(model.phases.is_empty());
    assert!(model.resources.is_empty());
    assert_eq!(
        model.executor,
        ExecutorModel::WorkStealing {
            workers: Workers::Auto,
            local_queue_size: 256,
            heartbeat_us: 100
        }
    );
    assert_eq!(model.capacity.entities, 1 << 20);
    assert_eq!(model.capacity.commands_per_stage, 65_536);
}

#[test]
fn keys_in_any_order_and_paths_and_generics() {
    let model = world_ok(quote!(
        executor = sequential,
        phases(Update),
        resources(Map<K, V>, ::std::string::String = String::new()),
        systems(Update = [physics::integrate, m::d.after(integrate).before(integrate2), integrate2]),
        archetypes(A = (physics::Position, Wrapper<u32, u64>), B = (physics :: Position)),
    ));
    assert_eq!(model.executor, ExecutorModel::Sequential);
    assert_eq!(model.components.len(), 2);
    assert_eq!(model.archetypes[1].components, [0]);
    assert_eq!(model.resources.len(), 2);
    let systems = &model.phases[0].systems;
    assert_eq!(systems[1].name, "d");
    assert_eq!(systems[1].after, [0]);
    assert_eq!(systems[2].after, [1]);
}

#[test]
fn after_edges_are_deduplicated_and_before_becomes_after() {
    let model = world_ok(with_archetype(quote!(
        phases(P),
        systems(P = [a, b.after(a).after(a), c.before(b), d.after(a, c)]),
    )));
    let after: Vec<Vec<usize>> = model.phases[0]
        .systems
        .iter()
        .map(|s| s.after.clone())
        .collect();
    assert_eq!(after, [vec![], vec![0, 2], vec![], vec![0, 2]]);
}

#[test]
fn executors_with_all_parameters() {
    let model = world_ok(with_archetype(quote!(
        executor = numa_aware(
            workers = auto,
            local_queue_size = 1024u32,
            heartbeat_us = 1_000,
            pin = true,
            memory = interleave
        )
    )));
    assert_eq!(
        model.executor,
        ExecutorModel::NumaAware {
            workers: Workers::Auto,
            local_queue_size: 1024,
            heartbeat_us: 1000,
            pin: true,
            memory: MemoryModel::Interleave
        }
    );
    let model = world_ok(with_archetype(quote!(
        executor = unsafe(continuation_stealing(workers = 1024))
    )));
    assert_eq!(
        model.executor,
        ExecutorModel::ContinuationStealing {
            workers: Workers::Fixed(1024),
            local_queue_size: 256,
            accepted: Default::default(),
        }
    );
    let model = world_ok(with_archetype(quote!(executor = work_stealing)));
    assert_eq!(
        model.executor,
        ExecutorModel::WorkStealing {
            workers: Workers::Auto,
            local_queue_size: 256,
            heartbeat_us: 100
        }
    );
    let model = world_ok(with_archetype(quote!(executor = sequential())));
    assert_eq!(model.executor, ExecutorModel::Sequential);
    let model = world_ok(with_archetype(quote!(capacity(
        entities = 4_294_967_295u64,
        commands_per_stage = 1
    ))));
    assert_eq!(model.capacity.entities, 4_294_967_295);
    assert_eq!(model.capacity.commands_per_stage, 1);
}

#[test]
fn keywords_raw_identifiers_and_method_names() {
    let model = world_ok(quote!(
        archetypes(Type = (K, V), Move = (T), Loop = (r#Self2)),
        phases(Match, Async),
        systems(
            Match = [
                r#loop,
                spawn.after(r#loop),
                tick.before(spawn),
                crate::sys::r#move
            ],
            Async = [self::despawn, super::insert],
        ),
    ));
    assert_eq!(model.archetypes.len(), 3);
    assert_eq!(model.phases[0].systems[1].after, [0, 2]);
    assert_eq!(model.phases[0].systems[3].name, "r#move");
    assert_eq!(model.phases[1].systems.len(), 2);
}

#[test]
fn stub_keeps_what_was_understood() {
    let failure = crate::validate::world(
        quote!(
            archetypes(A = (Position), A = (Velocity), B = (&Health, Velocity)),
            phases(Update, Late, Update),
            executor = nope,
        ),
        quote!(
            #[derive(Debug)]
            pub(crate) struct Game;
        ),
    )
    .err()
    .expect("errors");
    let stub = failure.stub;
    assert_eq!(stub.ident.expect("ident"), "Game");
    assert_eq!(stub.attrs.len(), 1);
    assert!(matches!(stub.vis, syn::Visibility::Restricted(_)));
    let phases: Vec<String> = stub.phases.iter().map(|p| p.to_string()).collect();
    assert_eq!(phases, ["Update", "Late"]);
    let archetypes: Vec<(String, usize)> = stub
        .archetypes
        .iter()
        .map(|(name, tys)| (name.to_string(), tys.len()))
        .collect();
    assert_eq!(archetypes, [("A".into(), 1), ("B".into(), 1)]);
}
