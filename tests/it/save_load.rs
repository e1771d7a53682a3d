//! Save and load (feature `serde`, world key `serde`): JSON and binary round trips keep
//! entities with their generations and the free list, every component (archetype and
//! sparse), resources, the state and the clock; a save of another layout is refused
//! with a message naming the difference; truncated or corrupted input is an error.
#![cfg(feature = "serde")]

use metronome::prelude::*;
use metronome::serde::{Deserialize, Serialize};

#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "metronome::serde")]
pub struct Position(pub f32, pub f32);
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "metronome::serde")]
pub struct Velocity(pub f32, pub f32);
#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "metronome::serde")]
pub struct Name(pub String);
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "metronome::serde")]
pub struct Slowed(pub u8);

#[derive(Clone, Default, Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "metronome::serde")]
pub struct Score(pub u64, pub Vec<String>);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(crate = "metronome::serde")]
pub enum Mode {
    Menu,
    Playing,
}

#[system]
fn integrate(mut q: Query<(&mut Position, &Velocity)>) {
    for (p, v) in q.iter_mut() {
        p.0 += v.0;
        p.1 += v.1;
    }
}

#[system]
fn count(mut score: ResMut<Score>, q: Query<&Position>, slowed: Query<&Slowed>) {
    score.0 += q.len() as u64 + slowed.len() as u64;
}

#[world(
    serde,
    archetypes(Mover = (Position, Velocity), Named = (Position, Name), Still = (Position)),
    sparse(Slowed),
    resources(Score),
    states(Mode = Mode::Menu),
    phases(Update),
    systems(Update = [integrate, count]),
    executor = sequential,
)]
pub struct Game;

/// The same components in another layout: `Named` has a column more.
pub mod other {
    use super::*;
    #[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
    #[serde(crate = "metronome::serde")]
    pub struct Health(pub i32);

    #[world(
        serde,
        archetypes(Mover = (Position, Velocity), Named = (Position, Name, Health), Still = (Position)),
        sparse(Slowed),
        resources(Score),
        states(Mode = Mode::Menu),
        executor = sequential,
    )]
    pub struct Game;
}

fn populated() -> Game {
    let mut game = Game::new();
    let mut kept = Vec::new();
    for i in 0..40u32 {
        let e = match i % 3 {
            0 => game.spawn(Mover(Position(i as f32, 0.5), Velocity(1.0, -0.25))),
            1 => game.spawn(Named(Position(0.0, i as f32), Name(format!("n{i}")))),
            _ => game.spawn(Still(Position(-1.0, i as f32))),
        };
        if i % 4 == 0 {
            game.insert(e, Slowed(i as u8)).unwrap();
        }
        kept.push(e);
    }
    for e in kept.iter().step_by(5) {
        game.despawn(*e);
    }
    game.resource_mut::<Score>().1.push("first".into());
    game.set_next_state(Mode::Playing);
    game.tick();
    game.tick();
    game
}

/// Everything observable about a world, for comparisons.
fn describe(game: &Game) -> String {
    let mut out = String::new();
    for (e, p, v, n, s) in game
        .query::<(
            Entity,
            &Position,
            Option<&Velocity>,
            Option<&Name>,
            Option<&Slowed>,
        )>()
        .iter()
    {
        out += &format!(
            "{e:?} {:?} {p:?} {v:?} {n:?} {s:?}\n",
            game.archetype_name(e)
        );
    }
    out += &format!(
        "frame {} state {:?} score {:?} len {}",
        game.frame(),
        game.state::<Mode>(),
        game.resource::<Score>(),
        game.len()
    );
    out
}

fn round_trip(game: &Game, format: Format) -> Game {
    let mut bytes = Vec::new();
    game.save(&mut bytes, format).unwrap();
    Game::load(&bytes[..], format).unwrap()
}

#[test]
fn json_and_binary_round_trips_keep_the_world() {
    for format in [Format::Json, Format::Binary] {
        let mut game = populated();
        let mut loaded = round_trip(&game, format);
        assert_eq!(describe(&game), describe(&loaded), "{format:?}");
        // Both go on identically: systems, spawns reusing the free list, despawns.
        for i in 0..4 {
            game.tick();
            loaded.tick();
            let a = game.spawn(Still(Position(i as f32, 0.0)));
            let b = loaded.spawn(Still(Position(i as f32, 0.0)));
            assert_eq!(a, b, "{format:?}: spawns hand out the same handles");
        }
        assert_eq!(describe(&game), describe(&loaded), "{format:?}");
    }
}

