//! [`StartGate`]: how the stage runner makes the calling thread start a stage's longest
//! system before any thief starts another one.
//!
//! The calling thread spawns the handed-off systems after the first, each job waiting on
//! the gate before it runs its system, then opens the gate and runs the first itself.
//! The gate carries an order, not data: `open` (release) happens before every `wait`
//! (acquire) returns, so everything the calling thread did before opening (starting
//! the first system's run) happens before any gated system starts. Liveness: a
//! [`Opener`] opens the gate when dropped, so the gate is open once the scope's body is
//! left, by returning or unwinding; nothing in the body blocks before it opens the gate
//! (spawning only pushes to a deque), and a gated job never runs on the calling thread
//! before then (the body runs no pool jobs). Both are modelled with loom
//! (`loom_tests` below).

use crate::sync::atomic::{AtomicBool, Ordering};

/// A gate that gated jobs wait on until the calling thread opens it.
#[derive(Debug, Default)]
pub(crate) struct StartGate {
    open: AtomicBool,
}

/// Opens its gate when dropped (or when [`Opener::open`] is called).
pub(crate) struct Opener<'a>(&'a StartGate);

impl StartGate {
    /// A closed gate.
    pub(crate) fn new() -> StartGate {
        StartGate {
            open: AtomicBool::new(false),
        }
    }

    /// The gate's opener: it opens the gate when dropped, on every exit path.
    pub(crate) fn opener(&self) -> Opener<'_> {
        Opener(self)
    }

    /// Waits until the gate is open: spins briefly, then yields (on a loaded machine the
    /// calling thread may need this core to open it).
    pub(crate) fn wait(&self) {
        let mut spins = 0u32;
        while !self.open.load(Ordering::Acquire) {
            spins += 1;
            if cfg!(not(loom)) && spins < 64 {
                std::hint::spin_loop();
            } else {
                yield_now();
            }
        }
    }
}

impl Opener<'_> {
    /// Opens the gate now.
    pub(crate) fn open(self) {}
}

impl Drop for Opener<'_> {
    fn drop(&mut self) {
        self.0.open.store(true, Ordering::Release);
    }
}

#[cfg(not(loom))]
fn yield_now() {
    std::thread::yield_now();
}

#[cfg(loom)]
fn yield_now() {
    loom::thread::yield_now();
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::sync::atomic::AtomicUsize;
    use crate::sync::Arc;

    /// The calling thread "starts the first system" (a relaxed store) and opens the
    /// gate; a gated job that got past `wait` sees that start.
    #[test]
    fn loom_a_gated_job_starts_after_the_first_system() {
        loom::model(|| {
            let gate = Arc::new(StartGate::new());
            let started = Arc::new(AtomicUsize::new(0));
            let opener_gate = gate.clone();
            let job = {
                let (gate, started) = (gate.clone(), started.clone());
                loom::thread::spawn(move || {
                    gate.wait();
                    assert_eq!(started.load(Ordering::Relaxed), 1, "first system started");
                })
            };
            let opener = opener_gate.opener();
            started.store(1, Ordering::Relaxed);
            opener.open();
            job.join().unwrap();
        });
    }

    /// The calling thread unwinds before opening: the gate opens anyway and the job
    /// ends (loom reports a deadlock otherwise).
    #[test]
    fn loom_the_gate_opens_when_the_body_unwinds() {
        loom::model(|| {
            let gate = Arc::new(StartGate::new());
            let job = {
                let gate = gate.clone();
                loom::thread::spawn(move || gate.wait())
            };
            let body = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let _opener = gate.opener();
                panic!("a spawn failed");
            }));
            assert!(body.is_err());
            job.join().unwrap();
        });
    }
}
