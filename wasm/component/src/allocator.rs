//! The component's global allocator: the system allocator (dlmalloc), plus a reserve kept aside
//! for the component's own small allocations at memory exhaustion, plus the hand-back of blocks
//! lent to the host ([`crate::lend`]).
//!
//! Rust aborts (a trap that leaves the instance unusable and loses every cached entry) when an
//! allocation fails. So the allocator keeps a [`RESERVE_BYTES`] block aside: when the system
//! allocator refuses, the block is given back and the allocation retried, so a call under way
//! can finish (an error message, a key copied for a new flight). Before an operation that grows
//! memory, the component calls [`available`], which re-takes the block; when it cannot, memory
//! is exhausted and the operation is refused with `out-of-memory` before anything changes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicPtr, Ordering};

use crate::lend;

/// The block kept aside: room for an error message, or a key of up to half of it copied for a
/// new flight, once memory is otherwise exhausted.
pub const RESERVE_BYTES: usize = 64 << 10;

const RESERVE_LAYOUT: Layout = match Layout::from_size_align(RESERVE_BYTES, 16) {
    Ok(layout) => layout,
    Err(_) => panic!("the reserve layout is valid"),
};

/// The reserve block, or null while it is given back.
static RESERVE: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());

/// The system allocator, with the reserve as a last resort and lent blocks handed back.
pub struct ComponentAllocator;

#[global_allocator]
static ALLOCATOR: ComponentAllocator = ComponentAllocator;

/// Gives the reserve back to the system allocator; false if it already was.
fn release_reserve() -> bool {
    let block = RESERVE.swap(std::ptr::null_mut(), Ordering::Relaxed);
    if block.is_null() {
        return false;
    }
    // SAFETY: `block` came from `System.alloc(RESERVE_LAYOUT)` in `retake`, and the swap above
    // made this the only owner.
    unsafe { System.dealloc(block, RESERVE_LAYOUT) };
    true
}

// SAFETY: every method forwards to `System` with the caller's arguments; the reserve only adds
// a retry after a refusal (its block is owned by `RESERVE` alone), and `dealloc` skips only the
// block `lend` handed out, which `System` never allocated for its `Vec`.
unsafe impl GlobalAlloc for ComponentAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let block = unsafe { System.alloc(layout) };
        if block.is_null() && release_reserve() {
            return unsafe { System.alloc(layout) };
        }
        block
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let block = unsafe { System.alloc_zeroed(layout) };
        if block.is_null() && release_reserve() {
            return unsafe { System.alloc_zeroed(layout) };
        }
        block
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if lend::take_back(ptr) {
            return;
        }
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let block = unsafe { System.realloc(ptr, layout, new_size) };
        if block.is_null() && release_reserve() {
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        block
    }
}

/// Whether the reserve is in place (re-taking it if it was given back): false means memory is
/// exhausted, and operations that grow it must be refused.
#[inline]
pub fn available() -> bool {
    !RESERVE.load(Ordering::Relaxed).is_null() || retake()
}

#[cold]
fn retake() -> bool {
    // SAFETY: a valid, non-zero-sized layout.
    let block = unsafe { System.alloc(RESERVE_LAYOUT) };
    if block.is_null() {
        return false;
    }
    RESERVE.store(block, Ordering::Relaxed);
    true
}

/// Whether a block of `bytes` can be allocated now (it is allocated and freed again).
pub fn can_allocate(bytes: usize) -> bool {
    Vec::<u8>::new().try_reserve_exact(bytes).is_ok()
}
