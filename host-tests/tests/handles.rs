//! The `handle-cache` through wasmtime and [`HandleCache`]: the component stores `u64` handles,
//! the host keeps the values. Each value is a [`Tracked`] that logs its drop, so the tests see
//! exactly when the component gave a handle back: once per value, never while it is still
//! reachable, and only after the value left the cache (replaced, evicted, expired, deleted,
//! cleared, purged after a version bump, or refused).

mod common;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use cashier_host::{CacheError, HandleCache, HostError, LookupRef, ManualClock};
use common::{config, instance, instance_with_memory_limit};

/// The ids of dropped values, in drop order.
#[derive(Clone, Default)]
struct DropLog(Rc<RefCell<Vec<u32>>>);

impl DropLog {
    fn value(&self, id: u32) -> Tracked {
        Tracked {
            id,
            log: self.clone(),
        }
    }

    fn dropped(&self) -> Vec<u32> {
        self.0.borrow().clone()
    }
}

/// A host value that records its drop.
#[derive(Debug)]
struct Tracked {
    id: u32,
    log: DropLog,
}

impl std::fmt::Debug for DropLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DropLog")
    }
}

impl PartialEq for Tracked {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.log.0.borrow_mut().push(self.id);
    }
}

fn id(found: Option<&Tracked>) -> Option<u32> {
    found.map(|value| value.id)
}

#[test]
fn hits_return_the_stored_value_and_misses_nothing() {
    let clock = ManualClock::new(0);
    let mut cashier = instance(&clock);
    let log = DropLog::default();
    let mut cache = HandleCache::create(&mut cashier, config(10, None)).unwrap();
    cache.set(&mut cashier, "a", log.value(1), None).unwrap();
    cache.set(&mut cashier, "b", log.value(2), None).unwrap();
    assert_eq!(id(cache.get(&mut cashier, "a").unwrap()), Some(1));
    assert_eq!(id(cache.get(&mut cashier, "b").unwrap()), Some(2));
    assert_eq!(id(cache.get(&mut cashier, "c").unwrap()), None);
    let stats = cache.stats(&mut cashier).unwrap();
    assert_eq!((stats.hits, stats.misses, stats.size), (2, 1, 2));
    assert_eq!(log.dropped(), Vec::<u32>::new(), "nothing was let go of");
    assert_eq!(cache.values_held(), 2);
}

#[test]
fn a_replaced_value_is_freed_once_by_the_set_that_replaced_it() {
    let clock = ManualClock::new(0);
    let mut cashier = instance(&clock);
    let log = DropLog::default();
    let mut cache = HandleCache::create(&mut cashier, config(10, None)).unwrap();
    cache.set(&mut cashier, "k", log.value(1), None).unwrap();
    cache.set(&mut cashier, "k", log.value(2), None).unwrap();
    assert_eq!(log.dropped(), vec![1]);
    assert_eq!(id(cache.get(&mut cashier, "k").unwrap()), Some(2));
    cache.set(&mut cashier, "k", log.value(3), None).unwrap();
    assert_eq!(log.dropped(), vec![1, 2]);
    assert_eq!(
        cache.reclaim(&mut cashier).unwrap(),
        0,
        "reported once only"
    );
    assert_eq!(cache.values_held(), 1);
}

#[test]
fn the_least_recently_used_value_is_evicted_and_freed() {
    let clock = ManualClock::new(0);
    let mut cashier = instance(&clock);
    let log = DropLog::default();
    let mut cache = HandleCache::create(&mut cashier, config(3, None)).unwrap();
    for (n, key) in ["a", "b", "c"].into_iter().enumerate() {
        cache
            .set(&mut cashier, key, log.value(n as u32), None)
            .unwrap();
    }
    assert!(cache.get(&mut cashier, "a").unwrap().is_some());
    cache.set(&mut cashier, "d", log.value(3), None).unwrap();
    assert_eq!(log.dropped(), vec![1], "b was the least recently used");
    assert_eq!(id(cache.get(&mut cashier, "b").unwrap()), None);
    for key in ["a", "c", "d"] {
        assert!(
            cache.get(&mut cashier, key).unwrap().is_some(),
            "{key} stays"
        );
    }
    assert_eq!(cache.stats(&mut cashier).unwrap().evictions, 1);
    assert_eq!(cache.values_held(), 3);
}

