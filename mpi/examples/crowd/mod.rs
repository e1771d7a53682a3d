//! A crowd of agents wandering a square arena cut into cells, sharded by cell: the
//! simulation that `examples/shards.rs`, the `shard_check` driver (under `mpirun`) and
//! the in-process tests run. Everything an agent does is a function of its id, the frame
//! and its position, so a run's results do not depend on the number of ranks.
#![allow(dead_code)]

use metronome::prelude::*;
use metronome_mpi::{Op, RecordCodec, Reduction, ShardKey};
use serde::{Deserialize, Serialize};

/// Where an agent stands. Coordinates are multiples of 1/4 below 2^20: every sum is
/// exact in `f32`, whatever the order.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Position {
    pub x: f32,
    pub y: f32,
}

/// An agent's identity, kept across migrations (its `Entity` changes on each rank).
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentId(pub u64);

/// What an agent has harvested so far.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Energy(pub u64);

/// The arena: a square of `size` units cut into cells of `cell` units.
#[derive(Clone, Copy, Debug)]
pub struct Arena {
    pub size: f32,
    pub cell: f32,
}

impl Default for Arena {
    fn default() -> Self {
        Arena {
            size: 256.0,
            cell: 8.0,
        }
    }
}

impl Arena {
    /// Cells along a side.
    pub fn cells(&self) -> u32 {
        (self.size / self.cell) as u32
    }

    /// The cell of a position.
    pub fn cell_of(&self, p: &Position) -> (u32, u32) {
        let last = self.cells() - 1;
        let c = |v: f32| ((v / self.cell) as u32).min(last);
        (c(p.x), c(p.y))
    }
}

/// The frame number, advanced at the end of each tick.
#[derive(Default)]
pub struct Clock(pub u64);

/// Energy harvested on this rank so far: summed across ranks.
#[derive(Default)]
pub struct Harvest(pub u64);

impl Reduction for Harvest {
    type Value = u64;
    const OP: Op = Op::Sum;
    fn value(&self) -> u64 {
        self.0
    }
}

/// splitmix64: the crowd's only source of randomness.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A random step of an agent at a frame: each axis moves by -1 ..= 1 in quarters.
fn step(id: u64, frame: u64) -> (f32, f32) {
    let h = mix(id ^ frame.wrapping_mul(0x2545_f491_4f6c_dd1d));
    let q = |bits: u64| ((bits % 9) as i32 - 4) as f32 * 0.25;
    (q(h), q(h >> 8))
}

/// What a cell yields to an agent standing in it at a frame: 0 ..= 3.
fn yield_of(cell: (u32, u32), frame: u64) -> u64 {
    mix(((cell.0 as u64) << 40) ^ ((cell.1 as u64) << 20) ^ frame) % 4
}

/// Every agent takes its random step (wrapping around the arena) and harvests its cell.
#[system]
pub fn wander(
    clock: Res<Clock>,
    arena: Res<Arena>,
    mut harvest: ResMut<Harvest>,
    mut agents: Query<(&AgentId, &mut Position, &mut Energy)>,
) {
    let mut gained = 0;
    for (id, pos, energy) in agents.iter_mut() {
        let (dx, dy) = step(id.0, clock.0);
        pos.x = (pos.x + dx).rem_euclid(arena.size);
        pos.y = (pos.y + dy).rem_euclid(arena.size);
        let got = yield_of(arena.cell_of(pos), clock.0);
        energy.0 += got;
        gained += got;
    }
    harvest.0 += gained;
}

#[system]
pub fn advance(mut clock: ResMut<Clock>) {
    clock.0 += 1;
}

#[world(
    archetypes(Agent = (AgentId, Position, Energy)),
    resources(Clock, Arena, Harvest),
    phases(Update),
    systems(Update = [wander, advance.after(wander)]),
    executor = sequential,
    capacity(entities = 4_000_000),
)]
pub struct Crowd;

/// Agent `id`'s starting position.
pub fn start(id: u64, arena: &Arena) -> Position {
    let h = mix(id.wrapping_mul(0x9e37_79b9));
    let quarters = (arena.size * 4.0) as u64;
    let q = |bits: u64| (bits % quarters) as f32 * 0.25;
    Position {
        x: q(h),
        y: q(h >> 32),
    }
}

/// A crowd world in `arena` holding the agents of `ids` that `keep` accepts.
pub fn populate(
    arena: Arena,
    ids: std::ops::Range<u64>,
    mut keep: impl FnMut(&Position) -> bool,
) -> Crowd {
    let mut crowd = Crowd::new();
    *crowd.resource_mut::<Arena>() = arena;
    let agents: Vec<_> = ids
        .filter_map(|id| {
            let p = start(id, &arena);
            keep(&p).then_some(Agent(AgentId(id), p, Energy(0)))
        })
        .collect();
    crowd.spawn_batch(agents);
    crowd
}

