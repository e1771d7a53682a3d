//! Loom models of this pool's own protocols: parking a suspended fiber in a [`Handoff`]
//! latch against the setter that finishes the stolen job (README.md, "Parking a fiber in
//! a latch"), exhaustive over the two threads; a scope's count ([`ScopeCount`]) in front
//! of that latch, with three threads releasing; the spill path's unfenced wake-up;
//! shutdown racing the workers' real main loops; and a fiber's `install` into another
//! pool (`CrossFiberLatch`: the setter queues the parked waiter on its pool's
//! `Resumable` queue, exhaustive over three threads); and entering from outside as a
//! guest (README.md, "Entering from outside: guests"): the root job's `GuestLatch`, the
//! guest slots' claims, and a guest answering a parked worker's request. Sleep and the
//! fallback `install` from outside (every guest slot taken) use `exec`'s `Sleep`,
//! `notify_one` and `LockLatch` unchanged, and are modelled in `exec/loom_tests/`.
//!
//! ```sh
//! RUSTFLAGS="--cfg loom" cargo test -p metronome-runtime --release --lib loom
//! ```

use std::mem::ManuallyDrop;
use std::ptr;

use loom::cell::UnsafeCell;
use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::sync::Arc;
use loom::thread;

use crate::exec::job::HeapJob;
use crate::exec::latch::Latch;
use crate::exec::loom_tests::PoolRef;
use crate::exec::sleep::Sleep;

use super::cross::{CrossFiberLatch, Resumable, WaiterPool};
use super::guest::Visit;
use super::guest_latch::{GuestLatch, GuestWaker};
use super::latch::{Handoff, Parked, ScopeCount};
use super::worker::{Registry, WorkerThread};

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

/// Data the jobs of a model write, each into its own cell; loom checks that every read
/// happens after the write.
struct Results([UnsafeCell<u64>; 2]);

// SAFETY: each cell is written by one job and read by the scope's owner after the count
// reached zero; loom's `UnsafeCell` checks that these accesses are ordered.
unsafe impl Sync for Results {}
// SAFETY: as above.
unsafe impl Send for Results {}

impl Results {
    fn new() -> Self {
        Results([UnsafeCell::new(0), UnsafeCell::new(0)])
    }
    fn write(&self, i: usize) {
        // SAFETY: job `i` is the only writer of cell `i` (loom checks the claim).
        self.0[i].with_mut(|cell| unsafe { *cell = RESULT + i as u64 });
    }
    fn read(&self, i: usize) -> u64 {
        // SAFETY: read after the count reached zero (loom checks the claim).
        self.0[i].with(|cell| unsafe { *cell })
    }
}

/// Stands for the scope owner's suspended fiber: resuming it runs the rest of the owner,
/// which reads what the jobs wrote.
struct Owner {
    results: Arc<Results>,
    resumed: Arc<AtomicUsize>,
}

impl Owner {
    fn resume(self) {
        assert_eq!(
            [self.results.read(0), self.results.read(1)],
            [RESULT, RESULT + 1]
        );
        self.resumed.fetch_add(1, Ordering::Relaxed);
    }
}

/// As `FiberLatch`'s `Latch`: the setter resumes a parked owner (the pool hands the fiber
/// to the setter's scheduler, which resumes it once the setting job has returned).
impl Latch for Handoff<Owner> {
    unsafe fn set(this: *const Self) {
        // SAFETY: by the trait's contract `this` is live, and this is its one set.
        if let Some(owner) = unsafe { Handoff::set(this) } {
            owner.resume();
        }
    }
}

/// A scope in flight: its count and the owner's slot (in the pool, in the fiber's
/// context).
struct ScopeState {
    count: ScopeCount<Handoff<Owner>>,
    home: Parked<Owner>,
}

