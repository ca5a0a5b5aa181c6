//! A typed wasmtime host for the `cashier:cache` component.
//!
//! ```no_run
//! use cashier_host::{Cashier, CacheConfig, SystemClock};
//! let engine = wasmtime::Engine::default();
//! let mut cashier = Cashier::load(&engine, "target/cashier.component.wasm", SystemClock)?;
//! let cache = cashier.create_cache(CacheConfig { max_size: 1_000, default_ttl_ms: Some(60_000), hash_seed: 42 })?;
//! cashier.set(&cache, "k", b"v", None)?;
//! assert_eq!(cashier.get(&cache, "k")?, Some(b"v".to_vec()));
//! # Ok::<(), cashier_host::HostError>(())
//! ```
//!
//! [`Cashier`] owns a wasmtime `Store` with one component instance; caches are resources of that
//! instance, named by [`CacheHandle`]. Time reaches the component only through the host's
//! [`Clock`]. Under a memory limit ([`Limits`]), an argument too large to copy into the
//! component is refused by the component's allocator before any of its code runs:
//! [`HostError::OutOfMemory`], with every cached entry intact and the instance usable. Once
//! memory is exhausted, hits are still served (the component allocates nothing for them) and
//! calls that would grow memory answer [`CacheError::OutOfMemory`].

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use wasmtime::component::{Component, Linker, ResourceAny};
use wasmtime::{Engine, ResourceLimiter, Store};

/// Bindings generated from `wit/cashier.wit`.
pub mod bindings {
    wasmtime::component::bindgen!({ world: "cashier", path: "../wit", additional_derives: [PartialEq] });
}

mod handles;

pub use bindings::exports::cashier::cache::keys::{KeyOptions, Node, Serializer};
pub use bindings::exports::cashier::cache::store::{Config as CacheConfig, Lookup};
pub use bindings::exports::cashier::cache::types::{Error as CacheError, Stats};
pub use handles::{HandleCache, LookupRef};

/// The time source the host gives the component (its `clock` import).
pub trait Clock: Send + 'static {
    /// The current time in milliseconds.
    fn now_ms(&mut self) -> u64;
}

/// Wall-clock milliseconds since the Unix epoch.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&mut self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_millis() as u64)
            .unwrap_or(0)
    }
}

/// A clock the host moves by hand; clones share one reading.
#[derive(Debug, Default, Clone)]
pub struct ManualClock(Arc<AtomicU64>);

impl ManualClock {
    /// A clock reading `start_ms`.
    pub fn new(start_ms: u64) -> Self {
        Self(Arc::new(AtomicU64::new(start_ms)))
    }

    /// Moves the clock forward by `ms`.
    pub fn advance(&self, ms: u64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }

    /// Sets the reading, forwards or backwards.
    pub fn set(&self, ms: u64) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&mut self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Resource limits for one [`Cashier`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    /// The most bytes of linear memory the component may use.
    pub memory_bytes: Option<usize>,
    /// Fuel per instance (wasmtime instructions, roughly); needs an engine with
    /// `Config::consume_fuel(true)`. A call that runs out traps instead of running on.
    pub fuel: Option<u64>,
}

/// A failure seen by the host.
#[derive(Debug)]
pub enum HostError {
    /// The component answered with an error: the cache is fine and usable.
    Cache(CacheError),
    /// The arguments did not fit in the component's memory under the limit. The call did not
    /// run; the cache and the instance are unchanged and usable.
    OutOfMemory(wasmtime::Error),
    /// Loading failed, or the call trapped (fuel exhausted, a bug): the instance is unusable.
    Wasmtime(wasmtime::Error),
    /// The component named a handle this [`HandleCache`] never gave it or already had back
    /// (a bug in the component's handle protocol).
    UnknownHandle(u64),
}

impl std::fmt::Display for HostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HostError::Cache(error) => write!(f, "cache error: {error:?}"),
            HostError::OutOfMemory(error) => {
                write!(f, "out of memory copying the arguments in: {error:#}")
            }
            HostError::Wasmtime(error) => write!(f, "wasmtime: {error:#}"),
            HostError::UnknownHandle(handle) => {
                write!(
                    f,
                    "the component named handle {handle}, which it does not hold"
                )
            }
        }
    }
}

