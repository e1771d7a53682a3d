//! The test driver that `tests/mpirun.rs` launches under `mpirun -n 2` and `-n 4`: the
//! crowd sharded over MPI ranks for `--frames` frames of random motion, then rank 0
//! compares the global census and summed harvest with a single-process run of the same
//! simulation and prints `CHECK OK` (or panics, which aborts the job).
//!
//! `shard_check [--agents N] [--frames N] [--bands] [--panic-at RANK:FRAME]`

#[path = "../../examples/crowd/mod.rs"]
mod crowd;

use crowd::{drive, single_process, Arena, Layout, Run};
use metronome_mpi::{MpiTransport, Transport};

fn main() {
    let mut run = Run {
        arena: Arena {
            size: 64.0,
            cell: 4.0,
        },
        layout: Layout::Checkerboard,
        agents: 2_000,
        frames: 1_000,
        panic_at: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--agents" => run.agents = value().parse().expect("--agents N"),
            "--frames" => run.frames = value().parse().expect("--frames N"),
            "--bands" => run.layout = Layout::Bands,
            "--panic-at" => {
                let v = value();
                let (rank, frame) = v.split_once(':').expect("--panic-at RANK:FRAME");
                run.panic_at = Some((
                    rank.parse().expect("a rank"),
                    frame.parse().expect("a frame"),
                ));
            }
            other => panic!("unknown argument {other}"),
        }
    }
    let transport = MpiTransport::init();
    let (rank, ranks) = (transport.rank(), transport.ranks());
    let outcome = drive(run, transport);
    println!(
        "rank {rank} of {ranks}: sent {} received {} misplaced {}",
        outcome.sent, outcome.received, outcome.misplaced
    );
    assert_eq!(
        outcome.misplaced, 0,
        "rank {rank} holds agents of other ranks' cells"
    );
    if rank == 0 {
        let (census, harvest) = single_process(run.arena, run.agents, run.frames);
        println!("sharded: {:?} harvest {}", outcome.census, outcome.harvest);
        println!("single:  {census:?} harvest {harvest}");
        assert_eq!(
            outcome.census, census,
            "the global census differs from one process's"
        );
        assert_eq!(
            outcome.harvest, harvest,
            "the summed harvest differs from one process's"
        );
        println!(
            "CHECK OK agents {} harvest {harvest} ranks {ranks}",
            census.agents
        );
    }
}
