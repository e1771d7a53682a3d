//! The crowd sharded over MPI processes: `mpirun --oversubscribe -n 2` and `-n 4` of the
//! `shard_check` driver (1 000 frames of random motion; rank 0 compares the global census
//! and summed harvest with a single-process run), and a rank that panics ending the whole
//! job non-zero with its message, not a hang. Needs feature `mpi` and `mpirun` on the
//! path (Debian: `libopenmpi-dev openmpi-bin`).

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One `mpirun` at a time: the jobs oversubscribe the cores already.
static ONE_JOB: Mutex<()> = Mutex::new(());

/// How a job ended: its exit code (`None` if killed by a signal) and its output.
struct Job {
    code: Option<i32>,
    output: String,
}

/// Runs `shard_check` under `mpirun -n ranks` with `args`; a test failure ("hang") if it
/// has not ended after `limit`.
fn mpirun(ranks: usize, args: &[&str], limit: Duration) -> Job {
    let _one = ONE_JOB.lock().unwrap_or_else(|e| e.into_inner());
    let mut child = Command::new("mpirun")
        .args([
            "--allow-run-as-root",
            "--oversubscribe",
            "-n",
            &ranks.to_string(),
        ])
        .arg(env!("CARGO_BIN_EXE_shard_check"))
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mpirun on the path (Debian: apt-get install openmpi-bin libopenmpi-dev)");
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for mpirun") {
            break status;
        }
        if start.elapsed() > limit {
            // SIGTERM first: mpirun then ends its ranks too.
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            std::thread::sleep(Duration::from_secs(5));
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "hang: mpirun -n {ranks} {args:?} still ran after {limit:?}\n{}{}",
                out.join().unwrap_or_default(),
                err.join().unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = out.join().expect("stdout reader") + &err.join().expect("stderr reader");
    Job {
        code: status.code(),
        output,
    }
}

const LIMIT: Duration = Duration::from_secs(120);

fn check(ranks: usize, args: &[&str]) {
    let job = mpirun(ranks, args, LIMIT);
    assert_eq!(
        job.code,
        Some(0),
        "mpirun -n {ranks} failed:\n{}",
        job.output
    );
    assert!(
        job.output.contains("CHECK OK agents 2000 harvest"),
        "rank 0 compared with one process:\n{}",
        job.output
    );
    assert!(
        job.output.contains(&format!("ranks {ranks}")),
        "{}",
        job.output
    );
    for rank in 0..ranks {
        let line = job
            .output
            .lines()
            .find(|l| l.starts_with(&format!("rank {rank} of {ranks}: sent ")))
            .unwrap_or_else(|| panic!("rank {rank} reported:\n{}", job.output));
        assert!(line.ends_with("misplaced 0"), "{line}");
        let sent: u64 = line.split(' ').nth(5).unwrap().parse().unwrap();
        assert!(sent > 0, "rank {rank} sent agents: {line}");
    }
}

#[test]
fn two_ranks_conserve_every_agent_and_sum_the_harvest_of_one_process() {
    check(2, &[]);
}

#[test]
fn four_ranks_conserve_every_agent_and_sum_the_harvest_of_one_process() {
    check(4, &[]);
}

#[test]
fn four_ranks_in_bands_conserve_every_agent_and_sum_the_harvest_of_one_process() {
    check(4, &["--bands"]);
}

#[test]
fn a_rank_that_panics_ends_the_job_with_a_clear_error() {
    let job = mpirun(4, &["--panic-at", "1:10"], LIMIT);
    assert_ne!(job.code, Some(0), "the job must fail:\n{}", job.output);
    assert!(
        job.output.contains("metronome-mpi: rank 1 of 4 panicked"),
        "the hook names the rank:\n{}",
        job.output
    );
    assert!(
        job.output
            .contains("injected failure: rank 1 panics at frame 10"),
        "the panic's message:\n{}",
        job.output
    );
    assert!(!job.output.contains("CHECK OK"), "{}", job.output);
}