/// Scope counting (`ScopeCount`): the owner spawns two jobs (each increment made while
/// the body holds its count), releases the body's count and, if jobs are outstanding,
/// parks in the latch as `scope_on_fiber` (through `wait` and the scheduler's `park`)
/// does; each job writes its result and releases its count on its own thread. Checks:
/// the owner resumes exactly once (by itself, after a failed park or with no job left,
/// or by the last job), only after both jobs' writes (loom's cells check the ordering
/// through the `AcqRel` decrements and the latch), and its slot is empty afterwards.
#[test]
fn loom_scope_count_resumes_the_owner_once_after_every_job() {
    loom::model(|| {
        let results = Arc::new(Results::new());
        let resumed = Arc::new(AtomicUsize::new(0));
        let scope = Arc::new(ScopeState {
            count: ScopeCount::with_latch(Handoff::new()),
            home: Parked::new(),
        });
        let jobs: Vec<_> = (0..2)
            .map(|i| {
                scope.count.increment();
                let (scope, results) = (scope.clone(), results.clone());
                thread::spawn(move || {
                    results.write(i);
                    // SAFETY: our count keeps the scope live (the `Arc` does too); the
                    // job's last access.
                    unsafe { ScopeCount::release_job(&scope.count) };
                })
            })
            .collect();
        let owner = Owner {
            results: results.clone(),
            resumed: resumed.clone(),
        };
        if scope.count.release_body() {
            // SAFETY: the latch and the empty home live in the `Arc`; parked once.
            if let Some(owner) = unsafe { Handoff::park(&scope.count.latch, &scope.home, owner) } {
                owner.resume();
            }
        } else {
            owner.resume();
        }
        for job in jobs {
            job.join().unwrap();
        }
        assert_eq!(resumed.load(Ordering::Relaxed), 1, "resumed exactly once");
        // SAFETY: every job is done: nothing refers to the slot any more.
        assert!(unsafe { scope.home.is_empty() });
    });
}

/// The spill path: a worker whose private ring is full moves its oldest job to its shared
/// deque (`push`) and wakes a sleeper only if an unfenced `Relaxed` read of
/// `Sleep::sleeping` sees one (`wake_if_sleeping`); meanwhile the other worker searches
/// and parks (the real `Sleep::sleep`, whose last check looks at every deque). The read
/// may miss the sleeper; what keeps the job from being stranded is that it lies in the
/// spilling worker's own deque, which that worker searches (`pop`) before it could park.
/// Checks: the job runs exactly once, whoever takes it, and no thread is left asleep
/// (loom reports a deadlock otherwise) before the pool's shutdown (`terminate`).
#[test]
fn loom_spilled_job_runs_once_without_a_fenced_wake_up() {
    let mut builder = loom::model::Builder::new();
    // Bounded like the whole-pool models of `exec/loom_tests/pools.rs` (3 preemptions: 0.03 s;
    // exhaustive: 80 s).
    builder.preemption_bound = Some(3);
    builder.check(|| {
        let (registry, mut deques) = Registry::new(2, 4, 64 << 10);
        let stealer = deques[0].stealer();
        let spiller = WorkerThread::new(0, registry.clone(), deques.remove(0));
        let runs = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));

        let thief = {
            let (registry, stop) = (registry.clone(), stop.clone());
            thread::spawn(move || loop {
                if let crate::sync::Steal::Success(job) = stealer.steal() {
                    // SAFETY: we stole the only `JobRef` of a heap job: run it once.
                    unsafe { job.execute() };
                } else if stop.load(Ordering::SeqCst) {
                    return;
                } else {
                    registry.sleep.sleep(1, None, || {
                        !stealer.is_empty() || stop.load(Ordering::SeqCst)
                    });
                }
            })
        };

        let job = {
            let runs = runs.clone();
            // SAFETY: the job borrows nothing; it is run once (stolen or popped) below.
            unsafe {
                HeapJob::into_job_ref(move || {
                    runs.fetch_add(1, Ordering::Relaxed);
                })
            }
        };
        spiller.push(job);
        spiller.wake_if_sleeping();
        // The spiller runs out of other work: its own deque first.
        if let Some(job) = spiller.pop() {
            // SAFETY: we popped the only `JobRef` back.
            unsafe { job.execute() };
        }
        stop.store(true, Ordering::SeqCst);
        registry.terminate();
        thief.join().unwrap();
        assert_eq!(runs.load(Ordering::Relaxed), 1, "the spilled job runs once");
    });
}