#[test]
fn an_expired_value_found_by_a_lookup_is_freed_at_the_next_reclaim() {
    let clock = ManualClock::new(1_000);
    let mut cashier = instance(&clock);
    let log = DropLog::default();
    let mut cache = HandleCache::create(&mut cashier, config(10, Some(100))).unwrap();
    cache
        .set(&mut cashier, "default", log.value(1), None)
        .unwrap();
    cache
        .set(&mut cashier, "short", log.value(2), Some(10))
        .unwrap();
    clock.advance(10);
    assert_eq!(id(cache.get(&mut cashier, "short").unwrap()), None);
    assert!(matches!(
        cache.begin(&mut cashier, "short").unwrap(),
        LookupRef::Miss(_)
    ));
    assert_eq!(id(cache.get(&mut cashier, "default").unwrap()), Some(1));
    assert_eq!(
        log.dropped(),
        Vec::<u32>::new(),
        "lookups only hand it over"
    );
    assert_eq!(cache.reclaim(&mut cashier).unwrap(), 1);
    assert_eq!(log.dropped(), vec![2]);
    assert_eq!(cache.reclaim(&mut cashier).unwrap(), 0);
    // A later write reclaims what lookups found expired, without an explicit reclaim.
    clock.advance(90);
    assert_eq!(id(cache.get(&mut cashier, "default").unwrap()), None);
    cache.set(&mut cashier, "new", log.value(3), None).unwrap();
    assert_eq!(log.dropped(), vec![2, 1]);
    assert_eq!(cache.stats(&mut cashier).unwrap().expirations, 2);
}

#[test]
fn delete_clear_and_purge_after_a_version_bump_free_every_value_once() {
    let clock = ManualClock::new(0);
    let mut cashier = instance(&clock);
    let log = DropLog::default();
    let mut cache = HandleCache::create(&mut cashier, config(10, None)).unwrap();
    for n in 0..6 {
        cache
            .set(&mut cashier, &format!("k{n}"), log.value(n), None)
            .unwrap();
    }
    assert!(cache.delete(&mut cashier, "k0").unwrap());
    assert!(!cache.delete(&mut cashier, "k0").unwrap());
    assert_eq!(log.dropped(), vec![0]);

    cache.bump_version(&mut cashier).unwrap();
    assert_eq!(
        log.dropped(),
        vec![0],
        "invalidated entries are reclaimed lazily"
    );
    // The lookup reclaims k1 (reported at the next reclaim); purge drops the other four.
    assert_eq!(id(cache.get(&mut cashier, "k1").unwrap()), None);
    assert_eq!(cache.purge(&mut cashier).unwrap(), 4);
    let mut dropped = log.dropped();
    dropped.sort();
    assert_eq!(dropped, vec![0, 1, 2, 3, 4, 5]);
    assert_eq!(cache.values_held(), 0);

    cache.set(&mut cashier, "x", log.value(6), None).unwrap();
    cache.set(&mut cashier, "y", log.value(7), None).unwrap();
    cache.clear(&mut cashier).unwrap();
    let mut dropped = log.dropped();
    dropped.sort();
    assert_eq!(dropped, (0..8).collect::<Vec<_>>());
    assert_eq!(cache.stats(&mut cashier).unwrap().size, 0);
    assert_eq!(cache.reclaim(&mut cashier).unwrap(), 0);
}

