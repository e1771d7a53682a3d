//! `par_for_each`: loops that split lazily, at heartbeats.
//!
//! The loop walks its source in chunks (sub-slices, sub-ranges) and, between two chunks,
//! reads the worker's heartbeat flag (one `Relaxed` load). Only when it is up does the
//! loop split what is left in two halves and `join` them; that `join` promotes the
//! oldest private job, so thieves see work. Inside a chunk the body runs in a plain loop
//! (a `Query`'s rows: the loop `Query::for_each` compiles to), so a row costs what it
//! costs in a sequential loop. With no heartbeat (one participant, or outside a pool) the
//! loop never splits, so there is no grain size to tune: splitting costs one `join` per
//! heartbeat, not per item.
//!
//! A chunk's length adapts to the cost of an item: it doubles after every chunk that
//! ended with no heartbeat pending (up to [`MAX_CHUNK`]) and halves at every heartbeat,
//! so cheap items are walked a thousand at a time while a loop of expensive items (one
//! heartbeat period or more each) still checks after every item.

use std::ops::Range;

use super::registry::WorkerThread;

/// Something [`par_for_each`](crate::exec::par_for_each) can walk and split in two:
/// implemented for `&[T]` (items `&T`), `&mut [T]` (items `&mut T`) and `Range<usize>`
/// (items `usize`).
///
/// ```
/// use metronome_runtime::exec::ParSource;
///
/// let (left, right) = (0..10).split_at(4);
/// assert_eq!((left, right), (0..4, 4..10));
/// assert_eq!(ParSource::len(&&[1, 2, 3][..]), 3);
/// ```
pub trait ParSource: Sized + Send {
    /// What the loop body receives.
    type Item;

    /// Items left.
    ///
    /// ```
    /// use metronome_runtime::exec::ParSource;
    /// assert_eq!(ParSource::len(&(3..10)), 7);
    /// ```
    fn len(&self) -> usize;

    /// Whether no items are left.
    ///
    /// ```
    /// use metronome_runtime::exec::ParSource;
    /// assert!(ParSource::is_empty(&(4..4)));
    /// ```
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Splits into the first `index` items and the rest (`index <= self.len()`).
    ///
    /// ```
    /// use metronome_runtime::exec::ParSource;
    /// let mut data = [1, 2, 3];
    /// let (a, b) = ParSource::split_at(&mut data[..], 1);
    /// assert_eq!((a.len(), b.len()), (1, 2));
    /// ```
    fn split_at(self, index: usize) -> (Self, Self);

    /// Takes the first item.
    ///
    /// ```
    /// use metronome_runtime::exec::ParSource;
    /// let mut range = 5..7;
    /// assert_eq!(range.next_item(), Some(5));
    /// assert_eq!(range, 6..7);
    /// ```
    fn next_item(&mut self) -> Option<Self::Item>;
}

impl<'a, T: Sync> ParSource for &'a [T] {
    type Item = &'a T;

    #[inline]
    fn len(&self) -> usize {
        <[T]>::len(self)
    }

    #[inline]
    fn split_at(self, index: usize) -> (Self, Self) {
        <[T]>::split_at(self, index)
    }

    #[inline]
    fn next_item(&mut self) -> Option<&'a T> {
        let (first, rest) = self.split_first()?;
        *self = rest;
        Some(first)
    }
}

impl<'a, T: Send> ParSource for &'a mut [T] {
    type Item = &'a mut T;

    #[inline]
    fn len(&self) -> usize {
        <[T]>::len(self)
    }

    #[inline]
    fn split_at(self, index: usize) -> (Self, Self) {
        <[T]>::split_at_mut(self, index)
    }

    #[inline]
    fn next_item(&mut self) -> Option<&'a mut T> {
        let (first, rest) = std::mem::take(self).split_first_mut()?;
        *self = rest;
        Some(first)
    }
}

impl ParSource for Range<usize> {
    type Item = usize;

