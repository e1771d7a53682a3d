//! [`Coordinator`]: several worlds run frame by frame, each on its own thread (and its
//! own executor), handing records to each other through bounded queues.
//!
//! # Frames and delivery
//!
//! [`Coordinator::run`] runs frames in lockstep. Each frame, every world, on its own
//! thread:
//! 1. receives the records sent to it at the end of the previous frame: from world 0's
//!    queue, then world 1's, and so on, each in send order, through the world's `put`;
//! 2. (all worlds wait for each other) runs its step (`tick` unless
//!    [`Coordinator::add_with`] says otherwise);
//! 3. moves its outbox (what its [`Outbox`] parameters sent, in apply order) into the
//!    queues of the destination worlds; then all worlds wait for each other again.
//!
//! The order in which a world receives records (source world index, then send order)
//! and the frame they arrive in depend on nothing but what the worlds did: a run is
//! deterministic whatever the threads' timing.
//!
//! # Backpressure
//!
//! Each (source, destination) pair has a bounded queue (a crossbeam `ArrayQueue`,
//! [`Coordinator::with_queue_capacity`]). Records that do not fit stay in the source's
//! backlog, in order, and go first at the next frame boundary: a full queue delays
//! delivery, it never drops a record. [`Coordinator::backlog`] tells how many wait.
//! A record the destination cannot spawn (no archetype for its set, a component it does
//! not know) or sent to a world index that does not exist is kept, with the reason, for
//! [`Coordinator::take_rejected`].
//!
//! # Synchronisation
//!
//! The threads share a barrier, a failure flag and the first panic (`frame.rs`); a world
//! that panics sets the flag before the frame's second barrier and every thread reads it
//! after that barrier, so all stop at the same frame. The barrier, flag and queues come
//! from `crate::sync`, and the protocol is model checked with loom in `loom_tests.rs`:
//! delivery in the next frame, exactly once and in order (`loom_records_sent_in_a_frame_arrive_once_in_order_the_next_frame`,
//! `loom_three_worlds_receive_in_source_then_send_order`), a failure stopping every world
//! at its frame without deadlock (`loom_a_failing_world_stops_every_world_at_its_frame`),
//! and a full queue's backlog delivered later, nothing dropped
//! (`loom_a_full_queue_delays_its_backlog_and_drops_nothing`).

mod frame;
#[cfg(all(test, loom))]
mod loom_tests;
mod outbox;

pub use outbox::Outbox;

use crate::entity::Entity;
use crate::error::EcsError;
use crate::record::Record;
use crate::sync::ArrayQueue;
use crate::world::{records, WorldDef};
use crate::world_trait::World;
use frame::FrameSync;
use std::any::Any;
use std::collections::VecDeque;
use std::panic::resume_unwind;

/// The default capacity of each (source, destination) queue.
pub const DEFAULT_QUEUE_CAPACITY: usize = 4096;

/// A record a world could not receive, kept for [`Coordinator::take_rejected`].
#[derive(Debug)]
pub struct Rejected {
    /// The index of the world that sent it.
    pub from: usize,
    /// Why it was rejected.
    pub error: EcsError,
    /// The record, unchanged.
    pub record: Record,
}

/// Runs several worlds frame by frame, each on its own thread, and carries the records
/// their [`Outbox`] parameters send between them (see the [module](self) for the frame
/// protocol, delivery order and backpressure).
///
/// ```
/// use metronome_runtime::{Coordinator, Record};
/// # use metronome_runtime::World;
/// fn ring<A: World, B: World>(a: A, b: B) -> Coordinator {
///     let mut coordinator = Coordinator::new();
///     assert_eq!(coordinator.add(a), 0);
///     assert_eq!(coordinator.add(b), 1);
///     coordinator.run(10); // ten frames of both worlds
///     coordinator
/// }
/// ```
pub struct Coordinator {
    members: Vec<Member>,
    /// `queues[destination][source]`.
    queues: Vec<Vec<ArrayQueue<Record>>>,
    capacity: usize,
    frame: u64,
}