#[test]
fn the_json_form_is_readable() {
    let game = populated();
    let mut bytes = Vec::new();
    game.save(&mut bytes, Format::Json).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.starts_with(r#"{"layout":{"format":"metronome-save""#),
        "{text}"
    );
    assert!(
        text.contains(r#""archetypes":[["Mover",["Position","Velocity"]]"#),
        "{text}"
    );
}

#[test]
fn a_save_of_another_layout_is_refused_naming_the_difference() {
    let game = populated();
    for format in [Format::Json, Format::Binary] {
        let mut bytes = Vec::new();
        game.save(&mut bytes, format).unwrap();
        let Err(err) = other::Game::load(&bytes[..], format) else {
            panic!("{format:?}: a save of another layout loaded")
        };
        match &err {
            LoadError::Layout(what) => assert!(
                what.contains("`Named = (Position, Name)`")
                    && what.contains("`Named = (Position, Name, Health)`"),
                "{what}"
            ),
            other => panic!("{format:?}: expected a layout error, got {other:?}"),
        }
        assert!(err.to_string().contains("another world layout"), "{err}");
    }
}

#[test]
fn truncated_and_corrupted_saves_are_errors() {
    let game = populated();
    for format in [Format::Json, Format::Binary] {
        let mut bytes = Vec::new();
        game.save(&mut bytes, format).unwrap();
        for len in (0..bytes.len()).step_by(7) {
            assert!(
                Game::load(&bytes[..len], format).is_err(),
                "{format:?} truncated to {len}"
            );
        }
    }
    let mut bytes = Vec::new();
    game.save(&mut bytes, Format::Binary).unwrap();
    each_changed_byte_is_corrupt(&bytes, (0..bytes.len()).step_by(3), 0x5a);
}

/// Loads `bytes` with the byte at each of `at` changed (xor `mask`): every load is
/// `LoadError::Corrupt`.
fn each_changed_byte_is_corrupt(bytes: &[u8], at: impl IntoIterator<Item = usize>, mask: u8) {
    for i in at {
        let mut changed = bytes.to_vec();
        changed[i] ^= mask;
        assert!(
            matches!(
                Game::load(&changed[..], Format::Binary),
                Err(LoadError::Corrupt(_))
            ),
            "binary byte {i} changed"
        );
    }
}

#[test]
fn an_inconsistent_json_world_is_refused() {
    let game = populated();
    let mut bytes = Vec::new();
    game.save(&mut bytes, Format::Json).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    // Mark a live slot free: its entity's row then names a slot that is not live.
    let free_at = text.find(r#""free":["#).unwrap() + r#""free":["#.len();
    let mut edited = text.clone();
    edited.insert_str(free_at, "1,");
    match Game::load(edited.as_bytes(), Format::Json) {
        Err(LoadError::Inconsistent(what)) => assert!(what.contains("1v"), "{what}"),
        other => panic!(
            "expected an inconsistency, got {:?}",
            other.map(|g| g.len())
        ),
    }
}

#[test]
fn non_finite_floats_fail_to_save_as_json_but_not_as_binary() {
    let mut game = Game::new();
    game.spawn(Still(Position(f32::NAN, 0.0)));
    let mut bytes = Vec::new();
    // serde_json writes NaN as `null`, which does not load back as a float.
    if game.save(&mut bytes, Format::Json).is_ok() {
        assert!(Game::load(&bytes[..], Format::Json).is_err());
    }
    let loaded = round_trip(&game, Format::Binary);
    assert!(loaded.query::<&Position>().iter().all(|p| p.0.is_nan()));
}

pub mod tree {
    use super::*;

    #[world(serde, archetypes(Node = (Position)), hierarchy, executor = sequential)]
    pub struct Tree;
}

#[test]
fn a_hierarchy_round_trips_and_broken_links_are_refused() {
    let mut w = tree::Tree::new();
    let root = w.spawn((Position(0.0, 0.0),));
    let kid = w.spawn((Position(1.0, 0.0),));
    w.set_parent(kid, root).unwrap();
    let mut bytes = Vec::new();
    w.save(&mut bytes, Format::Json).unwrap();
    let loaded = tree::Tree::load(&bytes[..], Format::Json).unwrap();
    assert_eq!(loaded.children(root), &[kid]);
    assert_eq!(loaded.parent(kid), Some(root));
    // The child's `ChildOf` names itself: the parent's `Children` does not list it back.
    let text = String::from_utf8(bytes).unwrap();
    let edited = text.replacen(
        "[[1,0]],\"columns\":[[0,0]]",
        "[[1,0]],\"columns\":[[1,0]]",
        1,
    );
    assert_ne!(edited, text, "{text}");
    match tree::Tree::load(edited.as_bytes(), Format::Json) {
        Err(LoadError::Inconsistent(what)) => assert!(what.contains("1v0"), "{what}"),
        other => panic!(
            "expected a broken hierarchy, got {:?}",
            other.map(|w| w.len())
        ),
    }
}

/// A writer that takes `room` bytes, then fails.
struct Full {
    room: usize,
}

impl std::io::Write for Full {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.room == 0 {
            return Err(std::io::Error::other("disk full"));
        }
        let n = buf.len().min(self.room);
        self.room -= n;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failing_writer_is_an_io_error_wherever_it_fails() {
    let mut game = populated();
    // Enough rows that the binary form spans several of its 64 KiB output buffers.
    game.spawn_batch((0..20_000).map(|i| Mover(Position(i as f32, 0.0), Velocity(1.0, 2.0))));
    for format in [Format::Json, Format::Binary] {
        let mut whole = Vec::new();
        game.save(&mut whole, format).unwrap();
        for room in [0, 5, 70_000, whole.len() - 3] {
            match game.save(Full { room }, format) {
                Err(SaveError::Io(e)) => assert_eq!(e.to_string(), "disk full"),
                other => panic!("{format:?}, room {room}: {other:?}"),
            }
        }
        assert!(game.save(Full { room: whole.len() }, format).is_ok());
    }
}

#[test]
fn a_binary_save_of_another_version_is_refused_naming_both() {
    let game = populated();
    let mut bytes = Vec::new();
    game.save(&mut bytes, Format::Binary).unwrap();
    assert_eq!(&bytes[..7], b"MTNMSAV");
    // Version 3 wrote each column as one sequence of values (version 4: in chunks),
    // version 4 the entity lists raw (version 5: as runs when shorter), version 5 had
    // another checksum (version 6: vectorised).
    for version in [b'1', b'3', b'4', b'5'] {
        bytes[7] = version;
        match Game::load(&bytes[..], Format::Binary) {
            Err(LoadError::Layout(e)) => assert!(
                e.contains(&format!("version {}", version as char)) && e.contains("version 6"),
                "{e}"
            ),
            other => panic!("{:?}", other.map(|_| ())),
        }
    }
}

#[test]
fn a_fresh_worlds_entity_lists_take_a_few_bytes_and_a_churned_one_still_loads() {
    let mut game = Game::new();
    let n = 10_000;
    game.spawn_batch((0..n).map(|i| Mover(Position(i as f32, 0.5), Velocity(1.0, -0.25))));
    let mut bytes = Vec::new();
    game.save(&mut bytes, Format::Binary).unwrap();
    // The columns' 16 bytes an entity, and a few hundred for the rest: the generations
    // and the row owners are one run each (raw, they would take 12 bytes an entity).
    assert!(bytes.len() < n * 16 + 1_000, "{} bytes", bytes.len());
    let loaded = Game::load(&bytes[..], Format::Binary).unwrap();
    assert_eq!(describe(&loaded), describe(&game));
    // Churned: despawned every third, spawned some again (their slots' generations
    // bumped, the free list in despawn order): the lists that have no long runs are
    // written raw, and the world loads the same.
    let all: Vec<Entity> = game.query::<Entity>().iter().collect();
    for &e in all.iter().step_by(3) {
        game.despawn(e);
    }
    game.tick();
    for i in 0..1_000 {
        game.spawn(Still(Position(-1.0, i as f32)));
    }
    game.tick();
    let mut churned = Vec::new();
    game.save(&mut churned, Format::Binary).unwrap();
    let loaded = Game::load(&churned[..], Format::Binary).unwrap();
    assert_eq!(describe(&loaded), describe(&game));
    // Spawns after the load hand out the same handles as in the original.
    let mut loaded = loaded;
    for _ in 0..5 {
        assert_eq!(
            loaded.spawn(Still(Position(0.0, 0.0))),
            game.spawn(Still(Position(0.0, 0.0)))
        );
    }
}

/// A world whose binary save spans several 64 KiB frames.
fn large() -> Game {
    let mut game = Game::new();
    for i in 0..12_000u32 {
        let e = match i % 3 {
            0 => game.spawn(Mover(Position(i as f32, 0.5), Velocity(1.0, -0.25))),
            1 => game.spawn(Named(Position(0.0, i as f32), Name(format!("name {i}")))),
            _ => game.spawn(Still(Position(-1.0, i as f32))),
        };
        if i % 7 == 0 {
            game.insert(e, Slowed(i as u8)).unwrap();
        }
        if i % 11 == 0 {
            game.despawn(e);
        }
    }
    game.tick();
    game
}

/// A reader that hands out at most `step` bytes per call (cycling through 1..=step),
/// then fails after `fail_after` bytes if given.
struct Trickle<'a> {
    bytes: &'a [u8],
    step: usize,
    calls: usize,
    fail_after: Option<usize>,
    given: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.fail_after.is_some_and(|limit| self.given >= limit) {
            return Err(std::io::Error::other("the disk went away"));
        }
        self.calls += 1;
        if self.calls.is_multiple_of(5) {
            return Err(std::io::ErrorKind::Interrupted.into());
        }
        let mut n = (1 + self.calls % self.step)
            .min(buf.len())
            .min(self.bytes.len());
        if let Some(limit) = self.fail_after {
            n = n.min(limit - self.given);
        }
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        self.given += n;
        Ok(n)
    }
}

#[test]
fn a_binary_save_of_several_frames_loads_from_any_reader_and_every_corruption_is_refused() {
    let game = large();
    let mut bytes = Vec::new();
    game.save(&mut bytes, Format::Binary).unwrap();
    assert!(bytes.len() > 3 * 64 * 1024, "{} bytes", bytes.len());
    let expected = describe(&game);
    // Whole, and in pieces of a few bytes (with interruptions).
    assert_eq!(
        describe(&Game::load(&bytes[..], Format::Binary).unwrap()),
        expected
    );
    let trickle = Trickle {
        bytes: &bytes,
        step: 7000,
        calls: 0,
        fail_after: None,
        given: 0,
    };
    assert_eq!(
        describe(&Game::load(trickle, Format::Binary).unwrap()),
        expected
    );
    // A reader that fails midway is an I/O error, wherever it fails.
    for limit in [0, 5, 8, 70_000, bytes.len() / 2, bytes.len() - 1] {
        let failing = Trickle {
            bytes: &bytes,
            step: 9000,
            calls: 0,
            fail_after: Some(limit),
            given: 0,
        };
        assert!(
            matches!(Game::load(failing, Format::Binary), Err(LoadError::Io(_))),
            "failing after {limit} bytes"
        );
    }
    // Truncated anywhere (around every frame's end too), or followed by more bytes.
    let frame = 64 * 1024 + 8;
    let cuts = (0..bytes.len()).step_by(4999).chain(
        (1..=bytes.len() / frame)
            .flat_map(|k| [8 + k * frame - 1, 8 + k * frame, 8 + k * frame + 1]),
    );
    for len in cuts.filter(|&len| len < bytes.len()) {
        assert!(
            Game::load(&bytes[..len], Format::Binary).is_err(),
            "truncated to {len}"
        );
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(matches!(
        Game::load(&longer[..], Format::Binary),
        Err(LoadError::Corrupt(_))
    ));
    // A changed byte in any frame, data or checksum.
    let at = (8..bytes.len())
        .step_by(2_749)
        .chain([bytes.len() - 1, 8 + frame - 1]);
    each_changed_byte_is_corrupt(&bytes, at, 0x21);
}

#[test]
fn a_binary_save_ending_at_a_frames_end_loads() {
    // A string in a resource sized so that the data fills one 64 KiB frame exactly (the
    // last frame is then empty), or one byte less or more.
    let mut game = populated();
    let mut bytes = Vec::new();
    game.save(&mut bytes, Format::Binary).unwrap();
    // Magic, data, checksum: one frame, the last.
    let data = bytes.len() - 16;
    game.resource_mut::<Score>().1.clear();
    let mut without = Vec::new();
    game.save(&mut without, Format::Binary).unwrap();
    // A string of 16 384 bytes or more takes a 3-byte length.
    let fill = 64 * 1024 - (without.len() - 16) - 3;
    assert!(fill >= 16_384 && data > without.len() - 16);
    for len in [fill - 1, fill, fill + 1] {
        game.resource_mut::<Score>().1 = vec!["x".repeat(len)];
        let mut bytes = Vec::new();
        game.save(&mut bytes, Format::Binary).unwrap();
        let frames = if len == fill + 1 { 2 } else { 1 };
        assert_eq!(
            bytes.len(),
            8 + (without.len() - 16) + 3 + len + 8 * (frames + usize::from(len == fill)),
            "length {len}"
        );
        assert_eq!(
            describe(&Game::load(&bytes[..], Format::Binary).unwrap()),
            describe(&game),
            "length {len}"
        );
    }
}