/// Shutdown racing sleepers in this pool: two workers run their real main loops with no
/// work (search, ask the other for work, park at any moment), and the pool's owner
/// terminates it (`Registry::terminate`, as `ContinuationPool`'s `Drop`). Loom reports a
/// deadlock if a worker could park after `terminate` and never be woken.
#[test]
fn loom_shutdown_wakes_every_sleeping_worker() {
    let mut builder = loom::model::Builder::new();
    // Three threads: bounded like the whole-pool models of `exec/loom_tests/pools.rs`.
    builder.preemption_bound = Some(3);
    builder.check(|| {
        let (registry, deques) = Registry::new(2, 4, 64 << 10);
        let workers: Vec<_> = deques
            .into_iter()
            .enumerate()
            .map(|(index, deque)| {
                let registry = registry.clone();
                thread::spawn(move || WorkerThread::new(index, registry, deque).main_loop())
            })
            .collect();
        registry.terminate();
        for worker in workers {
            worker.join().unwrap();
        }
    });
}

/// A world's tick on this pool (`exec/sleep.rs`, "Ticks"): the only worker runs its
/// real main loop (it may be parked when the tick begins, or park at any moment before
/// it sees it); the owner begins a tick (claiming the sleeper), ends it (the worker,
/// polling meanwhile, may park again) and terminates the pool. Loom reports a deadlock
/// if the worker could park for good, and fails the model if its polling could go on
/// after the tick.
#[test]
fn loom_a_tick_wakes_the_worker_and_lets_it_park_after() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(|| {
        let (registry, mut deques) = Registry::new(1, 4, 64 << 10);
        let deque = deques.pop().expect("one deque");
        let worker = {
            let registry = registry.clone();
            thread::spawn(move || WorkerThread::new(0, registry, deque).main_loop())
        };
        registry.sleep.begin_tick();
        registry.sleep.end_tick();
        registry.terminate();
        worker.join().unwrap();
    });
}

/// The waiting fiber's pool in the `CrossFiberLatch` model: its queue of resumable
/// waiters, its `Sleep` (one worker) and its shutdown flag, behind a [`PoolRef`] (loom's
/// `Arc`, with liveness flags that loom's cells check).
struct FiberPool {
    resumable: Resumable<ModelFiber>,
    sleep: Sleep,
    terminate: AtomicBool,
}

impl FiberPool {
    /// As `Registry::terminate`: every worker exits once it finds no work.
    fn terminate(&self) {
        self.terminate.store(true, Ordering::SeqCst);
        self.sleep.notify_all();
    }

    fn terminating(&self) -> bool {
        self.terminate.load(Ordering::SeqCst)
    }
}

impl WaiterPool<ModelFiber> for PoolRef<FiberPool> {
    fn resumable(&self) -> &Resumable<ModelFiber> {
        &self.get().resumable
    }
    fn sleep(&self) -> &Sleep {
        &self.get().sleep
    }
}

/// The suspended fiber's own memory (its stack): the job's latch and result, and the
/// `Parked` slot of its context. When the fiber leaves it, its contents are dropped
/// (the latch's reference to the pool goes) but its memory is freed only at the end of
/// the model, so that a setter touching it too late is reported by loom's cells (the
/// reference's liveness flag) rather than reading freed memory.
struct FiberFrame {
    latch: CrossFiberLatch<ModelFiber, PoolRef<FiberPool>>,
    result: UnsafeCell<u64>,
    home: Parked<ModelFiber>,
}

// SAFETY: `result` is written by the setter before its `DONE` swap and read by whoever
// resumes the fiber after it (ordered by the swap, or by the queue); loom's cell checks
// it. The rest follows the latch's protocol.
unsafe impl Sync for FiberFrame {}