    #[inline]
    fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    #[inline]
    fn split_at(self, index: usize) -> (Self, Self) {
        let mid = self.start + index.min(ParSource::len(&self));
        (self.start..mid, mid..self.end)
    }

    #[inline]
    fn next_item(&mut self) -> Option<usize> {
        self.next()
    }
}

/// The longest chunk, in items: 1 024 cheap rows take a few microseconds, well under a
/// heartbeat period, and amortise the check between chunks to nothing.
pub(crate) const MAX_CHUNK: usize = 1024;

/// The chunk length on a continuation pool's fiber, whose loop splits between its items
/// (here chunks) when an idle worker asks: short enough that a loop of a few hundred
/// expensive items still splits, long enough that the check costs nothing per row.
pub(crate) const FIBER_CHUNK: usize = 32;

/// Calls `f` on every item of `source` on the current thread, splitting at heartbeats if
/// it is a worker (see [`run_chunks`]).
#[inline]
pub(crate) fn run<S, F>(source: S, f: &F)
where
    S: ParSource,
    F: Fn(S::Item) + Sync,
{
    run_chunks(source, &|mut chunk: S| {
        while let Some(item) = chunk.next_item() {
            f(item);
        }
    });
}

/// Calls `f` on consecutive chunks of `source` that together hold every item once, on
/// the current thread, splitting what is left at heartbeats if it is a worker.
pub(crate) fn run_chunks<S, F>(source: S, f: &F)
where
    S: ParSource,
    F: Fn(S) + Sync,
{
    walk(source, f, 1);
}

/// [`run_chunks`], starting with chunks of `chunk` items. Each half of a split calls it
/// again, so a half stolen by another worker reads that worker's flag.
fn walk<S, F>(mut source: S, f: &F, mut chunk: usize)
where
    S: ParSource,
    F: Fn(S) + Sync,
{
    let worker = WorkerThread::current();
    // SAFETY: a non-null `current` is this thread's live worker.
    let Some(worker) = (unsafe { worker.as_ref() }) else {
        if !source.is_empty() {
            f(source);
        }
        return;
    };
    loop {
        let len = source.len();
        if len == 0 {
            return;
        }
        if worker.heartbeat_pending() {
            chunk = (chunk / 2).max(1);
            if len >= 2 {
                let (left, right) = source.split_at(len / 2);
                worker.join(|| walk(left, f, chunk), || walk(right, f, chunk));
                return;
            }
        }
        let (head, rest) = source.split_at(chunk.min(len));
        source = rest;
        f(head);
        chunk = (chunk * 2).min(MAX_CHUNK);
    }
}

/// A source seen as a source of chunks of at most `size` items: how
/// [`par_for_each_chunk`](crate::exec::par_for_each_chunk) runs on a continuation pool,
/// whose loop splits per item (its item being a chunk here).
pub(crate) struct Chunks<S> {
    /// What is left (`None` only inside `next_item`).
    source: Option<S>,
    size: usize,
}

impl<S: ParSource> Chunks<S> {
    /// Chunks of `size` items (`size >= 1`).
    pub(crate) fn new(source: S, size: usize) -> Self {
        Chunks {
            source: Some(source),
            size: size.max(1),
        }
    }
}

impl<S: ParSource> ParSource for Chunks<S> {
    type Item = S;

    #[inline]
    fn len(&self) -> usize {
        self.source
            .as_ref()
            .map_or(0, ParSource::len)
            .div_ceil(self.size)
    }

    #[inline]
    fn split_at(self, index: usize) -> (Self, Self) {
        let size = self.size;
        let source = self
            .source
            .expect("a chunk source holds its source between calls");
        let items = index.saturating_mul(size).min(source.len());
        let (left, right) = source.split_at(items);
        (Chunks::new(left, size), Chunks::new(right, size))
    }

    #[inline]
    fn next_item(&mut self) -> Option<S> {
        let source = self.source.take()?;
        let len = source.len();
        let (head, rest) = source.split_at(self.size.min(len));
        self.source = Some(rest);
        (len > 0).then_some(head)
    }
}