/// One world of a coordinator and what only its thread touches.
struct Member {
    world: Box<dyn Coordinated>,
    /// Per destination, the records that did not fit its queue yet, oldest first.
    backlog: Vec<VecDeque<Record>>,
    rejected: Vec<Rejected>,
}

/// What the coordinator needs of a world, whatever its type.
trait Coordinated: Send {
    fn step(&mut self);
    fn put(&mut self, record: &mut Record) -> Result<Entity, EcsError>;
    fn outbox(&mut self) -> &mut Vec<(usize, Record)>;
    fn world(&self) -> &dyn Any;
    fn world_mut(&mut self) -> &mut dyn Any;
}

struct Slot<W, F> {
    world: W,
    step: F,
}

impl<W: WorldDef, F: FnMut(&mut W) + Send + 'static> Coordinated for Slot<W, F> {
    fn step(&mut self) {
        (self.step)(&mut self.world)
    }
    fn put(&mut self, record: &mut Record) -> Result<Entity, EcsError> {
        records::put(&mut self.world, record)
    }
    fn outbox(&mut self) -> &mut Vec<(usize, Record)> {
        records::outbox_mut(&mut self.world)
    }
    fn world(&self) -> &dyn Any {
        &self.world
    }
    fn world_mut(&mut self) -> &mut dyn Any {
        &mut self.world
    }
}

impl Default for Coordinator {
    fn default() -> Self {
        Coordinator::new()
    }
}

impl Coordinator {
    /// A coordinator without worlds, with queues of [`DEFAULT_QUEUE_CAPACITY`] records.
    pub fn new() -> Coordinator {
        Coordinator::with_queue_capacity(DEFAULT_QUEUE_CAPACITY)
    }

    /// A coordinator whose (source, destination) queues hold `capacity` records.
    ///
    /// # Panics
    /// If `capacity` is zero.
    pub fn with_queue_capacity(capacity: usize) -> Coordinator {
        assert!(
            capacity > 0,
            "a coordinator's queues hold at least one record"
        );
        Coordinator {
            members: Vec::new(),
            queues: Vec::new(),
            capacity,
            frame: 0,
        }
    }

    /// Adds `world`, stepped by `tick` each frame; returns its index (the number
    /// [`Outbox::send`] names it by).
    pub fn add<W: World>(&mut self, world: W) -> usize {
        self.add_with(world, |w: &mut W| w.tick())
    }

    /// Adds `world`, stepped by `step` each frame (for instance `|w| w.update(dt)`);
    /// returns its index.
    pub fn add_with<W: WorldDef>(
        &mut self,
        world: W,
        step: impl FnMut(&mut W) + Send + 'static,
    ) -> usize {
        let index = self.members.len();
        for member in &mut self.members {
            member.backlog.push(VecDeque::new());
        }
        self.members.push(Member {
            world: Box::new(Slot { world, step }),
            backlog: (0..=index).map(|_| VecDeque::new()).collect(),
            rejected: Vec::new(),
        });
        for row in &mut self.queues {
            row.push(ArrayQueue::new(self.capacity));
        }
        self.queues.push(
            (0..=index)
                .map(|_| ArrayQueue::new(self.capacity))
                .collect(),
        );
        index
    }

    /// Number of worlds.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the coordinator has no world.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Frames run so far.
    pub fn frame(&self) -> u64 {
        self.frame
    }

