//! The tower-defense example's game, played to the end on `sequential` and on
//! `work_stealing(workers = 2)` (and that world rebuilt with 1 and 3 workers, the caller
//! counted): the summaries
//! (ticks, waves, kills, leaks, score, final state, a fingerprint of the enemies left)
//! must be equal, and the game must have gone through its whole state machine.

#[path = "../../examples/tower_defense/rules.rs"]
#[allow(dead_code)]
pub(crate) mod rules;
#[path = "../../examples/tower_defense/game.rs"]
#[macro_use]
pub(crate) mod game;

use game::Screen;
use rules::Setup;

tower_defense_world!(seq::Seq = sequential);
tower_defense_world!(par::Par = work_stealing(workers = 2));

const SETUP: Setup = Setup {
    enemies: 800,
    waves: 8,
    lives: 60,
};

#[test]
fn same_game_on_every_executor() {
    let on_seq = seq::play(&mut seq::new_game(seq::Seq::new(), SETUP), 5_000);
    let on_two = par::play(&mut par::new_game(par::Par::new(), SETUP), 5_000);
    // `workers` counts the calling thread: 1 is the caller alone (no pool), 3 the
    // caller and two pool threads.
    let on_one = par::play(
        &mut par::new_game(par::Par::with_workers(1).unwrap(), SETUP),
        5_000,
    );
    let on_three = par::play(
        &mut par::new_game(par::Par::with_workers(3).unwrap(), SETUP),
        5_000,
    );
    assert_eq!(on_seq, on_two);
    assert_eq!(on_seq, on_one);
    assert_eq!(on_seq, on_three);
    // The game ran its course: every state, waves, kills, leaks, the board cleared.
    assert_eq!(on_seq.state, Screen::Over);
    assert_eq!(on_seq.tally.waves, SETUP.waves);
    assert!(
        on_seq.tally.kills > 0 && on_seq.tally.leaks > 0,
        "{on_seq:?}"
    );
    assert_eq!(on_seq.alive, 0, "OnExit(Playing) clears the board");
}

#[test]
fn same_state_tick_by_tick() {
    // A game cut short in the middle of play: the enemies on the path, their health and
    // slow must match too (the fingerprint), after every tick.
    let mut a = seq::new_game(seq::Seq::new(), SETUP);
    let mut b = par::new_game(par::Par::new(), SETUP);
    for _ in 0..120 {
        a.tick();
        b.tick();
        assert_eq!(seq::summary(&mut a), par::summary(&mut b));
    }
    let s = seq::summary(&mut a);
    assert_eq!(s.state, Screen::Playing);
    assert!(
        s.tally.kills > 0 && s.alive > rules::TOWERS as usize,
        "{s:?}"
    );
}
