//! Return values that borrow the component's memory instead of copying it.
//!
//! The canonical ABI returns a list as a pointer and a length into the component's memory; the
//! host copies it out, then calls the export's post-return function, which frees the block.
//! A hit copied into a fresh `Vec` first needs as much free memory as the value, so at memory
//! exhaustion it could not be served (Rust aborts when an allocation fails: a trap that loses
//! every cached entry). [`lend`] instead hands out the stored bytes themselves: the returned
//! `Vec` points at them, and the component's allocator ([`crate::allocator`]) recognizes that
//! block when the post-return function frees it and leaves it alone ([`take_back`]).
//!
//! One block is lent at a time: each export returns at most one list or string, and the host
//! frees it (post-return) before it may call the instance again, with no component code in
//! between, so the stored value cannot change or be freed while it is lent.

use std::sync::atomic::{AtomicPtr, Ordering};

/// The block lent to the host, or null.
static LENT: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());

/// `bytes` as a `Vec` the host can read and the post-return function "frees", without copying
/// or allocating. The `Vec` must only be read, returned or dropped, never grown or written.
pub fn lend(bytes: &[u8]) -> Vec<u8> {
    if bytes.is_empty() {
        // An empty `Vec` owns no block: nothing is freed, nothing to lend.
        return Vec::new();
    }
    let ptr = bytes.as_ptr().cast_mut();
    LENT.store(ptr, Ordering::Relaxed);
    // SAFETY: `ptr` and `len` describe initialized bytes that outlive the call (a stored value
    // or static data, untouched until post-return). The `Vec` is never written or grown (its
    // capacity equals its length, so wit-bindgen's `into_boxed_slice` does not reallocate),
    // and its deallocation is intercepted by `take_back`, so the block is never freed twice.
    unsafe { Vec::from_raw_parts(ptr, bytes.len(), bytes.len()) }
}

/// `items` as a `Vec` the host can read and the post-return function "frees", without copying
/// or allocating (as [`lend`]). The `Vec` must only be read, returned or dropped.
pub fn lend_slice<T: Copy>(items: &[T]) -> Vec<T> {
    if items.is_empty() {
        return Vec::new();
    }
    let ptr = items.as_ptr().cast_mut();
    LENT.store(ptr.cast(), Ordering::Relaxed);
    // SAFETY: as in `lend`: initialized items untouched until post-return, never written or
    // grown, and their deallocation intercepted by `take_back`.
    unsafe { Vec::from_raw_parts(ptr, items.len(), items.len()) }
}

/// A static message as a `String` the host can read, without allocating (see [`lend`]).
pub fn lend_str(text: &'static str) -> String {
    // SAFETY: the bytes come from a `str`, so they are UTF-8.
    unsafe { String::from_utf8_unchecked(lend(text.as_bytes())) }
}

/// Whether `ptr` is the lent block: if so it is taken back (and must not be freed).
#[inline]
pub fn take_back(ptr: *mut u8) -> bool {
    !ptr.is_null()
        && LENT
            .compare_exchange(
                ptr,
                std::ptr::null_mut(),
                Ordering::Relaxed,
                Ordering::Relaxed,
            )
            .is_ok()
}