#[test]
fn the_flight_protocol_works_with_handles() {
    let clock = ManualClock::new(0);
    let mut cashier = instance(&clock);
    let log = DropLog::default();
    let mut cache = HandleCache::create(&mut cashier, config(10, None)).unwrap();
    let LookupRef::Miss(ticket) = cache.begin(&mut cashier, "k").unwrap() else {
        panic!("a new key misses");
    };
    assert_eq!(
        cache.begin(&mut cashier, "k").unwrap(),
        LookupRef::Joined(ticket)
    );
    assert_eq!(
        cache
            .complete(&mut cashier, ticket, log.value(1), None)
            .unwrap(),
        1
    );
    assert!(matches!(cache.begin(&mut cashier, "k").unwrap(), LookupRef::Hit(v) if v.id == 1));

    // A stale ticket: an error, the value is not taken (dropped here at once), nothing stored.
    let stale = cache.complete(&mut cashier, ticket, log.value(2), None);
    assert!(
        matches!(stale, Err(HostError::Cache(CacheError::StaleTicket(_)))),
        "{stale:?}"
    );
    assert_eq!(log.dropped(), vec![2]);
    assert_eq!(id(cache.get(&mut cashier, "k").unwrap()), Some(1));
    assert_eq!(cache.reclaim(&mut cashier).unwrap(), 0, "2 is not reported");
    assert_eq!(cache.values_held(), 1);

    // A failure stores nothing and frees the key; an invalid TTL leaves the flight pending.
    let LookupRef::Miss(ticket) = cache.begin(&mut cashier, "f").unwrap() else {
        panic!("a new key misses");
    };
    assert_eq!(cache.fail(&mut cashier, ticket).unwrap(), 0);
    let LookupRef::Miss(ticket) = cache.begin(&mut cashier, "f").unwrap() else {
        panic!("a failed key misses again");
    };
    let zero_ttl = cache.complete(&mut cashier, ticket, log.value(3), Some(0));
    assert!(
        matches!(
            zero_ttl,
            Err(HostError::Cache(CacheError::InvalidConfig(_)))
        ),
        "{zero_ttl:?}"
    );
    assert_eq!(log.dropped(), vec![2, 3]);
    cache
        .complete(&mut cashier, ticket, log.value(4), Some(5))
        .unwrap();
    assert_eq!(id(cache.get(&mut cashier, "f").unwrap()), Some(4));

    // Invalidation cancels a flight: its ticket is stale, the value not taken.
    let LookupRef::Miss(ticket) = cache.begin(&mut cashier, "g").unwrap() else {
        panic!("a new key misses");
    };
    cache.delete(&mut cashier, "g").unwrap();
    assert!(matches!(
        cache.complete(&mut cashier, ticket, log.value(5), None),
        Err(HostError::Cache(CacheError::StaleTicket(_)))
    ));
    assert_eq!(log.dropped(), vec![2, 3, 5]);
    assert_eq!(cache.values_held(), 2);
}

#[test]
fn a_ticket_of_another_cache_is_stale_and_takes_nothing() {
    let clock = ManualClock::new(0);
    let mut cashier = instance(&clock);
    let log = DropLog::default();
    let mut one = HandleCache::create(&mut cashier, config(10, None)).unwrap();
    let mut two = HandleCache::create(&mut cashier, config(10, None)).unwrap();
    let LookupRef::Miss(ticket_one) = one.begin(&mut cashier, "k").unwrap() else {
        panic!("miss");
    };
    let LookupRef::Miss(_) = two.begin(&mut cashier, "k").unwrap() else {
        panic!("miss");
    };
    assert!(matches!(
        two.complete(&mut cashier, ticket_one, log.value(1), None),
        Err(HostError::Cache(CacheError::StaleTicket(_)))
    ));
    assert_eq!(log.dropped(), vec![1]);
    assert_eq!(two.stats(&mut cashier).unwrap().pending, 1);
    one.complete(&mut cashier, ticket_one, log.value(2), None)
        .unwrap();
    assert_eq!(id(one.get(&mut cashier, "k").unwrap()), Some(2));
}

