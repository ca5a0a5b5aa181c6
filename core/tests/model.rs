//! Model test: random operation sequences on a `Cache` against a plain reference model.
//! `Cache` is the keyed front end of `SlotLru`, the one policy every delivery runs (the npm
//! package drives the same `SlotLru` by slot), so this checks the rules the package ships.
//!
//! The reference keeps live entries in a `Vec` in recency order and flights in a `HashMap`.
//! Three regimes, chosen per sequence:
//! - **LRU**: capacity pressure, no TTLs. Contents, recency order and every counter must match
//!   exactly (invalidated entries wait at the LRU end, so they can never cost a live entry).
//! - **TTL**: TTLs and clock jumps (forwards and backwards), no capacity pressure. Contents,
//!   recency order and hit/miss/join counters must match exactly.
//! - **Mixed**: both. Expired entries hold capacity until reaped, so which live entry is
//!   evicted depends on the sweep; the model then checks safety only: nothing stale, expired or
//!   wrong is ever served, and the size bound holds.
//!
//! `PROPTEST_CASES` sets the number of sequences (default 10,000 per regime).

use std::collections::HashMap;

use cashier_core::{Cache, FlightError, Lookup, ManualClock, StoreConfig, Ticket};
use proptest::prelude::*;

mod common;
use common::cases;

const KEYS: u8 = 8;

#[derive(Debug, Clone)]
enum Op {
    Lookup(u8),
    Get(u8),
    Peek(u8),
    Insert(u8, u32, Option<u64>),
    Complete(usize, u32, Option<u64>),
    Fail(usize),
    ReuseSpentTicket(usize, u32),
    Remove(u8),
    Clear,
    BumpVersion,
    Advance(u64),
    Rewind(u64),
    Purge,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Regime {
    Lru,
    Ttl,
    Mixed,
}

fn op(regime: Regime) -> impl Strategy<Value = Op> {
    let key = 0..KEYS;
    let ttl = if regime == Regime::Lru {
        Just(None).boxed()
    } else {
        prop_oneof![Just(None), (1u64..40).prop_map(Some)].boxed()
    };
    let time = if regime == Regime::Lru {
        0u64..1
    } else {
        0u64..50
    };
    prop_oneof![
        6 => key.clone().prop_map(Op::Lookup),
        3 => key.clone().prop_map(Op::Get),
        2 => key.clone().prop_map(Op::Peek),
        4 => (key.clone(), any::<u32>(), ttl.clone()).prop_map(|(k, v, t)| Op::Insert(k, v, t)),
        5 => (any::<usize>(), any::<u32>(), ttl).prop_map(|(i, v, t)| Op::Complete(i, v, t)),
        2 => any::<usize>().prop_map(Op::Fail),
        1 => (any::<usize>(), any::<u32>()).prop_map(|(i, v)| Op::ReuseSpentTicket(i, v)),
        2 => key.prop_map(Op::Remove),
        1 => Just(Op::Clear),
        1 => Just(Op::BumpVersion),
        3 => time.clone().prop_map(Op::Advance),
        1 => time.prop_map(Op::Rewind),
        1 => Just(Op::Purge),
    ]
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    key: u8,
    value: u32,
    expires_at: Option<u64>,
}

/// The reference: live entries, most recent first.
struct Model {
    regime: Regime,
    max_size: usize,
    default_ttl: Option<u64>,
    /// What the clock reads.
    clock_now: u64,
    /// Store time: the latest reading the store has seen (it never runs backwards).
    now: u64,
    entries: Vec<Entry>,
    /// key -> (raw ticket, waiters)
    flights: HashMap<u8, (u64, u32)>,
    hits: u64,
    misses: u64,
    joined: u64,
    evictions: u64,
}

impl Model {
    fn exact(&self) -> bool {
        self.regime != Regime::Mixed
    }

    fn expire(&mut self) {
        self.now = self.now.max(self.clock_now);
        let now = self.now;
        self.entries
            .retain(|e| e.expires_at.is_none_or(|at| now < at));
    }

    fn position(&self, key: u8) -> Option<usize> {
        self.entries.iter().position(|e| e.key == key)
    }

    fn touch(&mut self, key: u8) -> Option<u32> {
        let position = self.position(key)?;
        let entry = self.entries.remove(position);
        self.entries.insert(0, entry);
        Some(entry.value)
    }

