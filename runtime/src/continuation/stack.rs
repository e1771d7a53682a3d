//! Fiber stacks and the context each fiber keeps at the top of its stack.
//!
//! Every stack is a region of `size` bytes (a power of two) aligned to `size`, with a
//! guard page at its low end and a [`FiberCtx`] at its high end. Code running on a fiber
//! therefore finds its own context from any address on its stack:
//! `(sp | (size - 1)) + 1 - HEADER` ([`ctx_address`]). That is what makes the context
//! *fiber*-local instead of thread-local: a fiber that migrates to another worker thread
//! keeps finding the same context. `current.rs` uses that address only after checking it
//! against the worker's record of the running fiber (the stack pointer may be on a
//! foreign stack).

use std::cell::Cell;
use std::io;
use std::mem::{self, ManuallyDrop};
use std::ptr::{self, NonNull};

use corosensei::stack::valgrind::ValgrindStackRegistration;
use corosensei::stack::{Stack, StackPointer};
use corosensei::Yielder;

use crate::exec::job::JobRef;
use crate::sync::atomic::{AtomicUsize, Ordering};

use super::fiber::Fiber;
use super::latch::{FiberLatch, Parked};
use super::worker::{WorkerThread, REQUESTED};

/// The smallest fiber stack accepted; smaller requests are rounded up to it.
pub(crate) const MIN_STACK_SIZE: usize = 64 << 10;

/// What a fiber yields to its worker's scheduler: the latch it waits for.
pub(crate) type FiberYielder = Yielder<(), *const FiberLatch>;

/// Bytes reserved at the top of every stack for its [`FiberCtx`].
const HEADER: usize = (mem::size_of::<FiberCtx>() + 63) & !63;

/// The last byte of the `mask + 1`-aligned region of `mask + 1` bytes that holds `sp`:
/// for a fiber stack (`mask` = size - 1), the last byte of its region, just above its
/// [`FiberCtx`] ([`ctx_of_top`]). Only an address: `current::locate` compares it with
/// the running fiber's before anything reads the context. Not 0: `mask` is at least
/// `MIN_STACK_SIZE - 1`, or `usize::MAX` on a thread that is no worker.
#[inline(always)]
pub(crate) fn region_top(sp: usize, mask: usize) -> usize {
    sp | mask
}

/// The [`region_top`] of the fiber stack whose context is `ctx`.
#[inline(always)]
pub(crate) fn top_of_ctx(ctx: &FiberCtx) -> usize {
    ptr::from_ref(ctx) as usize + HEADER - 1
}

/// The context of the fiber stack whose region ends at `top` (inclusive): `HEADER`
/// bytes below the region's end.
///
/// # Safety
/// `top` is [`top_of_ctx`] of a context (so the result is that context's address).
#[inline(always)]
pub(crate) unsafe fn ctx_of_top(top: usize) -> NonNull<FiberCtx> {
    // SAFETY: by the contract, `top + 1 - HEADER` is the address of a `FiberCtx`, which
    // is not null.
    unsafe { NonNull::new_unchecked((top + 1 - HEADER) as *mut FiberCtx) }
}

const _: () = assert!(HEADER < MIN_STACK_SIZE);

