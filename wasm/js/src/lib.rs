//! wasm-bindgen exports for the npm package `cashier-wasm`: a thin adapter over cashier-core.
//! It converts JS values into the core's argument model and forwards; every cache rule is the
//! core's. The TypeScript wrapper in `js/` is the public API; these exports are its engine.
//!
//! - [`WasmStore`]: a cashier-core `Cache` holding JS values by identity (`TTLMapStorage`).
//! - [`WasmMemo`]: one memoized function's key builder bound to a store; `lookup(args)` builds
//!   the key and looks it up in a single call across the boundary.
//! - [`WasmFlights`]: per-key dedup alone, for functions memoized over a shared storage.
//! - [`build_key`]: the canonical key of a call, as every binding builds it.
//!
//! Errors are thrown as JS errors with the core's message: `TypeError` for values that cannot
//! be keys, `RangeError` for invalid sizes and TTLs, `Error` for stale tickets. Arguments are
//! converted before the store is touched, so a throwing getter or proxy leaves it intact.

mod clock;
mod convert;
mod flights;
mod headroom;

#[global_allocator]
static ALLOCATOR: headroom::ReservingAllocator = headroom::ReservingAllocator;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use cashier_core::{
    Cache, Error as CoreError, KeyBuilder, KeyOptions, Lookup, OutOfMemory, StandardSerializer,
    StoreConfig, Ticket,
};
use js_sys::{Array, Float64Array};
use wasm_bindgen::prelude::*;

use clock::JsClock;
pub use flights::WasmFlights;

/// A store shared by its `WasmStore` handle and every `WasmMemo` bound to it.
struct Shared {
    cache: RefCell<Cache<String, JsValue, JsClock>>,
    /// The latest lookup's outcome and flight (outcome, slot, serial), through any handle: JS
    /// reads it right after a lookup that did not hit.
    last: Cell<(u32, u32, u32)>,
}

impl Shared {
    /// Looks `key` up and records the outcome; returns the value on a hit. When memory is
    /// exhausted it still answers hits but starts no flight (outcome `REFUSED`).
    fn lookup(&self, key: &str) -> Option<JsValue> {
        let split = |raw: u64| (raw as u32, (raw >> 32) as u32);
        let mut cache = self.cache.borrow_mut();
        if !headroom::available() || cache.try_reserve_entry().is_err() {
            let found = cache.get(key).cloned();
            self.last
                .set((if found.is_some() { HIT } else { REFUSED }, 0, 0));
            return found;
        }
        let (outcome, found, (slot, serial)) = match cache.lookup(key) {
            Lookup::Hit(value) => (HIT, Some(value.clone()), (0, 0)),
            Lookup::Joined(flight) => (JOINED, None, split(flight.to_raw())),
            Lookup::Miss(ticket) => (MISS, None, split(ticket.to_raw())),
        };
        self.last.set((outcome, slot, serial));
        found
    }
}

/// `lookup` outcomes, as numbers for a cheap crossing.
const HIT: u32 = 0;
const JOINED: u32 = 1;
const MISS: u32 = 2;
/// A miss refused because memory is exhausted (see `headroom`): nothing was started.
const REFUSED: u32 = 3;

/// A TTL + LRU store of JS values (by identity) with pending-computation dedup.
#[wasm_bindgen]
pub struct WasmStore {
    shared: Rc<Shared>,
    found: JsValue,
}

#[wasm_bindgen]
impl WasmStore {
    /// `maxSize` entries, default `ttl` ms (undefined: none), hasher seed, clock (undefined:
    /// `Date.now`, or a function returning milliseconds).
    #[wasm_bindgen(constructor)]
    pub fn new(
        max_size: f64,
        ttl: JsValue,
        seed_low: u32,
        seed_high: u32,
        clock: JsValue,
    ) -> Result<WasmStore, JsValue> {
        let max_size = whole_number("maxSize", max_size)?;
        let mut config = StoreConfig::new(usize::try_from(max_size).unwrap_or(usize::MAX))
            .hash_seed((u64::from(seed_high) << 32) | u64::from(seed_low));
        config.default_ttl_ms = ttl_ms(&ttl)?;
        let cache = Cache::new(config, JsClock::from_js(clock)?).map_err(|e| error(e.into()))?;
        let shared = Shared {
            cache: RefCell::new(cache),
            last: Cell::new((MISS, 0, 0)),
        };
        Ok(WasmStore {
            shared: Rc::new(shared),
            found: JsValue::UNDEFINED,
        })
    }