impl std::error::Error for HostError {}

impl From<wasmtime::Error> for HostError {
    fn from(error: wasmtime::Error) -> Self {
        // The component's `cabi_realloc` answers an allocation failure with an address past the
        // end of memory; wasmtime refuses it while lowering the arguments, before the call runs.
        let refused_copy = error.downcast_ref::<wasmtime::Trap>().is_none()
            && format!("{error:#}").contains("beyond end of memory");
        if refused_copy {
            HostError::OutOfMemory(error)
        } else {
            HostError::Wasmtime(error)
        }
    }
}

impl From<CacheError> for HostError {
    fn from(error: CacheError) -> Self {
        HostError::Cache(error)
    }
}

/// One cache of a [`Cashier`] instance.
#[derive(Debug, Clone, Copy)]
pub struct CacheHandle(ResourceAny);

/// What the store carries: the clock and the memory accounting.
pub struct HostState {
    clock: Box<dyn Clock>,
    memory: MemoryLimiter,
}

impl bindings::cashier::cache::clock::Host for HostState {
    fn now_ms(&mut self) -> u64 {
        self.clock.now_ms()
    }
}

/// Enforces the memory limit (refusing growth, so the component's allocator sees a failure it
/// can report) and remembers the current size.
struct MemoryLimiter {
    limit: Option<usize>,
    current: usize,
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = self.limit.is_none_or(|limit| desired <= limit);
        self.current = if allowed { desired } else { current };
        Ok(allowed)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(true)
    }
}

impl KeyOptions {
    /// The default options: no prefix or version, every argument, `repr`, no size limit.
    pub fn repr() -> Self {
        KeyOptions {
            prefix: String::new(),
            version: None,
            cache_with: None,
            serializer: Serializer::Repr,
            max_key_bytes: None,
        }
    }
}

/// A loaded cashier component instance.
pub struct Cashier {
    store: Store<HostState>,
    bindings: bindings::Cashier,
}

impl Cashier {
    /// Loads the component at `path` and instantiates it with `clock`, without limits.
    pub fn load(
        engine: &Engine,
        path: impl AsRef<Path>,
        clock: impl Clock,
    ) -> Result<Self, HostError> {
        let component = Component::from_file(engine, path)?;
        Self::instantiate(engine, &component, clock, Limits::default())
    }

    /// Instantiates an already compiled component with `clock` and `limits`.
    pub fn instantiate(
        engine: &Engine,
        component: &Component,
        clock: impl Clock,
        limits: Limits,
    ) -> Result<Self, HostError> {
        let mut linker = Linker::new(engine);
        bindings::Cashier::add_to_linker::<HostState, wasmtime::component::HasSelf<HostState>>(
            &mut linker,
            |state| state,
        )?;
        let state = HostState {
            clock: Box::new(clock),
            memory: MemoryLimiter {
                limit: limits.memory_bytes,
                current: 0,
            },
        };
        let mut store = Store::new(engine, state);
        store.limiter(|state| &mut state.memory);
        if let Some(fuel) = limits.fuel {
            store.set_fuel(fuel)?;
        }
        let bindings = bindings::Cashier::instantiate(&mut store, component, &linker)?;
        Ok(Self { store, bindings })
    }