/// Stands for the suspended fiber: it owns its frame (as a fiber owns its stack) and
/// the pool owner's reference to the pool (the `ContinuationPool` that the code after
/// the `install` drops). Resuming it runs the rest of the fiber.
struct ModelFiber {
    frame: *mut FiberFrame,
    owner: PoolRef<FiberPool>,
    resumed: Arc<AtomicUsize>,
}

// SAFETY: the frame is reached only by whoever holds the fiber (the latch's protocol and
// the queue hand it over), or by the setter through the latch while the fiber cannot
// run; everything in it is `Send`.
unsafe impl Send for ModelFiber {}

impl ModelFiber {
    /// The rest of the fiber: the `install` returns the job's result, the frame is left
    /// (its latch's reference to the pool goes), and the pool's owner drops the pool
    /// (terminate, then its reference).
    fn resume(self) {
        let first = self.resumed.fetch_add(1, Ordering::Relaxed) == 0;
        assert!(first, "the fiber is resumed once");
        // SAFETY: the frame is live until we leave it below; the fiber is resumed once.
        let frame = unsafe { &*self.frame };
        assert!(frame.latch.handoff.probe());
        // SAFETY: read after the setter's write, ordered by its `DONE` swap (acquired by
        // the failed park, or by the setter before it queued us, then by the queue).
        assert_eq!(frame.result.with(|r| unsafe { *r }), RESULT);
        // SAFETY: whoever resumed us took us out of the slot.
        assert!(unsafe { frame.home.is_empty() });
        // Leave the frame: its contents are dropped (see `FiberFrame`).
        // SAFETY: nobody touches the frame any more (the setter is done with it).
        unsafe { ptr::drop_in_place(self.frame) };
        self.owner.get().terminate();
    }
}

/// `CrossFiberLatch`: a fiber of a continuation pool (one worker, plus the scheduler
/// that parks the fiber) installs into another pool, whose thread (the setter) runs the
/// job. The scheduler parks the fiber in the latch (`Handoff::park`: slot, then `PENDING
/// -> &slot`), or resumes it itself if the latch is already set. The setter writes the
/// result and sets the latch (`CrossFiberLatch::set`: swap in `DONE`; if it saw the slot,
/// take the fiber, clone the pool's reference, push the fiber on the pool's `Resumable`
/// queue, `notify_one`, drop the clone). The pool's worker takes resumable fibers and
/// resumes them, else sleeps (`has_work`: the queue, or shutdown), until the pool
/// terminates. A resumed fiber reads the result, leaves its frame (the latch's reference
/// goes) and terminates and drops the pool (its owner's reference). Checks: the fiber is
/// resumed exactly once and reads the result; it is never left queued while the worker
/// sleeps (loom reports a deadlock: the worker and the joins block); the setter clones
/// the latch's reference and uses the queue and the `Sleep` only at moments ordered
/// before the frame's and the pool's drops (`PoolRef`); the pool is released exactly
/// once, never leaked. Three threads, exhaustive (about 3 700 executions, 1 s).
#[test]
fn loom_cross_fiber_latch_resumes_the_fiber_once_through_its_pool() {
    loom::model(|| {
        let pool = PoolRef::new(FiberPool {
            resumable: Resumable::new(),
            sleep: Sleep::new(1, 0),
            terminate: AtomicBool::new(false),
        });
        let resumed = Arc::new(AtomicUsize::new(0));
        let worker = {
            let pool = pool.clone();
            thread::spawn(move || loop {
                let pool = pool.get();
                if let Some(fiber) = pool.resumable.take() {
                    fiber.resume();
                } else if pool.terminating() {
                    return;
                } else {
                    pool.sleep
                        .sleep(0, None, || !pool.resumable.is_empty() || pool.terminating());
                }
            })
        };
        // The fiber's frame: the job is queued on the other pool (the setter starts),
        // then the fiber suspends and its scheduler parks it.
        let memory = Box::into_raw(Box::new(ManuallyDrop::new(FiberFrame {
            latch: CrossFiberLatch::with_pool(pool.clone()),
            result: UnsafeCell::new(0),
            home: Parked::new(),
        })));
        let frame = memory.cast::<FiberFrame>();
        let address = frame as usize;
        let setter = thread::spawn(move || {
            let frame = address as *const FiberFrame;
            // SAFETY: the frame lives until the fiber is resumed, which needs our set;
            // only the setter writes the result, before it sets the latch.
            unsafe { (*frame).result.with_mut(|r| *r = RESULT) };
            // SAFETY: live until the set queued the fiber (or saw it not parked), and set
            // once.
            unsafe { CrossFiberLatch::set(ptr::addr_of!((*frame).latch)) };
        });
        // SAFETY: addresses inside the live frame; nothing is read.
        let (latch, home) = unsafe {
            (
                ptr::addr_of!((*frame).latch.handoff),
                ptr::addr_of!((*frame).home),
            )
        };
        let fiber = ModelFiber {
            frame,
            owner: pool,
            resumed: resumed.clone(),
        };
        // SAFETY: the latch and the empty slot live in the frame until the fiber is
        // resumed; parked once.
        if let Some(fiber) = unsafe { Handoff::park(latch, home, fiber) } {
            fiber.resume();
        }
        setter.join().unwrap();
        worker.join().unwrap();
        assert_eq!(resumed.load(Ordering::Relaxed), 1, "resumed exactly once");
        // SAFETY: allocated above; its contents were dropped by the resumed fiber.
        drop(unsafe { Box::from_raw(memory) });
    });
}

