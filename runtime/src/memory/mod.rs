//! Where column memory comes from: the global allocator, or — for big blocks of worlds on
//! a [`NumaPool`](crate::exec::NumaPool) — anonymous mappings placed on NUMA nodes.
//!
//! A column's [`ColumnAlloc`] decides the path of each *new* block: blocks of at least
//! [`BIG_BLOCK`] bytes under [`ColumnAlloc::Placed`] are `mmap`ed, asked for transparent
//! huge pages (`madvise(MADV_HUGEPAGE)`) and placed by the [`MemoryPolicy`] (`mbind`);
//! every other block comes from the global allocator. If a mapping fails the block falls
//! back to the global allocator.
//!
//! Every block is freed by the path that allocated it: allocation returns the
//! [`BlockKind`] it actually took (fallback included) and the owner keeps it next to the
//! pointer; [`BlockKind::deallocate`] and [`ColumnAlloc::reallocate`] take it back. The
//! size is never used to guess the path (the NUMA allocator of the seed project `munmap`ed
//! blocks that had come from its backing allocator: P1-NUMA).

use std::alloc::{self, Layout};
use std::ptr::NonNull;

#[cfg(test)]
mod tests;

/// Blocks of at least this many bytes are mapped and placed (under
/// [`ColumnAlloc::Placed`]); smaller ones come from the global allocator. One huge page
/// on x86-64 and aarch64 with 4 KiB pages.
///
/// ```
/// assert_eq!(metronome_runtime::memory::BIG_BLOCK, 2 << 20);
/// ```
pub const BIG_BLOCK: usize = 2 << 20;

/// How a NUMA pool places big column blocks (`memory = local | interleave` of
/// `numa_aware(...)`).
///
/// ```
/// use metronome_runtime::memory::MemoryPolicy;
/// assert_eq!(MemoryPolicy::default(), MemoryPolicy::Local);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MemoryPolicy {
    /// On the node of the thread that first touches each page (Linux's default policy);
    /// if the pool has a single node, that node is preferred (`MPOL_PREFERRED`).
    #[default]
    Local,
    /// Pages spread round-robin over the pool's nodes (`MPOL_INTERLEAVE`): bandwidth of
    /// every node for data every worker reads.
    Interleave,
}

/// A set of OS NUMA node numbers below 64 (the nodes a pool's workers run on).
///
/// ```
/// use metronome_runtime::memory::NodeMask;
/// let mask: NodeMask = [0, 2].into_iter().collect();
/// assert_eq!((mask.bits(), mask.len()), (0b101, 2));
/// assert!(mask.contains(2) && !mask.contains(1));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NodeMask(u64);

impl NodeMask {
    /// Node numbers a mask can hold: `0..NodeMask::CAPACITY`.
    ///
    /// ```
    /// use metronome_runtime::memory::NodeMask;
    /// assert_eq!(NodeMask::default().with(NodeMask::CAPACITY), NodeMask::default());
    /// ```
    pub const CAPACITY: usize = 64;

    /// This mask plus node `node` (ignored if `node >= CAPACITY`: such a node is left to
    /// the default placement).
    ///
    /// ```
    /// use metronome_runtime::memory::NodeMask;
    /// assert_eq!(NodeMask::default().with(3).bits(), 8);
    /// ```
    pub fn with(self, node: usize) -> NodeMask {
        if node < Self::CAPACITY {
            NodeMask(self.0 | 1 << node)
        } else {
            self
        }
    }

    /// Whether node `node` is in the mask.
    ///
    /// ```
    /// use metronome_runtime::memory::NodeMask;
    /// assert!(NodeMask::default().with(1).contains(1));
    /// ```
    pub fn contains(self, node: usize) -> bool {
        node < Self::CAPACITY && self.0 & (1 << node) != 0
    }

    /// Number of nodes in the mask.
    ///
    /// ```
    /// use metronome_runtime::memory::NodeMask;
    /// assert_eq!(NodeMask::default().len(), 0);
    /// ```
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the mask is empty.
    ///
    /// ```
    /// use metronome_runtime::memory::NodeMask;
    /// assert!(NodeMask::default().is_empty());
    /// ```
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The mask as `mbind` takes it: bit `n` for node `n`.
    ///
    /// ```
    /// use metronome_runtime::memory::NodeMask;
    /// assert_eq!(NodeMask::default().with(0).with(1).bits(), 3);
    /// ```
    pub fn bits(self) -> u64 {
        self.0
    }
}

impl FromIterator<usize> for NodeMask {
    fn from_iter<I: IntoIterator<Item = usize>>(nodes: I) -> NodeMask {
        nodes.into_iter().fold(NodeMask::default(), NodeMask::with)
    }
}