/// The codec of an agent's record.
pub fn codec() -> RecordCodec {
    RecordCodec::new()
        .with::<AgentId>()
        .with::<Position>()
        .with::<Energy>()
}

/// How cells map to ranks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Bands of whole rows, one per rank (few migrations: only across band edges).
    Bands,
    /// Cell `(x, y)` on rank `(x + y) % ranks` (many migrations: a test's stress).
    Checkerboard,
}

/// Shards a crowd by the cell of each agent's position.
#[derive(Clone, Copy, Debug)]
pub struct ByCell {
    pub arena: Arena,
    pub layout: Layout,
}

impl ByCell {
    /// The rank owning the cell of `p`.
    pub fn rank_of(&self, p: &Position, ranks: usize) -> usize {
        self.rank(self.arena.cell_of(p), ranks)
    }
}

impl ShardKey<Crowd> for ByCell {
    type Key = (u32, u32);

    fn keys(&mut self, crowd: &Crowd, out: &mut Vec<(Entity, (u32, u32))>) {
        let arena = self.arena;
        out.extend(
            crowd
                .query::<(Entity, &Position)>()
                .iter()
                .map(|(e, p)| (e, arena.cell_of(p))),
        );
    }

    fn rank(&self, (x, y): (u32, u32), ranks: usize) -> usize {
        match self.layout {
            Layout::Bands => (y as usize * ranks) / self.arena.cells() as usize,
            Layout::Checkerboard => (x as usize + y as usize) % ranks,
        }
    }
}

/// What a census counts over a crowd (or a shard): agents, a checksum of their ids that
/// a duplicate or a loss changes, a checksum of their positions and energies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Census {
    pub agents: u64,
    pub id_sum: u64,
    pub state_sum: u64,
    pub energy: u64,
}

/// The census of one world.
pub fn census(crowd: &Crowd) -> Census {
    let mut c = Census::default();
    for (id, p, e) in crowd.query::<(&AgentId, &Position, &Energy)>().iter() {
        c.agents += 1;
        c.id_sum = c.id_sum.wrapping_add(mix(id.0));
        let state = mix(id.0 ^ ((p.x * 4.0) as u64) << 20 ^ ((p.y * 4.0) as u64) << 40 ^ e.0);
        c.state_sum = c.state_sum.wrapping_add(state);
        c.energy += e.0;
    }
    c
}

/// The reference: `agents` agents in one world, `frames` ticks; its census and harvest.
pub fn single_process(arena: Arena, agents: u64, frames: u64) -> (Census, u64) {
    let mut crowd = populate(arena, 0..agents, |_| true);
    for _ in 0..frames {
        crowd.tick();
    }
    (census(&crowd), crowd.resource::<Harvest>().0)
}

/// A sharded run's parameters.
#[derive(Clone, Copy, Debug)]
pub struct Run {
    pub arena: Arena,
    pub layout: Layout,
    pub agents: u64,
    pub frames: u64,
    /// `(rank, frame)`: that rank panics at the start of that frame.
    pub panic_at: Option<(usize, u64)>,
}

/// What a sharded run ends with on one rank: the global census and harvest (the same on
/// every rank), this rank's misplaced agents after the last boundary and its migrations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub census: Census,
    pub harvest: u64,
    pub misplaced: usize,
    pub sent: u64,
    pub received: u64,
}

/// Runs `run` as this rank of `transport`'s group: each rank spawns the agents it owns,
/// then `frames` steps (tick + boundary).
pub fn drive<T: metronome_mpi::Transport>(run: Run, transport: T) -> Outcome {
    use metronome_mpi::ShardedWorld;
    let (me, ranks) = (transport.rank(), transport.ranks());
    let key = ByCell {
        arena: run.arena,
        layout: run.layout,
    };
    let crowd = populate(run.arena, 0..run.agents, |p| key.rank_of(p, ranks) == me);
    let mut shard = ShardedWorld::new(crowd, key, codec(), transport).reduce::<Harvest>();
    shard.boundary();
    let (mut sent, mut received) = (0, 0);
    for frame in 0..run.frames {
        if run.panic_at == Some((me, frame)) {
            panic!("injected failure: rank {me} panics at frame {frame}");
        }
        let m = shard.step();
        sent += m.sent as u64;
        received += m.received as u64;
    }
    let misplaced = shard.misplaced();
    let local = census(shard.world());
    let census = Census {
        agents: shard.combine(Op::Sum, local.agents),
        id_sum: shard.combine(Op::Sum, local.id_sum),
        state_sum: shard.combine(Op::Sum, local.state_sum),
        energy: shard.combine(Op::Sum, local.energy),
    };
    let harvest = shard.global::<Harvest>().unwrap_or(0);
    Outcome {
        census,
        harvest,
        misplaced,
        sent,
        received,
    }
}
