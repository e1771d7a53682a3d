//! A metronome world sharded across processes: each rank (an MPI process, or a thread
//! for tests) holds the entities whose user key it owns, and at each frame boundary the
//! entities whose key moved to another rank migrate there as records.
//!
//! - [`ShardKey`]: the user's key of each entity (the grid cell of its position, say) and
//!   the rank that owns each key.
//! - [`ShardedWorld`]: one rank's shard; [`step`](ShardedWorld::step) ticks it and runs
//!   the frame boundary (migration in a deterministic order, then the reductions).
//! - [`RecordCodec`]: records to bytes through the components' serde impls (postcard).
//! - [`Reduction`]: resources combined across ranks ([`Op::Sum`], [`Op::Min`],
//!   [`Op::Max`]).
//! - [`Transport`]: the two collectives a boundary needs (all-to-all of bytes, all-gather
//!   of words). [`LocalTransport`] and [`run_local`] run ranks as threads (always
//!   built); `MpiTransport` (feature `mpi`) runs them as MPI processes through the
//!   system's MPI.
//!
//! The sharding logic depends on the transport trait only, so the default build needs
//! nothing but cargo, and the same code runs over threads in tests and over MPI under
//! `mpirun`.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod codec;
mod key;
mod local;
#[cfg(feature = "mpi")]
mod mpi_transport;
mod reduce;
mod sharded;
mod transport;

pub use codec::{CodecError, RecordCodec};
pub use key::ShardKey;
pub use local::{run_local, LocalTransport, RankFailure};
#[cfg(feature = "mpi")]
pub use mpi_transport::MpiTransport;
pub use reduce::{Number, Op, Reduction};
pub use sharded::{Migration, ShardedWorld};
pub use transport::Transport;
