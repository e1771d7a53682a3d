//! The tower-defense example's game saved mid-game and loaded again (feature `serde`),
//! in both forms: the loaded game and the original go on identically, tick by tick
//! (summaries, with a fingerprint of every enemy on the path), to the end of the game.
//! A snapshot restored mid-game does the same.
#![cfg(feature = "serde")]

// The example's game files, loaded once by `tower_defense` (its `tower_defense_world!`
// reaches this module through `#[macro_use]` in `main.rs`).
use crate::tower_defense::{game, rules};

use game::Screen;
use metronome::prelude::*;
use rules::Setup;

tower_defense_world!(saved::Td + serde = sequential);
tower_defense_world!(par::Par + serde = work_stealing(workers = 2));

const SETUP: Setup = Setup {
    enemies: 400,
    waves: 6,
    lives: 40,
};

/// Ticks `a` and `b` together to the end of the game, checking they agree every tick.
fn in_step(a: &mut saved::Td, b: &mut saved::Td) {
    while a.state::<Screen>() != Screen::Over && a.frame() < 5_000 {
        a.tick();
        b.tick();
        assert_eq!(saved::summary(a), saved::summary(b));
    }
    assert_eq!(a.state::<Screen>(), Screen::Over, "the game ran to its end");
}

fn mid_game() -> saved::Td {
    let mut game = saved::new_game(saved::Td::new(), SETUP);
    for _ in 0..60 {
        game.tick();
    }
    let s = saved::summary(&mut game);
    assert_eq!(s.state, Screen::Playing);
    assert!(
        s.tally.kills > 0 && s.alive > rules::TOWERS as usize,
        "{s:?}"
    );
    game
}

#[test]
fn saved_mid_game_and_loaded_the_game_goes_on_identically() {
    for format in [Format::Json, Format::Binary] {
        let mut original = mid_game();
        let mut bytes = Vec::new();
        original.save(&mut bytes, format).unwrap();
        let mut loaded = saved::Td::load(&bytes[..], format).unwrap();
        assert_eq!(saved::summary(&mut original), saved::summary(&mut loaded));
        in_step(&mut original, &mut loaded);
    }
}

#[test]
fn a_save_of_one_world_is_refused_by_another_of_the_same_layout() {
    let original = mid_game();
    let mut bytes = Vec::new();
    original.save(&mut bytes, Format::Binary).unwrap();
    // Another world type of the same layout and name (`Par` vs `Td`): refused, naming it.
    let Err(err) = par::Par::load(&bytes[..], Format::Binary) else {
        panic!("a save of world `Td` loaded into world `Par`")
    };
    assert!(err.to_string().contains("`Td`"), "{err}");
}

#[test]
fn a_snapshot_restored_mid_game_goes_on_identically() {
    let mut original = mid_game();
    let snapshot = original.snapshot();
    let mut rewound = mid_game();
    for _ in 0..17 {
        rewound.tick();
    }
    rewound.restore(&snapshot);
    assert_eq!(saved::summary(&mut original), saved::summary(&mut rewound));
    in_step(&mut original, &mut rewound);
}
