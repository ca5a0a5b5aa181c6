//! Out-of-memory handling for the module's linear memory, which V8 caps (4 GiB, or less with
//! `--wasm-max-mem-pages`) and which may be all a constrained runtime grants.
//!
//! Rust aborts (a `WebAssembly.RuntimeError` trap) when an allocation fails, which in the middle
//! of an update would leave a cache half-changed and borrowed forever. So the module's allocator
//! keeps a [`RESERVE_BYTES`] block aside: when the allocator refuses, the block is given
//! back and the allocation retried, so the operation under way completes. Before any operation
//! that would grow memory, [`available`] re-takes the block; when it cannot, the binding refuses
//! the operation with an error before changing anything, and keeps answering what is cached.
//! Memory freed later (a `clear`, a smaller cache dropped) lets the block be re-taken.

use cashier_js_support::Heap;
use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicPtr, Ordering};

/// The block kept aside: more than the default maximum key (1 MiB) plus a store's growth step
/// for the default sizes, so an operation that started can finish.
pub const RESERVE_BYTES: usize = 2 << 20;

const RESERVE_LAYOUT: Layout = match Layout::from_size_align(RESERVE_BYTES, 16) {
    Ok(layout) => layout,
    Err(_) => panic!("the reserve layout is valid"),
};

/// The reserve block, or null while it is given back.
static RESERVE: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());

/// The modules' allocator ([`Heap`]), with the reserve as a last resort.
pub struct ReservingAllocator;

/// Gives the reserve back to the allocator; false if it already was.
fn release_reserve() -> bool {
    let block = RESERVE.swap(std::ptr::null_mut(), Ordering::Relaxed);
    if block.is_null() {
        return false;
    }
    // SAFETY: `block` came from `Heap.alloc(RESERVE_LAYOUT)` in `available` and the swap
    // above made this the only owner.
    unsafe { Heap.dealloc(block, RESERVE_LAYOUT) };
    true
}

// SAFETY: every method forwards to `Heap` with the caller's arguments; the reserve only adds
// a retry after a refusal, and its block is owned by `RESERVE` alone.
unsafe impl GlobalAlloc for ReservingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let block = unsafe { Heap.alloc(layout) };
        if block.is_null() && release_reserve() {
            return unsafe { Heap.alloc(layout) };
        }
        block
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let block = unsafe { Heap.alloc_zeroed(layout) };
        if block.is_null() && release_reserve() {
            return unsafe { Heap.alloc_zeroed(layout) };
        }
        block
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { Heap.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let block = unsafe { Heap.realloc(ptr, layout, new_size) };
        if block.is_null() && release_reserve() {
            return unsafe { Heap.realloc(ptr, layout, new_size) };
        }
        block
    }
}

/// Whether the reserve is in place (re-taking it if it was given back): when false, memory is
/// exhausted and operations that grow it must be refused.
#[inline]
pub fn available() -> bool {
    !RESERVE.load(Ordering::Relaxed).is_null() || retake()
}

#[cold]
fn retake() -> bool {
    // SAFETY: a valid, non-zero-sized layout.
    let block = unsafe { Heap.alloc(RESERVE_LAYOUT) };
    if block.is_null() {
        return false;
    }
    RESERVE.store(block, Ordering::Relaxed);
    true
}