    /// Whether `key` has a live value; if so, `value()` returns it.
    pub fn get(&mut self, key: &str) -> bool {
        match self.shared.cache.borrow_mut().get(key) {
            Some(value) => {
                self.found = value.clone();
                true
            }
            None => false,
        }
    }

    /// The value the last successful `get` or `lookup` found.
    pub fn value(&mut self) -> JsValue {
        std::mem::replace(&mut self.found, JsValue::UNDEFINED)
    }

    /// Stores `value` for `key` with its own TTL (undefined: the default).
    pub fn set(&mut self, key: String, value: JsValue, ttl: JsValue) -> Result<(), JsValue> {
        let ttl = ttl_ms(&ttl)?;
        let mut cache = self.shared.cache.borrow_mut();
        if !headroom::available() {
            return Err(error(OutOfMemory.into()));
        }
        cache.try_reserve_entry().map_err(|e| error(e.into()))?;
        match ttl {
            None => {
                cache.insert(key, value);
                Ok(())
            }
            ttl => cache
                .insert_with_ttl(key, value, ttl)
                .map(drop)
                .map_err(|e| error(e.into())),
        }
    }

    /// Removes `key` and cancels its pending flight; true if a live value was removed.
    pub fn delete(&mut self, key: &str) -> bool {
        self.shared.cache.borrow_mut().remove(key).is_some()
    }

    /// Whether `key` has a live value (no recency or counter change).
    pub fn has(&self, key: &str) -> bool {
        self.shared.cache.borrow().peek(key).is_some()
    }

    /// Removes everything and cancels every pending flight.
    pub fn clear(&mut self) {
        self.shared.cache.borrow_mut().clear();
    }

    /// Invalidates every entry in O(1) and cancels every pending flight.
    #[wasm_bindgen(js_name = bumpVersion)]
    pub fn bump_version(&mut self) {
        self.shared.cache.borrow_mut().bump_version();
    }

    /// [hits, misses, joined, evictions, expirations, size, pending].
    pub fn stats(&self) -> Float64Array {
        let s = self.shared.cache.borrow().stats();
        let values = [
            s.hits,
            s.misses,
            s.joined,
            s.evictions,
            s.expirations,
            s.size,
            s.pending,
        ]
        .map(|v| v as f64);
        Float64Array::from(&values[..])
    }

    /// Looks `key` up for a computation: 0 hit (`value()`), 1 joined, 2 miss.
    pub fn lookup(&mut self, key: &str) -> u32 {
        if let Some(found) = self.shared.lookup(key) {
            self.found = found;
        }
        self.shared.last.get().0
    }

    /// Looks `key` up for a computation in one crossing: the value on a hit, else undefined.
    /// A stored undefined and a non-hit look alike, so after an undefined `state()` tells
    /// what happened.
    pub fn find(&mut self, key: &str) -> JsValue {
        self.shared.lookup(key).unwrap_or(JsValue::UNDEFINED)
    }

    /// The latest lookup (through this store or a memo bound to it) as one number, to save
    /// crossings: `outcome + 4 × slot`, outcome 0 hit, 1 joined, 2 miss, 3 refused (memory
    /// exhausted: nothing started; see `outOfMemoryMessage`); `slot` names the flight
    /// joined or started, and `flightSerial()` completes its name.
    pub fn state(&self) -> f64 {
        let (outcome, slot, _) = self.shared.last.get();
        f64::from(outcome) + 4.0 * f64::from(slot)
    }

    /// The serial of the flight the latest lookup joined or started.
    #[wasm_bindgen(js_name = flightSerial)]
    pub fn flight_serial(&self) -> u32 {
        self.shared.last.get().2
    }

    /// Ends a flight with its value (`ttl` ms, or undefined for the default); returns how many
    /// callers joined it.
    pub fn complete(
        &mut self,
        slot: u32,
        serial: u32,
        value: JsValue,
        ttl: JsValue,
    ) -> Result<u32, JsValue> {
        let ttl = ttl_ms(&ttl)?;
        let mut cache = self.shared.cache.borrow_mut();
        let landing = match ttl {
            None => cache
                .complete(ticket(slot, serial), value)
                .map_err(CoreError::from),
            ttl => cache.complete_with_ttl(ticket(slot, serial), value, ttl),
        };
        landing.map(|landing| landing.waiters).map_err(error)
    }