    fn insert(&mut self, key: u8, value: u32, ttl: Option<u64>) -> Option<u32> {
        let old = self.position(key).map(|p| self.entries.remove(p).value);
        // Mixed regime: the real cache decides what to evict; the model follows it afterwards.
        if old.is_none() && self.exact() && self.entries.len() == self.max_size {
            self.entries.pop();
            self.evictions += 1;
        }
        let expires_at = ttl.map(|t| self.now.saturating_add(t));
        self.entries.insert(
            0,
            Entry {
                key,
                value,
                expires_at,
            },
        );
        old
    }

    /// Mixed regime: the real cache may have evicted `key` for room; follow it.
    fn forget(&mut self, key: u8) {
        if let Some(p) = self.position(key) {
            self.entries.remove(p);
        }
    }
}

fn run(
    regime: Regime,
    max_size: usize,
    default_ttl: Option<u64>,
    ops: Vec<Op>,
) -> Result<(), TestCaseError> {
    let clock = ManualClock::new(1_000);
    let mut config = StoreConfig::new(max_size).hash_seed(42);
    config.default_ttl_ms = default_ttl;
    let mut cache: Cache<u8, u32, &ManualClock> = Cache::new(config, &clock).unwrap();
    let mut model = Model {
        regime,
        max_size,
        default_ttl,
        clock_now: 1_000,
        now: 0,
        entries: Vec::new(),
        flights: HashMap::new(),
        hits: 0,
        misses: 0,
        joined: 0,
        evictions: 0,
    };
    // Tickets not yet ended, and tickets already spent.
    let mut open: Vec<(u64, u8)> = Vec::new();
    let mut spent: Vec<u64> = Vec::new();

    // The store's first clock reading, matched by the model's.
    let _ = cache.store().iter().count();
    model.expire();
    for op in ops {
        model.expire();
        match op {
            Op::Lookup(key) => match cache.begin(&key) {
                Lookup::Hit(value) => {
                    // The model holds at least what the cache serves, so a hit must match it.
                    let expected = model.touch(key);
                    prop_assert_eq!(
                        Some(*value),
                        expected,
                        "served {} which is absent, stale or expired",
                        key
                    );
                    model.hits += 1;
                }
                Lookup::Joined(flight) => {
                    prop_assert!(model.position(key).is_none() || !model.exact());
                    let entry = model.flights.get_mut(&key);
                    prop_assert!(entry.is_some(), "joined a flight the model does not have");
                    let entry = entry.unwrap();
                    prop_assert_eq!(flight.to_raw(), entry.0);
                    entry.1 += 1;
                    model.hits += 1;
                    model.joined += 1;
                }
                Lookup::Miss(ticket) => {
                    if model.exact() {
                        prop_assert!(model.position(key).is_none(), "missed live key {key}");
                    } else {
                        model.forget(key);
                    }
                    prop_assert!(
                        !model.flights.contains_key(&key),
                        "missed while a flight is pending"
                    );
                    model.flights.insert(key, (ticket.to_raw(), 0));
                    open.push((ticket.to_raw(), key));
                    model.misses += 1;
                }
            },
            Op::Get(key) => {
                let got = cache.get(&key).copied();
                if !model.exact() && got.is_none() {
                    model.forget(key);
                }
                let expected = model.touch(key);
                prop_assert_eq!(got, expected);
                if got.is_some() {
                    model.hits += 1
                } else {
                    model.misses += 1
                }
            }
            Op::Peek(key) => {
                let got = cache.peek(&key).copied();
                if !model.exact() && got.is_none() {
                    model.forget(key);
                }
                let expected = model.position(key).map(|p| model.entries[p].value);
                prop_assert_eq!(got, expected);
            }
            Op::Insert(key, value, ttl) => {
                if !model.exact() && cache.peek(&key).is_none() {
                    model.forget(key);
                }
                let old = cache.insert_with_ttl(key, value, ttl).unwrap();
                // A direct write wins over a pending computation: its ticket turns stale.
                model.flights.remove(&key);
                let expected = model.insert(key, value, ttl);
                prop_assert_eq!(old, expected);
            }
            Op::Complete(pick, value, ttl) => {
                if open.is_empty() {
                    continue;
                }
                let (raw, key) = open.remove(pick % open.len());
                spent.push(raw);
                let result = cache.complete_with_ttl(Ticket::from_raw(raw), value, ttl);
                match model.flights.get(&key).copied() {
                    Some((flight, waiters)) if flight == raw => {
                        let landing = result.map_err(|e| TestCaseError::fail(format!("{e}")))?;
                        prop_assert_eq!(landing.waiters, waiters);
                        model.flights.remove(&key);
                        if !model.exact() && cache.peek(&key) != Some(&value) {
                            return Err(TestCaseError::fail("completed value not stored"));
                        }
                        if !model.exact() {
                            model.forget(key);
                        }
                        model.insert(key, value, ttl);
                    }
                    _ => prop_assert_eq!(result.map(|_| ()), Err(FlightError::StaleTicket.into())),
                }
            }
            Op::Fail(pick) => {
                if open.is_empty() {
                    continue;
                }
                let (raw, key) = open.remove(pick % open.len());
                spent.push(raw);
                let result = cache.fail(Ticket::from_raw(raw));
                match model.flights.get(&key).copied() {
                    Some((flight, waiters)) if flight == raw => {
                        prop_assert_eq!(result.map(|landing| landing.waiters), Ok(waiters));
                        model.flights.remove(&key);
                    }
                    _ => prop_assert_eq!(result.map(|_| ()), Err(FlightError::StaleTicket)),
                }
            }
            Op::ReuseSpentTicket(pick, value) => {
                if spent.is_empty() {
                    continue;
                }
                let raw = spent[pick % spent.len()];
                prop_assert_eq!(
                    cache.complete(Ticket::from_raw(raw), value).map(|_| ()),
                    Err(FlightError::StaleTicket)
                );
            }
            Op::Remove(key) => {
                let removed = cache.remove(&key);
                if !model.exact() && removed.is_none() {
                    model.forget(key);
                }
                let expected = model.position(key).map(|p| model.entries.remove(p).value);
                prop_assert_eq!(removed, expected);
                model.flights.remove(&key);
            }
            Op::Clear => {
                cache.clear();
                model.entries.clear();
                model.flights.clear();
            }
            Op::BumpVersion => {
                cache.bump_version();
                model.entries.clear();
                model.flights.clear();
            }
            Op::Advance(ms) => {
                model.clock_now += ms;
                clock.set(model.clock_now);
            }
            Op::Rewind(ms) => {
                model.clock_now = model.clock_now.saturating_sub(ms);
                clock.set(model.clock_now);
            }
            Op::Purge => {
                cache.purge_expired();
            }
        }
        model.expire();

        // After every operation: what is served, in what order, and the counters.
        let served: Vec<(u8, u32)> = cache.store().iter().map(|(k, v)| (*k, *v)).collect();
        let stats = cache.stats();
        prop_assert!(stats.size as usize <= max_size);
        prop_assert_eq!(stats.pending as usize, model.flights.len());
        if model.exact() {
            let expected: Vec<(u8, u32)> = model.entries.iter().map(|e| (e.key, e.value)).collect();
            prop_assert_eq!(&served, &expected);
            prop_assert_eq!(
                (stats.hits, stats.misses, stats.joined),
                (model.hits, model.misses, model.joined)
            );
            if model.regime == Regime::Lru {
                prop_assert_eq!(stats.evictions, model.evictions);
                prop_assert_eq!(stats.size as usize, model.entries.len());
            }
        } else {
            for (key, value) in &served {
                let expected = model.position(*key).map(|p| model.entries[p].value);
                prop_assert_eq!(
                    Some(*value),
                    expected,
                    "served {}={} which the model lacks",
                    key,
                    value
                );
            }
            // Entries the cache dropped for room: follow the cache.
            model
                .entries
                .retain(|e| served.iter().any(|(k, _)| *k == e.key));
        }
    }
    let _ = model.default_ttl;
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn lru_regime_matches_the_model_exactly(max_size in 1usize..6, ops in prop::collection::vec(op(Regime::Lru), 1..80)) {
        run(Regime::Lru, max_size, None, ops)?;
    }

    #[test]
    fn ttl_regime_matches_the_model_exactly(default_ttl in prop::option::of(1u64..40), ops in prop::collection::vec(op(Regime::Ttl), 1..80)) {
        run(Regime::Ttl, KEYS as usize, default_ttl, ops)?;
    }

    #[test]
    fn mixed_regime_never_serves_stale_values(max_size in 1usize..6, default_ttl in prop::option::of(1u64..40), ops in prop::collection::vec(op(Regime::Mixed), 1..80)) {
        run(Regime::Mixed, max_size, default_ttl, ops)?;
    }
}
