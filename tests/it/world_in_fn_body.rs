//! A world, its components and its systems declared inside a function body (as in
//! doctests and unit tests): the names the expansion resolves are block items there, not
//! module items, and must still be found.

#[test]
fn a_world_declared_in_a_function_body_runs() {
    use metronome::prelude::*;

    #[derive(Component, Clone, Copy, Debug, PartialEq)]
    pub struct Position(pub f32);
    #[derive(Component, Clone, Copy, Debug, PartialEq)]
    pub struct Velocity(pub f32);

    #[system]
    pub fn integrate(mut q: Query<(&mut Position, &Velocity)>) {
        for (p, v) in q.iter_mut() {
            p.0 += v.0;
        }
    }

    #[world(
        archetypes(Body = (Position, Velocity)),
        phases(Update),
        systems(Update = [integrate]),
        executor = sequential,
    )]
    pub struct Game;

    let mut game = Game::new();
    let e = game.spawn(Body(Position(0.0), Velocity(2.0)));
    game.tick();
    game.tick();
    assert_eq!(game.get::<Position>(e), Some(&Position(4.0)));
}
