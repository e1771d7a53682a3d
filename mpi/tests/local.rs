//! The crowd sharded over in-process ranks (threads): nothing lost or duplicated after
//! 1 000 frames of random motion, the summed resource equal to a single-process run, and
//! a panicking rank ending the group with its message instead of a hang.

#[path = "../examples/crowd/mod.rs"]
mod crowd;

use crowd::{drive, single_process, Arena, Layout, Run};
use metronome_mpi::run_local;
use std::sync::mpsc;
use std::time::Duration;

/// Runs `f` on a thread; a failure if it takes longer than `limit` (a hang).
fn within<R: Send + 'static>(limit: Duration, f: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .expect("the run hung (or panicked outside the ranks)")
}

const ARENA: Arena = Arena {
    size: 64.0,
    cell: 4.0,
};

fn run(layout: Layout) -> Run {
    Run {
        arena: ARENA,
        layout,
        agents: 2_000,
        frames: 1_000,
        panic_at: None,
    }
}

fn check(ranks: usize, layout: Layout) {
    let run = run(layout);
    let outcomes = within(Duration::from_secs(300), move || {
        run_local(ranks, |t| drive(run, t))
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let (census, harvest) = single_process(ARENA, run.agents, run.frames);
    assert_eq!(census.agents, run.agents);
    let moved: u64 = outcomes.iter().map(|o| o.sent).sum();
    assert!(moved > 1_000, "the agents must migrate: {moved}");
    let arrived: u64 = outcomes.iter().map(|o| o.received).sum();
    assert_eq!(moved, arrived, "every record sent arrives");
    for (rank, o) in outcomes.iter().enumerate() {
        assert_eq!(
            o.census, census,
            "rank {rank}: the global census equals one process's"
        );
        assert_eq!(
            o.harvest, harvest,
            "rank {rank}: the summed harvest equals one process's"
        );
        assert_eq!(o.misplaced, 0, "rank {rank} holds only its cells' agents");
    }
}

#[test]
fn two_ranks_checkerboard_conserve_every_agent_and_the_harvest() {
    check(2, Layout::Checkerboard);
}

#[test]
fn four_ranks_checkerboard_conserve_every_agent_and_the_harvest() {
    check(4, Layout::Checkerboard);
}

#[test]
fn four_ranks_in_bands_conserve_every_agent_and_the_harvest() {
    check(4, Layout::Bands);
}

#[test]
fn a_panicking_rank_ends_the_group_with_its_message() {
    let mut run = run(Layout::Checkerboard);
    run.panic_at = Some((1, 10));
    let failure = within(Duration::from_secs(120), move || {
        run_local(4, |t| drive(run, t))
    })
    .expect_err("rank 1 panics");
    assert_eq!(failure.rank, 1);
    assert!(
        failure
            .message
            .contains("injected failure: rank 1 panics at frame 10"),
        "{failure}"
    );
}
