//! Events: what each reader system sees, when, and in which order, on
//! the sequential executor and on `work_stealing(workers = 2)`; the two must agree.

use metronome::prelude::*;

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Hp(pub i32);

/// An event: who sent it, and a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ping {
    pub from: &'static str,
    pub n: u32,
}

/// A second event type, sent from outside the systems only.
#[derive(Clone, Debug, PartialEq)]
pub struct Note(pub String);

#[derive(Default)]
pub struct Frame(pub u32);

/// What a reader saw: (frame, sender, number).
pub type Log = Vec<(u32, &'static str, u32)>;

#[derive(Default)]
pub struct SameStage(pub Log);
#[derive(Default)]
pub struct NextStage(pub Log);
#[derive(Default)]
pub struct EveryThird(pub Log);
#[derive(Default)]
pub struct Lens(pub Vec<(usize, bool)>);

/// Sends this many events per writer per tick, so that writers running at once on the
/// pool would interleave if the order depended on the executor.
const BURST: u32 = 500;

#[system]
pub fn write_a(mut out: EventWriter<Ping>) {
    for n in 0..BURST {
        out.send(Ping { from: "a", n });
    }
}

#[system]
pub fn write_b(mut out: EventWriter<Ping>, mut again: EventWriter<Ping>) {
    out.send_batch((0..BURST).map(|n| Ping { from: "b", n }));
    // A second writer of the same type in one system: call order holds across both.
    again.send(Ping {
        from: "b",
        n: BURST,
    });
}

fn record(inbox: &mut EventReader<Ping>, frame: u32, log: &mut Log) {
    log.extend(inbox.read().map(|p| (frame, p.from, p.n)));
}

#[system]
pub fn read_same_stage(mut inbox: EventReader<Ping>, f: Res<Frame>, mut log: ResMut<SameStage>) {
    record(&mut inbox, f.0, &mut log.0);
}

#[system]
pub fn read_next_stage(
    mut inbox: EventReader<Ping>,
    f: Res<Frame>,
    mut log: ResMut<NextStage>,
    mut lens: ResMut<Lens>,
) {
    let before = (inbox.len(), inbox.is_empty());
    record(&mut inbox, f.0, &mut log.0);
    lens.0.push(before);
    assert_eq!(
        (inbox.len(), inbox.is_empty()),
        (0, true),
        "read marks them read"
    );
}

#[system]
pub fn third_frame(f: Res<Frame>) -> bool {
    f.0.is_multiple_of(3)
}

#[system]
pub fn read_every_third(mut inbox: EventReader<Ping>, f: Res<Frame>, mut log: ResMut<EveryThird>) {
    record(&mut inbox, f.0, &mut log.0);
}

#[system]
pub fn clock(mut f: ResMut<Frame>) {
    f.0 += 1;
}

macro_rules! event_world {
    ($name:ident, [$($executor:tt)*]) => {
        pub mod $name {
        use super::*;
        #[world(
            archetypes(Unit = (Hp)),
            resources(Frame, SameStage, NextStage, EveryThird, Lens),
            events(Ping, Note),
            phases(Update, Late),
            systems(
                Update = [
                    write_a,
                    read_same_stage,
                    write_b,
                    read_next_stage.after(write_b),
                    read_every_third.after(read_next_stage).run_if(third_frame),
                ],
                Late = [clock],
            ),
            executor = $($executor)*,
        )]
        pub struct Game;
        }
    };
}

event_world!(sequential, [sequential]);
event_world!(stealing, [work_stealing(workers = 2)]);
use sequential::Game as Sequential;
use stealing::Game as Stealing;

/// The events of one tick, in send order.
fn burst(frame: u32) -> Log {
    let a = (0..BURST).map(|n| (frame, "a", n));
    let b = (0..=BURST).map(|n| (frame, "b", n));
    a.chain(b).collect()
}

/// Relabels the events of tick `sent` as seen at frame `seen`.
fn seen_at(sent: u32, seen: u32) -> Log {
    burst(sent)
        .into_iter()
        .map(|(_, f, n)| (seen, f, n))
        .collect()
}

macro_rules! run_and_collect {
    ($world:ident, $ticks:expr) => {{
        let mut game = $world::new();
        for _ in 0..$ticks {
            game.tick();
        }
        let same = std::mem::take(&mut game.resource_mut::<SameStage>().0);
        let next = std::mem::take(&mut game.resource_mut::<NextStage>().0);
        let third = std::mem::take(&mut game.resource_mut::<EveryThird>().0);
        let lens = std::mem::take(&mut game.resource_mut::<Lens>().0);
        (same, next, third, lens)
    }};
}

#[test]
fn a_reader_in_a_later_stage_sees_the_events_of_this_tick_once_in_send_order() {
    let (_, next, _, lens) = run_and_collect!(Sequential, 3);
    let expected: Log = (0..3).flat_map(burst).collect();
    assert_eq!(next, expected);
    let n = (2 * BURST + 1) as usize;
    assert_eq!(lens, vec![(n, false); 3]);
}

#[test]
fn a_reader_in_the_same_stage_sees_them_in_the_next_tick() {
    let (same, _, _, _) = run_and_collect!(Sequential, 3);
    // Tick 0 sees nothing; tick 1 sees tick 0's events, tick 2 tick 1's.
    let expected: Log = seen_at(0, 1).into_iter().chain(seen_at(1, 2)).collect();
    assert_eq!(same, expected);
}

