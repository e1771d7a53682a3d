//! `par_for_each`: loops that split lazily, at heartbeats.
//!
//! The loop runs item by item and, before each item, reads the worker's heartbeat flag
//! (one `Relaxed` load). Only when it is up does the loop split what is left in two halves
//! and `join` them; that `join` promotes the oldest private job, so thieves see work. With
//! no heartbeat (one worker, or outside a pool) the loop never splits, so there is no
//! grain size to tune: splitting costs one `join` per heartbeat, not per item.

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

/// Walks `source` on the current thread, splitting at heartbeats if it is a worker.
pub(crate) fn run<S, F>(mut source: S, f: &F)
where
    S: ParSource,
    F: Fn(S::Item) + Sync,
{
    let worker = WorkerThread::current();
    // SAFETY: a non-null `current` is this thread's live worker.
    let Some(worker) = (unsafe { worker.as_ref() }) else {
        while let Some(item) = source.next_item() {
            f(item);
        }
        return;
    };
    loop {
        if worker.heartbeat_pending() {
            let len = source.len();
            if len >= 2 {
                let (left, right) = source.split_at(len / 2);
                worker.join(|| run(left, f), || run(right, f));
                return;
            }
        }
        match source.next_item() {
            Some(item) => f(item),
            None => return,
        }
    }
}
