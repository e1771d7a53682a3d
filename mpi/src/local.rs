//! [`LocalTransport`]: ranks that are threads of one process, for tests and for running a
//! sharded world without MPI. [`run_local`] starts a group and reports the rank that
//! failed first.
//!
//! The group is a mailbox per (destination, source) pair behind one lock, and a barrier
//! that knows when a rank has left: a rank that panics (or returns) while the others are
//! in, or later enter, a collective makes them panic with a message naming it instead of
//! waiting forever, so a failing rank ends the whole group, never hangs it.

use crate::transport::Transport;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// One rank of an in-process group (see [`LocalTransport::group`] and [`run_local`]).
///
/// ```
/// use metronome_mpi::{LocalTransport, Transport};
/// let group = LocalTransport::group(2);
/// assert_eq!(group.iter().map(|t| t.rank()).collect::<Vec<_>>(), [0, 1]);
/// assert!(group.iter().all(|t| t.ranks() == 2));
/// ```
pub struct LocalTransport {
    rank: usize,
    group: Arc<Group>,
}

struct Group {
    ranks: usize,
    state: Mutex<State>,
    turn: Condvar,
}

struct State {
    /// `bytes[destination][source]`: what the source put for the destination.
    bytes: Vec<Vec<Vec<u8>>>,
    /// `words[source]`.
    words: Vec<Vec<u64>>,
    /// Ranks arrived at the current barrier.
    arrived: usize,
    /// Barriers completed so far.
    generation: u64,
    /// The first rank that left the group, and whether it panicked.
    left: Option<(usize, bool)>,
}