/// The root job's frame in the `GuestLatch` model: the latch and the result, freed by
/// the guest as soon as it saw the latch set (as `install` returns and its frame goes).
struct RootFrame<'a> {
    latch: GuestLatch<'a>,
    result: UnsafeCell<u64>,
}

// SAFETY: `result` is written by the setter before it sets the latch and read by the
// guest after seeing `DONE`; loom's cell checks the ordering.
unsafe impl Sync for RootFrame<'_> {}
// SAFETY: as above.
unsafe impl Send for RootFrame<'_> {}

/// `GuestLatch`: the root job finishes on a worker (the setter) while the guest probes
/// the latch and then sleeps on it (`wait`: `PENDING -> SLEEPING` under the lock,
/// recheck, condition variable). The guest frees the frame (the latch) as soon as it
/// saw `DONE`, then the slot (its waker: the pool is dropped); a setter that saw the
/// guest asleep cloned the waker before setting, and that clone keeps the lock and
/// condition variable alive for its notify. Checks: the guest always wakes (loom
/// reports a deadlock for a lost notification; it does when the guest's `SLEEPING` CAS
/// is removed), reads the result after its write (loom's cell), and the waker is freed
/// exactly once, after its last use (loom's `Arc`). Two threads, exhaustive.
#[test]
fn loom_guest_latch_wakes_the_guest_once_and_outlives_its_frame() {
    loom::model(|| {
        // The guest slot's waker, boxed so that the slot's reference outlives nothing.
        let slot = Box::new(Arc::new(GuestWaker::new()));
        let frame = Box::new(RootFrame {
            latch: GuestLatch::new(&slot),
            result: UnsafeCell::new(0),
        });
        let address = &*frame as *const RootFrame<'_> as usize;
        let setter = thread::spawn(move || {
            let frame = address as *const RootFrame<'static>;
            // SAFETY: the guest keeps the frame (and the slot) until the latch reads
            // `DONE`; the result is written only here, before the set.
            unsafe {
                (*frame).result.with_mut(|r| *r = RESULT);
                GuestLatch::set(ptr::addr_of!((*frame).latch));
            }
        });
        if !frame.latch.probe() {
            frame.latch.wait();
        }
        // SAFETY: read after `DONE` was observed with acquire.
        assert_eq!(frame.result.with(|r| unsafe { *r }), RESULT);
        drop(frame);
        drop(slot);
        setter.join().unwrap();
    });
}

