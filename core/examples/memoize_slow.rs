//! The Rust demo: a slow function memoized with cashier-core.
//!
//! Shows keys built from arguments, misses that compute, hits that do not, a failure that is
//! not cached, TTL expiry on the wall clock, LRU eviction, a version bump, and the stats.
//! Run: `cargo run -p cashier-core --example memoize_slow`.

use std::thread::sleep;
use std::time::{Duration, Instant};

use cashier_core::{ArgValue, Cache, KeyBuilder, KeyOptions, StoreConfig, SystemClock};

/// A deliberately slow lookup: 80 ms per call, failing for negative ids.
fn fetch_user_name(id: i32) -> Result<String, String> {
    sleep(Duration::from_millis(80));
    if id < 0 {
        return Err(format!("no user {id}"));
    }
    Ok(format!("user-{id}"))
}

fn main() {
    let config = StoreConfig::new(2).ttl_ms(400).hash_seed(0x5eed);
    let mut cache: Cache<String, String, SystemClock> =
        Cache::new(config, SystemClock).expect("a valid configuration");
    let keys =
        KeyBuilder::new("users.fetch_user_name", &KeyOptions::default()).expect("a valid name");

    let call = |cache: &mut Cache<String, String, SystemClock>, id: i32, note: &str| {
        let key = keys
            .build(&[ArgValue::from(id)])
            .expect("ids are valid key parts");
        let misses_before = cache.stats().misses;
        let started = Instant::now();
        let result = cache
            .get_or_try_insert_with(key.as_str(), || fetch_user_name(id))
            .cloned();
        let outcome = if cache.stats().misses > misses_before {
            "miss"
        } else {
            "hit "
        };
        println!(
            "{outcome} {key:<30} -> {:<22} {:>7.2} ms  {note}",
            format!("{result:?}"),
            started.elapsed().as_secs_f64() * 1e3
        );
    };

    call(&mut cache, 1, "computed (slow)");
    call(&mut cache, 1, "served from the cache");
    call(&mut cache, -7, "failed: nothing cached");
    call(&mut cache, -7, "failed again: computed again");
    call(&mut cache, 2, "computed");
    call(&mut cache, 1, "hit: 1 is now the most recently used");
    call(
        &mut cache,
        3,
        "computed; max_size 2 evicts 2, the least recently used",
    );
    call(&mut cache, 2, "evicted, so computed again");
    println!("... sleeping 450 ms, past the 400 ms TTL");
    sleep(Duration::from_millis(450));
    call(&mut cache, 2, "expired, so computed again");
    cache.bump_version();
    call(
        &mut cache,
        2,
        "after bump_version: every entry is invalid at once",
    );

    let stats = cache.stats();
    println!(
        "stats: hits={} misses={} evictions={} expirations={} size={} pending={}",
        stats.hits, stats.misses, stats.evictions, stats.expirations, stats.size, stats.pending
    );
}