impl LocalTransport {
    /// A group of `ranks` transports, one per rank, rank 0 first: hand each to its own
    /// thread (or use [`run_local`]).
    ///
    /// # Panics
    /// If `ranks` is 0.
    pub fn group(ranks: usize) -> Vec<LocalTransport> {
        assert!(ranks > 0, "a group needs at least one rank");
        let group = Arc::new(Group {
            ranks,
            state: Mutex::new(State {
                bytes: vec![vec![Vec::new(); ranks]; ranks],
                words: vec![Vec::new(); ranks],
                arrived: 0,
                generation: 0,
                left: None,
            }),
            turn: Condvar::new(),
        });
        (0..ranks)
            .map(|rank| LocalTransport {
                rank,
                group: Arc::clone(&group),
            })
            .collect()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A rank that panicked while holding the lock left the state whole (every
        // critical section only copies bytes in or out): the others go on, and see
        // `left` to stop.
        self.group.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until every rank has arrived; panics, naming the rank, if one left.
    fn barrier(&self) {
        let mut state = self.lock();
        self.check_left(&state);
        state.arrived += 1;
        if state.arrived == self.group.ranks {
            state.arrived = 0;
            state.generation += 1;
            self.group.turn.notify_all();
            return;
        }
        let generation = state.generation;
        while state.generation == generation {
            self.check_left(&state);
            state = self
                .group
                .turn
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    fn check_left(&self, state: &State) {
        if let Some((rank, panicked)) = state.left {
            let how = if panicked { "panicked" } else { "returned" };
            panic!(
                "rank {} of {}: rank {rank} {how} before this collective; the group cannot go on",
                self.rank, self.group.ranks
            );
        }
    }
}

impl Drop for LocalTransport {
    fn drop(&mut self) {
        let mut state = self.lock();
        if state.left.is_none() {
            state.left = Some((self.rank, std::thread::panicking()));
        }
        self.group.turn.notify_all();
    }
}

impl Transport for LocalTransport {
    fn rank(&self) -> usize {
        self.rank
    }

    fn ranks(&self) -> usize {
        self.group.ranks
    }

    fn exchange(
        &mut self,
        send: &[u8],
        send_counts: &[usize],
        recv: &mut Vec<u8>,
        recv_counts: &mut Vec<usize>,
    ) {
        assert_eq!(send_counts.len(), self.group.ranks, "one count per rank");
        {
            let mut state = self.lock();
            let mut at = 0;
            for (destination, &count) in send_counts.iter().enumerate() {
                let slot = &mut state.bytes[destination][self.rank];
                slot.clear();
                slot.extend_from_slice(&send[at..at + count]);
                at += count;
            }
            assert_eq!(at, send.len(), "the counts add up to the bytes sent");
        }
        self.barrier();
        {
            let state = self.lock();
            recv.clear();
            recv_counts.clear();
            for slot in &state.bytes[self.rank] {
                recv.extend_from_slice(slot);
                recv_counts.push(slot.len());
            }
        }
        // Nobody writes the next exchange's bytes before everyone has read these.
        self.barrier();
    }

    fn all_gather(&mut self, words: &[u64], out: &mut Vec<u64>) {
        {
            let mut state = self.lock();
            let slot = &mut state.words[self.rank];
            slot.clear();
            slot.extend_from_slice(words);
        }
        self.barrier();
        {
            let state = self.lock();
            out.clear();
            for slot in &state.words {
                assert_eq!(slot.len(), words.len(), "every rank gathers as many words");
                out.extend_from_slice(slot);
            }
        }
        self.barrier();
    }
}

/// How a group run by [`run_local`] failed: the first rank that panicked and its message.
///
/// ```
/// use metronome_mpi::run_local;
/// let err = run_local(2, |t| if metronome_mpi::Transport::rank(&t) == 1 { panic!("boom") }).unwrap_err();
/// assert_eq!(err.rank, 1);
/// assert!(err.to_string().contains("rank 1 panicked: boom"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RankFailure {
    /// The rank whose panic ended the group.
    pub rank: usize,
    /// Its panic message.
    pub message: String,
}

impl std::fmt::Display for RankFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rank {} panicked: {}", self.rank, self.message)
    }
}

impl std::error::Error for RankFailure {}

/// Runs `body` on `ranks` threads (named `rank-0`, `rank-1`, ...), each with its rank's
/// [`LocalTransport`], and returns their results in rank order. If a rank panics, the
/// others stop at their next collective (never waiting forever) and the result is the
/// first rank that panicked, with its message.
///
/// ```
/// use metronome_mpi::{run_local, Transport};
/// assert_eq!(run_local(2, |t| t.rank() * 10).unwrap(), [0, 10]);
/// ```
pub fn run_local<R: Send>(
    ranks: usize,
    body: impl Fn(LocalTransport) -> R + Sync,
) -> Result<Vec<R>, RankFailure> {
    let group = LocalTransport::group(ranks);
    let shared = Arc::clone(&group[0].group);
    let outcomes: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = group
            .into_iter()
            .map(|transport| {
                let body = &body;
                std::thread::Builder::new()
                    .name(format!("rank-{}", transport.rank))
                    .spawn_scoped(s, move || {
                        catch_unwind(AssertUnwindSafe(|| body(transport)))
                    })
                    .expect("spawning a rank's thread")
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("the rank's panic is caught inside it"))
            .collect()
    });
    let first = shared.state.lock().unwrap_or_else(|e| e.into_inner()).left;
    let mut results = Vec::with_capacity(ranks);
    let mut failures = Vec::new();
    for (rank, outcome) in outcomes.into_iter().enumerate() {
        match outcome {
            Ok(result) => results.push(result),
            Err(payload) => failures.push((rank, panic_message(payload.as_ref()))),
        }
    }
    if failures.is_empty() {
        return Ok(results);
    }
    // The rank that left first by panicking started it; the others' panics only say so.
    let origin = match first {
        Some((rank, true)) => rank,
        _ => failures[0].0,
    };
    let (rank, message) = failures
        .into_iter()
        .find(|(r, _)| *r == origin)
        .expect("the first rank to leave by panicking is among the failures");
    Err(RankFailure { rank, message })
}

/// The text of a panic payload (`&str` or `String`), or a placeholder.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(a panic payload that is not text)".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exchange_delivers_by_source_then_sender_order() {
        let got = run_local(3, |mut t| {
            let me = t.rank() as u8;
            // To rank r: `r + 1` bytes, each `10 * me + r`.
            let counts: Vec<usize> = (0..3).map(|r| r + 1).collect();
            let send: Vec<u8> = (0..3u8)
                .flat_map(|r| std::iter::repeat_n(10 * me + r, r as usize + 1))
                .collect();
            let (mut recv, mut recv_counts) = (Vec::new(), Vec::new());
            t.exchange(&send, &counts, &mut recv, &mut recv_counts);
            (recv, recv_counts)
        })
        .unwrap();
        assert_eq!(got[2].0, [2, 2, 2, 12, 12, 12, 22, 22, 22]);
        assert_eq!(got[2].1, [3, 3, 3]);
        assert_eq!(got[0].0, [0, 10, 20]);
    }

    #[test]
    fn a_rank_that_returns_early_stops_the_others_instead_of_hanging() {
        let failure = run_local(2, |mut t| {
            if t.rank() == 1 {
                let mut out = Vec::new();
                t.all_gather(&[1], &mut out);
            }
        })
        .unwrap_err();
        assert_eq!(failure.rank, 1);
        assert!(
            failure
                .message
                .contains("rank 0 returned before this collective"),
            "{failure}"
        );
    }
}
