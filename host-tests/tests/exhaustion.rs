//! The component at memory exhaustion: filled with large values under a memory cap until a set
//! is refused, it still serves every stored value through `get` and `begin` (or refuses with
//! out-of-memory), never traps, and takes new values again once some are deleted.

mod common;

use cashier_host::{CacheError, Cashier, HostError, Lookup, ManualClock};
use common::{cache, instance, instance_with_memory_limit};

const VALUE_BYTES: usize = 16 * 1024;
/// How far memory may grow past what a fresh instance with one cache uses.
const HEADROOM_BYTES: usize = 2 << 20;

/// The `i`th stored value: distinct bytes, so a mixed-up copy shows.
fn value(i: usize) -> Vec<u8> {
    let mut bytes = vec![(i % 251) as u8; VALUE_BYTES];
    bytes[..8].copy_from_slice(&(i as u64).to_le_bytes());
    bytes
}

/// Linear memory a fresh instance uses once it holds a cache with one small entry.
fn baseline_bytes(clock: &ManualClock) -> usize {
    let mut probe = instance(clock);
    let probe_cache = cache(&mut probe, 1_000, None);
    probe.set(&probe_cache, "probe", b"p", None).unwrap();
    probe.memory_bytes()
}

fn refused_for_memory(outcome: &Result<impl std::fmt::Debug, HostError>) -> bool {
    matches!(
        outcome,
        Err(HostError::OutOfMemory(_) | HostError::Cache(CacheError::OutOfMemory(_)))
    )
}

/// Sets `v0`, `v1`, … until one is refused; returns how many were stored.
fn fill(cashier: &mut Cashier, cache: &cashier_host::CacheHandle) -> usize {
    let mut stored = 0;
    loop {
        let outcome = cashier.set(cache, &format!("v{stored}"), &value(stored), None);
        if refused_for_memory(&outcome) {
            return stored;
        }
        outcome.unwrap_or_else(|error| panic!("set v{stored}: {error}"));
        stored += 1;
        assert!(stored < 10_000, "the memory cap never bit");
    }
}

#[test]
fn every_stored_value_is_served_at_memory_exhaustion_and_the_instance_lives_on() {
    let clock = ManualClock::new(0);
    let limit = baseline_bytes(&clock) + HEADROOM_BYTES;
    let mut cashier = instance_with_memory_limit(&clock, limit);
    let cache = cache(&mut cashier, 1_000, None);
    let stored = fill(&mut cashier, &cache);
    println!("stored {stored} values of 16 KiB under a cap of {limit} B, then refused");
    assert!(stored >= 64, "only {stored} values of 16 KiB fit in 2 MiB");

    // Every stored value, read back twice through each path: served in full, never a trap.
    let mut served = 0;
    for round in 0..2 {
        for i in 0..stored {
            let key = format!("v{i}");
            match cashier.get(&cache, &key) {
                Ok(Some(bytes)) => {
                    assert!(bytes == value(i), "get {key} returned other bytes");
                    served += 1;
                }
                Ok(None) => panic!("get {key}: a stored value was lost (round {round})"),
                Err(error) => panic!("get {key} (round {round}): {error}"),
            }
            match cashier.begin(&cache, &key) {
                Ok(Lookup::Hit(bytes)) => {
                    assert!(bytes == value(i), "begin {key} returned other bytes");
                    served += 1;
                }
                other => panic!("begin {key} (round {round}): expected a hit, got {other:?}"),
            }
        }
    }
    assert_eq!(served, 4 * stored, "every hit is served");
    let stats = cashier.stats(&cache).unwrap();
    assert_eq!((stats.size, stats.hits), (stored as u64, 4 * stored as u64));

    // A miss needs memory: refused with out-of-memory (or not, if the reads left room), never
    // a trap; then the instance still answers.
    let miss = cashier.begin(&cache, "a-new-key");
    assert!(
        refused_for_memory(&miss) || matches!(miss, Ok(Lookup::Miss(_))),
        "{miss:?}"
    );
    if let Ok(Lookup::Miss(ticket)) = miss {
        cashier.fail(&cache, ticket).unwrap();
    }
    // A stale ticket at exhaustion is an error value, not a trap.
    assert!(matches!(
        cashier.complete(&cache, u64::MAX, b"x", None),
        Err(HostError::Cache(
            CacheError::StaleTicket(_) | CacheError::OutOfMemory(_)
        ))
    ));

    // Deleting makes room: sets succeed again and nothing else was disturbed.
    for i in 0..8 {
        assert!(cashier.delete(&cache, &format!("v{i}")).unwrap());
    }
    for i in 0..4 {
        cashier
            .set(&cache, &format!("w{i}"), &value(10_000 + i), None)
            .unwrap_or_else(|error| panic!("set w{i} after deleting: {error}"));
    }
    for i in 0..4 {
        assert!(cashier.get(&cache, &format!("w{i}")).unwrap() == Some(value(10_000 + i)));
    }
    for i in 8..stored {
        assert!(cashier.get(&cache, &format!("v{i}")).unwrap() == Some(value(i)));
    }
    let Lookup::Miss(ticket) = cashier.begin(&cache, "computed").unwrap() else {
        panic!("a new key misses");
    };
    cashier.complete(&cache, ticket, b"done", None).unwrap();
    assert_eq!(
        cashier.get(&cache, "computed").unwrap(),
        Some(b"done".to_vec())
    );
    assert!(cashier.memory_bytes() <= limit);
}

#[test]
fn exhaustion_by_one_cache_leaves_another_cache_served() {
    let clock = ManualClock::new(0);
    let limit = baseline_bytes(&clock) + HEADROOM_BYTES;
    let mut cashier = instance_with_memory_limit(&clock, limit);
    let small = cache(&mut cashier, 10, None);
    cashier.set(&small, "kept", &value(7), None).unwrap();
    let big = cache(&mut cashier, 1_000, None);
    let stored = fill(&mut cashier, &big);
    assert!(stored > 0);
    for _ in 0..3 {
        assert!(cashier.get(&small, "kept").unwrap() == Some(value(7)));
        assert!(
            matches!(cashier.begin(&small, "kept"), Ok(Lookup::Hit(bytes)) if bytes == value(7))
        );
    }
    cashier.clear(&big).unwrap();
    cashier.set(&small, "after", &value(8), None).unwrap();
    assert!(cashier.get(&small, "after").unwrap() == Some(value(8)));
}
