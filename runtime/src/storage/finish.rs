//! Steps that finish even when user code unwinds: the storage drops component values,
//! whose `Drop` may panic, and every such path must leave the tables consistent.
//!
//! A value whose `drop_in_place` unwound counts as dropped (its drop glue still dropped
//! its fields), so the bookkeeping after a drop (moving the last row into the hole,
//! dropping the other values of a row or a table) must still happen: these guards do it
//! on the unwinding path as on the normal one, at no cost on the normal one.

use super::column::copy_value;

/// Calls `step(i)` for every `i` in `0..n`, in order. If a step unwinds, the remaining
/// steps still run while unwinding before the panic goes on, as the drop of a slice drops
/// every element; a second panic among them aborts the process, as it does there.
#[inline]
pub(crate) fn for_each_completing(n: usize, step: impl FnMut(usize)) {
    let mut rest = Remaining { next: 0, n, step };
    rest.run();
}

/// The steps of [`for_each_completing`] not yet started; dropping it runs them.
struct Remaining<F: FnMut(usize)> {
    next: usize,
    n: usize,
    step: F,
}

impl<F: FnMut(usize)> Remaining<F> {
    #[inline(always)]
    fn run(&mut self) {
        while self.next < self.n {
            let i = self.next;
            // Counted as started before it runs: if it unwinds, `drop` goes on after it.
            self.next += 1;
            (self.step)(i);
        }
    }
}

impl<F: FnMut(usize)> Drop for Remaining<F> {
    fn drop(&mut self) {
        // Nothing left on the normal path; the steps after an unwound one otherwise.
        self.run();
    }
}

/// Copies `size` bytes from `src` to `dst` when dropped: the move that follows the drop
/// of the value at `dst`, made also if that drop unwinds.
pub(crate) struct CopyOnDrop {
    src: *const u8,
    dst: *mut u8,
    size: usize,
}

impl CopyOnDrop {
    /// A guard that moves the value at `src` to `dst` when it drops (nothing when they
    /// are the same place).
    ///
    /// # Safety
    /// When the guard drops, `src` holds a value of `size` bytes that is moved to `dst`
    /// (and not used at `src` again), `dst` is valid for writing it, its previous value
    /// (if any) was dropped or moved out, and the two do not overlap unless equal.
    #[inline(always)]
    pub(crate) unsafe fn new(src: *const u8, dst: *mut u8, size: usize) -> CopyOnDrop {
        CopyOnDrop { src, dst, size }
    }
}

impl Drop for CopyOnDrop {
    #[inline(always)]
    fn drop(&mut self) {
        if !std::ptr::eq(self.src, self.dst) {
            // SAFETY: `CopyOnDrop::new`'s contract: `src` holds a value of `size` bytes
            // that moves to `dst`, writable, free and disjoint from it.
            unsafe { copy_value(self.src, self.dst, self.size) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::for_each_completing;
    use std::panic::{catch_unwind, AssertUnwindSafe};

    #[test]
    fn every_step_runs_when_one_unwinds() {
        let mut ran = Vec::new();
        let result = catch_unwind(AssertUnwindSafe(|| {
            for_each_completing(4, |i| {
                ran.push(i);
                if i == 1 {
                    panic!("step 1");
                }
            })
        }));
        assert!(result.is_err());
        assert_eq!(ran, [0, 1, 2, 3]);
    }
}
