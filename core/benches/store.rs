//! cashier-core's store against the `lru` crate (with the same TTL check on get that cashier
//! does) and `quick_cache::unsync`, on three workloads:
//! - `hit_get`: every key present (10,000 entries), random gets.
//! - `insert_evict`: a full cache of 1,000, every insert a new key that evicts one.
//! - `mixed_80_20`: 80% gets / 20% inserts, uniform over 12,500 keys, capacity 10,000.
//!
//! Run: `cargo bench -p cashier-core --bench store`; `bench/criterion_table.py` turns the
//! medians into the table in `bench/README.md`.

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::time::Duration;

use cashier_core::{ManualClock, StoreConfig, TtlLruStore};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const OPS: usize = 10_000;
const TTL_MS: u64 = 60_000;

include!("common/contenders.rs");

/// Runs `workload` once per contender, each monomorphized (no dynamic dispatch in the loop).
macro_rules! for_each_contender {
    ($capacity:expr, $clock:expr, |$contender:ident| $body:block) => {{
        {
            let mut $contender = cashier($capacity, $clock);
            $body
        }
        {
            let mut $contender = lru_with_ttl($capacity, $clock);
            $body
        }
        {
            let mut $contender = quick_cache($capacity);
            $body
        }
    }};
}

fn hit_get(c: &mut Criterion) {
    const ENTRIES: u64 = 10_000;
    let clock = ManualClock::new(0);
    let mut rng = SplitMix(1);
    let keys: Vec<u64> = (0..OPS).map(|_| rng.below(ENTRIES)).collect();
    let mut group = c.benchmark_group("hit_get");
    group.throughput(Throughput::Elements(OPS as u64));
    for_each_contender!(ENTRIES as usize, &clock, |contender| {
        for key in 0..ENTRIES {
            contender.insert(key, key);
        }
        group.bench_function(BenchmarkId::from_parameter(contender.name()), |b| {
            b.iter(|| {
                let mut sum = 0u64;
                for &key in &keys {
                    sum = sum.wrapping_add(contender.get(black_box(key)).unwrap_or(0));
                }
                sum
            })
        });
    });
    group.finish();
}

fn insert_evict(c: &mut Criterion) {
    const CAPACITY: usize = 1_000;
    let clock = ManualClock::new(0);
    let mut group = c.benchmark_group("insert_evict");
    group.throughput(Throughput::Elements(OPS as u64));
    for_each_contender!(CAPACITY, &clock, |contender| {
        let mut next_key = 0u64;
        for _ in 0..CAPACITY {
            contender.insert(next_key, next_key);
            next_key += 1;
        }
        group.bench_function(BenchmarkId::from_parameter(contender.name()), |b| {
            b.iter(|| {
                for _ in 0..OPS {
                    contender.insert(black_box(next_key), next_key);
                    next_key += 1;
                }
            })
        });
    });
    group.finish();
}

fn mixed_80_20(c: &mut Criterion) {
    const CAPACITY: usize = 10_000;
    const KEYSPACE: u64 = 12_500;
    let clock = ManualClock::new(0);
    let mut rng = SplitMix(2);
    let ops: Vec<(bool, u64)> = (0..OPS)
        .map(|_| (rng.below(5) == 0, rng.below(KEYSPACE)))
        .collect();
    let mut group = c.benchmark_group("mixed_80_20");
    group.throughput(Throughput::Elements(OPS as u64));
    for_each_contender!(CAPACITY, &clock, |contender| {
        for key in 0..CAPACITY as u64 {
            contender.insert(key, key);
        }
        group.bench_function(BenchmarkId::from_parameter(contender.name()), |b| {
            b.iter(|| {
                let mut hits = 0u32;
                for &(write, key) in &ops {
                    if write {
                        contender.insert(black_box(key), key);
                    } else if contender.get(black_box(key)).is_some() {
                        hits += 1;
                    }
                }
                hits
            })
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(40);
    targets = hit_get, insert_evict, mixed_80_20
}
criterion_main!(benches);
