//! Where a hit's time goes on the wasmtime host path: the same 1,000-key hit loop through each
//! layer, fastest of several rounds, in ns per call. A diagnostic for `bench/README.md`, not a
//! benchmark (the criterion rows are in `benches/host_vs_native.rs`).
//!
//! `cargo run -p cashier-host --profile bench --example hit_cost [-- ROUNDS]`
//! (after `bash .ci/build-component.sh`); `ONLY=native|bytes|handle|bytes-nottl|handle-nottl|
//! floor` runs one kind,
//! `CALLS=n` sets the calls per round. Instructions per call, independent of machine load:
//! `valgrind --tool=callgrind` at two round counts, the difference over the extra calls.

use std::hint::black_box;
use std::time::Instant;

use cashier_core::{Cache, ManualClock as CoreClock, StoreConfig};
use cashier_host::{CacheConfig, Cashier, HandleCache, ManualClock};

const KEYS: usize = 1_000;

fn instance() -> Cashier {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/cashier.component.wasm"
    );
    Cashier::load(&wasmtime::Engine::default(), path, ManualClock::new(0))
        .expect("run bash .ci/build-component.sh first")
}

fn config(ttl: Option<u64>) -> CacheConfig {
    CacheConfig {
        max_size: KEYS as u32 * 2,
        default_ttl_ms: ttl,
        hash_seed: 1,
    }
}

/// Calls per round: `CALLS`, or 200,000.
fn calls() -> usize {
    std::env::var("CALLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200_000)
}

/// The fastest of `rounds` runs of [`calls`] calls, in ns per call. Never inlined, so that
/// `callgrind --toggle-collect='*hit_cost::time*'` counts the calls alone.
#[inline(never)]
fn time(rounds: usize, mut call: impl FnMut(usize)) -> f64 {
    let calls = calls();
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for i in 0..calls {
                call(i % KEYS);
            }
            start.elapsed().as_nanos() as f64 / calls as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let rounds = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(7);
    let keys: Vec<String> = (0..KEYS).map(|i| format!("bench.f({i})")).collect();
    let only = std::env::var("ONLY").ok();
    let wanted = |name: &str| only.as_deref().is_none_or(|only| only == name);

    let mut rows: Vec<(&str, f64)> = Vec::new();
    if wanted("native") {
        let clock = CoreClock::new(0);
        let mut cache: Cache<String, Vec<u8>, _> = Cache::new(
            StoreConfig::new(KEYS * 2).ttl_ms(60_000).hash_seed(1),
            &clock,
        )
        .unwrap();
        for key in &keys {
            cache.insert(key.clone(), vec![7; 16]);
        }
        rows.push((
            "native get hit",
            time(rounds, |i| {
                black_box(cache.get(keys[i].as_str()).map(|v| v.len()));
            }),
        ));
    }
    for (name, ttl, suffix) in [
        ("", Some(60_000), ""),
        (" (no TTL: no clock call)", None, "-nottl"),
    ] {
        if wanted(&format!("bytes{suffix}")) {
            let mut cashier = instance();
            let cache = cashier.create_cache(config(ttl)).unwrap();
            for key in &keys {
                cashier.set(&cache, key, &[7; 16], None).unwrap();
            }
            let label = format!("component byte get hit{name}");
            let ns = time(rounds, |i| {
                black_box(cashier.get(&cache, &keys[i]).unwrap().map(|v| v.len()));
            });
            rows.push((Box::leak(label.into_boxed_str()), ns));
        }
        if wanted(&format!("handle{suffix}")) {
            let mut cashier = instance();
            let mut cache = HandleCache::create(&mut cashier, config(ttl)).unwrap();
            for key in &keys {
                cache.set(&mut cashier, key, [7u8; 16], None).unwrap();
            }
            let label = format!("component handle get hit{name}");
            let ns = time(rounds, |i| {
                black_box(cache.get(&mut cashier, &keys[i]).unwrap().map(|v| v.len()));
            });
            rows.push((Box::leak(label.into_boxed_str()), ns));
        }
    }
    if wanted("floor") {
        let mut cashier = instance();
        let mut cache = HandleCache::<()>::create(&mut cashier, config(None)).unwrap();
        rows.push((
            "component call floor (handle-cache.stats)",
            time(rounds, |_| {
                black_box(cache.stats(&mut cashier).unwrap());
            }),
        ));
    }
    for (name, ns) in rows {
        println!("{ns:>9.1} ns  {name}");
    }
}