    /// Linear memory the component uses now, in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.store.data().memory.current
    }

    /// The wasmtime store (fuel, epochs).
    pub fn store_mut(&mut self) -> &mut Store<HostState> {
        &mut self.store
    }

    /// The generated bindings and the store, for calling the WIT exports directly.
    pub fn raw(&mut self) -> (&bindings::Cashier, &mut Store<HostState>) {
        (&self.bindings, &mut self.store)
    }

    /// A new cache.
    pub fn create_cache(&mut self, config: CacheConfig) -> Result<CacheHandle, HostError> {
        let resource = self
            .bindings
            .cashier_cache_store()
            .cache()
            .call_create(&mut self.store, config)??;
        Ok(CacheHandle(resource))
    }

    /// Drops a cache and frees its memory inside the component.
    pub fn drop_cache(&mut self, cache: CacheHandle) -> Result<(), HostError> {
        cache.0.resource_drop(&mut self.store)?;
        Ok(())
    }

    /// The live value for `key`.
    pub fn get(&mut self, cache: &CacheHandle, key: &str) -> Result<Option<Vec<u8>>, HostError> {
        Ok(self
            .bindings
            .cashier_cache_store()
            .cache()
            .call_get(&mut self.store, cache.0, key)?)
    }

    /// Stores `value` for `key` (with its own TTL, or the default).
    pub fn set(
        &mut self,
        cache: &CacheHandle,
        key: &str,
        value: &[u8],
        ttl_ms: Option<u64>,
    ) -> Result<(), HostError> {
        Ok(self.bindings.cashier_cache_store().cache().call_set(
            &mut self.store,
            cache.0,
            key,
            value,
            ttl_ms,
        )??)
    }

    /// Removes `key`; true if a live value was removed.
    pub fn delete(&mut self, cache: &CacheHandle, key: &str) -> Result<bool, HostError> {
        Ok(self.bindings.cashier_cache_store().cache().call_delete(
            &mut self.store,
            cache.0,
            key,
        )?)
    }

    /// Removes every entry.
    pub fn clear(&mut self, cache: &CacheHandle) -> Result<(), HostError> {
        Ok(self
            .bindings
            .cashier_cache_store()
            .cache()
            .call_clear(&mut self.store, cache.0)?)
    }

    /// Invalidates every entry in O(1).
    pub fn bump_version(&mut self, cache: &CacheHandle) -> Result<(), HostError> {
        Ok(self
            .bindings
            .cashier_cache_store()
            .cache()
            .call_bump_version(&mut self.store, cache.0)?)
    }

    /// The cache's counters.
    pub fn stats(&mut self, cache: &CacheHandle) -> Result<Stats, HostError> {
        Ok(self
            .bindings
            .cashier_cache_store()
            .cache()
            .call_stats(&mut self.store, cache.0)?)
    }

    /// Hit, joined flight, or miss with a ticket (opaque: only this cache accepts it). With the
    /// instance's memory exhausted, hits and joins are still answered and a miss is
    /// `CacheError::OutOfMemory`.
    pub fn begin(&mut self, cache: &CacheHandle, key: &str) -> Result<Lookup, HostError> {
        Ok(self.bindings.cashier_cache_store().cache().call_begin(
            &mut self.store,
            cache.0,
            key,
        )??)
    }

    /// Ends a flight with its value; returns how many callers joined it.
    pub fn complete(
        &mut self,
        cache: &CacheHandle,
        ticket: u64,
        value: &[u8],
        ttl_ms: Option<u64>,
    ) -> Result<u32, HostError> {
        Ok(self.bindings.cashier_cache_store().cache().call_complete(
            &mut self.store,
            cache.0,
            ticket,
            value,
            ttl_ms,
        )??)
    }

    /// Ends a flight with a failure; returns how many callers joined it.
    pub fn fail(&mut self, cache: &CacheHandle, ticket: u64) -> Result<u32, HostError> {
        Ok(self.bindings.cashier_cache_store().cache().call_fail(
            &mut self.store,
            cache.0,
            ticket,
        )??)
    }

    /// The canonical key of a call (see `wit/cashier.wit` for the node list).
    pub fn build_key(
        &mut self,
        name: &str,
        nodes: &[Node],
        args: &[u32],
        options: &KeyOptions,
    ) -> Result<String, HostError> {
        Ok(self.bindings.cashier_cache_keys().call_build_key(
            &mut self.store,
            name,
            nodes,
            args,
            options,
        )??)
    }
}