/// A fiber's own state, at the top of its stack. It moves with the fiber from worker to
/// worker; only the thread currently running the fiber (or its scheduler, while the
/// fiber is suspended and owned by it) touches it.
pub(crate) struct FiberCtx {
    /// The worker running this fiber; set by the scheduler before every resume.
    pub(crate) worker: Cell<*const WorkerThread>,
    /// That worker's join limit word (`Registry::limits`): the ring's capacity, or
    /// [`REQUESTED`] while an idle worker asks it for work. Set with `worker`, so the
    /// join's one compare needs one load through it.
    pub(crate) limit: Cell<*const AtomicUsize>,
    /// The fiber's yielder (lives on this stack); set when the fiber starts.
    pub(crate) yielder: Cell<*const FiberYielder>,
    /// The private job ring: the second closures of the fiber's active joins, indexed by
    /// depth modulo its length. Slots `bottom..top` are private, below `bottom` shared.
    slots: Box<[Cell<Option<JobRef>>]>,
    pub(crate) top: Cell<usize>,
    pub(crate) bottom: Cell<usize>,
    /// A suspended fiber whose latch this fiber set at the end of its job: the
    /// scheduler resumes it next (the last to arrive at a join continues after it).
    pub(crate) handoff: Cell<Option<Fiber>>,
    /// Where this fiber waits while parked in a latch (`FiberLatch`): its scheduler
    /// moves the suspended fiber here, into its own stack, and the latch's state word
    /// points here until the setter takes it out.
    pub(crate) parked: Parked<Fiber>,
}

impl FiberCtx {
    fn new(queue_size: usize) -> Self {
        FiberCtx {
            worker: Cell::new(ptr::null()),
            limit: Cell::new(ptr::null()),
            yielder: Cell::new(ptr::null()),
            slots: (0..queue_size).map(|_| Cell::new(None)).collect(),
            top: Cell::new(0),
            bottom: Cell::new(0),
            handoff: Cell::new(None),
            parked: Parked::new(),
        }
    }

    /// Capacity of the private ring.
    #[inline(always)]
    pub(crate) fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// The private ring slot of depth `depth`.
    #[inline(always)]
    pub(crate) fn slot(&self, depth: usize) -> &Cell<Option<JobRef>> {
        let index = depth & (self.slots.len() - 1);
        // SAFETY: `slots.len()` is a power of two (checked by the builder), so the index
        // is in bounds.
        unsafe { self.slots.get_unchecked(index) }
    }

    /// The current worker's join limit (a `Relaxed` load): the ring's capacity, or
    /// [`REQUESTED`].
    #[inline(always)]
    pub(crate) fn limit(&self) -> usize {
        // SAFETY: the scheduler sets `limit` (with `worker`) before resuming the fiber;
        // it points into the worker's registry, which outlives every fiber it runs.
        unsafe { (*self.limit.get()).load(Ordering::Relaxed) }
    }

    /// Whether an idle worker asked the current worker for work.
    #[inline(always)]
    pub(crate) fn requested(&self) -> bool {
        self.limit() == REQUESTED
    }

    /// The worker running this fiber now.
    #[inline(always)]
    pub(crate) fn worker(&self) -> &WorkerThread {
        // SAFETY: the scheduler sets `worker` to itself before resuming the fiber, and a
        // worker outlives every fiber it runs (it lives on its thread's stack until the
        // pool terminates, after every job finished).
        unsafe { &*self.worker.get() }
    }
}

/// A fiber stack: an aligned `mmap` region with a guard page and a [`FiberCtx`].
pub(crate) struct FiberStack {
    region: NonNull<u8>,
    size: usize,
    valgrind: ManuallyDrop<ValgrindStackRegistration>,
}

// SAFETY: the stack is plain memory owned by this value; the `FiberCtx` in it holds
// `Cell`s that only the thread owning the stack (or running its fiber) touches.
unsafe impl Send for FiberStack {}

fn page_size() -> usize {
    // SAFETY: `sysconf` has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(page)
        .ok()
        .filter(|p| p.is_power_of_two())
        .unwrap_or(4096)
}

