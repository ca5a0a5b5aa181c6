//! Host-side calls into the component against the same operations on cashier-core natively:
//! get-hit, set, and a begin/complete pair, on 1,000 keys with 16-byte values. `component` is
//! the byte-value `cache` (values copied across), `component-handle` the `handle-cache` through
//! [`HandleCache`] (values kept on the host, a `u64` crosses). `host_call_floor` is the least a
//! call costs: `handle-cache.stats` (no argument, a record of numbers back, no post-return).
//! Run: `bash .ci/build-component.sh && cargo bench -p cashier-host`
//! (`bench/run.sh` puts the medians in bench/RESULTS.md).

use std::hint::black_box;
use std::time::Duration;

use cashier_core::{Cache, Lookup as CoreLookup, ManualClock as CoreClock, StoreConfig, Ticket};
use cashier_host::{CacheConfig, Cashier, HandleCache, Lookup, LookupRef, ManualClock};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const KEYS: usize = 1_000;
const VALUE: [u8; 16] = [7; 16];

fn instance() -> Cashier {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/cashier.component.wasm"
    );
    let engine = wasmtime::Engine::default();
    Cashier::load(&engine, path, ManualClock::new(0))
        .expect("run bash .ci/build-component.sh first")
}

fn config() -> CacheConfig {
    CacheConfig {
        max_size: KEYS as u32 * 2,
        default_ttl_ms: Some(60_000),
        hash_seed: 1,
    }
}

fn component() -> (Cashier, cashier_host::CacheHandle) {
    let mut cashier = instance();
    let cache = cashier.create_cache(config()).unwrap();
    (cashier, cache)
}

fn component_handles() -> (Cashier, HandleCache<[u8; 16]>) {
    let mut cashier = instance();
    let cache = HandleCache::create(&mut cashier, config()).unwrap();
    (cashier, cache)
}

fn native(clock: &CoreClock) -> Cache<String, Vec<u8>, &CoreClock> {
    Cache::new(
        StoreConfig::new(KEYS * 2).ttl_ms(60_000).hash_seed(1),
        clock,
    )
    .unwrap()
}

fn keys() -> Vec<String> {
    (0..KEYS).map(|i| format!("bench.f({i})")).collect()
}

fn get_hit(c: &mut Criterion) {
    let keys = keys();
    let mut group = c.benchmark_group("host_get_hit");
    group.throughput(Throughput::Elements(1));
    let clock = CoreClock::new(0);
    let mut cache = native(&clock);
    for key in &keys {
        cache.insert(key.clone(), VALUE.to_vec());
    }
    let mut i = 0;
    group.bench_function(BenchmarkId::from_parameter("native"), |b| {
        b.iter(|| {
            i = (i + 1) % KEYS;
            black_box(cache.get(keys[i].as_str()).map(|v| v.len()))
        })
    });
    let (mut cashier, handle) = component();
    for key in &keys {
        cashier.set(&handle, key, &VALUE, None).unwrap();
    }
    group.bench_function(BenchmarkId::from_parameter("component"), |b| {
        b.iter(|| {
            i = (i + 1) % KEYS;
            black_box(cashier.get(&handle, &keys[i]).unwrap().map(|v| v.len()))
        })
    });
    let (mut cashier, mut cache) = component_handles();
    for key in &keys {
        cache.set(&mut cashier, key, VALUE, None).unwrap();
    }
    group.bench_function(BenchmarkId::from_parameter("component-handle"), |b| {
        b.iter(|| {
            i = (i + 1) % KEYS;
            black_box(cache.get(&mut cashier, &keys[i]).unwrap().map(|v| v.len()))
        })
    });
    group.finish();
}

fn call_floor(c: &mut Criterion) {
    let mut group = c.benchmark_group("host_call_floor");
    group.throughput(Throughput::Elements(1));
    let (mut cashier, mut cache) = component_handles();
    group.bench_function(BenchmarkId::from_parameter("component-handle"), |b| {
        b.iter(|| black_box(cache.stats(&mut cashier).unwrap()))
    });
    group.finish();
}

fn set(c: &mut Criterion) {
    let keys = keys();
    let mut group = c.benchmark_group("host_set");
    group.throughput(Throughput::Elements(1));
    let clock = CoreClock::new(0);
    let mut cache = native(&clock);
    let mut i = 0;
    group.bench_function(BenchmarkId::from_parameter("native"), |b| {
        b.iter(|| {
            i = (i + 1) % KEYS;
            cache.insert(keys[i].clone(), VALUE.to_vec());
        })
    });
    let (mut cashier, handle) = component();
    group.bench_function(BenchmarkId::from_parameter("component"), |b| {
        b.iter(|| {
            i = (i + 1) % KEYS;
            cashier.set(&handle, &keys[i], &VALUE, None).unwrap();
        })
    });
    let (mut cashier, mut cache) = component_handles();
    group.bench_function(BenchmarkId::from_parameter("component-handle"), |b| {
        b.iter(|| {
            i = (i + 1) % KEYS;
            cache.set(&mut cashier, &keys[i], VALUE, None).unwrap();
        })
    });
    group.finish();
}

fn begin_complete(c: &mut Criterion) {
    let keys = keys();
    let mut group = c.benchmark_group("host_begin_complete");
    group.throughput(Throughput::Elements(1));
    let clock = CoreClock::new(0);
    let mut cache = native(&clock);
    let mut i = 0;
    group.bench_function(BenchmarkId::from_parameter("native"), |b| {
        b.iter(|| {
            i = (i + 1) % KEYS;
            let key = keys[i].as_str();
            cache.remove(key);
            if let CoreLookup::Miss(ticket) = cache.begin(key) {
                let raw = ticket.to_raw();
                cache
                    .complete(Ticket::from_raw(raw), VALUE.to_vec())
                    .unwrap();
            }
        })
    });
    let (mut cashier, handle) = component();
    group.bench_function(BenchmarkId::from_parameter("component"), |b| {
        b.iter(|| {
            i = (i + 1) % KEYS;
            let key = keys[i].as_str();
            cashier.delete(&handle, key).unwrap();
            if let Lookup::Miss(ticket) = cashier.begin(&handle, key).unwrap() {
                cashier.complete(&handle, ticket, &VALUE, None).unwrap();
            }
        })
    });
    let (mut cashier, mut cache) = component_handles();
    group.bench_function(BenchmarkId::from_parameter("component-handle"), |b| {
        b.iter(|| {
            i = (i + 1) % KEYS;
            let key = keys[i].as_str();
            cache.delete(&mut cashier, key).unwrap();
            if let LookupRef::Miss(ticket) = cache.begin(&mut cashier, key).unwrap() {
                cache.complete(&mut cashier, ticket, VALUE, None).unwrap();
            }
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2)).sample_size(40);
    targets = get_hit, call_floor, set, begin_complete
}
criterion_main!(benches);
