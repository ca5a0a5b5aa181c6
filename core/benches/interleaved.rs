//! The store benches' three workloads (see `store.rs`), run so that a noisy, shared machine
//! still gives a fair ratio: the contenders take turns, one short batch each, for many rounds,
//! and the table reports each one's median ns per operation and its ratio to `lru`. Criterion
//! (`store.rs`) measures each contender for seconds in turn, so load that comes and goes lands on
//! one contender more than another.
//!
//! Run: `cargo bench -p cashier-core --bench interleaved [-- ROUNDS]` (default 41 rounds).

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::time::Instant;

use cashier_core::{ManualClock, StoreConfig, TtlLruStore};

const OPS: usize = 10_000;
const TTL_MS: u64 = 60_000;

include!("common/contenders.rs");

/// One batch of a workload on a contender; returns ns per operation.
type Batch<'c> = Box<dyn FnMut() -> f64 + 'c>;

/// `hit_get`: every key present (10,000 entries), random gets.
fn hit_get<C: Contender + 'static>(mut contender: C) -> Batch<'static> {
    const ENTRIES: u64 = 10_000;
    let mut rng = SplitMix(1);
    let keys: Vec<u64> = (0..OPS).map(|_| rng.below(ENTRIES)).collect();
    for key in 0..ENTRIES {
        contender.insert(key, key);
    }
    Box::new(move || {
        let started = Instant::now();
        let mut sum = 0u64;
        for &key in &keys {
            sum = sum.wrapping_add(contender.get(black_box(key)).unwrap_or(0));
        }
        black_box(sum);
        started.elapsed().as_nanos() as f64 / OPS as f64
    })
}

/// `insert_evict`: a full cache of 1,000, every insert a new key that evicts one.
fn insert_evict<C: Contender + 'static>(mut contender: C) -> Batch<'static> {
    const CAPACITY: u64 = 1_000;
    let mut next_key = 0u64;
    for _ in 0..CAPACITY {
        contender.insert(next_key, next_key);
        next_key += 1;
    }
    Box::new(move || {
        let started = Instant::now();
        for _ in 0..OPS {
            contender.insert(black_box(next_key), next_key);
            next_key += 1;
        }
        started.elapsed().as_nanos() as f64 / OPS as f64
    })
}

/// `mixed_80_20`: 80% gets / 20% inserts, uniform over 12,500 keys, capacity 10,000.
fn mixed_80_20<C: Contender + 'static>(mut contender: C) -> Batch<'static> {
    const CAPACITY: u64 = 10_000;
    const KEYSPACE: u64 = 12_500;
    let mut rng = SplitMix(2);
    let ops: Vec<(bool, u64)> = (0..OPS)
        .map(|_| (rng.below(5) == 0, rng.below(KEYSPACE)))
        .collect();
    for key in 0..CAPACITY {
        contender.insert(key, key);
    }
    Box::new(move || {
        let started = Instant::now();
        let mut hits = 0u32;
        for &(write, key) in &ops {
            if write {
                contender.insert(black_box(key), key);
            } else if contender.get(black_box(key)).is_some() {
                hits += 1;
            }
        }
        black_box(hits);
        started.elapsed().as_nanos() as f64 / OPS as f64
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(41);
    // The clock never moves: entries keep their TTL check but never expire.
    let clock: &'static ManualClock = Box::leak(Box::new(ManualClock::new(0)));
    type Make = fn(&'static ManualClock) -> [Batch<'static>; 3];
    let workloads: [(&str, Make); 3] = [
        ("hit_get", |clock| {
            [
                hit_get(cashier(10_000, clock)),
                hit_get(lru_with_ttl(10_000, clock)),
                hit_get(quick_cache(10_000)),
            ]
        }),
        ("insert_evict", |clock| {
            [
                insert_evict(cashier(1_000, clock)),
                insert_evict(lru_with_ttl(1_000, clock)),
                insert_evict(quick_cache(1_000)),
            ]
        }),
        ("mixed_80_20", |clock| {
            [
                mixed_80_20(cashier(10_000, clock)),
                mixed_80_20(lru_with_ttl(10_000, clock)),
                mixed_80_20(quick_cache(10_000)),
            ]
        }),
    ];
    let names = [
        cashier(1, clock).name(),
        lru_with_ttl(1, clock).name(),
        quick_cache(1).name(),
    ];
    println!(
        "| workload | {} ns/op | {} ns/op | {} ns/op | {} ÷ {} |",
        names[0], names[1], names[2], names[0], names[1]
    );
    println!("|---|---:|---:|---:|---:|");
    for (name, make) in workloads {
        let mut batches = make(clock);
        for batch in batches.iter_mut() {
            batch(); // warm-up
        }
        let mut samples: [Vec<f64>; 3] = Default::default();
        for round in 0..rounds {
            // Rotate who goes first, so no contender always follows the same one.
            for turn in 0..3 {
                let which = (round + turn) % 3;
                samples[which].push(batches[which]());
            }
        }
        let [cashier, lru, quick] = samples.map(median);
        println!(
            "| {name} | {cashier:.1} | {lru:.1} | {quick:.1} | {:.2}× |",
            cashier / lru
        );
    }
}
