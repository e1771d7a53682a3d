//! Change detection (`track(...)`): `Added<T>`, `Changed<T>`, `Tracked<T>`/`Mut<T>`, on
//! the sequential executor and on two workers, with run conditions, across stages and
//! ticks, and across a wrap of the change tick.

use metronome::prelude::*;

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Pos(pub i32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Hp(pub i32);
/// Never tracked: stays a plain `&mut`.
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Tag(pub i32);

/// What the systems saw, frame by frame.
#[derive(Default)]
pub struct Log(pub Vec<String>);
#[derive(Default)]
pub struct Frame(pub u32);

fn names(mut hp: Vec<i32>) -> String {
    hp.sort_unstable();
    format!("{hp:?}")
}

/// Heals the units below 10 by one; reads the others without writing them.
#[system]
pub fn regen(mut units: Query<Tracked<Hp>>) {
    for mut hp in units.iter_mut() {
        if hp.0 < 10 {
            hp.0 += 1;
        }
    }
}

#[system]
pub fn count(mut frame: ResMut<Frame>) {
    frame.0 += 1;
}

/// Moves every unit by writing `&mut Pos`: every visited row counts as changed.
#[system]
pub fn drift(mut q: Query<(&mut Pos, &mut Tag), With<Hp>>) {
    for (p, t) in q.iter_mut() {
        p.0 += 0;
        t.0 += 1;
    }
}

#[system]
pub fn log_changed(q: Query<&Hp, Changed<Hp>>, frame: Res<Frame>, mut log: ResMut<Log>) {
    let seen = names(q.iter().map(|h| h.0).collect());
    log.0.push(format!("{} changed {seen}", frame.0));
}

#[system]
pub fn log_added(q: Query<&Hp, Added<Hp>>, frame: Res<Frame>, mut log: ResMut<Log>) {
    let seen = names(q.iter().map(|h| h.0).collect());
    log.0.push(format!("{} added {seen}", frame.0));
}

/// Runs every third frame only: sees what changed since its last real run.
#[system]
pub fn log_slow(q: Query<&Hp, Changed<Hp>>, frame: Res<Frame>, mut log: ResMut<Log>) {
    let seen = names(q.iter().map(|h| h.0).collect());
    log.0.push(format!("{} slow {seen}", frame.0));
}

#[system]
pub fn every_third(frame: Res<Frame>) -> bool {
    frame.0.is_multiple_of(3)
}

#[system]
pub fn log_moved(q: Query<&Pos, Changed<Pos>>, frame: Res<Frame>, mut log: ResMut<Log>) {
    log.0
        .push(format!("{} moved {}", frame.0, q.iter().count()));
}

#[world(
    archetypes(Unit = (Pos, Hp, Tag), Prop = (Pos, Tag)),
    track(Hp, Pos),
    resources(Log, Frame),
    phases(Update, Late),
    systems(
        Update = [count, regen, drift],
        Late = [log_changed, log_added.after(log_changed), log_slow.after(log_added).run_if(every_third), log_moved.after(log_slow)],
    ),
    executor = sequential,
)]
pub struct Game;

mod par {
    use super::*;
    #[world(
        archetypes(Unit = (Pos, Hp, Tag), Prop = (Pos, Tag)),
        track(Hp, Pos),
        resources(Log, Frame),
        phases(Update, Late),
        systems(
            Update = [count, regen, drift],
            Late = [log_changed, log_added.after(log_changed), log_slow.after(log_added).run_if(every_third), log_moved.after(log_slow)],
        ),
        executor = work_stealing(workers = 2),
    )]
    pub struct Game;
}

