//! Using a world (spawn, get, insert, remove, despawn, resources, ticks), line by line.

use crate::common::*;
// The test world's own `Time` (the prelude also has the built-in `metronome::Time`).
use crate::common::Time;
use metronome::prelude::*;

#[test]
fn api_walkthrough() -> Result<(), EcsError> {
    let mut game = Game::new();
    let e = game.spawn(Mover(
        Position { x: 0.0, y: 0.0 },
        Velocity { x: 1.0, y: 0.0 },
    ));
    let f = game.spawn((Position { x: 5.0, y: 5.0 },));
    let many: Vec<Entity> = game.spawn_batch((0..10_000).map(|i| {
        Mover(
            Position {
                x: i as f32,
                y: 0.0,
            },
            Velocity { x: 1.0, y: 1.0 },
        )
    }));
    assert_eq!(many.len(), 10_000);
    game.resource_mut::<Time>().dt = 1.0 / 60.0;
    game.tick();
    game.run_phase(GamePhase::Update);
    assert_eq!(
        game.get::<Position>(e),
        Some(&Position {
            x: 2.0 / 60.0,
            y: 0.0
        })
    );
    game.insert(e, Health(10))?;
    assert_eq!(game.archetype_name(e), Some("Unit"));
    let h: Health = game.remove::<Health>(e)?;
    assert_eq!(h, Health(10));
    assert_eq!(game.archetype_name(e), Some("Mover"));
    assert!(game.despawn(f));
    assert!(!game.is_alive(f));
    assert_eq!(game.frame(), 1);
    assert_eq!(game.resource::<Time>().frame, 1);
    Ok(())
}

#[test]
fn schedule_is_const() {
    const S: metronome::Schedule = Game::SCHEDULE;
    assert_eq!(S.phases.len(), 2);
    assert_eq!(S.phases[0].name, "Update");
    assert_eq!(S.phases[0].stages, &[&["integrate"][..], &["reap"][..]]);
    assert_eq!(S.phases[1].stages, &[&["advance_clock"][..]]);
    assert_eq!(Game::ARCHETYPES, &["Mover", "Unit", "Prop"]);
}
