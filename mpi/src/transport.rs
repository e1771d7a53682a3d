//! [`Transport`]: the collective operations a sharded world needs of the processes (or
//! threads) that hold its shards, whatever carries the bytes.

/// The collectives a [`ShardedWorld`](crate::ShardedWorld) runs at each frame boundary:
/// an all-to-all of bytes (the migrating records) and an all-gather of words (the
/// reductions). Every rank of a group calls the same collectives in the same order; a
/// transport may block until every rank has called.
///
/// Two implementations: [`LocalTransport`](crate::LocalTransport) (ranks are threads of
/// one process, always built) and `MpiTransport` (ranks are MPI processes, feature `mpi`).
///
/// ```
/// use metronome_mpi::{run_local, Transport};
/// let sums = run_local(3, |mut t| {
///     let mut all = Vec::new();
///     t.all_gather(&[t.rank() as u64 + 1], &mut all);
///     all.iter().sum::<u64>()
/// })
/// .unwrap();
/// assert_eq!(sums, [6, 6, 6]);
/// ```
pub trait Transport {
    /// This rank's index, in `0..ranks()`.
    fn rank(&self) -> usize;

    /// The number of ranks of the group.
    fn ranks(&self) -> usize;

    /// All-to-all of bytes (`MPI_Alltoallv`): `send` holds the bytes for rank 0, then
    /// those for rank 1, and so on, `send_counts[r]` bytes for rank `r`
    /// (`send_counts.len() == ranks()`, including this rank's own). On return `recv`
    /// holds what rank 0 sent to this rank, then what rank 1 sent, and so on, with
    /// `recv_counts[r]` bytes from rank `r` (both are overwritten).
    fn exchange(
        &mut self,
        send: &[u8],
        send_counts: &[usize],
        recv: &mut Vec<u8>,
        recv_counts: &mut Vec<usize>,
    );

    /// All-gather of words (`MPI_Allgather`): every rank passes the same number of words;
    /// on return `out` holds rank 0's words, then rank 1's, and so on (it is overwritten).
    fn all_gather(&mut self, words: &[u64], out: &mut Vec<u64>);
}

/// The offsets of consecutive chunks of `counts` bytes, and their total.
pub(crate) fn offsets(counts: &[usize]) -> (Vec<usize>, usize) {
    let mut at = 0;
    let offsets = counts
        .iter()
        .map(|&c| {
            let start = at;
            at += c;
            start
        })
        .collect();
    (offsets, at)
}

#[cfg(test)]
mod tests {
    #[test]
    fn offsets_are_running_sums() {
        assert_eq!(super::offsets(&[3, 0, 2]), (vec![0, 3, 3], 5));
        assert_eq!(super::offsets(&[]), (vec![], 0));
    }
}
