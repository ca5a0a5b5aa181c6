//! The canonical ABI's allocator, `cabi_realloc`, which the host calls to copy arguments (keys,
//! values, node lists) into the component's memory.
//!
//! It is wit-bindgen's, allocating through the component's allocator (which may spend its
//! reserve, see [`crate::allocator`]), except when memory runs out (the host's memory limit, or
//! 4 GiB): instead of aborting — a trap that would leave the instance unusable and lose every cached entry — it
//! answers with an address past the end of linear memory. The host's canonical ABI lowering
//! rejects that address before any component code runs, so the call fails with an error and the
//! cache is untouched and usable.

use std::alloc::{Layout, alloc, realloc};

/// # Safety
/// Called only by the host's canonical ABI lowering, with the layout rules that ABI guarantees:
/// `align` is a power of two, and `old_ptr`/`old_len`/`align` describe an earlier allocation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cabi_realloc(
    old_ptr: *mut u8,
    old_len: usize,
    align: usize,
    new_len: usize,
) -> *mut u8 {
    let ptr = unsafe {
        if old_len == 0 {
            if new_len == 0 {
                return align as *mut u8;
            }
            alloc(Layout::from_size_align_unchecked(new_len, align))
        } else {
            realloc(
                old_ptr,
                Layout::from_size_align_unchecked(old_len, align),
                new_len,
            )
        }
    };
    if ptr.is_null() {
        beyond_memory(align)
    } else {
        ptr
    }
}

/// The highest `align`-aligned address: any non-empty write there ends past the end of a memory
/// smaller than 4 GiB, which the host rejects as out of bounds.
fn beyond_memory(align: usize) -> *mut u8 {
    (usize::MAX & !(align - 1)) as *mut u8
}
