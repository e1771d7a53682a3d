//! Declaration order for conflicts: two conflicting systems
//! with no chain of `.after`/`.before` between them run in declaration order.

use metronome::prelude::*;

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Position(pub f32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Velocity(pub f32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Health(pub i32);

#[derive(Default)]
pub struct Trace(pub Vec<&'static str>);

#[system]
pub fn integrate(mut q: Query<(&mut Position, &Velocity)>) {
    for (p, v) in q.iter_mut() {
        p.0 += v.0;
    }
}
#[system]
pub fn damage(mut q: Query<&mut Health>) {
    for h in q.iter_mut() {
        h.0 -= 3;
    }
}
#[system]
pub fn heal(mut q: Query<&mut Health>) {
    for h in q.iter_mut() {
        h.0 *= 2;
    }
}
#[system]
pub fn a(mut t: ResMut<Trace>) {
    t.0.push("a");
}
#[system]
pub fn b(mut t: ResMut<Trace>) {
    t.0.push("b");
}
#[system]
pub fn c(mut t: ResMut<Trace>) {
    t.0.push("c");
}
#[system]
pub fn reader(_t: Res<Trace>) {}
#[system]
pub fn other(_p: Query<&Position>) {}

mod contract {
    use super::*;
    #[world(
        archetypes(Unit = (Position, Velocity, Health)),
        phases(Update),
        systems(Update = [integrate, damage.after(integrate), heal]),
        executor = work_stealing(workers = 2),
    )]
    pub struct Game;
}

mod reversed {
    use super::*;
    // An explicit ordering wins over declaration order.
    #[world(
        archetypes(Unit = (Position, Velocity, Health)),
        resources(Trace),
        phases(Update),
        systems(Update = [a.after(b), b, other, reader]),
        executor = sequential,
    )]
    pub struct Game;
}

mod cycle {
    use super::*;
    // a, b, c all write `Trace`; `c.before(a)` contradicts declaration order (a < b < c):
    // the explicit ordering wins, then declaration order places what it can.
    #[world(
        archetypes(Unit = (Position)),
        resources(Trace),
        phases(Update),
        systems(Update = [a, b, c.before(a)]),
        executor = sequential,
    )]
    pub struct Game;
}

mod chain {
    use super::*;
    // `reader` only reads: it conflicts with `a` and `b` (writers), not with other readers.
    #[world(
        archetypes(Unit = (Position)),
        resources(Trace),
        phases(Update),
        systems(Update = [reader, a, other, b]),
        executor = work_stealing(workers = 2),
    )]
    pub struct Game;
}

#[test]
fn the_contract_example_runs_damage_before_heal() {
    assert_eq!(
        contract::Game::SCHEDULE.phases[0].stages,
        [["integrate"].as_slice(), &["damage"], &["heal"]]
    );
    let mut game = contract::Game::new();
    let e = game.spawn((Position(0.0), Velocity(1.0), Health(10)));
    game.tick();
    assert_eq!(
        game.get::<Health>(e),
        Some(&Health(14)),
        "damage, then heal"
    );
}

#[test]
fn an_explicit_ordering_wins_over_declaration_order() {
    assert_eq!(
        reversed::Game::SCHEDULE.phases[0].stages,
        [["b", "other"].as_slice(), &["a"], &["reader"]]
    );
    let mut game = reversed::Game::new();
    game.tick();
    assert_eq!(game.resource::<Trace>().0, ["b", "a"]);
}

#[test]
fn declaration_order_yields_to_explicit_orderings_in_a_cycle() {
    assert_eq!(
        cycle::Game::SCHEDULE.phases[0].stages,
        [["b"].as_slice(), &["c"], &["a"]]
    );
    let mut game = cycle::Game::new();
    game.tick();
    assert_eq!(game.resource::<Trace>().0, ["b", "c", "a"]);
}

#[test]
fn readers_and_writers_keep_their_declaration_order() {
    assert_eq!(
        chain::Game::SCHEDULE.phases[0].stages,
        [["reader", "other"].as_slice(), &["a"], &["b"]]
    );
    let mut game = chain::Game::new();
    game.tick();
    assert_eq!(game.resource::<Trace>().0, ["a", "b"]);
}