/// One scenario, written once for both worlds.
macro_rules! scenario {
    ($game:expr) => {{
        let mut game = $game;
        let a = game.spawn((Pos(0), Hp(5), Tag(0)));
        let _b = game.spawn((Pos(0), Hp(10), Tag(0)));
        let c = game.spawn((Pos(0), Hp(20), Tag(0)));
        let prop = game.spawn((Pos(0), Tag(0)));
        game.tick(); // 1: everything is new
        game.tick(); // 2: regen heals `a` only
        game.get_mut::<Hp>(c).unwrap().0 = 30; // a change outside systems
        game.tick(); // 3
        game.insert(prop, Hp(40)).unwrap(); // the prop gains `Hp`: added
        game.tick(); // 4
        game.insert(a, Hp(50)).unwrap(); // an overwrite: changed, not added
        let _d = game.spawn((Pos(0), Hp(60), Tag(0)));
        game.tick(); // 5
        game.tick(); // 6: `log_slow` runs again: sees frames 4, 5 and 6
        let _ = a;
        std::mem::take(&mut game.resource_mut::<Log>().0)
    }};
}

fn expected() -> Vec<&'static str> {
    vec![
        "1 changed [6, 10, 20]",
        "1 added [6, 10, 20]",
        "1 moved 4", // the prop's `Pos` is new too
        "2 changed [7]",
        "2 added []",
        "2 moved 3",
        "3 changed [8, 30]",
        "3 added []",
        "3 slow [8, 10, 30]", // its first run: everything is new
        "3 moved 3",
        "4 changed [9, 40]",
        "4 added [40]",
        "4 moved 4",
        "5 changed [50, 60]",
        "5 added [60]",
        "5 moved 5",
        "6 changed []",
        "6 added []",
        "6 slow [40, 50, 60]", // frames 4 to 6: `a` (now 50), the prop, `d`
        "6 moved 5",
    ]
}

#[test]
fn added_changed_and_mut_on_the_sequential_executor() {
    assert_eq!(scenario!(Game::new()), expected());
}

#[test]
fn two_workers_see_the_same_changes() {
    assert_eq!(scenario!(par::Game::new()), expected());
}

#[test]
fn a_change_tick_that_wraps_changes_nothing() {
    for start in [u32::MAX - 3, u32::MAX - 10, u32::MAX, 0] {
        let mut game = Game::new();
        game.__set_change_tick(start);
        assert_eq!(scenario!(game), expected(), "start {start}");
    }
}

#[test]
fn reading_through_mut_is_no_change() {
    let mut game = Game::new();
    let e = game.spawn((Pos(0), Hp(100), Tag(0)));
    game.tick();
    game.tick();
    let log = std::mem::take(&mut game.resource_mut::<Log>().0);
    assert_eq!(log[3], "2 changed []", "{log:?}");
    assert_eq!(game.get::<Hp>(e), Some(&Hp(100)));
}

#[test]
fn outside_queries_see_changes_since_the_last_tick_began() {
    let mut game = Game::new();
    let e = game.spawn((Pos(0), Hp(1), Tag(0)));
    assert_eq!(game.query_filtered::<&Hp, Added<Hp>>().iter().count(), 1);
    game.tick();
    game.tick();
    assert_eq!(
        game.query_filtered::<&Hp, Changed<Hp>>().iter().count(),
        1,
        "regen changed it"
    );
    assert_eq!(game.query_filtered::<&Hp, Added<Hp>>().iter().count(), 0);
    game.get_mut::<Hp>(e).unwrap();
    assert_eq!(
        game.query_filtered::<Entity, Changed<Hp>>().iter().next(),
        Some(e)
    );
}

#[test]
fn ticks_older_than_the_maximum_age_are_clamped() {
    let mut game = Game::new();
    game.spawn((Pos(0), Hp(100), Tag(0)));
    game.tick();
    // A long time without any change to `Hp`: one and a half times the tick range
    // passes, in steps of an eighth (the world checks ticks every eighth).
    let mut now = 4u32;
    for _ in 0..12 {
        now = now.wrapping_add(u32::MAX / 8);
        game.__set_change_tick(now);
        game.tick();
    }
    let log = std::mem::take(&mut game.resource_mut::<Log>().0);
    let changed: Vec<&String> = log.iter().filter(|l| l.contains(" changed ")).collect();
    assert_eq!(changed.len(), 13, "{log:?}");
    assert!(
        changed[1..].iter().all(|l| l.ends_with("changed []")),
        "{log:?}"
    );
}

