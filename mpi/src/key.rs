//! [`ShardKey`]: the user's key of each entity and the rank that owns each key.

use metronome::Entity;

/// How a world is sharded: each entity's key (for instance the grid cell of its
/// `Position`) and the rank that owns each key. A [`ShardedWorld`](crate::ShardedWorld)
/// asks for the keys at every frame boundary and migrates each entity whose key is owned
/// by another rank to it. `rank` must be a function of the key and the rank count only
/// (the same on every rank), so that every rank agrees on where an entity belongs.
///
/// ```
/// use metronome::prelude::*;
/// use metronome_mpi::ShardKey;
///
/// #[derive(Component, Clone, Copy)]
/// pub struct Position { pub x: f32, pub y: f32 }
/// #[world(archetypes(Agent = (Position)), phases(Update), systems(Update = []), executor = sequential)]
/// pub struct Crowd;
///
/// /// Horizontal bands of 8-unit cells, dealt round-robin to the ranks.
/// struct ByRow;
/// impl ShardKey<Crowd> for ByRow {
///     type Key = i32;
///     fn keys(&mut self, world: &Crowd, out: &mut Vec<(Entity, i32)>) {
///         out.extend(world.query::<(Entity, &Position)>().iter().map(|(e, p)| (e, (p.y / 8.0).floor() as i32)));
///     }
///     fn rank(&self, row: i32, ranks: usize) -> usize {
///         row.rem_euclid(ranks as i32) as usize
///     }
/// }
///
/// let mut crowd = Crowd::new();
/// let e = crowd.spawn((Position { x: 0.0, y: 17.0 },));
/// let mut keys = Vec::new();
/// ByRow.keys(&crowd, &mut keys);
/// assert_eq!(keys, [(e, 2)]);
/// assert_eq!(ByRow.rank(2, 4), 2);
/// ```
pub trait ShardKey<W>: Send {
    /// An entity's key.
    type Key: Copy;

    /// Appends every entity of `world` that is sharded, with its key, to `out` (in any
    /// order; each entity once). Entities not listed stay on their rank.
    fn keys(&mut self, world: &W, out: &mut Vec<(Entity, Self::Key)>);

    /// The rank, in `0..ranks`, that owns `key`.
    fn rank(&self, key: Self::Key, ranks: usize) -> usize;
}
