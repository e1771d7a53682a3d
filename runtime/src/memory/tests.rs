//! Allocator tests: small and big blocks, mixed, grown and shrunk across [`BIG_BLOCK`],
//! with failed mappings falling back to the heap — each freed by its own path (P1-NUMA).
//! Also run under valgrind (`.ci/valgrind`), which flags any block freed by the wrong path.

use std::alloc::Layout;
use std::cell::Cell;
use std::ptr::NonNull;

use super::*;

thread_local! {
    /// How many of this thread's next mappings fail (forcing the heap fallback).
    pub(super) static FAIL_MAPS: Cell<usize> = const { Cell::new(0) };
}

const INTERLEAVE: ColumnAlloc = ColumnAlloc::Placed {
    policy: MemoryPolicy::Interleave,
    nodes: NodeMask(1),
};
const LOCAL: ColumnAlloc = ColumnAlloc::Placed {
    policy: MemoryPolicy::Local,
    nodes: NodeMask(1),
};

/// A live block with its recorded path, filled with a byte pattern.
struct Block {
    ptr: NonNull<u8>,
    layout: Layout,
    kind: BlockKind,
    seed: u8,
}

fn layout(size: usize) -> Layout {
    Layout::from_size_align(size, 16).unwrap()
}

fn fill(block: &Block) {
    // Touch one byte per page (and the last byte): enough to fault every page in, and to
    // check contents survive a move, without writing gigabytes.
    for offset in (0..block.layout.size())
        .step_by(4096)
        .chain([block.layout.size() - 1])
    {
        // SAFETY: `offset < size`, inside the live block.
        unsafe { *block.ptr.as_ptr().add(offset) = block.seed ^ (offset / 4096) as u8 };
    }
}

/// Checks the bytes `fill` wrote below `upto`, for a block filled when it had `filled`
/// bytes.
fn check(block: &Block, upto: usize, filled: usize) {
    let last = (filled <= upto).then_some(filled - 1);
    for offset in (0..upto).step_by(4096).chain(last) {
        // SAFETY: `offset < upto <= size`, written by `fill`.
        let byte = unsafe { *block.ptr.as_ptr().add(offset) };
        assert_eq!(byte, block.seed ^ (offset / 4096) as u8, "byte {offset}");
    }
}

fn allocate(alloc: ColumnAlloc, size: usize, seed: u8) -> Block {
    let layout = layout(size);
    let (ptr, kind) = alloc.allocate(layout).unwrap();
    let block = Block {
        ptr,
        layout,
        kind,
        seed,
    };
    fill(&block);
    block
}

fn resize(alloc: ColumnAlloc, block: Block, size: usize) -> Block {
    let new_layout = layout(size);
    // SAFETY: `block` came from `allocate`/`reallocate` with its recorded layout and kind.
    let (ptr, kind) = unsafe { alloc.reallocate(block.ptr, block.layout, block.kind, new_layout) }
        .expect("reallocation");
    let moved = Block {
        ptr,
        layout: new_layout,
        kind,
        seed: block.seed,
    };
    check(&moved, block.layout.size().min(size), block.layout.size());
    fill(&moved);
    moved
}

fn free(block: Block) {
    // SAFETY: the block is live, with its recorded layout and kind.
    unsafe { block.kind.deallocate(block.ptr, block.layout) };
}

#[test]
fn the_path_follows_size_and_policy() {
    let big = layout(BIG_BLOCK);
    let mapped = if cfg!(target_os = "linux") {
        BlockKind::Mapped
    } else {
        BlockKind::Heap
    };
    assert_eq!(INTERLEAVE.kind_for(big), mapped);
    assert_eq!(LOCAL.kind_for(big), mapped);
    assert_eq!(INTERLEAVE.kind_for(layout(BIG_BLOCK - 1)), BlockKind::Heap);
    assert_eq!(ColumnAlloc::Global.kind_for(big), BlockKind::Heap);
    // An alignment no page provides stays on the heap.
    let aligned = Layout::from_size_align(BIG_BLOCK, 1 << 22).unwrap();
    assert_eq!(INTERLEAVE.kind_for(aligned), BlockKind::Heap);
    let block = INTERLEAVE.allocate(aligned).unwrap();
    assert_eq!(block.1, BlockKind::Heap);
    assert_eq!(block.0.as_ptr() as usize % (1 << 22), 0);
    // SAFETY: allocated above with `aligned`, by `block.1`.
    unsafe { block.1.deallocate(block.0, aligned) };
}

#[test]
fn mixed_small_and_big_blocks_free_by_their_own_path() {
    let sizes = [
        64,
        4096,
        BIG_BLOCK - 16,
        BIG_BLOCK,
        BIG_BLOCK + 1,
        3 * BIG_BLOCK + 100,
        1 << 10,
    ];
    for alloc in [INTERLEAVE, LOCAL, ColumnAlloc::Global] {
        let mut live: Vec<Block> = Vec::new();
        for (i, &size) in sizes.iter().cycle().take(40).enumerate() {
            // Every third big block's mapping fails: it falls back to the heap and
            // must be freed there, although its size says "big".
            if i % 3 == 0 {
                FAIL_MAPS.set(1);
            }
            let block = allocate(alloc, size, i as u8);
            FAIL_MAPS.set(0);
            assert!(
                block.kind == BlockKind::Heap || alloc.kind_for(block.layout) == BlockKind::Mapped
            );
            live.push(block);
            // Free some out of order, interleaving the two paths.
            if i % 4 == 3 {
                free(live.swap_remove(i % live.len()));
            }
        }
        for block in &live {
            check(block, block.layout.size(), block.layout.size());
        }
        live.into_iter().for_each(free);
    }
}

