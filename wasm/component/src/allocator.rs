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

use cashier_alloc_reserve::Reserve;
use std::alloc::{GlobalAlloc, Layout, System};

use crate::lend;

/// The block kept aside: room for an error message, or a key of up to half of it copied for a
/// new flight, once memory is otherwise exhausted.
pub const RESERVE_BYTES: usize = 64 << 10;

/// The system allocator with the reserve ([`Reserve`]) as a last resort, and lent blocks
/// handed back.
pub struct ComponentAllocator(Reserve<System, RESERVE_BYTES>);

#[global_allocator]
static ALLOCATOR: ComponentAllocator = ComponentAllocator(Reserve::new(System));

// SAFETY: every method forwards to the reserve allocator with the caller's arguments, and
// `dealloc` skips only the block `lend` handed out, which the allocator never allocated for its
// `Vec`.
unsafe impl GlobalAlloc for ComponentAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { self.0.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe { self.0.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if lend::take_back(ptr) {
            return;
        }
        unsafe { self.0.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        unsafe { self.0.realloc(ptr, layout, new_size) }
    }
}

/// Whether the reserve is in place (re-taking it if it was given back): false means memory is
/// exhausted, and operations that grow it must be refused.
#[inline]
pub fn available() -> bool {
    ALLOCATOR.0.available()
}

/// Whether a block of `bytes` can be allocated now (it is allocated and freed again).
pub fn can_allocate(bytes: usize) -> bool {
    Vec::<u8>::new().try_reserve_exact(bytes).is_ok()
}