    /// Ends a flight with a failure (nothing stored); returns how many callers joined it.
    pub fn fail(&mut self, slot: u32, serial: u32) -> Result<u32, JsValue> {
        let landing = self.shared.cache.borrow_mut().fail(ticket(slot, serial));
        landing
            .map(|landing| landing.waiters)
            .map_err(|e| error(e.into()))
    }

    /// A key builder for the function `name`, bound to this store. Its `lookup` answers with
    /// `sentinel` when it does not hit; the flight is then read from this store.
    pub fn memo(
        &self,
        name: &str,
        options: &KeyOptionsJs,
        sentinel: JsValue,
    ) -> Result<WasmMemo, JsValue> {
        Ok(WasmMemo {
            shared: Rc::clone(&self.shared),
            builder: options.builder(name)?,
            key: String::new(),
            sentinel,
        })
    }
}

/// Key options from JS (`prefix`, `version`, `cacheWith`, `serializer`, `maxKeyBytes`).
#[wasm_bindgen]
pub struct KeyOptionsJs {
    options: KeyOptions,
}

#[wasm_bindgen]
impl KeyOptionsJs {
    /// Options; `serializer` is "repr", "md5" or "sha256"; `cache_with` empty with
    /// `select_all` true means every argument.
    #[wasm_bindgen(constructor)]
    pub fn new(
        prefix: String,
        version: Option<String>,
        select_all: bool,
        cache_with: Vec<u32>,
        serializer: &str,
        max_key_bytes: f64,
    ) -> Result<KeyOptionsJs, JsValue> {
        let serializer = StandardSerializer::from_name(serializer).map_err(|e| error(e.into()))?;
        let mut options = KeyOptions::default().prefix(prefix).serializer(serializer);
        if let Some(version) = version {
            options = options.version(version);
        }
        if !select_all {
            options = options.cache_with(
                cache_with
                    .into_iter()
                    .map(|p| p as usize)
                    .collect::<Vec<_>>(),
            );
        }
        if !max_key_bytes.is_nan() {
            options = options.max_key_bytes(
                usize::try_from(whole_number("maxKeyBytes", max_key_bytes)?).unwrap_or(usize::MAX),
            );
        }
        Ok(KeyOptionsJs { options })
    }

    fn builder(&self, name: &str) -> Result<KeyBuilder, JsValue> {
        KeyBuilder::new(name, &self.options).map_err(|e| error(e.into()))
    }
}

/// One memoized function: its key builder, bound to the store it caches in.
#[wasm_bindgen]
pub struct WasmMemo {
    shared: Rc<Shared>,
    builder: KeyBuilder,
    /// The last key built (reused buffer: no allocation per call once warm).
    key: String,
    /// What `lookup` returns when it does not hit, so a hit costs one crossing.
    sentinel: JsValue,
}

#[wasm_bindgen]
impl WasmMemo {
    /// Builds the key of `args` and looks it up: the value on a hit, else the sentinel (the
    /// store's `state()` then tells a joined flight from a new one).
    pub fn lookup(&mut self, args: &Array) -> Result<JsValue, JsValue> {
        self.build(args)?;
        Ok(self
            .shared
            .lookup(&self.key)
            .unwrap_or_else(|| self.sentinel.clone()))
    }

    /// What every `repr` key of this function starts with: `prefix name[@version](`. The JS
    /// wrapper appends primitive arguments to it itself (the canonical forms of numbers —
    /// ECMAScript `Number::toString` — and of plain strings are JavaScript's own) and falls back
    /// to `lookup` for everything else; the shared vectors check that both agree.
    #[wasm_bindgen(js_name = keyHead)]
    pub fn key_head(&self) -> String {
        format!("{}{}(", self.builder.prefix(), self.builder.label())
    }

    /// The key of `args`.
    #[wasm_bindgen(js_name = keyOf)]
    pub fn key_of(&mut self, args: &Array) -> Result<String, JsValue> {
        self.build(args)?;
        Ok(self.key.clone())
    }

