//! [`ShardedWorld`]: one rank's shard of a world, and the frame boundary that migrates
//! entities between ranks and combines the marked resources.

use crate::codec::RecordCodec;
use crate::key::ShardKey;
use crate::reduce::{fold, Number, Op, Reduction};
use crate::transport::{offsets, Transport};
use metronome::{Entity, ResourceOf, World};
use std::any::TypeId;

/// What one frame boundary moved on this rank.
///
/// ```
/// let m = metronome_mpi::Migration::default();
/// assert_eq!((m.sent, m.received, m.bytes_sent, m.bytes_received), (0, 0, 0, 0));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Migration {
    /// Entities that left this rank.
    pub sent: usize,
    /// Entities that arrived.
    pub received: usize,
    /// Bytes of the records that left.
    pub bytes_sent: usize,
    /// Bytes of the records that arrived.
    pub bytes_received: usize,
}

/// A resource marked for reduction: how to read it from the world, and how to fold it.
struct Marked<W> {
    type_id: TypeId,
    read: fn(&W) -> u64,
    op: Op,
    fold: fn(Op, &mut dyn Iterator<Item = u64>) -> u64,
}

/// Folds words as numbers of type `N`, back to a word.
fn fold_as<N: Number>(op: Op, words: &mut dyn Iterator<Item = u64>) -> u64 {
    fold::<N>(op, words).to_word()
}

fn read<W: World, T: Reduction + ResourceOf<W>>(world: &W) -> u64 {
    world.resource::<T>().value().to_word()
}

/// One rank's shard of a world sharded by a [`ShardKey`] over a [`Transport`].
///
/// Each rank holds the entities whose key its rank owns. [`step`](ShardedWorld::step)
/// ticks the shard, then runs the frame boundary ([`boundary`](ShardedWorld::boundary)):
///
/// 1. every entity whose key is now owned by another rank is taken out of the world as a
///    [`Record`](metronome::Record) and encoded with the [`RecordCodec`], in a
///    deterministic order (by destination rank, then by entity handle);
/// 2. the records go to their ranks in one all-to-all (`MPI_Alltoallv` over MPI), and
///    each rank spawns what it receives in order: rank 0's records first, then rank 1's,
///    and so on, each in its sender's order;
/// 3. the resources marked with [`reduce`](ShardedWorld::reduce) are combined across
///    ranks in one all-gather, folded in rank order; [`global`](ShardedWorld::global)
///    reads the results.
///
/// Every boundary is a collective: all ranks call `step`/`boundary` (and
/// [`combine`](ShardedWorld::combine)) the same number of times, in the same order.
/// Entities get new handles on the rank they arrive at: give them an identity component
/// of their own if it matters.
///
/// A record that cannot be encoded (a component missing from the codec) or spawned (no
/// archetype for its set) panics with a message saying why: an entity is never dropped
/// in silence. Over MPI, a panic on any rank aborts the whole job
/// (see `MpiTransport`); over [`run_local`](crate::run_local), the other ranks stop at
/// their next collective.
///
/// ```
/// use metronome::prelude::*;
/// use metronome_mpi::{run_local, Op, RecordCodec, Reduction, ShardKey, ShardedWorld, Transport};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Component, Clone, Copy, Serialize, Deserialize)]
/// pub struct Cell(pub u32);
/// #[derive(Default)]
/// pub struct Held(pub u64);
/// impl Reduction for Held {
///     type Value = u64;
///     const OP: Op = Op::Sum;
///     fn value(&self) -> u64 { self.0 }
/// }
/// #[system]
/// pub fn count(cells: Query<&Cell>, mut held: ResMut<Held>) { held.0 = cells.len() as u64; }
/// #[system]
/// pub fn walk(mut cells: Query<&mut Cell>) { for c in cells.iter_mut() { c.0 += 1; } }
///
/// #[world(archetypes(Walker = (Cell)), resources(Held), phases(Update),
///         systems(Update = [walk, count.after(walk)]), executor = sequential)]
/// pub struct Line;
///
/// /// Cell `c` belongs to rank `c % ranks`.
/// struct ByCell;
/// impl ShardKey<Line> for ByCell {
///     type Key = u32;
///     fn keys(&mut self, line: &Line, out: &mut Vec<(Entity, u32)>) {
///         out.extend(line.query::<(Entity, &Cell)>().iter().map(|(e, c)| (e, c.0)));
///     }
///     fn rank(&self, cell: u32, ranks: usize) -> usize { cell as usize % ranks }
/// }
///
/// let totals = run_local(2, |transport| {
///     let mut line = Line::new();
///     if transport.rank() == 0 {
///         line.spawn_batch((0..10).map(|c| Walker(Cell(c))));
///     }
///     let codec = RecordCodec::new().with::<Cell>();
///     let mut shard = ShardedWorld::new(line, ByCell, codec, transport).reduce::<Held>();
///     shard.boundary(); // rank 0 hands rank 1 the odd cells
///     assert_eq!(shard.world().len(), 5);
///     let moved = shard.step(); // every walker steps to the next cell: all change rank
///     assert_eq!((moved.sent, moved.received), (5, 5));
///     shard.global::<Held>()
/// })
/// .unwrap();
/// assert_eq!(totals, [Some(10), Some(10)]);
/// ```
pub struct ShardedWorld<W, K: ShardKey<W>, T> {
    world: W,
    key: K,
    codec: RecordCodec,
    transport: T,
    marked: Vec<Marked<W>>,
    globals: Vec<u64>,
    keys: Vec<(Entity, K::Key)>,
    migrants: Vec<(usize, Entity)>,
    send: Vec<u8>,
    send_counts: Vec<usize>,
    recv: Vec<u8>,
    recv_counts: Vec<usize>,
    words: Vec<u64>,
    gathered: Vec<u64>,
}