#[test]
fn fallback_blocks_are_heap_blocks() {
    FAIL_MAPS.set(1);
    let block = allocate(INTERLEAVE, 2 * BIG_BLOCK, 9);
    assert_eq!(block.kind, BlockKind::Heap);
    // Growing it maps a new block (the policy says big blocks are mapped) and frees the
    // old one with `dealloc`, not `munmap`.
    let block = resize(INTERLEAVE, block, 3 * BIG_BLOCK);
    assert_eq!(block.kind, INTERLEAVE.kind_for(block.layout));
    free(block);
}

#[test]
fn growing_and_shrinking_across_the_threshold() {
    for alloc in [INTERLEAVE, LOCAL] {
        let mut block = allocate(alloc, 100, 3);
        let steps = [
            BIG_BLOCK / 2,
            BIG_BLOCK - 1,
            BIG_BLOCK,
            2 * BIG_BLOCK,
            BIG_BLOCK + 4096,
            BIG_BLOCK - 4096,
            50,
            4 * BIG_BLOCK,
            10,
        ];
        for (i, &size) in steps.iter().enumerate() {
            // A failed mapping on the way up keeps a heap block of a big size.
            if i == 3 {
                FAIL_MAPS.set(1);
            }
            block = resize(alloc, block, size);
            FAIL_MAPS.set(0);
            let expected = if i == 3 {
                BlockKind::Heap
            } else {
                alloc.kind_for(block.layout)
            };
            assert_eq!(block.kind, expected, "step {i}: {size} bytes");
        }
        free(block);
    }
}

/// The policy `get_mempolicy` reports for the page at `ptr`, or `None` if the syscall is
/// not allowed here.
#[cfg(target_os = "linux")]
fn policy_at(ptr: *mut u8) -> Option<i32> {
    const MPOL_F_ADDR: libc::c_ulong = 2;
    let mut mode: libc::c_int = -1;
    let mut mask: u64 = 0;
    // SAFETY: `get_mempolicy` writes one int to `mode` and `maxnode - 1` bits to `mask`.
    let result = unsafe {
        libc::syscall(
            libc::SYS_get_mempolicy,
            &mut mode as *mut libc::c_int,
            &mut mask as *mut u64,
            NodeMask::CAPACITY as libc::c_ulong + 1,
            ptr,
            MPOL_F_ADDR,
        )
    };
    (result == 0).then_some(mode)
}

#[cfg(target_os = "linux")]
#[test]
fn big_blocks_are_placed_when_the_kernel_lets_us() {
    let layout = layout(BIG_BLOCK);
    // Whether this process may call `mbind` at all (seccomp may forbid it).
    let probe = {
        // SAFETY: an anonymous mapping of our own.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                BIG_BLOCK,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(ptr, libc::MAP_FAILED);
        // SAFETY: our fresh mapping.
        let errno = unsafe { place(ptr.cast(), BIG_BLOCK, MemoryPolicy::Interleave, NodeMask(1)) };
        // SAFETY: unmapping it again.
        unsafe { libc::munmap(ptr, BIG_BLOCK) };
        errno
    };
    for (alloc, mode) in [(INTERLEAVE, mpol::INTERLEAVE), (LOCAL, mpol::PREFERRED)] {
        let (ptr, kind) = alloc.allocate(layout).unwrap();
        assert_eq!(kind, BlockKind::Mapped);
        match (probe, policy_at(ptr.as_ptr())) {
            (0, Some(found)) => assert_eq!(found, mode),
            (errno, found) => {
                eprintln!("mbind not available here (errno {errno}, policy {found:?}): skipped")
            }
        }
        // SAFETY: allocated above with `layout`, by `kind`.
        unsafe { kind.deallocate(ptr, layout) };
    }
    // Local over several nodes is first touch: no policy set.
    let several = ColumnAlloc::Placed {
        policy: MemoryPolicy::Local,
        nodes: NodeMask(0b11),
    };
    let (ptr, kind) = several.allocate(layout).unwrap();
    if let Some(found) = policy_at(ptr.as_ptr()) {
        assert_eq!(found, 0, "MPOL_DEFAULT");
    }
    // SAFETY: allocated above with `layout`, by `kind`.
    unsafe { kind.deallocate(ptr, layout) };
}

#[test]
fn node_masks() {
    let mask: NodeMask = [1, 3, 64, 200].into_iter().collect();
    assert_eq!(mask.bits(), 0b1010);
    assert_eq!(mask.len(), 2);
    assert!(!mask.contains(64));
}