/// Guest slots: three threads enter a pool of two guest slots at once (`Visit::enter`:
/// `try_lock` of each slot in turn). Checks: a slot is never held by two visitors (each
/// visitor marks its slot while inside), a visitor that finds both taken gets `None`
/// (it falls back to the injector), and every slot is free and whole again after the
/// visits (two more enter at once).
#[test]
fn loom_guest_slots_admit_one_visitor_each_and_are_handed_back() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(|| {
        let (registry, _deques) = Registry::new(1, 4, 64 << 10);
        let inside: Arc<[AtomicBool; 2]> =
            Arc::new([AtomicBool::new(false), AtomicBool::new(false)]);
        let visitors: Vec<_> = (0..3)
            .map(|_| {
                let (registry, inside) = (registry.clone(), inside.clone());
                thread::spawn(move || {
                    let Some(visit) = Visit::enter(&registry) else {
                        return false;
                    };
                    let g = visit.worker().index - registry.num_workers();
                    assert!(
                        !inside[g].swap(true, Ordering::Relaxed),
                        "one visitor per slot"
                    );
                    inside[g].store(false, Ordering::Relaxed);
                    drop(visit);
                    true
                })
            })
            .collect();
        let entered = visitors
            .into_iter()
            .map(|v| v.join().unwrap())
            .filter(|&entered| entered)
            .count();
        assert!(entered >= 2, "a free slot was refused");
        let first = Visit::enter(&registry).expect("slot handed back");
        let second = Visit::enter(&registry).expect("slot handed back");
        assert!(Visit::enter(&registry).is_none());
        drop((first, second));
    });
}

/// A guest's arrival recruits a parked worker: the pool's one worker runs its real main
/// loop with no work (under loom it parks at its first fruitless search, after raising
/// every slot's request flag, the guests' included). Once it announced its sleep (it may
/// still be checking for work), a guest enters, and its join (as
/// `join_cold`) reads its limit: if a request is pending it answers, as
/// `answer_request` does (lowers the flag, pushes the head on its deque, fenced
/// `notify_one`), and otherwise keeps the head private and runs it. A shared head is
/// left to the worker (as if the guest's `a` ran for ever: the guest never pops it
/// back), and the guest waits for its latch. Checks: the head runs exactly once; a
/// shared head is never left in the guest's deque while the worker sleeps (loom reports
/// the deadlock; it does when the answer's `notify` is removed); the guest leaves its
/// slot and the pool shuts down.
#[test]
fn loom_a_guest_answers_a_parked_worker_and_its_head_runs_once() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(|| {
        let (registry, mut deques) = Registry::new(1, 4, 64 << 10);
        let worker = {
            let registry = registry.clone();
            let deque = deques.remove(0);
            thread::spawn(move || WorkerThread::new(0, registry, deque).main_loop())
        };
        let runs = Arc::new(AtomicUsize::new(0));
        let slot_waker = Arc::new(GuestWaker::new());
        let done = Arc::new(GuestLatch::new(&slot_waker));
        // The guest arrives once the worker is going to sleep (it announced it; it may
        // still be checking for work): the case the wake-up is for.
        while registry.sleep.sleeping.load(Ordering::SeqCst) == 0 {
            thread::yield_now();
        }
        {
            let visit = Visit::enter(&registry).expect("a free guest slot");
            let guest = visit.worker();
            let head = {
                let (runs, done) = (runs.clone(), done.clone());
                // SAFETY: the job borrows nothing; it runs once (popped or stolen) below.
                unsafe {
                    HeapJob::into_job_ref(move || {
                        runs.fetch_add(1, Ordering::Relaxed);
                        // SAFETY: the `Arc` keeps the latch live; set once.
                        GuestLatch::set(&*done);
                    })
                }
            };
            if registry.limit_of(guest.index) == super::worker::REQUESTED {
                guest.clear_request();
                guest.push(head);
                guest.notify();
                // The guest's `a` runs on and on: only the worker can run the head (the
                // guest never takes it back), so its wake-up must not be lost.
            } else {
                // Private: run inline.
                // SAFETY: the only `JobRef`, never shared.
                unsafe { head.execute() };
            }
            if !done.probe() {
                done.wait();
            }
            drop(visit);
        }
        assert_eq!(runs.load(Ordering::Relaxed), 1, "the head runs once");
        registry.terminate();
        worker.join().unwrap();
    });
}
