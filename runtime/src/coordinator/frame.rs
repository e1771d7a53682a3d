//! [`FrameSync`]: what the threads of a [`Coordinator`](super::Coordinator) run share, and
//! the frame protocol each of them follows ([`FrameSync::run_frames`]).
//!
//! Each frame: receive, barrier, step and send, barrier, then read the failure flag.
//! A world that panics sets the flag before the second barrier, so every thread reads it
//! after that barrier alike and all stop at the same frame, none waiting alone at a
//! barrier. Modelled in `loom_tests.rs` (the module docs list the models).

use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::{lock, Barrier, Mutex};
use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A panic payload caught on a world's thread.
pub(super) type Payload = Box<dyn Any + Send>;

/// The barrier, failure flag and first panic shared by the threads of one run.
pub(super) struct FrameSync {
    barrier: Barrier,
    /// Set by a thread whose world panicked while receiving, before the frame's first
    /// barrier: after it, every thread reads the same value and steps or not alike.
    receive_failed: AtomicBool,
    /// Set by a thread whose world panicked while stepping, before the second barrier.
    step_failed: AtomicBool,
    /// The first panic caught, handed to the caller after the run.
    panic: Mutex<Option<Payload>>,
}

impl FrameSync {
    /// The shared state of a run of `worlds` threads.
    pub(super) fn new(worlds: usize) -> FrameSync {
        FrameSync {
            barrier: Barrier::new(worlds),
            receive_failed: AtomicBool::new(false),
            step_failed: AtomicBool::new(false),
            panic: Mutex::new(None),
        }
    }

    /// Runs up to `frames` frames of one world's thread: `receive`, barrier, `step`
    /// (the world's step and its send), barrier, each on `world`; stops after the frame
    /// in which any world panicked. Returns the frames completed without a panic: every
    /// thread of the run returns the same number.
    pub(super) fn run_frames<T: ?Sized>(
        &self,
        frames: u64,
        world: &mut T,
        mut receive: impl FnMut(&mut T),
        mut step: impl FnMut(&mut T),
    ) -> u64 {
        for frame in 0..frames {
            // Every thread waits at both barriers of every frame it starts, so a failure
            // never leaves one waiting alone. A frame starts only when no earlier one
            // failed (the check at its end returned otherwise).
            self.guarded(&mut || receive(world), &self.receive_failed);
            self.barrier.wait();
            // Set only before the first barrier: every world steps, or none does.
            if !self.receive_failed.load(Ordering::SeqCst) {
                self.guarded(&mut || step(world), &self.step_failed);
            }
            self.barrier.wait();
            // Set before this barrier by whoever failed: every thread decides alike.
            if self.receive_failed.load(Ordering::SeqCst) || self.step_failed.load(Ordering::SeqCst)
            {
                return frame;
            }
        }
        frames
    }

    /// Runs `work`; if it panics, sets `failed` and keeps the first payload.
    fn guarded(&self, work: &mut dyn FnMut(), failed: &AtomicBool) {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(work)) {
            failed.store(true, Ordering::SeqCst);
            lock(&self.panic).get_or_insert(payload);
        }
    }

    /// The first panic caught, if any.
    pub(super) fn into_panic(self) -> Option<Payload> {
        self.panic
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