impl<W: World, K: ShardKey<W>, T: Transport> ShardedWorld<W, K, T> {
    /// This rank's shard: `world` holds the entities this rank starts with (any of them;
    /// the first [`boundary`](ShardedWorld::boundary) sends each to its owner), `key`
    /// places entities, `codec` encodes the records (the same on every rank).
    pub fn new(world: W, key: K, codec: RecordCodec, transport: T) -> Self {
        ShardedWorld {
            world,
            key,
            codec,
            transport,
            marked: Vec::new(),
            globals: Vec::new(),
            keys: Vec::new(),
            migrants: Vec::new(),
            send: Vec::new(),
            send_counts: Vec::new(),
            recv: Vec::new(),
            recv_counts: Vec::new(),
            words: Vec::new(),
            gathered: Vec::new(),
        }
    }

    /// Marks resource `R` for reduction: from the next frame boundary on, its values on
    /// all ranks are combined by `R::OP` (read with [`global`](ShardedWorld::global)).
    /// Every rank marks the same resources in the same order.
    ///
    /// # Panics
    /// If `R` is marked already.
    pub fn reduce<R: Reduction + ResourceOf<W>>(mut self) -> Self {
        let type_id = TypeId::of::<R>();
        assert!(
            self.marked.iter().all(|m| m.type_id != type_id),
            "resource `{}` is marked for reduction twice",
            std::any::type_name::<R>()
        );
        self.marked.push(Marked {
            type_id,
            read: read::<W, R>,
            op: R::OP,
            fold: fold_as::<R::Value>,
        });
        self
    }

    /// The combined value of marked resource `R` at the last frame boundary (`None` if
    /// `R` is not marked or no boundary ran since it was).
    pub fn global<R: Reduction>(&self) -> Option<R::Value> {
        let i = self
            .marked
            .iter()
            .position(|m| m.type_id == TypeId::of::<R>())?;
        self.globals.get(i).map(|&w| R::Value::from_word(w))
    }

    /// Ticks this rank's world, then runs the frame boundary; what it moved.
    pub fn step(&mut self) -> Migration {
        self.step_with(|world| world.tick())
    }

    /// Runs `frame` on this rank's world (a `tick`, an `update`, several phases), then the
    /// frame boundary; what it moved.
    pub fn step_with(&mut self, frame: impl FnOnce(&mut W)) -> Migration {
        frame(&mut self.world);
        self.boundary()
    }

    /// The frame boundary alone (a collective): migrates the entities whose key another
    /// rank owns, then combines the marked resources. Call it once before the first
    /// frame to send the entities each rank spawned to their owners.
    pub fn boundary(&mut self) -> Migration {
        let migration = self.migrate();
        self.combine_marked();
        migration
    }

