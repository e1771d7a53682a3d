//! Migration cost between 2 MPI ranks on one machine: records per second through a whole
//! frame boundary (take, encode, `MPI_Alltoallv`, decode, put), the same bytes through
//! the all-to-all alone, and a `memcpy` of the same bytes.
//!
//! ```sh
//! cargo build --release -p metronome-mpi --features mpi --example migration_bench
//! mpirun -n 2 target/release/examples/migration_bench [--records N] [--rounds N]
//! ```

#[path = "crowd/mod.rs"]
mod crowd;

use crowd::{codec, populate, Arena, Crowd};
use metronome::Entity;
use metronome_mpi::{MpiTransport, ShardKey, ShardedWorld, Transport};
use std::time::Instant;

/// Every agent belongs to rank `round % ranks`: the whole crowd moves at each boundary.
struct Flip {
    round: usize,
}

impl ShardKey<Crowd> for Flip {
    type Key = ();
    fn keys(&mut self, crowd: &Crowd, out: &mut Vec<(Entity, ())>) {
        self.round += 1;
        out.extend(crowd.query::<Entity>().iter().map(|e| (e, ())));
    }
    fn rank(&self, _: (), ranks: usize) -> usize {
        self.round % ranks
    }
}

fn main() {
    let (mut records, mut rounds) = (100_000u64, 20u32);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value: u64 = args.next().and_then(|v| v.parse().ok()).expect("a number");
        match arg.as_str() {
            "--records" => records = value,
            "--rounds" => rounds = value as u32,
            other => panic!("unknown argument {other}"),
        }
    }
    let transport = MpiTransport::init();
    let (me, ranks) = (transport.rank(), transport.ranks());
    assert_eq!(ranks, 2, "run with mpirun -n 2");
    let arena = Arena::default();
    // Round 1 sends everything to rank 1: rank 0 starts with the crowd.
    let crowd = populate(arena, 0..records, |_| me == 0);
    let mut shard = ShardedWorld::new(crowd, Flip { round: 0 }, codec(), transport);
    shard.boundary(); // warm-up: the buffers grow once
    let start = Instant::now();
    let mut bytes = 0usize;
    for _ in 0..rounds {
        let m = shard.boundary();
        bytes = bytes.max(m.bytes_sent);
    }
    let boundary = start.elapsed().as_secs_f64();
    let bytes = shard.combine(metronome_mpi::Op::Max, bytes as u64) as usize;
    assert_eq!(
        shard.combine(metronome_mpi::Op::Sum, shard.world().len() as u64),
        records
    );

    // The same bytes through the all-to-all alone: rank 0 to rank 1, then back.
    let (_, mut transport) = shard.into_parts();
    let payload = vec![0xa5u8; bytes];
    let (mut recv, mut recv_counts) = (Vec::new(), Vec::new());
    let start = Instant::now();
    for round in 0..rounds as usize {
        let sender = round % 2;
        let mut counts = [0usize; 2];
        let send: &[u8] = if me == sender { &payload } else { &[] };
        counts[1 - sender] = send.len();
        transport.exchange(send, &counts, &mut recv, &mut recv_counts);
    }
    let exchange = start.elapsed().as_secs_f64();

    // A memcpy of the same bytes, as often.
    let mut copy = vec![0u8; bytes];
    let start = Instant::now();
    for round in 0..rounds {
        copy.copy_from_slice(&payload);
        copy[0] = round as u8;
        std::hint::black_box(&copy);
    }
    let memcpy = start.elapsed().as_secs_f64();

    if me == 0 {
        let n = (records * rounds as u64) as f64;
        let per = bytes as f64 / records as f64;
        let mbs = |t: f64| (bytes as f64 * rounds as f64) / t / 1e6;
        println!("{records} records of {per:.1} bytes ({bytes} bytes) x {rounds} rounds, 2 ranks");
        println!(
            "frame boundary (take, encode, alltoallv, decode, put): {:.2} M records/s, {:.0} MB/s",
            n / boundary / 1e6,
            mbs(boundary)
        );
        println!(
            "alltoallv of the same bytes alone:                     {:.2} M records/s, {:.0} MB/s",
            n / exchange / 1e6,
            mbs(exchange)
        );
        println!(
            "memcpy of the same bytes:                              {:.2} M records/s, {:.0} MB/s",
            n / memcpy / 1e6,
            mbs(memcpy)
        );
    }
}