#[test]
fn invalid_input_is_an_error_and_loses_nothing() {
    let clock = ManualClock::new(0);
    let mut cashier = instance(&clock);
    let log = DropLog::default();
    assert!(matches!(
        HandleCache::<Tracked>::create(&mut cashier, config(0, None)),
        Err(HostError::Cache(CacheError::InvalidConfig(_)))
    ));
    let mut cache = HandleCache::create(&mut cashier, config(10, None)).unwrap();
    cache.set(&mut cashier, "k", log.value(1), None).unwrap();
    assert!(matches!(
        cache.set(&mut cashier, "k", log.value(2), Some(0)),
        Err(HostError::Cache(CacheError::InvalidConfig(_)))
    ));
    assert_eq!(log.dropped(), vec![2], "the refused value only");
    assert_eq!(id(cache.get(&mut cashier, "k").unwrap()), Some(1));
    assert!(matches!(
        cache.complete(&mut cashier, u64::MAX, log.value(3), None),
        Err(HostError::Cache(CacheError::StaleTicket(_)))
    ));
    assert!(matches!(
        cache.fail(&mut cashier, 12345),
        Err(HostError::Cache(CacheError::StaleTicket(_)))
    ));
    assert_eq!(id(cache.get(&mut cashier, "k").unwrap()), Some(1));
    assert_eq!(cache.values_held(), 1);
}

/// A random mix of every operation against a model of which ids are reachable: every value is
/// dropped exactly once, never while a key still returns it, and the host holds exactly what
/// the component holds once reclaimed.
#[test]
fn random_operations_free_every_value_exactly_once() {
    let clock = ManualClock::new(0);
    let mut cashier = instance(&clock);
    let log = DropLog::default();
    let mut cache = HandleCache::create(&mut cashier, config(16, Some(50))).unwrap();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |bound: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % bound
    };
    let mut created = 0u32;
    let mut tickets: HashMap<String, u64> = HashMap::new();
    for _ in 0..3_000 {
        let key = format!("k{}", next(40));
        match next(10) {
            0..=2 => {
                created += 1;
                let ttl = [None, Some(5), Some(200)][next(3) as usize];
                cache
                    .set(&mut cashier, &key, log.value(created), ttl)
                    .unwrap();
            }
            3..=4 => {
                if let Some(found) = cache.get(&mut cashier, &key).unwrap() {
                    assert!(!log.dropped().contains(&found.id), "served a freed value");
                }
            }
            5 => match cache.begin(&mut cashier, &key).unwrap() {
                LookupRef::Hit(found) => {
                    assert!(!log.dropped().contains(&found.id), "served a freed value")
                }
                LookupRef::Miss(ticket) => {
                    tickets.insert(key, ticket);
                }
                LookupRef::Joined(_) => {}
            },
            6 => {
                if let Some(ticket) = tickets.remove(&key) {
                    created += 1;
                    let _ = cache.complete(&mut cashier, ticket, log.value(created), None);
                }
            }
            7 => {
                cache.delete(&mut cashier, &key).unwrap();
            }
            8 => clock.advance(next(20)),
            _ => match next(20) {
                0 => cache.clear(&mut cashier).unwrap(),
                1 => cache.bump_version(&mut cashier).unwrap(),
                2 => {
                    cache.purge(&mut cashier).unwrap();
                }
                _ => {
                    cache.reclaim(&mut cashier).unwrap();
                }
            },
        }
        let dropped = log.dropped();
        assert_eq!(
            dropped.len() + cache.values_held(),
            created as usize,
            "every value is either held or dropped"
        );
    }
    cache.clear(&mut cashier).unwrap();
    let mut dropped = log.dropped();
    dropped.sort();
    assert_eq!(
        dropped,
        (1..=created).collect::<Vec<_>>(),
        "each exactly once"
    );
    assert_eq!(cache.values_held(), 0);
}

#[test]
fn dropping_a_handle_cache_leaves_the_others_served() {
    let clock = ManualClock::new(0);
    let mut cashier = instance(&clock);
    let log = DropLog::default();
    let mut kept = HandleCache::create(&mut cashier, config(10, None)).unwrap();
    let mut gone = HandleCache::create(&mut cashier, config(10, None)).unwrap();
    kept.set(&mut cashier, "k", log.value(1), None).unwrap();
    gone.set(&mut cashier, "k", log.value(2), None).unwrap();
    gone.drop_cache(&mut cashier).unwrap();
    assert_eq!(log.dropped(), vec![2]);
    kept.set(&mut cashier, "j", log.value(3), None).unwrap();
    assert_eq!(
        kept.reclaim(&mut cashier).unwrap(),
        0,
        "nothing of the other"
    );
    assert_eq!(id(kept.get(&mut cashier, "k").unwrap()), Some(1));
}