    /// Sends the migrants, spawns the arrivals.
    fn migrate(&mut self) -> Migration {
        let (me, ranks) = (self.transport.rank(), self.transport.ranks());
        self.keys.clear();
        self.key.keys(&self.world, &mut self.keys);
        self.migrants.clear();
        for &(entity, key) in &self.keys {
            let owner = self.key.rank(key, ranks);
            assert!(
                owner < ranks,
                "ShardKey::rank returned rank {owner} of {ranks}: it must be in 0..{ranks}"
            );
            if owner != me {
                self.migrants.push((owner, entity));
            }
        }
        // Deterministic: by destination, then by handle (what the world did decides both).
        self.migrants.sort_unstable();
        self.send.clear();
        self.send_counts.clear();
        self.send_counts.resize(ranks, 0);
        for &(owner, entity) in &self.migrants {
            let record = self.world.take(entity).unwrap_or_else(|e| {
                panic!("rank {me}: ShardKey::keys listed entity {entity:?} twice or dead: {e}")
            });
            let before = self.send.len();
            if let Err(e) = self.codec.encode(&record, &mut self.send) {
                panic!("rank {me}: entity {entity:?} cannot migrate to rank {owner}: {e}");
            }
            self.send_counts[owner] += self.send.len() - before;
        }
        self.transport.exchange(
            &self.send,
            &self.send_counts,
            &mut self.recv,
            &mut self.recv_counts,
        );
        let (starts, total) = offsets(&self.recv_counts);
        debug_assert_eq!(total, self.recv.len());
        let mut received = 0;
        for (source, (&start, &count)) in starts.iter().zip(&self.recv_counts).enumerate() {
            let mut chunk = &self.recv[start..start + count];
            while !chunk.is_empty() {
                let (record, used) = self.codec.decode(chunk).unwrap_or_else(|e| {
                    panic!("rank {me}: the records from rank {source} do not decode: {e}")
                });
                chunk = &chunk[used..];
                if let Err(e) = self.world.put(record) {
                    panic!("rank {me}: a record from rank {source} does not fit this world: {e}");
                }
                received += 1;
            }
        }
        Migration {
            sent: self.migrants.len(),
            received,
            bytes_sent: self.send.len(),
            bytes_received: self.recv.len(),
        }
    }

    /// Gathers every marked resource of every rank in one all-gather and folds each.
    fn combine_marked(&mut self) {
        if self.marked.is_empty() {
            return;
        }
        self.words.clear();
        self.words
            .extend(self.marked.iter().map(|m| (m.read)(&self.world)));
        self.transport.all_gather(&self.words, &mut self.gathered);
        let k = self.marked.len();
        self.globals.clear();
        for (i, m) in self.marked.iter().enumerate() {
            let mut column = self.gathered.iter().skip(i).step_by(k).copied();
            self.globals.push((m.fold)(m.op, &mut column));
        }
    }

    /// Combines `value` across ranks by `op` (a collective, folded in rank order): the
    /// same result on every rank.
    ///
    /// ```
    /// # use metronome::prelude::*;
    /// # use metronome_mpi::{run_local, Op, RecordCodec, ShardKey, ShardedWorld, Transport};
    /// # #[derive(Component)] pub struct Mark;
    /// # #[world(archetypes(M = (Mark)), phases(Update), systems(Update = []), executor = sequential)]
    /// # pub struct Tiny;
    /// # struct Nowhere;
    /// # impl ShardKey<Tiny> for Nowhere {
    /// #     type Key = ();
    /// #     fn keys(&mut self, _: &Tiny, _: &mut Vec<(Entity, ())>) {}
    /// #     fn rank(&self, _: (), _: usize) -> usize { 0 }
    /// # }
    /// let maxima = run_local(3, |t| {
    ///     let rank = t.rank() as i64;
    ///     let mut shard = ShardedWorld::new(Tiny::new(), Nowhere, RecordCodec::new(), t);
    ///     shard.combine(Op::Max, -rank)
    /// })
    /// .unwrap();
    /// assert_eq!(maxima, [0, 0, 0]);
    /// ```
    pub fn combine<N: Number>(&mut self, op: Op, value: N) -> N {
        self.transport
            .all_gather(&[value.to_word()], &mut self.gathered);
        fold::<N>(op, self.gathered.iter().copied())
    }

    /// The entities of this rank whose key another rank owns (0 right after a frame
    /// boundary, unless the keys changed since).
    pub fn misplaced(&mut self) -> usize {
        let (me, ranks) = (self.transport.rank(), self.transport.ranks());
        self.keys.clear();
        self.key.keys(&self.world, &mut self.keys);
        let key = &self.key;
        self.keys
            .iter()
            .filter(|&&(_, k)| key.rank(k, ranks) != me)
            .count()
    }

    /// This rank's world.
    pub fn world(&self) -> &W {
        &self.world
    }

    /// This rank's world, mutably (spawn and despawn freely: the next boundary places
    /// what changed).
    pub fn world_mut(&mut self) -> &mut W {
        &mut self.world
    }

    /// This rank's index.
    pub fn rank(&self) -> usize {
        self.transport.rank()
    }

    /// The number of ranks.
    pub fn ranks(&self) -> usize {
        self.transport.ranks()
    }

    /// The transport.
    pub fn transport(&mut self) -> &mut T {
        &mut self.transport
    }

    /// The world and the transport, taken back.
    pub fn into_parts(self) -> (W, T) {
        (self.world, self.transport)
    }
}
