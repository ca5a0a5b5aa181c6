//! `SlotLru` with an outside key → slot index (what the npm package does in JavaScript) behaves
//! exactly like `TtlLruStore`: random sequences of gets, inserts, removes, clears and clock
//! moves are run against both, and every answer, the recency order and the counters must match.
//!
//! Two regimes, as in `model.rs`: LRU (capacity pressure, no TTLs) and TTL (TTLs and clock
//! jumps both ways, no capacity pressure). With both at once, which live entry an insert evicts
//! depends on which expired entries the sweep has reached, and the two keep their slots in
//! different orders, so that regime is checked by `model.rs` for each on its own terms.
//!
//! `PROPTEST_CASES` sets the number of sequences (default 10,000 per regime).

use std::collections::HashMap;

use cashier_core::slots::{Freed, SlotLru};
use cashier_core::{ManualClock, StoreConfig, TtlLruStore};
use proptest::prelude::*;

mod common;
use common::cases;

const KEYS: u8 = 8;

#[derive(Debug, Clone)]
enum Op {
    Get(u8),
    Insert(u8, u32, Option<u64>),
    Remove(u8),
    Clear,
    Advance(u64),
    Rewind(u64),
}

fn op(ttl_regime: bool) -> impl Strategy<Value = Op> {
    let key = 0..KEYS;
    let ttl = if ttl_regime {
        prop_oneof![Just(None), (1u64..40).prop_map(Some)].boxed()
    } else {
        Just(None).boxed()
    };
    let time = if ttl_regime { 0u64..50 } else { 0u64..1 };
    prop_oneof![
        8 => key.clone().prop_map(Op::Get),
        5 => (key.clone(), any::<u32>(), ttl).prop_map(|(k, v, t)| Op::Insert(k, v, t)),
        2 => key.prop_map(Op::Remove),
        1 => Just(Op::Clear),
        3 => time.clone().prop_map(Op::Advance),
        1 => time.prop_map(Op::Rewind),
    ]
}

/// The npm package's arrangement, in Rust: the index and the values outside, `SlotLru` inside,
/// store time held at the latest clock reading.
struct Indexed {
    lru: SlotLru,
    index: HashMap<u8, u32>,
    keys: HashMap<u32, u8>,
    values: HashMap<u32, u32>,
    floor: u64,
    misses: u64,
}

impl Indexed {
    fn new(max_size: usize) -> Self {
        Indexed {
            lru: SlotLru::new(max_size, None).unwrap(),
            index: HashMap::new(),
            keys: HashMap::new(),
            values: HashMap::new(),
            floor: 0,
            misses: 0,
        }
    }

    fn now(&mut self, clock: &ManualClock) -> u64 {
        self.floor = self.floor.max(cashier_core::Clock::now_ms(clock));
        self.floor
    }

    fn get(&mut self, key: u8, clock: &ManualClock) -> Option<u32> {
        let Some(&slot) = self.index.get(&key) else {
            self.misses += 1;
            return None;
        };
        let now = self.now(clock);
        if self.lru.is_live(slot, now) {
            self.lru.touch(slot);
            return self.values.get(&slot).copied();
        }
        assert!(
            self.lru.expire(slot, now),
            "a ready entry that is not live has expired"
        );
        self.forget(slot);
        self.misses += 1;
        None
    }

    fn insert(&mut self, key: u8, value: u32, ttl: Option<u64>, clock: &ManualClock) {
        let now = self.now(clock);
        if let Some(&slot) = self.index.get(&key) {
            assert!(self.lru.refresh(slot, now, ttl));
            self.values.insert(slot, value);
            return;
        }
        let mut freed = Vec::new();
        let slot = self
            .lru
            .insert(now, ttl, &mut |slot, _: Freed| freed.push(slot))
            .unwrap();
        for gone in freed {
            self.forget(gone);
        }
        self.index.insert(key, slot);
        self.keys.insert(slot, key);
        self.values.insert(slot, value);
    }

    fn remove(&mut self, key: u8, clock: &ManualClock) -> Option<u32> {
        let slot = *self.index.get(&key)?;
        let now = self.now(clock);
        let value = self.values.get(&slot).copied();
        let live = self.lru.remove(slot, now);
        self.forget(slot);
        if live { value } else { None }
    }

    fn clear(&mut self) {
        self.lru.clear();
        self.index.clear();
        self.keys.clear();
        self.values.clear();
    }

    fn forget(&mut self, slot: u32) {
        if let Some(key) = self.keys.remove(&slot) {
            assert_eq!(
                self.index.remove(&key),
                Some(slot),
                "an index entry per held slot"
            );
        }
        self.values.remove(&slot);
    }

