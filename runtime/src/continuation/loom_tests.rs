//! Loom model of the new protocol of this pool: parking a suspended fiber in a
//! [`Handoff`] latch against the setter that finishes the stolen job (README.md,
//! "Parking a fiber in a latch"). Exhaustive over the two threads.
//!
//! ```sh
//! RUSTFLAGS="--cfg loom" cargo test -p metronome-runtime --release --lib loom
//! ```

use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::thread;

use super::latch::{Handoff, Parked};

/// The waiter's token (stands for the suspended fiber).
const FIBER: u32 = 7;
/// The stolen job's result.
const RESULT: u64 = 42;

struct Join {
    latch: Handoff<u32>,
    /// The waiter's own slot (a fiber's is in its context), which the latch points to
    /// while the waiter is parked.
    home: Parked<u32>,
    /// The job's result, written by the setter before it sets the latch.
    result: UnsafeCell<u64>,
}

// SAFETY: `result` is written by the setter before its `DONE` swap and read by whoever
// resumes the waiter after it; loom checks exactly that.
unsafe impl Sync for Join {}
// SAFETY: as above.
unsafe impl Send for Join {}

#[test]
fn loom_exactly_one_side_resumes_the_fiber_and_sees_the_result() {
    loom::model(|| {
        let join = Arc::new(Join {
            // As a join's latch: unarmed, armed by the owner before it is published.
            latch: Handoff::new_unarmed(),
            home: Parked::new(),
            result: UnsafeCell::new(0),
        });
        // SAFETY: live, unarmed, not shared with another thread yet; armed once.
        unsafe { Handoff::arm(&join.latch) };
        let thief = {
            let join = join.clone();
            thread::spawn(move || {
                // SAFETY: only the thief writes the result, before setting the latch.
                join.result.with_mut(|r| unsafe { *r = RESULT });
                // SAFETY: the latch is live (the `Arc`) and set once.
                let woke = unsafe { Handoff::set(&join.latch) };
                if let Some(fiber) = woke {
                    // The thief resumes the fiber, which reads the result.
                    assert_eq!(fiber, FIBER);
                    // SAFETY: program order after our own write.
                    assert_eq!(join.result.with(|r| unsafe { *r }), RESULT);
                }
                woke
            })
        };
        // The owner's scheduler parks the fiber (unless the latch is already set).
        // SAFETY: the latch and the empty home are live (the `Arc`); parked once.
        let back = unsafe { Handoff::park(&join.latch, &join.home, FIBER) };
        if let Some(fiber) = back {
            assert_eq!(fiber, FIBER);
            assert!(join.latch.probe());
            // SAFETY: the failed park acquired `DONE`, published after the write.
            assert_eq!(join.result.with(|r| unsafe { *r }), RESULT);
        }
        let woke = thief.join().expect("thief");
        // Whoever resumed the fiber took it out of its home.
        // SAFETY: both sides are done with the latch.
        assert!(unsafe { join.home.is_empty() });
        assert!(
            back.is_some() != woke.is_some(),
            "exactly one side resumes the fiber"
        );
    });
}

#[test]
fn loom_a_set_before_the_park_never_parks() {
    loom::model(|| {
        let latch = Handoff::<u32>::new();
        let home = Parked::new();
        // SAFETY: live, set once.
        assert_eq!(unsafe { Handoff::set(&latch) }, None);
        // SAFETY: live, parked once, the home is empty.
        assert_eq!(unsafe { Handoff::park(&latch, &home, FIBER) }, Some(FIBER));
        // SAFETY: nothing refers to the home any more.
        assert!(unsafe { home.is_empty() });
    });
}