/// The allocation policy of a column: where its new blocks come from.
///
/// ```
/// use std::alloc::Layout;
/// use metronome_runtime::memory::{BlockKind, ColumnAlloc, MemoryPolicy, NodeMask, BIG_BLOCK};
///
/// let placed = ColumnAlloc::Placed { policy: MemoryPolicy::Interleave, nodes: NodeMask::default().with(0) };
/// let small = Layout::from_size_align(4096, 8).unwrap();
/// let big = Layout::from_size_align(BIG_BLOCK, 8).unwrap();
/// assert_eq!(placed.kind_for(small), BlockKind::Heap);
/// assert_eq!(ColumnAlloc::Global.kind_for(big), BlockKind::Heap);
/// # #[cfg(target_os = "linux")]
/// assert_eq!(placed.kind_for(big), BlockKind::Mapped);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ColumnAlloc {
    /// Every block from the global allocator.
    #[default]
    Global,
    /// Blocks of at least [`BIG_BLOCK`] bytes mapped and placed on `nodes` by `policy`.
    Placed {
        /// How pages are spread.
        policy: MemoryPolicy,
        /// The nodes of the pool's workers.
        nodes: NodeMask,
    },
}

/// The path a block was allocated by — and must be freed by.
///
/// ```
/// use std::alloc::Layout;
/// use metronome_runtime::memory::{BlockKind, ColumnAlloc};
///
/// let layout = Layout::from_size_align(64, 8).unwrap();
/// let (ptr, kind) = ColumnAlloc::Global.allocate(layout).unwrap();
/// assert_eq!(kind, BlockKind::Heap);
/// // SAFETY: allocated just above with this layout, by the path `kind` names.
/// unsafe { kind.deallocate(ptr, layout) };
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockKind {
    /// From the global allocator ([`std::alloc::alloc`]).
    Heap,
    /// An anonymous mapping (`mmap`) of the block's size rounded up to whole pages.
    Mapped,
}

impl ColumnAlloc {
    /// The path a new block of `layout` takes under this policy (before any fallback):
    /// [`BlockKind::Mapped`] for blocks of at least [`BIG_BLOCK`] bytes whose alignment a
    /// page satisfies, under [`ColumnAlloc::Placed`], on Linux.
    ///
    /// ```
    /// use std::alloc::Layout;
    /// use metronome_runtime::memory::{BlockKind, ColumnAlloc};
    /// let layout = Layout::from_size_align(1 << 30, 8).unwrap();
    /// assert_eq!(ColumnAlloc::Global.kind_for(layout), BlockKind::Heap);
    /// ```
    pub fn kind_for(self, layout: Layout) -> BlockKind {
        match self {
            ColumnAlloc::Placed { .. }
                if cfg!(target_os = "linux")
                    && layout.size() >= BIG_BLOCK
                    && layout.align() <= page_size() =>
            {
                BlockKind::Mapped
            }
            _ => BlockKind::Heap,
        }
    }

    /// Allocates a block of `layout` (non-zero size); returns it with the path it took,
    /// which the caller keeps to free it. `None` if memory is exhausted.
    ///
    /// ```
    /// use std::alloc::Layout;
    /// use metronome_runtime::memory::{ColumnAlloc, MemoryPolicy, NodeMask, BIG_BLOCK};
    ///
    /// let alloc = ColumnAlloc::Placed { policy: MemoryPolicy::Local, nodes: NodeMask::default() };
    /// let layout = Layout::from_size_align(BIG_BLOCK, 64).unwrap();
    /// let (ptr, kind) = alloc.allocate(layout).unwrap();
    /// // SAFETY: the block is `layout.size()` bytes, writable.
    /// unsafe { ptr.as_ptr().write_bytes(1, layout.size()) };
    /// // SAFETY: allocated above with `layout`; `kind` is what `allocate` returned.
    /// unsafe { kind.deallocate(ptr, layout) };
    /// ```
    pub fn allocate(self, layout: Layout) -> Option<(NonNull<u8>, BlockKind)> {
        debug_assert!(layout.size() != 0, "zero-sized blocks are never allocated");
        if self.kind_for(layout) == BlockKind::Mapped {
            if let Some(ptr) = self.map(layout.size()) {
                return Some((ptr, BlockKind::Mapped));
            }
            // The mapping failed: fall back to the heap, and say so.
        }
        // SAFETY: `layout` has a non-zero size (asserted by the contract above).
        NonNull::new(unsafe { alloc::alloc(layout) }).map(|ptr| (ptr, BlockKind::Heap))
    }

