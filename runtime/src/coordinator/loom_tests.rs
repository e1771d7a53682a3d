//! Loom models of the coordinator's frame protocol ([`FrameSync::run_frames`] driving
//! the real [`Member`] receive and send over `crate::sync`'s barrier and bounded queues),
//! with scripted worlds standing in for ECS worlds:
//!
//! - `loom_records_sent_in_a_frame_arrive_once_in_order_the_next_frame` (2 worlds) and
//!   `loom_three_worlds_receive_in_source_then_send_order` (3 worlds): every record sent
//!   in frame f is received exactly once, in source-then-send order, in frame f+1;
//! - `loom_a_failing_world_stops_every_world_at_its_frame`: a world panicking in frame f
//!   makes every thread return f completed frames, none receives or steps in f+1 (f = 0), the
//!   panic reaches the caller and nobody deadlocks;
//! - `loom_a_full_queue_delays_its_backlog_and_drops_nothing`: with one-record queues,
//!   the backlog goes out one record a frame, in order, and nothing is lost.
//!
//! ```sh
//! RUSTFLAGS="--cfg loom" cargo test -p metronome-runtime --release --lib loom
//! ```

use super::frame::{FrameSync, Payload};
use super::{Coordinated, Member};
use crate::component::Component;
use crate::entity::Entity;
use crate::error::EcsError;
use crate::record::Record;
use crate::sync::ArrayQueue;
use loom::sync::Arc;
use loom::thread;
use std::any::Any;
use std::collections::VecDeque;

/// A record's identity in the models.
struct Tag(u32);

impl Component for Tag {
    const NAME: &'static str = "Tag";
}

/// The payload a scripted world panics with.
struct WorldFailed;

/// A world that, at each frame, sends what its script says and logs what it receives.
struct Scripted {
    /// `script[frame]`: (destination, tag) pairs sent in that frame's step.
    script: Vec<Vec<(usize, u32)>>,
    /// Panics in the step of this frame.
    fail_in: Option<usize>,
    /// Steps started.
    steps: usize,
    /// (frame, tag) of each record received: the frame is the number of steps done.
    received: Vec<(usize, u32)>,
    outbox: Vec<(usize, Record)>,
}

impl Scripted {
    fn new(script: Vec<Vec<(usize, u32)>>) -> Scripted {
        Scripted {
            script,
            fail_in: None,
            steps: 0,
            received: Vec::new(),
            outbox: Vec::new(),
        }
    }
}

impl Coordinated for Scripted {
    fn step(&mut self) {
        let frame = self.steps;
        self.steps += 1;
        if self.fail_in == Some(frame) {
            std::panic::panic_any(WorldFailed);
        }
        if let Some(sends) = self.script.get(frame) {
            for &(to, tag) in sends {
                self.outbox.push((to, Record::new().with(Tag(tag))));
            }
        }
    }
    fn put(&mut self, record: &mut Record) -> Result<Entity, EcsError> {
        let tag = record.get::<Tag>().expect("every model record has a tag").0;
        self.received.push((self.steps, tag));
        Ok(Entity::from_bits(0))
    }
    fn outbox(&mut self) -> &mut Vec<(usize, Record)> {
        &mut self.outbox
    }
    fn world(&self) -> &dyn Any {
        self
    }
    fn world_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// What a modelled run leaves: each world (in index order) with the frames its thread
/// completed, the queues, and the first panic.
struct Outcome {
    worlds: Vec<(Member, u64)>,
    queues: Arc<Vec<Vec<ArrayQueue<Record>>>>,
    panic: Option<Payload>,
}

impl Outcome {
    fn world(&self, index: usize) -> &Scripted {
        self.worlds[index]
            .0
            .world
            .world()
            .downcast_ref()
            .expect("a scripted world")
    }
    fn in_flight(&self) -> usize {
        self.queues.iter().flatten().map(ArrayQueue::len).sum()
    }
    fn backlog(&self) -> usize {
        self.worlds
            .iter()
            .map(|(m, _)| m.backlog.iter().map(VecDeque::len).sum::<usize>())
            .sum()
    }
}

/// Runs `frames` frames of `worlds`, one loom thread each, as `Coordinator::run` does.
fn run(worlds: Vec<Scripted>, capacity: usize, frames: u64) -> Outcome {
    let n = worlds.len();
    let queues: Arc<Vec<Vec<ArrayQueue<Record>>>> = Arc::new(
        (0..n)
            .map(|_| (0..n).map(|_| ArrayQueue::new(capacity)).collect())
            .collect(),
    );
    let sync = Arc::new(FrameSync::new(n));
    let threads: Vec<_> = worlds
        .into_iter()
        .enumerate()
        .map(|(index, world)| {
            let (queues, sync) = (queues.clone(), sync.clone());
            thread::spawn(move || {
                let mut member = Member {
                    world: Box::new(world),
                    backlog: (0..n).map(|_| VecDeque::new()).collect(),
                    rejected: Vec::new(),
                };
                let completed = member.run_frames(index, &queues, &sync, frames);
                (member, completed)
            })
        })
        .collect();
    let worlds: Vec<_> = threads
        .into_iter()
        .map(|t| t.join().expect("a world's thread catches its panics"))
        .collect();
    let sync = Arc::try_unwrap(sync).unwrap_or_else(|_| panic!("every thread has ended"));
    Outcome {
        worlds,
        queues,
        panic: sync.into_panic(),
    }
}

/// Keeps the scripted worlds' panics out of the test output (loom runs them thousands
/// of times); every other panic goes to the previous hook.
/// A model bounded to `PREEMPTIONS` preemptions per execution: enough for every order in
/// which two threads reach a barrier, a queue or the flag, and small enough to finish in
/// seconds (each frame adds two barrier rounds to every execution).
fn model(check: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(PREEMPTIONS);
    builder.check(check);
}

/// See [`model`].
const PREEMPTIONS: usize = 2;

fn quiet_world_failures() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.payload().is::<WorldFailed>() {
                previous(info);
            }
        }));
    });
}