    /// Live entries, most recently used first (reading the clock, as the store's `iter` does).
    fn live(&mut self, clock: &ManualClock) -> Vec<(u8, u32)> {
        let now = self.now(clock);
        self.lru
            .iter()
            .filter(|&slot| self.lru.is_live(slot, now))
            .map(|slot| (self.keys[&slot], self.values[&slot]))
            .collect()
    }
}

fn run(ops: Vec<Op>, max_size: usize) -> Result<(), TestCaseError> {
    let clock = ManualClock::new(1_000);
    let mut store: TtlLruStore<u8, u32, &ManualClock> =
        TtlLruStore::new(StoreConfig::new(max_size), &clock).unwrap();
    let mut indexed = Indexed::new(max_size);
    for (step, op) in ops.into_iter().enumerate() {
        match op {
            Op::Get(key) => {
                let expected = store.get(&key).copied();
                prop_assert_eq!(
                    indexed.get(key, &clock),
                    expected,
                    "step {}: get {}",
                    step,
                    key
                );
            }
            Op::Insert(key, value, ttl) => {
                store.insert_with_ttl(key, value, ttl).unwrap();
                indexed.insert(key, value, ttl, &clock);
            }
            Op::Remove(key) => {
                let expected = store.remove(&key);
                prop_assert_eq!(
                    indexed.remove(key, &clock),
                    expected,
                    "step {}: remove",
                    step
                );
            }
            Op::Clear => {
                store.clear();
                indexed.clear();
            }
            Op::Advance(ms) => clock.advance(ms),
            Op::Rewind(ms) => clock.set(cashier_core::Clock::now_ms(&clock).saturating_sub(ms)),
        }
        let expected: Vec<(u8, u32)> = store.iter().map(|(k, v)| (*k, *v)).collect();
        prop_assert_eq!(
            indexed.live(&clock),
            expected,
            "step {}: live entries in recency order",
            step
        );
        let stats = store.stats();
        let counters = indexed.lru.stats();
        prop_assert_eq!(counters.hits, stats.hits, "step {}: hits", step);
        prop_assert_eq!(indexed.misses, stats.misses, "step {}: misses", step);
        prop_assert_eq!(
            counters.evictions,
            stats.evictions,
            "step {}: evictions",
            step
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn lru_regime_matches_the_store(ops in prop::collection::vec(op(false), 1..120)) {
        run(ops, 3)?;
    }

    #[test]
    fn ttl_regime_matches_the_store(ops in prop::collection::vec(op(true), 1..120)) {
        run(ops, KEYS as usize)?;
    }
}

/// Plans hold: after any history without TTLs, a run of new inserts (nothing else between)
/// takes exactly the slots `plan_inserts` listed before the run, evicting exactly where it said.
fn run_plans(ops: Vec<Op>, runs: Vec<usize>, max_size: usize) -> Result<(), TestCaseError> {
    use cashier_core::slots::EVICTS;
    let clock = ManualClock::new(1_000);
    let mut indexed = Indexed::new(max_size);
    indexed.lru.reserve(max_size).unwrap();
    for (op, run) in ops.into_iter().zip(runs) {
        match op {
            Op::Get(key) => drop(indexed.get(key, &clock)),
            Op::Insert(key, value, _) => indexed.insert(key, value, None, &clock),
            Op::Remove(key) => drop(indexed.remove(key, &clock)),
            Op::Clear => indexed.clear(),
            Op::Advance(_) | Op::Rewind(_) => {}
        }
        let mut plan = [0u32; 16];
        let listed = indexed.lru.plan_inserts(&mut plan);
        prop_assert!(
            listed >= run.min(max_size),
            "a plan as long as the run ({} < {})",
            listed,
            run
        );
        for &planned in plan.iter().take(run.min(listed)) {
            let mut evicted = Vec::new();
            let slot = indexed
                .lru
                .insert(0, None, &mut |slot, _: Freed| evicted.push(slot))
                .unwrap();
            prop_assert_eq!(slot, planned & !EVICTS);
            let expected: Vec<u32> = if planned & EVICTS != 0 {
                vec![slot]
            } else {
                vec![]
            };
            prop_assert_eq!(evicted.clone(), expected);
            // The run's entries have no key; an evicted keyed entry leaves the index.
            for gone in evicted {
                indexed.forget(gone);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn planned_inserts_take_the_listed_slots(
        ops in prop::collection::vec(op(false), 1..80),
        runs in prop::collection::vec(0usize..20, 80),
        max_size in 1usize..6,
    ) {
        run_plans(ops, runs, max_size)?;
    }
}