    /// Removes the entry for `args` and cancels its flight; true if a live value was removed.
    pub fn delete(&mut self, args: &Array) -> Result<bool, JsValue> {
        self.build(args)?;
        Ok(self
            .shared
            .cache
            .borrow_mut()
            .remove(self.key.as_str())
            .is_some())
    }

    fn build(&mut self, args: &Array) -> Result<(), JsValue> {
        // Building a key needs memory; with none left, refuse before converting anything.
        if !headroom::available() {
            return Err(error(OutOfMemory.into()));
        }
        let values = convert::arguments(args)?;
        self.key.clear();
        self.builder
            .build_into(&values, &mut self.key)
            .map_err(|e| error(e.into()))
    }
}

/// Bytes of WebAssembly linear memory in use by the package (all stores together). Memory only
/// grows; a bounded cache keeps it bounded.
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    let pages = core::arch::wasm32::memory_size(0);
    #[cfg(not(target_arch = "wasm32"))]
    let pages = 0;
    (pages * 65_536) as f64
}

/// The canonical key of a call to `name` with `args`.
#[wasm_bindgen(js_name = buildKey)]
pub fn build_key(name: &str, args: &Array, options: &KeyOptionsJs) -> Result<String, JsValue> {
    let values = convert::arguments(args)?;
    options
        .builder(name)?
        .build(&values)
        .map_err(|e| error(e.into()))
}

/// What every repr key of `name` under `options` starts with: `{prefix}{label}(` — the same
/// head as `Memo::keyHead`, for callers without a cache (the shared-storage path of `memoize`).
#[wasm_bindgen(js_name = keyHead)]
pub fn key_head(name: &str, options: &KeyOptionsJs) -> Result<String, JsValue> {
    let builder = options.builder(name)?;
    Ok(format!("{}{}(", builder.prefix(), builder.label()))
}

fn ticket(slot: u32, serial: u32) -> Ticket {
    Ticket::from_raw((u64::from(serial) << 32) | u64::from(slot))
}

/// A JS number that must be a whole number from 1 to 2^53 - 1.
fn whole_number(name: &str, value: f64) -> Result<u64, JsValue> {
    if value.is_finite()
        && (1.0..=9_007_199_254_740_991.0).contains(&value)
        && (value as u64) as f64 == value
    {
        Ok(value as u64)
    } else {
        let mut digits = ryu_js::Buffer::new();
        let shown = digits.format(value);
        Err(js_sys::RangeError::new(&format!(
            "{name} must be a whole number of at least 1, got {shown}"
        ))
        .into())
    }
}

/// A TTL from JS: undefined/null → none; otherwise a whole number of milliseconds ≥ 1.
fn ttl_ms(ttl: &JsValue) -> Result<Option<u64>, JsValue> {
    if ttl.is_undefined() || ttl.is_null() {
        return Ok(None);
    }
    match ttl.as_f64() {
        Some(ms) => whole_number("ttl", ms).map(Some),
        None => Err(js_sys::TypeError::new("ttl must be a number of milliseconds").into()),
    }
}

/// A core error as the JS error users expect.
fn error(error: CoreError) -> JsValue {
    if let CoreError::OutOfMemory(_) = error {
        // No formatting: there may be no memory to format into.
        return js_sys::RangeError::new(OutOfMemory::MESSAGE).into();
    }
    let message = error.to_string();
    match error {
        CoreError::Key(_) => js_sys::TypeError::new(&message).into(),
        CoreError::Config(_) => js_sys::RangeError::new(&message).into(),
        CoreError::Flight(_) => js_sys::Error::new(&message).into(),
        CoreError::OutOfMemory(_) => js_sys::RangeError::new(OutOfMemory::MESSAGE).into(),
    }
}

/// A `RangeError` saying memory is exhausted when it is (the allocator's reserve is spent and
/// cannot be re-taken), else undefined. The wrapper asks after a refused lookup or a trap, to
/// report a clear error instead of the engine's "unreachable". Allocates nothing in wasm.
#[wasm_bindgen(js_name = outOfMemoryError)]
pub fn out_of_memory_error() -> JsValue {
    if headroom::available() {
        JsValue::UNDEFINED
    } else {
        error(OutOfMemory.into())
    }
}
