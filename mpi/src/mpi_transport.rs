//! [`MpiTransport`] (feature `mpi`): ranks that are MPI processes, through the `mpi`
//! crate over the system's MPI (`MPI_Alltoallv` for the records, `MPI_Allgather` for the
//! reductions), and a panic hook that aborts the whole job when any rank panics.

use crate::transport::{offsets, Transport};
use mpi::datatype::{Partition, PartitionMut};
use mpi::environment::Universe;
use mpi::topology::{Communicator, SimpleCommunicator};
use mpi::traits::*;
use mpi::Count;
use std::sync::Once;

/// The ranks of `MPI_COMM_WORLD`. [`init`](MpiTransport::init) initialises MPI (once
/// per process) and installs a panic hook: a panic on any rank, on any thread, prints
/// `metronome-mpi: rank R of N panicked` with the panic's message and location, then
/// calls `MPI_Abort`, so `mpirun` ends every rank and exits non-zero instead of leaving
/// the other ranks waiting in a collective forever. MPI is finalised when the transport
/// is dropped.
///
/// ```no_run
/// use metronome_mpi::{MpiTransport, Transport};
/// let mut mpi = MpiTransport::init();
/// let mut all = Vec::new();
/// mpi.all_gather(&[mpi.rank() as u64], &mut all);
/// assert_eq!(all.len(), mpi.ranks());
/// ```
pub struct MpiTransport {
    // Field order: the communicator handle before the universe (which finalises MPI).
    world: SimpleCommunicator,
    rank: usize,
    ranks: usize,
    counts_out: Vec<Count>,
    counts_in: Vec<Count>,
    /// A heap block for empty send buffers (see `exchange`).
    nothing: Vec<u8>,
    _universe: Universe,
}

static HOOK: Once = Once::new();

impl MpiTransport {
    /// The error code a panicking rank passes to `MPI_Abort` (`mpirun` reports it).
    pub const PANIC_EXIT_CODE: i32 = 101;

    /// Initialises MPI (`MPI_THREAD_FUNNELED`: the world's executor may run threads, MPI
    /// is called from the thread that calls this) and installs the abort-on-panic hook.
    ///
    /// # Panics
    /// If MPI is initialised already in this process.
    pub fn init() -> MpiTransport {
        let (universe, _) = mpi::initialize_with_threading(mpi::Threading::Funneled)
            .expect("MPI is initialised once per process: MpiTransport::init was called twice");
        let world = universe.world();
        let rank = world.rank() as usize;
        let ranks = world.size() as usize;
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                eprintln!(
                    "metronome-mpi: rank {rank} of {ranks} panicked; aborting the MPI job \
                     (MPI_Abort, error code {})",
                    MpiTransport::PANIC_EXIT_CODE
                );
                previous(info);
                if mpi::environment::is_initialized() && !mpi::environment::is_finalized() {
                    SimpleCommunicator::world().abort(MpiTransport::PANIC_EXIT_CODE);
                }
            }));
        });
        MpiTransport {
            world,
            rank,
            ranks,
            counts_out: Vec::with_capacity(ranks),
            counts_in: vec![0; ranks],
            nothing: Vec::with_capacity(1),
            _universe: universe,
        }
    }

    /// The world communicator, for collectives of your own.
    pub fn communicator(&self) -> &SimpleCommunicator {
        &self.world
    }
}

/// A byte count as MPI's `int`.
fn count(bytes: usize) -> Count {
    Count::try_from(bytes).unwrap_or_else(|_| {
        panic!("{bytes} bytes in one MPI message: over MPI's 2 GiB limit per rank pair")
    })
}

impl Transport for MpiTransport {
    fn rank(&self) -> usize {
        self.rank
    }

    fn ranks(&self) -> usize {
        self.ranks
    }

    fn exchange(
        &mut self,
        send: &[u8],
        send_counts: &[usize],
        recv: &mut Vec<u8>,
        recv_counts: &mut Vec<usize>,
    ) {
        assert_eq!(send_counts.len(), self.ranks, "one count per rank");
        self.counts_out.clear();
        self.counts_out
            .extend(send_counts.iter().map(|&c| count(c)));
        self.counts_in.resize(self.ranks, 0);
        self.world
            .all_to_all_into(&self.counts_out[..], &mut self.counts_in[..]);
        let (send_at, sent) = offsets(send_counts);
        assert_eq!(sent, send.len(), "the counts add up to the bytes sent");
        recv_counts.clear();
        recv_counts.extend(self.counts_in.iter().map(|&c| c as usize));
        let (recv_at, total) = offsets(recv_counts);
        // An empty `Vec<u8>`'s pointer is the dangling `0x1`, which is `MPI_IN_PLACE` in
        // Open MPI (an `MPI_ERR_ARG` from `MPI_Alltoallv`): both buffers point into heap
        // blocks, even when empty.
        recv.clear();
        recv.reserve(1);
        recv.resize(total, 0);
        let send = if send.is_empty() {
            &self.nothing[..0]
        } else {
            send
        };
        let send_at: Vec<Count> = send_at.into_iter().map(count).collect();
        let recv_at: Vec<Count> = recv_at.into_iter().map(count).collect();
        let outgoing = Partition::new(send, &self.counts_out[..], &send_at[..]);
        let mut incoming = PartitionMut::new(&mut recv[..], &self.counts_in[..], &recv_at[..]);
        self.world
            .all_to_all_varcount_into(&outgoing, &mut incoming);
    }

    fn all_gather(&mut self, words: &[u64], out: &mut Vec<u64>) {
        out.clear();
        out.resize(words.len() * self.ranks, 0);
        self.world.all_gather_into(words, &mut out[..]);
    }
}
