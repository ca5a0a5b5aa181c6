//! Out-of-memory handling for the module's linear memory, which V8 caps (4 GiB, or less with
//! `--wasm-max-mem-pages`) and which may be all a constrained runtime grants.
//!
//! The module's allocator ([`Heap`]) keeps a [`RESERVE_BYTES`] block aside
//! ([`cashier_alloc_reserve::Reserve`]): an operation under way completes even when memory runs
//! out, and before any operation that would grow memory, [`available`] re-takes the block; when it
//! cannot, the binding refuses the operation with an error before changing anything, and keeps
//! answering what is cached.

use cashier_alloc_reserve::Reserve;
use cashier_js_support::Heap;

/// The block kept aside: more than the default maximum key (1 MiB) plus a store's growth step
/// for the default sizes, so an operation that started can finish.
pub const RESERVE_BYTES: usize = 2 << 20;

#[global_allocator]
static ALLOCATOR: Reserve<Heap, RESERVE_BYTES> = Reserve::new(Heap);

/// Whether the reserve is in place (re-taking it if it was given back): when false, memory is
/// exhausted and operations that grow it must be refused.
#[inline]
pub fn available() -> bool {
    ALLOCATOR.available()
}
