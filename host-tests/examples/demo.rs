//! The component demo: a wasmtime host loads `cashier.component.wasm`, memoizes a slow
//! function through the component's begin/complete protocol, and prints hits, misses and stats.
//! Run: `bash .ci/build-component.sh && cargo run -p cashier-host --example demo`.

use std::time::{Duration, Instant};

use cashier_host::{
    CacheConfig, CacheHandle, Cashier, HostError, KeyOptions, Lookup, Node, SystemClock,
};

/// A slow computation the host wants memoized.
fn slow_square(n: u32) -> u64 {
    std::thread::sleep(Duration::from_millis(50));
    u64::from(n) * u64::from(n)
}

fn memoized_square(
    cashier: &mut Cashier,
    cache: &CacheHandle,
    n: u32,
) -> Result<(u64, &'static str), HostError> {
    let options = KeyOptions::repr();
    let key = cashier.build_key(
        "demo.slow_square",
        &[Node::Number(f64::from(n))],
        &[0],
        &options,
    )?;
    match cashier.begin(cache, &key)? {
        Lookup::Hit(bytes) => Ok((
            u64::from_le_bytes(bytes.try_into().unwrap_or_default()),
            "hit ",
        )),
        // Single-threaded host: nobody else computes; a real async host would await the flight.
        Lookup::Joined(_) => Ok((slow_square(n), "join")),
        Lookup::Miss(ticket) => {
            let value = slow_square(n);
            cashier.complete(cache, ticket, &value.to_le_bytes(), None)?;
            Ok((value, "miss"))
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/cashier.component.wasm".into());
    let engine = wasmtime::Engine::default();
    let started = Instant::now();
    let mut cashier = Cashier::load(&engine, &path, SystemClock)?;
    println!(
        "loaded {path} in {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let cache = cashier.create_cache(CacheConfig {
        max_size: 2,
        default_ttl_ms: Some(60_000),
        hash_seed: 0x5eed,
    })?;
    for n in [3, 3, 4, 3, 5, 4] {
        let started = Instant::now();
        let (value, outcome) = memoized_square(&mut cashier, &cache, n)?;
        println!(
            "{outcome} slow_square({n}) = {value:<3} {:>7.2} ms",
            started.elapsed().as_secs_f64() * 1e3
        );
    }
    let stats = cashier.stats(&cache)?;
    println!(
        "stats: hits={} misses={} evictions={} expirations={} size={} pending={}",
        stats.hits, stats.misses, stats.evictions, stats.expirations, stats.size, stats.pending
    );
    Ok(())
}