    /// Moves the block at `ptr` (of `old_layout`, allocated by path `old_kind`) into a
    /// block of `new_layout`, keeping its first `min(old, new)` bytes, and frees the old
    /// block by `old_kind`'s path. The new block's path follows this policy for the new
    /// size (growing across [`BIG_BLOCK`] maps; shrinking below it returns to the heap).
    /// On `None` (memory exhausted) the old block is untouched and still owned.
    ///
    /// # Safety
    ///
    /// - `ptr` was returned by [`ColumnAlloc::allocate`] or `reallocate` (of any policy)
    ///   with `old_layout`, together with `old_kind`, and not freed since;
    /// - `new_layout` has a non-zero size and the alignment of `old_layout`.
    ///
    /// ```
    /// use std::alloc::Layout;
    /// use metronome_runtime::memory::{ColumnAlloc, MemoryPolicy, NodeMask, BIG_BLOCK};
    ///
    /// let alloc = ColumnAlloc::Placed { policy: MemoryPolicy::Interleave, nodes: NodeMask::default().with(0) };
    /// let small = Layout::from_size_align(64, 8).unwrap();
    /// let big = Layout::from_size_align(BIG_BLOCK * 2, 8).unwrap();
    /// let (ptr, kind) = alloc.allocate(small).unwrap();
    /// // SAFETY: the block has 64 writable bytes.
    /// unsafe { ptr.as_ptr().write_bytes(7, 64) };
    /// // SAFETY: `ptr`/`kind` came from `allocate(small)`; same alignment.
    /// let (ptr, kind) = unsafe { alloc.reallocate(ptr, small, kind, big) }.unwrap();
    /// // SAFETY: the first 64 bytes were kept.
    /// assert_eq!(unsafe { *ptr.as_ptr().add(63) }, 7);
    /// // SAFETY: allocated with `big` by the path `kind`.
    /// unsafe { kind.deallocate(ptr, big) };
    /// ```
    pub unsafe fn reallocate(
        self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        old_kind: BlockKind,
        new_layout: Layout,
    ) -> Option<(NonNull<u8>, BlockKind)> {
        debug_assert_eq!(old_layout.align(), new_layout.align());
        if old_kind == BlockKind::Heap && self.kind_for(new_layout) == BlockKind::Heap {
            // SAFETY: `ptr` came from the global allocator with `old_layout` (the caller's
            // `old_kind` says so), and the new size is non-zero with the same alignment.
            let new = unsafe { alloc::realloc(ptr.as_ptr(), old_layout, new_layout.size()) };
            return NonNull::new(new).map(|new| (new, BlockKind::Heap));
        }
        let (new, kind) = self.allocate(new_layout)?;
        // SAFETY: both blocks are live, distinct, and at least `min(old, new)` bytes long.
        unsafe {
            std::ptr::copy_nonoverlapping(
                ptr.as_ptr(),
                new.as_ptr(),
                old_layout.size().min(new_layout.size()),
            );
            old_kind.deallocate(ptr, old_layout);
        }
        Some((new, kind))
    }

    /// Maps `size` bytes (rounded up to pages), asks for huge pages and applies the
    /// placement policy. `None` if the mapping fails.
    #[cfg(target_os = "linux")]
    fn map(self, size: usize) -> Option<NonNull<u8>> {
        #[cfg(test)]
        if tests::FAIL_MAPS.get() > 0 {
            tests::FAIL_MAPS.set(tests::FAIL_MAPS.get() - 1);
            return None;
        }
        let len = mapped_len(size);
        // SAFETY: an anonymous private mapping at an address of the kernel's choosing
        // touches no existing memory.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return None;
        }
        // Advice only: a kernel without transparent huge pages says EINVAL, and the block
        // works the same with small pages.
        // SAFETY: `ptr..ptr + len` is the mapping made just above.
        unsafe { libc::madvise(ptr, len, libc::MADV_HUGEPAGE) };
        if let ColumnAlloc::Placed { policy, nodes } = self {
            // SAFETY: as above; nothing was written to the mapping yet.
            unsafe { place(ptr.cast(), len, policy, nodes) };
        }
        NonNull::new(ptr.cast())
    }

    #[cfg(not(target_os = "linux"))]
    fn map(self, _size: usize) -> Option<NonNull<u8>> {
        None
    }
}