#[test]
fn events_live_through_the_end_of_the_next_tick() {
    // `read_every_third` runs at frames 0, 3, 6: at 3 it sees the events of frames 2 and 3
    // (those of frame 1 were dropped at the start of frame 3), at 6 those of 5 and 6.
    let (_, _, third, _) = run_and_collect!(Sequential, 7);
    let expected: Log = [(0, 0), (2, 3), (3, 3), (5, 6), (6, 6)]
        .into_iter()
        .flat_map(|(sent, seen)| seen_at(sent, seen))
        .collect();
    assert_eq!(third, expected);
}

#[test]
fn work_stealing_gives_the_sequential_results() {
    for _ in 0..5 {
        let sequential = run_and_collect!(Sequential, 7);
        let stealing = run_and_collect!(Stealing, 7);
        assert_eq!(sequential, stealing);
    }
}

#[test]
fn events_sent_outside_systems_are_read_by_the_next_stage_that_runs() {
    let mut game = Sequential::new();
    game.send_event(Ping {
        from: "outside",
        n: 7,
    });
    game.send_event(Note("hello".into()));
    assert_eq!(
        game.events::<Ping>().copied().collect::<Vec<_>>(),
        [Ping {
            from: "outside",
            n: 7
        }]
    );
    assert_eq!(game.events::<Note>().count(), 1);
    game.tick();
    // Seen by both readers in the first tick.
    assert_eq!(game.resource::<SameStage>().0, vec![(0, "outside", 7)]);
    assert_eq!(game.resource::<NextStage>().0[0], (0, "outside", 7));
    // Still held (sent before tick 0, so it lives through tick 0), with tick 0's events.
    assert_eq!(game.events::<Ping>().count(), 1 + (2 * BURST + 1) as usize);
    game.tick();
    // Dropped at the start of tick 1.
    assert_eq!(game.events::<Note>().count(), 0);
    assert!(game.events::<Ping>().all(|p| p.from != "outside"));
}

#[test]
fn events_sent_outside_systems_match_on_both_executors() {
    let mut a = Sequential::new();
    let mut b = Stealing::new();
    for i in 0..4 {
        a.send_event(Ping {
            from: "outside",
            n: i,
        });
        b.send_event(Ping {
            from: "outside",
            n: i,
        });
        a.tick();
        b.tick();
    }
    assert_eq!(a.resource::<NextStage>().0, b.resource::<NextStage>().0);
    assert_eq!(a.resource::<SameStage>().0, b.resource::<SameStage>().0);
}

#[test]
fn writers_and_readers_conflict_with_nothing() {
    // `write_a`, `read_same_stage` and `write_b` share a stage.
    let update = Sequential::SCHEDULE.phase("Update").unwrap();
    assert_eq!(
        update.stages,
        &[
            &["write_a", "read_same_stage", "write_b"][..],
            &["read_next_stage"],
            &["read_every_third"],
        ]
    );
}

/// Sends, then panics when `Explode` says so.
#[derive(Default)]
pub struct Explode(pub bool);

#[system]
pub fn send_then_explode(mut out: EventWriter<Ping>, explode: Res<Explode>) {
    out.send(Ping {
        from: "doomed",
        n: 0,
    });
    if explode.0 {
        panic!("exploded on purpose");
    }
}

#[system]
pub fn send_beside(mut out: EventWriter<Ping>) {
    out.send(Ping {
        from: "beside",
        n: 0,
    });
}

#[system]
pub fn collect(mut inbox: EventReader<Ping>, mut log: ResMut<NextStage>) {
    record(&mut inbox, 0, &mut log.0);
}

macro_rules! panic_world {
    ($name:ident, [$($executor:tt)*]) => {
        pub mod $name {
            use super::*;
            #[world(
                archetypes(Unit = (Hp)),
                resources(Explode, NextStage),
                events(Ping),
                phases(Update),
                systems(Update = [send_then_explode, send_beside, collect.after(send_then_explode, send_beside)]),
                executor = $($executor)*,
            )]
            pub struct Game;
        }
    };
}

panic_world!(panic_sequential, [sequential]);
panic_world!(panic_stealing, [work_stealing(workers = 2)]);

macro_rules! events_of_a_panicked_stage {
    ($world:ty) => {{
        let mut game = <$world>::new();
        game.resource_mut::<Explode>().0 = true;
        let unwound =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| game.tick())).is_err();
        assert!(unwound);
        // Neither the panicking system's events nor its stage neighbour's were merged.
        assert_eq!(game.events::<Ping>().count(), 0);
        game.resource_mut::<Explode>().0 = false;
        game.tick();
        game.tick();
        std::mem::take(&mut game.resource_mut::<NextStage>().0)
    }};
}

#[test]
fn the_events_of_a_stage_that_panicked_are_discarded() {
    let expected: Log = (0..2)
        .flat_map(|_| [(0, "doomed", 0), (0, "beside", 0)])
        .collect();
    assert_eq!(
        events_of_a_panicked_stage!(panic_sequential::Game),
        expected
    );
    assert_eq!(events_of_a_panicked_stage!(panic_stealing::Game), expected);
}