impl FiberStack {
    /// Maps a `size`-aligned stack of `size` bytes (a power of two, at least
    /// [`MIN_STACK_SIZE`]) whose context has a private ring of `queue_size` slots.
    pub(crate) fn new(size: usize, queue_size: usize) -> io::Result<FiberStack> {
        debug_assert!(size.is_power_of_two() && size >= MIN_STACK_SIZE);
        let page = page_size();
        let len = size * 2;
        // SAFETY: an anonymous private mapping at an address of the kernel's choosing
        // touches no existing memory.
        let raw = unsafe {
            libc::mmap(
                ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if raw == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let start = raw as usize;
        let aligned = (start + size - 1) & !(size - 1);
        // SAFETY: both ranges lie inside the mapping made above and outside
        // `aligned..aligned + size`, which we keep.
        unsafe {
            if aligned > start {
                libc::munmap(raw, aligned - start);
            }
            let end = start + len;
            if end > aligned + size {
                libc::munmap((aligned + size) as *mut libc::c_void, end - aligned - size);
            }
        }
        let region = aligned as *mut u8;
        // SAFETY: `region..region + size` is mapped and ours; the guard page is its first
        // page. Huge pages would make every stack cost 2 MiB of memory: ask for none
        // (advice only, failure is harmless).
        unsafe {
            if libc::mprotect(region.cast(), page, libc::PROT_NONE) != 0 {
                let err = io::Error::last_os_error();
                libc::munmap(region.cast(), size);
                return Err(err);
            }
            libc::madvise(region.cast(), size, libc::MADV_NOHUGEPAGE);
        }
        // SAFETY: the header lies in the writable top of the region, 64-byte aligned.
        unsafe {
            ptr::write(
                region.add(size - HEADER).cast::<FiberCtx>(),
                FiberCtx::new(queue_size),
            )
        };
        Ok(FiberStack {
            // SAFETY: `mmap` succeeded, so the address is not null.
            region: unsafe { NonNull::new_unchecked(region) },
            size,
            valgrind: ManuallyDrop::new(ValgrindStackRegistration::new(region, size)),
        })
    }

    /// The context at the top of this stack.
    pub(crate) fn ctx(&self) -> NonNull<FiberCtx> {
        // SAFETY: `new` wrote a `FiberCtx` there; it lives until `drop`.
        unsafe { NonNull::new_unchecked(self.region.as_ptr().add(self.size - HEADER).cast()) }
    }

    /// Prepares a recycled stack for a new fiber.
    pub(crate) fn reset(&self) {
        // SAFETY: no fiber runs on this stack (it is new or came back from a finished
        // coroutine), so nothing else references the context.
        let ctx = unsafe { self.ctx().as_ref() };
        ctx.top.set(0);
        ctx.bottom.set(0);
        ctx.yielder.set(ptr::null());
        // Always empty (`run_fiber` takes the handoff before recycling the stack); the
        // take is unconditional so that release builds reset the same state. A fiber
        // found here would be leaked, not dropped (that would unwind its stack).
        let stale = ctx.handoff.take();
        debug_assert!(stale.is_none(), "a recycled stack holds no handoff");
        std::mem::forget(stale);
        // SAFETY: no latch refers to a finished fiber's slot.
        debug_assert!(unsafe { ctx.parked.is_empty() });
    }
}

impl Drop for FiberStack {
    fn drop(&mut self) {
        // SAFETY: no fiber runs on this stack any more; the context was written by `new`
        // and is dropped once; then the region, mapped by `new`, is unmapped once.
        unsafe {
            ptr::drop_in_place(self.ctx().as_ptr());
            ManuallyDrop::drop(&mut self.valgrind);
            libc::munmap(self.region.as_ptr().cast(), self.size);
        }
    }
}

// SAFETY: `base` (the context's address) and `limit` (the region's start, guard page
// included) bound writable memory of at least `MIN_STACK_SIZE - HEADER - page` bytes,
// both 64-byte aligned; the guard page catches overflows before they reach anything
// but this stack.
unsafe impl Stack for FiberStack {
    #[inline]
    fn base(&self) -> StackPointer {
        StackPointer::new(self.ctx().as_ptr() as usize).expect("non-null")
    }

    #[inline]
    fn limit(&self) -> StackPointer {
        StackPointer::new(self.region.as_ptr() as usize).expect("non-null")
    }
}