impl BlockKind {
    /// Frees a block by the path it was allocated by.
    ///
    /// # Safety
    ///
    /// `ptr` was returned, together with `self`, by [`ColumnAlloc::allocate`] or
    /// [`ColumnAlloc::reallocate`] with `layout`, and is not used again.
    ///
    /// ```
    /// use std::alloc::Layout;
    /// use metronome_runtime::memory::ColumnAlloc;
    /// let layout = Layout::from_size_align(32, 8).unwrap();
    /// let (ptr, kind) = ColumnAlloc::Global.allocate(layout).unwrap();
    /// // SAFETY: allocated above with `layout`, by `kind`.
    /// unsafe { kind.deallocate(ptr, layout) };
    /// ```
    pub unsafe fn deallocate(self, ptr: NonNull<u8>, layout: Layout) {
        match self {
            // SAFETY: by the caller's guarantee, `ptr` came from the global allocator
            // with `layout`.
            BlockKind::Heap => unsafe { alloc::dealloc(ptr.as_ptr(), layout) },
            BlockKind::Mapped => {
                // SAFETY: by the caller's guarantee, `ptr` is a mapping of
                // `mapped_len(layout.size())` bytes made by `map`, not used again.
                let _result = unsafe { unmap(ptr, layout.size()) };
                debug_assert_eq!(_result, 0, "munmap of a block we mapped failed");
            }
        }
    }
}

/// Unmaps a block made by `ColumnAlloc::map` for `size` bytes.
///
/// # Safety
///
/// `ptr` is such a mapping, not used again.
#[cfg(target_os = "linux")]
unsafe fn unmap(ptr: NonNull<u8>, size: usize) -> i32 {
    // SAFETY: by the caller's guarantee, the range is exactly one of our mappings.
    unsafe { libc::munmap(ptr.as_ptr().cast(), mapped_len(size)) }
}

#[cfg(not(target_os = "linux"))]
unsafe fn unmap(_ptr: NonNull<u8>, _size: usize) -> i32 {
    unreachable!("nothing is mapped off Linux")
}

/// Linux's memory policy modes (`<linux/mempolicy.h>`; not in the `libc` crate).
#[cfg(target_os = "linux")]
pub(crate) mod mpol {
    /// Prefer one node, fall back to others.
    pub(crate) const PREFERRED: i32 = 1;
    /// Round-robin over a node set.
    pub(crate) const INTERLEAVE: i32 = 3;
}

/// Applies `policy` to the fresh mapping `ptr..ptr + len` with `mbind`. Returns the errno
/// of a failed `mbind` (0: placed or nothing to do). Failures are not errors: EPERM (a
/// seccomp filter, as in default containers), ENOSYS (a kernel without NUMA) or EINVAL (a
/// node not online) leave the pages to the default, first-touch placement.
///
/// # Safety
///
/// `ptr..ptr + len` is a page-aligned mapping owned by the caller.
#[cfg(target_os = "linux")]
pub(crate) unsafe fn place(ptr: *mut u8, len: usize, policy: MemoryPolicy, nodes: NodeMask) -> i32 {
    let mode = match policy {
        MemoryPolicy::Interleave if !nodes.is_empty() => mpol::INTERLEAVE,
        MemoryPolicy::Local if nodes.len() == 1 => mpol::PREFERRED,
        // Several nodes (or none known): first touch puts each page where it is used.
        MemoryPolicy::Local | MemoryPolicy::Interleave => return 0,
    };
    let mask = nodes.bits();
    // `maxnode` is one more than the bits the kernel reads (a historical off-by-one that
    // libnuma also compensates for).
    let maxnode = NodeMask::CAPACITY as libc::c_ulong + 1;
    // SAFETY: `mbind` only changes the policy of our own mapping `ptr..ptr + len`, and
    // reads one `u64` of mask (`maxnode - 1` bits) from `mask`, which lives on our stack.
    let result = unsafe {
        libc::syscall(
            libc::SYS_mbind,
            ptr,
            len as libc::c_ulong,
            mode as libc::c_ulong,
            &mask as *const u64,
            maxnode,
            0 as libc::c_uint,
        )
    };
    if result == 0 {
        0
    } else {
        std::io::Error::last_os_error().raw_os_error().unwrap_or(-1)
    }
}

/// The length of the mapping that holds a block of `size` bytes.
fn mapped_len(size: usize) -> usize {
    size.next_multiple_of(page_size())
}

/// The system page size (4 KiB if unknown).
fn page_size() -> usize {
    #[cfg(target_os = "linux")]
    {
        static PAGE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
        *PAGE.get_or_init(|| {
            // SAFETY: `sysconf` has no preconditions.
            let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
            usize::try_from(page)
                .ok()
                .filter(|&p| p > 0)
                .unwrap_or(4096)
        })
    }
    #[cfg(not(target_os = "linux"))]
    {
        4096
    }
}
