//! A world with a mistake, used everywhere by the rest of the crate: only the mistake is
//! reported, not a follow-up error for each method, constant or type the code uses.
use metronome::prelude::*;

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Position(pub f32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Velocity(pub f32);

#[derive(Default)]
pub struct Time(pub f32);

#[system]
fn integrate(_movers: Query<(&mut Position, &Velocity)>) {}

#[world(
    archetypes(Mover = (Position, Velocity), Prop = (Position)),
    resources(Time),
    phases(Update),
    systems(Update = [integrate]),
    executor = sequential(workers = 2),
)]
pub struct Game;

fn main() {
    let mut game = Game::new();
    let _ = Game::default();
    let e = game.spawn(Mover(Position(0.0), Velocity(1.0)));
    let _ = game.spawn((Position(1.0),));
    let batch: Vec<Entity> = game.spawn_batch((0..3).map(|i| Prop(Position(i as f32))));
    let _ = game.despawn(batch[0]);
    assert!(game.is_alive(e));
    assert_eq!(game.len(), 3);
    assert!(!game.is_empty());
    assert_eq!(game.get::<Position>(e), Some(&Position(0.0)));
    if let Some(v) = game.get_mut::<Velocity>(e) {
        v.0 = 2.0;
    }
    assert!(game.has::<Velocity>(e));
    game.insert(e, Velocity(3.0)).unwrap();
    let _: Velocity = game.remove::<Velocity>(e).unwrap();
    let _: Option<&'static str> = game.archetype_name(e);
    game.resource_mut::<Time>().0 = 0.5;
    let _ = game.resource::<Time>().0;
    for p in game.query::<&Position>().iter() {
        let _ = p.0;
    }
    for (p, v) in game.query_mut::<(&mut Position, &Velocity)>().iter_mut() {
        p.0 += v.0;
    }
    let _ = game.query_filtered::<&Position, Without<Velocity>>().len();
    let _ = game.query_filtered_mut::<&mut Position, With<Velocity>>().len();
    game.tick();
    game.run_phase(GamePhase::Update);
    assert_eq!(game.frame(), 2);
    game.update(std::time::Duration::from_millis(16));
    let stop = std::sync::atomic::AtomicBool::new(false);
    let stats: FrameStats = game.run(RunConfig::hz(60.0).frames(2), &stop);
    assert_eq!(game.stats().frames, stats.frames);
    let errors: Vec<EcsError> = game.take_command_errors();
    assert!(errors.is_empty());
    assert_eq!(Game::ARCHETYPES, &["Mover", "Prop"]);
    assert_eq!(Game::SCHEDULE.phases.len(), 1);
    assert!(GamePhase::Update <= GamePhase::Update);
}