#[test]
fn loom_records_sent_in_a_frame_arrive_once_in_order_the_next_frame() {
    model(|| {
        // Frame 0: world 0 sends 1, 2 to world 1 and 3 to itself; world 1 sends 4 to
        // world 0 and 5 to itself. Frame 1: world 0 sends 6 to world 1 (left in flight).
        let zero = Scripted::new(vec![vec![(1, 1), (0, 3), (1, 2)], vec![(1, 6)]]);
        let one = Scripted::new(vec![vec![(0, 4), (1, 5)]]);
        let out = run(vec![zero, one], 8, 2);
        assert_eq!(out.world(0).received, [(1, 3), (1, 4)]);
        assert_eq!(out.world(1).received, [(1, 1), (1, 2), (1, 5)]);
        assert!(out.worlds.iter().all(|&(_, completed)| completed == 2));
        assert_eq!(out.in_flight(), 1);
        assert!(out.panic.is_none());
    });
}

#[test]
fn loom_three_worlds_receive_in_source_then_send_order() {
    model(|| {
        // Frame 0: worlds 2 and 1 send to world 0, world 0 to world 2.
        let zero = Scripted::new(vec![vec![(2, 1)]]);
        let one = Scripted::new(vec![vec![(0, 2), (0, 3)]]);
        let two = Scripted::new(vec![vec![(0, 4)]]);
        let out = run(vec![zero, one, two], 4, 2);
        assert_eq!(out.world(0).received, [(1, 2), (1, 3), (1, 4)]);
        assert!(out.world(1).received.is_empty());
        assert_eq!(out.world(2).received, [(1, 1)]);
        assert!(out.worlds.iter().all(|&(_, completed)| completed == 2));
        assert_eq!(out.in_flight(), 0);
    });
}

#[test]
fn loom_a_failing_world_stops_every_world_at_its_frame() {
    quiet_world_failures();
    model(|| {
        // World 1 panics in frame 0 of 2. World 0 sends in frames 0 and 1.
        let zero = Scripted::new(vec![vec![(1, 1)], vec![(1, 2)]]);
        let mut one = Scripted::new(vec![vec![(0, 4)]]);
        one.fail_in = Some(0);
        let out = run(vec![zero, one], 4, 2);
        // No thread completed a frame.
        assert!(out.worlds.iter().all(|&(_, completed)| completed == 0));
        // World 0 may have stepped in frame 0 (or seen the flag first), never in 1.
        assert!(matches!(out.world(0).steps, 0 | 1));
        assert_eq!(out.world(1).steps, 1);
        // Nobody received in frame 1.
        assert!(out.world(0).received.is_empty());
        assert!(out.world(1).received.is_empty());
        assert!(out
            .panic
            .as_ref()
            .is_some_and(|payload| payload.is::<WorldFailed>()));
    });
}

#[test]
fn loom_a_full_queue_delays_its_backlog_and_drops_nothing() {
    model(|| {
        // Queues of one record: world 0 sends 1, 2 to world 1 in frame 0; world 1 sends
        // 5 to world 0 in frame 0.
        let zero = Scripted::new(vec![vec![(1, 1), (1, 2)]]);
        let one = Scripted::new(vec![vec![(0, 5)]]);
        let out = run(vec![zero, one], 1, 3);
        assert_eq!(out.world(1).received, [(1, 1), (2, 2)]);
        assert_eq!(out.world(0).received, [(1, 5)]);
        assert_eq!(out.backlog(), 0);
        assert_eq!(out.in_flight(), 0);
    });
}
