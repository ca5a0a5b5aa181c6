//! A reserve for memory exhaustion in WebAssembly modules, whose linear memory the runtime caps.
//!
//! Rust aborts (a trap that leaves the instance unusable and every cached entry lost) when an
//! allocation fails. [`Reserve`] wraps the module's allocator and keeps a block of `BYTES` aside:
//! when the inner allocator refuses, the block is given back and the allocation retried, so the
//! operation under way can finish (an error message, a key being copied). Before an operation
//! that grows memory, the binding calls [`Reserve::available`], which re-takes the block; when it
//! cannot, memory is exhausted and the binding refuses the operation before changing anything,
//! and keeps answering what is cached. Memory freed later lets the block be re-taken.
#![no_std]

use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicPtr, Ordering};

/// `inner` with a block of `BYTES` kept aside as the last resort (see the crate docs).
pub struct Reserve<A, const BYTES: usize> {
    inner: A,
    /// The reserve block, or null while it is given back.
    block: AtomicPtr<u8>,
}

impl<A: GlobalAlloc, const BYTES: usize> Reserve<A, BYTES> {
    /// The reserve's block layout.
    const LAYOUT: Layout = match Layout::from_size_align(BYTES, 16) {
        Ok(layout) => layout,
        Err(_) => panic!("the reserve layout is valid"),
    };

    /// `inner` with no block taken yet: the first [`Self::available`] takes it.
    pub const fn new(inner: A) -> Self {
        Self {
            inner,
            block: AtomicPtr::new(core::ptr::null_mut()),
        }
    }

    /// The allocator this one forwards to.
    pub const fn inner(&self) -> &A {
        &self.inner
    }

    /// Whether the reserve is in place (re-taking it if it was given back): false means memory
    /// is exhausted, and operations that grow it must be refused.
    #[inline]
    pub fn available(&self) -> bool {
        !self.block.load(Ordering::Relaxed).is_null() || self.retake()
    }

    #[cold]
    fn retake(&self) -> bool {
        // SAFETY: a valid, non-zero-sized layout (BYTES > 0 is checked by the callers' tests).
        let block = unsafe { self.inner.alloc(Self::LAYOUT) };
        if block.is_null() {
            return false;
        }
        self.block.store(block, Ordering::Relaxed);
        true
    }

    /// Gives the reserve back to `inner`; false if it already was.
    fn release(&self) -> bool {
        let block = self.block.swap(core::ptr::null_mut(), Ordering::Relaxed);
        if block.is_null() {
            return false;
        }
        // SAFETY: `block` came from `inner.alloc(LAYOUT)` in `retake`, and the swap above made
        // this the only owner.
        unsafe { self.inner.dealloc(block, Self::LAYOUT) };
        true
    }
}

// SAFETY: every method forwards to `inner` with the caller's arguments; the reserve only adds a
// retry after a refusal, and its block is owned by `block` alone.
unsafe impl<A: GlobalAlloc, const BYTES: usize> GlobalAlloc for Reserve<A, BYTES> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let block = unsafe { self.inner.alloc(layout) };
        if block.is_null() && self.release() {
            return unsafe { self.inner.alloc(layout) };
        }
        block
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let block = unsafe { self.inner.alloc_zeroed(layout) };
        if block.is_null() && self.release() {
            return unsafe { self.inner.alloc_zeroed(layout) };
        }
        block
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { self.inner.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let block = unsafe { self.inner.realloc(ptr, layout, new_size) };
        if block.is_null() && self.release() {
            return unsafe { self.inner.realloc(ptr, layout, new_size) };
        }
        block
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use core::sync::atomic::AtomicUsize;
    use std::alloc::System;

    /// The system allocator refusing any allocation once `budget` bytes are out.
    struct Limited {
        budget: usize,
        used: AtomicUsize,
    }

    unsafe impl GlobalAlloc for Limited {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            if self.used.load(Ordering::Relaxed) + layout.size() > self.budget {
                return core::ptr::null_mut();
            }
            self.used.fetch_add(layout.size(), Ordering::Relaxed);
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            self.used.fetch_sub(layout.size(), Ordering::Relaxed);
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    #[test]
    fn an_allocation_refused_by_the_inner_allocator_is_served_from_the_reserve_once() {
        let heap: Reserve<Limited, 1024> = Reserve::new(Limited {
            budget: 1536,
            used: AtomicUsize::new(0),
        });
        assert!(heap.available(), "the reserve is taken");
        let small = Layout::from_size_align(256, 8).unwrap();
        let first = unsafe { heap.alloc(small) };
        assert!(!first.is_null());
        let big = Layout::from_size_align(512, 8).unwrap();
        // 1024 + 256 are out: the inner allocator refuses 512, the reserve is given back.
        let second = unsafe { heap.alloc(big) };
        assert!(!second.is_null(), "served after the reserve was given back");
        assert!(
            !heap.available(),
            "the reserve cannot be re-taken while memory is short"
        );
        unsafe { heap.dealloc(second, big) };
        unsafe { heap.dealloc(first, small) };
        assert!(
            heap.available(),
            "freed memory lets the reserve be re-taken"
        );
    }

    #[test]
    fn without_a_reserve_a_refusal_stays_a_refusal() {
        let heap: Reserve<Limited, 1024> = Reserve::new(Limited {
            budget: 1024,
            used: AtomicUsize::new(0),
        });
        assert!(heap.available());
        let layout = Layout::from_size_align(64, 8).unwrap();
        let served = unsafe { heap.alloc(layout) };
        assert!(!served.is_null(), "the reserve went back for it");
        let refused = unsafe { heap.alloc(Layout::from_size_align(2048, 8).unwrap()) };
        assert!(refused.is_null(), "nothing left to give back");
        unsafe { heap.dealloc(served, layout) };
    }
}
