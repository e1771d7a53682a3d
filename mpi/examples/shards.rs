//! A crowd of agents (1 000 000 by default) wandering a 2D grid, sharded across ranks by
//! the band of cells each agent stands in; every frame the agents that crossed into
//! another rank's band migrate there as records. Prints frames per second and, per rank,
//! the agents it holds and its migrations per frame.
//!
//! Over MPI (feature `mpi`), one process per rank:
//! ```sh
//! mpirun -n 4 cargo run --release -p metronome-mpi --features mpi --example shards
//! mpirun -n 4 target/release/examples/shards        # the same, once built
//! ```
//! (As root, `mpirun` wants `--allow-run-as-root`; more ranks than cores,
//! `--oversubscribe`.) Without MPI, the ranks are threads of one process:
//! `cargo run --release -p metronome-mpi --example shards -- --ranks 4`.
//!
//! Options: `--agents N` (default 1 000 000), `--agents-per-rank N` (weak scaling: the
//! crowd and its arena grow with the ranks, the density stays), `--frames N` (default
//! 50), `--ranks N` (threads, without MPI).

#[path = "crowd/mod.rs"]
mod crowd;

use crowd::{codec, populate, Arena, ByCell, Harvest, Layout};
use metronome_mpi::{Op, ShardedWorld, Transport};
use std::time::{Duration, Instant};

/// Agents per square unit of arena: 1 000 000 agents on 1 024 x 1 024.
const DENSITY: f64 = 1_000_000.0 / (1024.0 * 1024.0);
const CELL: f32 = 8.0;

#[derive(Clone, Copy, Debug)]
struct Options {
    agents: Option<u64>,
    agents_per_rank: Option<u64>,
    frames: u64,
    ranks: usize,
}

fn options() -> Options {
    let mut o = Options {
        agents: None,
        agents_per_rank: None,
        frames: 50,
        ranks: 2,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || -> u64 {
            args.next()
                .and_then(|v| v.replace('_', "").parse().ok())
                .unwrap_or_else(|| panic!("{arg} needs a number"))
        };
        match arg.as_str() {
            "--agents" => o.agents = Some(value()),
            "--agents-per-rank" => o.agents_per_rank = Some(value()),
            "--frames" => o.frames = value(),
            "--ranks" => o.ranks = value() as usize,
            other => panic!("unknown argument {other} (see the example's documentation)"),
        }
    }
    o
}

fn run<T: Transport>(o: Options, transport: T) {
    let (me, ranks) = (transport.rank(), transport.ranks());
    let agents = match (o.agents_per_rank, o.agents) {
        (Some(per_rank), _) => per_rank * ranks as u64,
        (None, Some(agents)) => agents,
        (None, None) => 1_000_000,
    };
    // A square arena of whole cells at the crowd's density.
    let side = ((agents as f64 / DENSITY).sqrt() / CELL as f64)
        .ceil()
        .max(1.0) as f32
        * CELL;
    let arena = Arena {
        size: side,
        cell: CELL,
    };
    let key = ByCell {
        arena,
        layout: Layout::Bands,
    };
    let started = Instant::now();
    let crowd = populate(arena, 0..agents, |p| key.rank_of(p, ranks) == me);
    let mut shard = ShardedWorld::new(crowd, key, codec(), transport).reduce::<Harvest>();
    shard.boundary();
    let setup = started.elapsed();
    let (mut tick, mut boundary) = (Duration::ZERO, Duration::ZERO);
    let (mut sent, mut received, mut bytes) = (0u64, 0u64, 0u64);
    let wall = Instant::now();
    for _ in 0..o.frames {
        let t = Instant::now();
        shard.world_mut().tick();
        let b = Instant::now();
        let m = shard.boundary();
        boundary += b.elapsed();
        tick += b - t;
        sent += m.sent as u64;
        received += m.received as u64;
        bytes += m.bytes_sent as u64;
    }
    let wall = wall.elapsed();
    let held = shard.world().len() as u64;
    let total = shard.combine(Op::Sum, held);
    let harvest = shard.global::<Harvest>().unwrap_or(0);
    let mine = [
        held,
        sent,
        received,
        bytes,
        tick.as_nanos() as u64,
        boundary.as_nanos() as u64,
    ];
    let mut all = Vec::new();
    shard.transport().all_gather(&mine, &mut all);
    if me != 0 {
        return;
    }
    let frames = o.frames.max(1) as f64;
    println!(
        "{agents} agents on {ranks} rank(s), arena {side} x {side} in {CELL}-unit cells, \
         bands of rows per rank; set up in {:.2} s",
        setup.as_secs_f64()
    );
    println!(
        "{} frames in {:.2} s: {:.1} frames/s; {total} agents after the last frame, harvest {harvest}",
        o.frames,
        wall.as_secs_f64(),
        o.frames as f64 / wall.as_secs_f64()
    );
    println!("rank    agents   sent/frame   received/frame   KiB sent/frame   tick ms/frame   boundary ms/frame");
    for (rank, row) in all.chunks(mine.len()).enumerate() {
        println!(
            "{rank:>4} {:>9} {:>12.1} {:>16.1} {:>16.1} {:>15.2} {:>19.2}",
            row[0],
            row[1] as f64 / frames,
            row[2] as f64 / frames,
            row[3] as f64 / frames / 1024.0,
            row[4] as f64 / frames / 1e6,
            row[5] as f64 / frames / 1e6,
        );
    }
    assert_eq!(total, agents, "no agent lost or duplicated");
}

#[cfg(feature = "mpi")]
fn main() {
    run(options(), metronome_mpi::MpiTransport::init());
}

#[cfg(not(feature = "mpi"))]
fn main() {
    let o = options();
    if let Err(failure) = metronome_mpi::run_local(o.ranks, |t| run(o, t)) {
        eprintln!("{failure}");
        std::process::exit(1);
    }
}