/// Fills a handle cache under a memory cap with long keys until a set is refused; then every
/// hit is still served, expired entries found by lookups are still freed (reporting allocates
/// nothing), and freeing memory lets sets succeed again.
#[test]
fn hits_and_freeing_work_at_memory_exhaustion() {
    let clock = ManualClock::new(0);
    let probe_limit = {
        let mut probe = instance(&clock);
        let mut cache = HandleCache::create(&mut probe, config(100_000, None)).unwrap();
        cache.set(&mut probe, "probe", 0u32, None).unwrap();
        probe.memory_bytes()
    };
    let limit = probe_limit + (1 << 20);
    let mut cashier = instance_with_memory_limit(&clock, limit);
    let mut cache = HandleCache::create(&mut cashier, config(100_000, Some(1_000))).unwrap();
    let key = |i: usize| format!("{i:0>1000}");
    let mut stored = 0;
    loop {
        match cache.set(&mut cashier, &key(stored), stored, None) {
            Ok(()) => stored += 1,
            Err(HostError::OutOfMemory(_) | HostError::Cache(CacheError::OutOfMemory(_))) => {
                break;
            }
            Err(other) => panic!("set {stored}: {other}"),
        }
        assert!(stored < 100_000, "the memory cap never bit");
    }
    assert!(stored >= 100, "only {stored} entries fit");
    assert_eq!(
        cache.values_held(),
        stored,
        "the refused value was not kept"
    );
    for round in 0..2 {
        for i in 0..stored {
            assert_eq!(
                cache.get(&mut cashier, &key(i)).unwrap(),
                Some(&i),
                "get {i} (round {round})"
            );
            assert!(
                matches!(cache.begin(&mut cashier, &key(i)), Ok(LookupRef::Hit(&v)) if v == i),
                "begin {i} (round {round})"
            );
        }
    }
    // Every entry expires; lookups find them and free them without allocating.
    clock.advance(1_000);
    for i in 0..stored {
        assert_eq!(cache.get(&mut cashier, &key(i)).unwrap(), None);
    }
    assert_eq!(cache.reclaim(&mut cashier).unwrap(), stored);
    assert_eq!(cache.values_held(), 0);
    assert_eq!(
        cache.stats(&mut cashier).unwrap().expirations,
        stored as u64
    );
    for i in 0..8 {
        cache.set(&mut cashier, &key(i), i, None).unwrap();
        assert_eq!(cache.get(&mut cashier, &key(i)).unwrap(), Some(&i));
    }
    assert!(cashier.memory_bytes() <= limit);
}

/// Keys up to 112 bytes take `get-short` (passed by value), longer ones `get`: both find the
/// same entries, multi-byte UTF-8 included, at and around the boundary.
#[test]
fn short_and_long_keys_find_the_same_entries() {
    let clock = ManualClock::new(0);
    let mut cashier = instance(&clock);
    let log = DropLog::default();
    let mut cache = HandleCache::create(&mut cashier, config(100, None)).unwrap();
    let keys: Vec<String> = [0, 1, 7, 8, 9, 111, 112, 113, 300]
        .into_iter()
        .map(|len| "k".repeat(len))
        .chain(["é".repeat(56), "é".repeat(57), "f(\"ü\", 😀)".to_string()])
        .collect();
    for (n, key) in keys.iter().enumerate() {
        cache
            .set(&mut cashier, key, log.value(n as u32), None)
            .unwrap();
    }
    for (n, key) in keys.iter().enumerate() {
        assert_eq!(
            id(cache.get(&mut cashier, key).unwrap()),
            Some(n as u32),
            "key of {} bytes",
            key.len()
        );
    }
    // A prefix or an extension of a stored key is another key.
    assert_eq!(id(cache.get(&mut cashier, &"k".repeat(110)).unwrap()), None);
    assert_eq!(id(cache.get(&mut cashier, &"k".repeat(114)).unwrap()), None);
    let stats = cache.stats(&mut cashier).unwrap();
    assert_eq!((stats.hits, stats.misses), (keys.len() as u64, 2));
}