/// Entities that lost `Hp`, every frame.
#[system]
pub fn log_gone(removed: RemovedComponents<Hp>, frame: Res<Frame>, mut log: ResMut<Log>) {
    let gone: Vec<String> = removed.read().map(|e| format!("{e:?}")).collect();
    log.0.push(format!("{} gone {}", frame.0, gone.join(" ")));
}

/// The same, every third frame only.
#[system]
pub fn log_gone_slowly(removed: RemovedComponents<Hp>, frame: Res<Frame>, mut log: ResMut<Log>) {
    let gone: Vec<String> = removed.read().map(|e| format!("{e:?}")).collect();
    log.0
        .push(format!("{} slowly gone {}", frame.0, gone.join(" ")));
}

/// Despawns the units whose `Hp` is 0 (a removal through commands).
#[system]
pub fn reap(q: Query<(Entity, &Hp)>, mut commands: Commands) {
    for (e, hp) in q.iter() {
        if hp.0 == 0 {
            commands.despawn(e);
        }
    }
}

mod removals {
    use super::*;
    #[world(
        archetypes(Unit = (Pos, Hp, Tag), Prop = (Pos, Tag)),
        track(Hp),
        resources(Log, Frame),
        phases(Update, Late),
        systems(
            Update = [count, reap],
            Late = [log_gone, log_gone_slowly.after(log_gone).run_if(every_third)],
        ),
        executor = sequential,
    )]
    pub struct Game;

    pub mod par {
        use super::*;
        #[world(
            archetypes(Unit = (Pos, Hp, Tag), Prop = (Pos, Tag)),
            track(Hp),
            resources(Log, Frame),
            phases(Update, Late),
            systems(
                Update = [count, reap],
                Late = [log_gone, log_gone_slowly.after(log_gone).run_if(every_third)],
            ),
            executor = work_stealing(workers = 2),
        )]
        pub struct Game;
    }
}

macro_rules! removal_scenario {
    ($game:expr) => {{
        let mut game = $game;
        let a = game.spawn((Pos(0), Hp(1), Tag(0)));
        let b = game.spawn((Pos(0), Hp(1), Tag(0)));
        let c = game.spawn((Pos(0), Hp(1), Tag(0)));
        game.tick(); // 1: nothing removed yet
        game.remove::<Hp>(a).unwrap(); // a removal outside systems
        game.tick(); // 2
        game.get_mut::<Hp>(b).unwrap().0 = 0; // `reap` despawns it in frame 3
        game.tick(); // 3: the slow reader's first run
        game.despawn(c);
        game.tick(); // 4
        game.tick(); // 5
        game.tick(); // 6: the slow reader sees `c` (frame 4), not `b` (seen in frame 3)
        let log = std::mem::take(&mut game.resource_mut::<Log>().0);
        (log, [a, b, c].map(|e| format!("{e:?}")))
    }};
}

fn removal_expected([a, b, c]: [String; 3]) -> Vec<String> {
    vec![
        "1 gone ".to_string(),
        format!("2 gone {a}"),
        format!("3 gone {b}"),
        "3 slowly gone ".to_string(),
        format!("4 gone {c}"),
        "5 gone ".to_string(),
        "6 gone ".to_string(),
        format!("6 slowly gone {c}"),
    ]
}

#[test]
fn removed_components_on_the_sequential_executor() {
    let (log, names) = removal_scenario!(removals::Game::new());
    assert_eq!(log, removal_expected(names));
}

#[test]
fn removed_components_on_two_workers() {
    let (log, names) = removal_scenario!(removals::par::Game::new());
    assert_eq!(log, removal_expected(names));
}

#[test]
fn removed_components_across_a_wrap() {
    let mut game = removals::Game::new();
    game.__set_change_tick(u32::MAX - 2);
    let (log, names) = removal_scenario!(game);
    assert_eq!(log, removal_expected(names));
}

