//! `Query::par_for_each_with_commands`: a parallel loop whose body records commands.

use super::{Query, QueryData, QueryFilter, SendFetch};
use crate::commands::{Command, CommandBuffer, Commands};
use crate::sync::{lock, Mutex};

/// The commands one chunk of a table recorded: (position of the table in the query's
/// archetype order, chunk number, commands in call order).
type ChunkCommands = (usize, usize, Vec<Command>);

impl<D: QueryData, F: QueryFilter> Query<'_, D, F> {
    /// As [`Query::par_for_each`], with a [`Commands`] for the loop body.
    ///
    /// Each piece of the loop records into a buffer of its own (no lock per command);
    /// at the end the buffers are appended to `commands` in the order of the items that
    /// issued them (archetypes in declaration order, rows in storage order, then call
    /// order), so the commands, and what they do when the stage applies them, do not
    /// depend on the number of workers or on how the loop was split. (The handles that
    /// `spawn` returns are reserved as the loop runs, so their index numbers may differ
    /// from one run to another; the spawned entities' rows and values do not.)
    ///
    /// If the body panics, the commands recorded until then are still appended to
    /// `commands` (in item order, as on the `sequential` executor, where the loop records
    /// into `commands` directly), so when the panic leaves the system the stage runner
    /// discards them with the stage and gives back the handles their spawns reserved.
    ///
    /// ```
    /// use metronome_runtime::{Commands, Component, Entity, Query};
    /// # #[derive(Clone, Copy)] struct Health(i32); impl Component for Health { const NAME: &'static str = "Health"; }
    /// fn reap(mut units: Query<(Entity, &Health)>, mut commands: Commands) {
    ///     units.par_for_each_with_commands(&mut commands, |(entity, health), cmds| {
    ///         if health.0 <= 0 {
    ///             cmds.despawn(entity);
    ///         }
    ///     });
    /// }
    /// ```
    pub fn par_for_each_with_commands(
        &mut self,
        commands: &mut Commands<'_>,
        f: impl Fn(D::Item<'_>, &mut Commands<'_>) + Send + Sync,
    ) {
        // A query with a sparse part runs on the caller, as in `par_for_each` (its rows
        // are found one by one through the sparse sets; the tables are not its rows).
        // So does a loop found faster unsplit (`WorldExecutor::runs_loops_inline`).
        if self.executor.runs_loops_inline() || self.tables.sparse.is_some() {
            return self.for_each(|item| f(item, commands));
        }
        let entities = commands.entities();
        let (tables, f) = (&self.tables, &f);
        // SAFETY: the set is `matches` itself; the ids are `D`'s (`Query::__new`).
        let walk = unsafe { tables.walk::<D>(tables.matches) };
        let workers = self.executor.workers();
        let merge = MergeOnDrop {
            recorded: Mutex::new(Vec::new()),
            commands,
        };
        let recorded_ref = &merge.recorded;
        self.executor.install(move || {
            walk.fold((), |(), a, fetch, len| {
                // Chunks of at least 64 rows, a few per worker; the order of the commands
                // does not depend on this size (chunks are merged in row order).
                let chunk = (len / (workers * 8)).max(64);
                let fetch = SendFetch(fetch);
                crate::exec::par_for_each(0..len.div_ceil(chunk), |c| {
                    let fetch = &fetch;
                    let mut chunk_buffer = ChunkBuffer {
                        recorded: recorded_ref,
                        archetype: a,
                        chunk: c,
                        buffer: CommandBuffer::default(),
                    };
                    {
                        let mut cmds = Commands::new(&mut chunk_buffer.buffer, entities);
                        for row in c * chunk..((c + 1) * chunk).min(len) {
                            // SAFETY: each row belongs to one chunk and each chunk is
                            // visited once, so the items handed to different threads never
                            // alias; the query holds `&mut self` for the whole loop.
                            f(unsafe { D::item(fetch.0, row) }, &mut cmds);
                        }
                    }
                    // `chunk_buffer` drops here (or while unwinding): its commands join
                    // the others.
                });
            })
        });
        // `merge` drops here (or while unwinding): the commands reach `commands`.
    }
}

/// One chunk's commands; dropped at the end of the chunk or while a panic of the loop
/// body unwinds, it hands them to the loop's list (moved, never dropped: a component's
/// drop that panicked during unwinding would abort).
struct ChunkBuffer<'r> {
    recorded: &'r Mutex<Vec<ChunkCommands>>,
    archetype: usize,
    chunk: usize,
    buffer: CommandBuffer,
}

impl Drop for ChunkBuffer<'_> {
    fn drop(&mut self) {
        if !self.buffer.commands.is_empty() {
            let commands = std::mem::take(&mut self.buffer.commands);
            lock(self.recorded).push((self.archetype, self.chunk, commands));
        }
    }
}

/// The loop's commands; dropped at the end of the loop or while a panic unwinds, it
/// appends them to the system's `Commands` in item order.
struct MergeOnDrop<'x, 'c> {
    recorded: Mutex<Vec<ChunkCommands>>,
    commands: &'x mut Commands<'c>,
}

impl Drop for MergeOnDrop<'_, '_> {
    fn drop(&mut self) {
        let mut recorded = std::mem::take(&mut *lock(&self.recorded));
        recorded.sort_unstable_by_key(|&(a, c, _)| (a, c));
        for (_, _, mut chunk) in recorded {
            self.commands.append(&mut chunk);
        }
    }
}