/// `get-short` called directly with a length over 112 or bytes that are not UTF-8: none, no
/// lookup counted, no trap, and the cache still serves.
#[test]
fn a_short_key_that_names_no_key_is_none() {
    use cashier_host::bindings::exports::cashier::cache::store::ShortKey;
    let clock = ManualClock::new(0);
    let mut cashier = instance(&clock);
    let mut cache = HandleCache::create(&mut cashier, config(10, None)).unwrap();
    cache.set(&mut cashier, "ab", 1u32, None).unwrap();
    let resource = cache.resource();
    let short = |len: u8, w0: u64| ShortKey {
        len,
        w0,
        w1: 0,
        w2: 0,
        w3: 0,
        w4: 0,
        w5: 0,
        w6: 0,
        w7: 0,
        w8: 0,
        w9: 0,
        w10: 0,
        w11: 0,
        w12: 0,
        w13: 0,
    };
    let ab = u64::from_le_bytes(*b"ab\0\0\0\0\0\0");
    let (bindings, store) = cashier.raw();
    let calls = bindings.cashier_cache_store().handle_cache();
    // The handle of "ab": the first slot of the host's slab.
    let found = calls.call_get_short(&mut *store, resource, short(2, ab));
    assert_eq!(found.unwrap(), Some(0));
    for bad in [short(113, ab), short(255, ab), short(2, 0xffff)] {
        assert_eq!(
            calls.call_get_short(&mut *store, resource, bad).unwrap(),
            None
        );
    }
    assert_eq!(id_u32(cache.get(&mut cashier, "ab").unwrap()), Some(1));
    let stats = cache.stats(&mut cashier).unwrap();
    assert_eq!(
        (stats.hits, stats.misses),
        (2, 0),
        "the bad keys counted nothing"
    );
}

fn id_u32(found: Option<&u32>) -> Option<u32> {
    found.copied()
}

/// Reporting needs no memory: two caches filled in turn to memory exhaustion (so the freed
/// key blocks of one are not adjacent and cannot merge), then every entry of one is purged at
/// once. Its report of far more handles than the allocator's 64 KiB reserve holds fits in the
/// room reserved when the handles were taken: no trap, every handle reported once.
#[test]
fn purging_at_memory_exhaustion_reports_every_handle_without_allocating() {
    let clock = ManualClock::new(0);
    let probe_limit = {
        let mut probe = instance(&clock);
        let mut cache = HandleCache::create(&mut probe, config(100_000, None)).unwrap();
        cache.set(&mut probe, "probe", 0u32, None).unwrap();
        probe.memory_bytes()
    };
    let limit = probe_limit + (3 << 20);
    let mut cashier = instance_with_memory_limit(&clock, limit);
    let mut purged = HandleCache::create(&mut cashier, config(1_000_000, None)).unwrap();
    let mut kept = HandleCache::create(&mut cashier, config(1_000_000, None)).unwrap();
    let mut stored = 0u32;
    'fill: loop {
        for cache in [&mut purged, &mut kept] {
            match cache.set(&mut cashier, &format!("k{stored}"), stored, None) {
                Ok(()) => {}
                Err(HostError::OutOfMemory(_) | HostError::Cache(CacheError::OutOfMemory(_))) => {
                    break 'fill;
                }
                Err(other) => panic!("set {stored}: {other}"),
            }
        }
        stored += 1;
    }
    let held = purged.values_held();
    assert!(
        held > 10_000,
        "only {held} entries: the report fits the reserve"
    );
    purged.bump_version(&mut cashier).unwrap();
    let purged_count = purged.purge(&mut cashier).unwrap();
    assert_eq!(purged_count as usize, held);
    assert_eq!(purged.values_held(), 0, "every handle came back");
    for i in (0..stored).step_by(97) {
        assert_eq!(kept.get(&mut cashier, &format!("k{i}")).unwrap(), Some(&i));
    }
}