#[test]
fn get_mut_through_a_mut_query_marks_one_row() {
    let mut game = Game::new();
    let a = game.spawn((Pos(0), Hp(100), Tag(0)));
    let b = game.spawn((Pos(0), Hp(100), Tag(0)));
    game.tick();
    game.tick();
    game.query_mut::<&mut Hp>().get_mut(b).unwrap().0 = 70;
    let changed: Vec<Entity> = game
        .query_filtered::<Entity, Changed<Hp>>()
        .iter()
        .collect();
    assert_eq!(changed, [b], "{a:?} was not written");
    game.tick();
    game.query_mut::<Option<&mut Hp>>()
        .get_mut(a)
        .unwrap()
        .unwrap()
        .0 = 80;
    let changed: Vec<Entity> = game
        .query_filtered::<Entity, Changed<Hp>>()
        .iter()
        .collect();
    assert_eq!(changed, [a]);
    // A whole `&mut` walk marks every row it visits.
    game.tick();
    for _ in game.query_mut::<Option<&mut Hp>>().iter_mut() {}
    assert_eq!(
        game.query_filtered::<Entity, Changed<Hp>>().iter().count(),
        2
    );
}

#[test]
fn changes_are_found_across_many_chunks_and_after_swap_removes() {
    let mut game = Game::new();
    let units: Vec<Entity> = (0..1000)
        .map(|i| game.spawn((Pos(i), Hp(100), Tag(0))))
        .collect();
    game.tick();
    game.tick();
    let mut expected: Vec<Entity> = units.iter().copied().step_by(97).collect();
    for &e in &expected {
        game.get_mut::<Hp>(e).unwrap();
    }
    let seen = |game: &Game| {
        let mut seen: Vec<Entity> = game
            .query_filtered::<Entity, Changed<Hp>>()
            .iter()
            .collect();
        seen.sort_by_key(|e| game.get::<Pos>(*e).unwrap().0);
        seen
    };
    assert_eq!(seen(&game), expected);
    assert_eq!(
        game.query_filtered::<Entity, Changed<Hp>>().len(),
        expected.len()
    );
    // Despawning moves the last row (unchanged) into the hole, and moves changed rows
    // from the end into old chunks.
    game.despawn(units[0]);
    game.despawn(units[500]);
    expected.retain(|&e| e != units[0]);
    assert_eq!(seen(&game), expected);
    let last_changed = *expected.last().unwrap();
    for &e in units.iter().rev().take_while(|&&e| e != last_changed) {
        game.despawn(e);
    }
    assert_eq!(seen(&game), expected);
}

/// A world without systems: only the test's own writes change anything.
mod still {
    use super::*;

    #[world(
        archetypes(Unit = (Pos, Hp, Tag), Prop = (Pos, Tag)),
        track(Pos),
        executor = sequential,
    )]
    pub struct Still;
}

#[test]
fn a_mut_query_marks_its_rows_but_not_rows_moved_in_afterwards() {
    let mut game = still::Still::new();
    let units: Vec<Entity> = (0..100)
        .map(|i| game.spawn((Pos(i), Hp(100), Tag(0))))
        .collect();
    let prop = game.spawn((Pos(1000), Tag(0)));
    game.tick();
    game.tick();
    let changed_pos = |game: &still::Still| {
        let mut seen: Vec<i32> = game
            .query_filtered::<&Pos, Changed<Pos>>()
            .iter()
            .map(|p| p.0)
            .collect();
        seen.sort_unstable();
        seen
    };
    assert_eq!(changed_pos(&game), Vec::<i32>::new());
    // Visits every unit (not the prop) through `&mut Pos`, writing none: all count.
    for (p, _) in game.query_mut::<(&mut Pos, &Hp)>().iter_mut() {
        let _ = p;
    }
    assert_eq!(changed_pos(&game), (0..100).collect::<Vec<_>>());
    // The prop becomes a unit: its `Pos` moves into the visited table unchanged.
    game.insert(prop, Hp(1)).unwrap();
    assert_eq!(changed_pos(&game), (0..100).collect::<Vec<_>>());
    assert_eq!(game.get::<Pos>(prop), Some(&Pos(1000)));
    // A unit despawned from the middle: the others still count.
    game.despawn(units[3]);
    let mut expected: Vec<i32> = (0..100).filter(|&i| i != 3).collect();
    assert_eq!(changed_pos(&game), expected);
    // Next frame, nothing changed since.
    game.tick();
    expected.clear();
    assert_eq!(changed_pos(&game), expected);
}