    /// World `index`, if it exists and is a `W`.
    pub fn world<W: 'static>(&self, index: usize) -> Option<&W> {
        self.members.get(index)?.world.world().downcast_ref()
    }

    /// World `index`, mutably, if it exists and is a `W`.
    pub fn world_mut<W: 'static>(&mut self, index: usize) -> Option<&mut W> {
        self.members
            .get_mut(index)?
            .world
            .world_mut()
            .downcast_mut()
    }

    /// The records world `index` could not receive (or sent to no world), since the last
    /// call, in the order they were rejected.
    pub fn take_rejected(&mut self, index: usize) -> Vec<Rejected> {
        self.members
            .get_mut(index)
            .map(|m| std::mem::take(&mut m.rejected))
            .unwrap_or_default()
    }

    /// Records world `index` sent that wait for room in a destination's queue.
    pub fn backlog(&self, index: usize) -> usize {
        self.members
            .get(index)
            .map_or(0, |m| m.backlog.iter().map(VecDeque::len).sum())
    }

    /// Records in the queues, to be received at the start of the next frame.
    pub fn in_flight(&self) -> usize {
        self.queues.iter().flatten().map(ArrayQueue::len).sum()
    }

    /// Delivers the records in the queues now, without running a frame: each world
    /// receives what was sent to it (source order, then send order), as at the start of
    /// a frame. (Records still in a backlog stay there.) For instance after the last
    /// frame of a run, so that no record is left in flight.
    pub fn deliver(&mut self) {
        let queues = &self.queues;
        for (index, member) in self.members.iter_mut().enumerate() {
            member.receive(index, queues);
        }
    }

    /// Runs `frames` frames of every world, each world on its own thread (see the
    /// [module](self)).
    ///
    /// A panic in a world's step (or in a component's `Drop` during delivery) ends the
    /// run at the end of that frame, for every world, and then reaches the caller; the
    /// frame is not counted.
    pub fn run(&mut self, frames: u64) {
        let n = self.members.len();
        if n == 0 {
            self.frame += frames;
            return;
        }
        let sync = FrameSync::new(n);
        let queues = &self.queues;
        let completed = std::thread::scope(|s| {
            let threads: Vec<_> = self
                .members
                .iter_mut()
                .enumerate()
                .map(|(index, member)| {
                    let sync = &sync;
                    s.spawn(move || member.run_frames(index, queues, sync, frames))
                })
                .collect();
            // Every thread completes the same frames (`FrameSync::run_frames`); they
            // catch their worlds' panics, so joining fails only on a bug of ours.
            threads
                .into_iter()
                .map(|thread| thread.join().unwrap_or_else(|e| resume_unwind(e)))
                .min()
                .unwrap_or(0)
        });
        self.frame += completed;
        if let Some(payload) = sync.into_panic() {
            resume_unwind(payload);
        }
    }
}

impl Member {
    /// Runs `frames` frames of world `index` on this thread, in step with the other
    /// worlds' threads through `sync`; returns the frames completed.
    fn run_frames(
        &mut self,
        index: usize,
        queues: &[Vec<ArrayQueue<Record>>],
        sync: &FrameSync,
        frames: u64,
    ) -> u64 {
        sync.run_frames(
            frames,
            self,
            |member| member.receive(index, queues),
            |member| {
                member.world.step();
                member.send(index, queues);
            },
        )
    }

    /// Receives what every world sent to world `index` (source order, then send order).
    fn receive(&mut self, index: usize, queues: &[Vec<ArrayQueue<Record>>]) {
        for (from, queue) in queues[index].iter().enumerate() {
            while let Some(mut record) = queue.pop() {
                if let Err(error) = self.world.put(&mut record) {
                    self.rejected.push(Rejected {
                        from,
                        error,
                        record,
                    });
                }
            }
        }
    }

    /// Moves world `index`'s outbox into its backlog, then as much of the backlog as fits
    /// into the destinations' queues, oldest first.
    fn send(&mut self, index: usize, queues: &[Vec<ArrayQueue<Record>>]) {
        let worlds = queues.len();
        let Member {
            world,
            backlog,
            rejected,
        } = self;
        for (to, record) in world.outbox().drain(..) {
            if to < worlds {
                backlog[to].push_back(record);
            } else {
                rejected.push(Rejected {
                    from: index,
                    error: EcsError::NoSuchWorld { index: to },
                    record,
                });
            }
        }
        for (to, waiting) in backlog.iter_mut().enumerate() {
            let queue = &queues[to][index];
            while let Some(record) = waiting.pop_front() {
                if let Err(record) = queue.push(record) {
                    waiting.push_front(record);
                    break;
                }
            }
        }
    }
}
