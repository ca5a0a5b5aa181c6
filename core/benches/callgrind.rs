//! The store benches' workloads (see `store.rs`) for a deterministic count instead of a time:
//! runs one workload on one contender for a fixed number of operations inside `measured`, so
//! that callgrind counts only those.
//!
//! ```sh
//! cargo bench -p cashier-core --bench callgrind --no-run   # prints the binary's path
//! valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured*' \
//!     target/release/deps/callgrind-HASH hit_get cashier-core 200000
//! ```
//!
//! Arguments: `hit_get | insert_evict | mixed_80_20`, a contender's name (`cashier-core`,
//! `lru+ttl`, `quick_cache`), and how many operations; divide the counts by it. Contender
//! `slots` is the policy alone as the npm package drives it (`SlotLru<()>` by slot, freed slots
//! collected in a buffer, hits recorded by `touch`), without and with a TTL (`slots+ttl`).

use std::hint::black_box;
use std::num::NonZeroUsize;

use cashier_core::slots::SlotLru;
use cashier_core::{ManualClock, StoreConfig, TtlLruStore};

const TTL_MS: u64 = 60_000;

include!("common/contenders.rs");

/// The measured operations: the same loops as `store.rs`, keys drawn as they go.
#[inline(never)]
fn measured<C: Contender>(contender: &mut C, workload: &str, ops: usize) -> u64 {
    let mut rng = SplitMix(3);
    let mut sum = 0u64;
    match workload {
        "hit_get" => {
            for _ in 0..ops {
                let key = rng.below(10_000);
                sum = sum.wrapping_add(contender.get(black_box(key)).unwrap_or(0));
            }
        }
        "insert_evict" => {
            // New keys after the 1,000 the fill inserted: every insert evicts one.
            for next_key in (1_000..).take(ops) {
                contender.insert(black_box(next_key), next_key);
            }
        }
        _ => {
            for _ in 0..ops {
                let (write, key) = (rng.below(5) == 0, rng.below(12_500));
                if write {
                    contender.insert(black_box(key), key);
                } else if contender.get(black_box(key)).is_some() {
                    sum += 1;
                }
            }
        }
    }
    sum
}

fn run<C: Contender>(mut contender: C, wanted: &str, workload: &str, ops: usize) {
    if contender.name() != wanted {
        return;
    }
    // hit_get and mixed_80_20 start with 10,000 entries, insert_evict with a full 1,000.
    let fill: u64 = if workload == "insert_evict" {
        1_000
    } else {
        10_000
    };
    for key in 0..fill {
        contender.insert(key, key);
    }
    black_box(measured(&mut contender, workload, ops));
}

/// The policy by slot, as the npm package drives it: `workload`'s keys are slots here (a
/// key → slot map is JavaScript's part), hits are `touch`es, and every insert is a new entry.
#[inline(never)]
fn measured_slots(lru: &mut SlotLru, workload: &str, ops: usize, ttl: Option<u64>) -> usize {
    let mut rng = SplitMix(3);
    let mut freed = Vec::with_capacity(8);
    let mut note = |slot, _| freed.push(slot);
    let mut inserted = 0;
    for _ in 0..ops {
        let write = match workload {
            "hit_get" => false,
            "insert_evict" => true,
            _ => rng.below(5) == 0,
        };
        if write {
            inserted += lru.insert(0, ttl, &mut note).unwrap_or(0) as usize;
        } else {
            lru.touch(black_box(rng.below(lru.len() as u64) as u32));
        }
    }
    inserted + freed.len()
}

fn run_slots(wanted: &str, workload: &str, ops: usize) {
    let ttl = match wanted {
        "slots" => None,
        "slots+ttl" => Some(TTL_MS),
        _ => return,
    };
    let capacity = if workload == "insert_evict" {
        1_000
    } else {
        10_000
    };
    let mut lru = SlotLru::new(capacity, None).unwrap();
    for _ in 0..capacity {
        lru.insert(0, ttl, &mut |_, _| {}).unwrap();
    }
    black_box(measured_slots(&mut lru, workload, ops, ttl));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: callgrind WORKLOAD CONTENDER OPS");
        return;
    }
    let (workload, wanted) = (args[1].as_str(), args[2].as_str());
    let ops = args[3].parse().expect("OPS is a number");
    let capacity = if workload == "insert_evict" {
        1_000
    } else {
        10_000
    };
    let clock = ManualClock::new(0);
    run(cashier(capacity, &clock), wanted, workload, ops);
    run(lru_with_ttl(capacity, &clock), wanted, workload, ops);
    run(quick_cache(capacity), wanted, workload, ops);
    run_slots(wanted, workload, ops);
}
