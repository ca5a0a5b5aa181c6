//! The component through wasmtime: TTL on the host's clock, LRU order, invalidation, stats, the
//! flight protocol, isolation, memory reclamation, limits. Every failure must be an error value,
//! never a trap, unless a test provokes a trap on purpose (fuel).

mod common;

use cashier_host::{CacheError, HostError, Limits, Lookup, ManualClock};
use common::{cache, config, instance, instance_with, instance_with_memory_limit};

fn ticket(lookup: Lookup) -> u64 {
    match lookup {
        Lookup::Miss(ticket) => ticket,
        other => panic!("expected a miss, got {other:?}"),
    }
}

#[test]
fn entries_expire_when_the_host_clock_passes_their_ttl() {
    let clock = ManualClock::new(1_000);
    let mut cashier = instance(&clock);
    let cache = cache(&mut cashier, 10, Some(100));
    cashier.set(&cache, "default", b"1", None).unwrap();
    cashier.set(&cache, "short", b"2", Some(10)).unwrap();
    clock.advance(9);
    assert_eq!(cashier.get(&cache, "short").unwrap(), Some(b"2".to_vec()));
    clock.advance(1);
    assert_eq!(cashier.get(&cache, "short").unwrap(), None);
    clock.advance(89);
    assert_eq!(cashier.get(&cache, "default").unwrap(), Some(b"1".to_vec()));
    clock.advance(1);
    assert_eq!(cashier.get(&cache, "default").unwrap(), None);
    // A clock that jumps back does not revive anything.
    clock.set(0);
    assert_eq!(cashier.get(&cache, "default").unwrap(), None);
    assert_eq!(cashier.stats(&cache).unwrap().expirations, 2);
}

#[test]
fn the_least_recently_used_entry_is_evicted() {
    let clock = ManualClock::new(0);
    let mut cashier = instance(&clock);
    let cache = cache(&mut cashier, 3, None);
    for key in ["a", "b", "c"] {
        cashier.set(&cache, key, key.as_bytes(), None).unwrap();
    }
    assert!(cashier.get(&cache, "a").unwrap().is_some());
    cashier.set(&cache, "d", b"d", None).unwrap();
    assert_eq!(
        cashier.get(&cache, "b").unwrap(),
        None,
        "b was the least recently used"
    );
    for key in ["a", "c", "d"] {
        assert!(cashier.get(&cache, key).unwrap().is_some(), "{key} stays");
    }
    assert_eq!(cashier.stats(&cache).unwrap().evictions, 1);
}

#[test]
fn delete_clear_and_version_bump_invalidate() {
    let clock = ManualClock::new(0);
    let mut cashier = instance(&clock);
    let cache = cache(&mut cashier, 10, None);
    cashier.set(&cache, "a", b"1", None).unwrap();
    cashier.set(&cache, "b", b"2", None).unwrap();
    assert!(cashier.delete(&cache, "a").unwrap());
    assert!(!cashier.delete(&cache, "a").unwrap());
    cashier.bump_version(&cache).unwrap();
    assert_eq!(cashier.get(&cache, "b").unwrap(), None);
    cashier.set(&cache, "c", b"3", None).unwrap();
    assert_eq!(cashier.stats(&cache).unwrap().size, 1);
    cashier.clear(&cache).unwrap();
    assert_eq!(cashier.get(&cache, "c").unwrap(), None);
    assert_eq!(cashier.stats(&cache).unwrap().size, 0);
}

#[test]
fn stats_count_what_happened() {
    let clock = ManualClock::new(0);
    let mut cashier = instance(&clock);
    let cache = cache(&mut cashier, 2, None);
    cashier.set(&cache, "a", b"", None).unwrap();
    cashier.get(&cache, "a").unwrap();
    cashier.get(&cache, "zzz").unwrap();
    let first = ticket(cashier.begin(&cache, "k").unwrap());
    assert!(matches!(
        cashier.begin(&cache, "k").unwrap(),
        Lookup::Joined(_)
    ));
    let stats = cashier.stats(&cache).unwrap();
    assert_eq!(
        (
            stats.hits,
            stats.misses,
            stats.joined,
            stats.pending,
            stats.size
        ),
        (2, 2, 1, 1, 1)
    );
    cashier.complete(&cache, first, b"v", None).unwrap();
    // An empty value is a value, not a miss.
    assert_eq!(cashier.get(&cache, "a").unwrap(), Some(Vec::new()));
}

#[test]
fn the_flight_protocol_shares_one_computation() {
    let clock = ManualClock::new(0);
    let mut cashier = instance(&clock);
    let cache = cache(&mut cashier, 10, Some(1_000));
    let first = ticket(cashier.begin(&cache, "k").unwrap());
    let Lookup::Joined(flight) = cashier.begin(&cache, "k").unwrap() else {
        panic!("second caller joins")
    };
    assert_eq!(
        flight, first,
        "the joined flight is the one the ticket ends"
    );
    assert!(matches!(
        cashier.begin(&cache, "k").unwrap(),
        Lookup::Joined(_)
    ));
    assert_eq!(
        cashier.complete(&cache, first, b"value", Some(5)).unwrap(),
        2,
        "two callers joined"
    );
    assert_eq!(
        cashier.begin(&cache, "k").unwrap(),
        Lookup::Hit(b"value".to_vec())
    );
    // The per-entry TTL of the completion applies.
    clock.advance(5);
    let retry = ticket(cashier.begin(&cache, "k").unwrap());

    // A failure caches nothing and frees the key.
    assert_eq!(cashier.fail(&cache, retry).unwrap(), 0);
    assert_eq!(cashier.get(&cache, "k").unwrap(), None);
    let again = ticket(cashier.begin(&cache, "k").unwrap());
    assert_ne!(again, retry);

    // Stale tickets: already used, invalidated, or forged.
    for stale in [retry, again ^ 0xffff_0000_0000, u64::MAX] {
        match cashier.complete(&cache, stale, b"x", None) {
            Err(HostError::Cache(CacheError::StaleTicket(message))) => {
                assert!(message.contains("stale"))
            }
            other => panic!("expected a stale ticket error, got {other:?}"),
        }
    }
    cashier.delete(&cache, "k").unwrap();
    assert!(matches!(
        cashier.complete(&cache, again, b"late", None),
        Err(HostError::Cache(CacheError::StaleTicket(_)))
    ));
    assert_eq!(
        cashier.get(&cache, "k").unwrap(),
        None,
        "an invalidated flight stores nothing"
    );
    assert_eq!(cashier.stats(&cache).unwrap().pending, 0);
}

#[test]
fn invalid_configuration_and_ttl_are_errors() {
    let clock = ManualClock::new(0);
    let mut cashier = instance(&clock);
    match cashier.create_cache(config(0, None)) {
        Err(HostError::Cache(CacheError::InvalidConfig(message))) => {
            assert!(message.contains("maxSize"))
        }
        other => panic!("expected invalid-config, got {other:?}"),
    }
    assert!(matches!(
        cashier.create_cache(config(1, Some(0))),
        Err(HostError::Cache(CacheError::InvalidConfig(_)))
    ));
    let cache = cache(&mut cashier, 1, None);
    assert!(matches!(
        cashier.set(&cache, "k", b"v", Some(0)),
        Err(HostError::Cache(CacheError::InvalidConfig(_)))
    ));
    // The instance is still fine.
    cashier.set(&cache, "k", b"v", Some(1)).unwrap();
}

#[test]
fn caches_and_instances_are_isolated() {
    let clock = ManualClock::new(0);
    let mut first = instance(&clock);
    let mut second = instance(&clock);
    let a = cache(&mut first, 4, None);
    let b = cache(&mut first, 4, None);
    let c = cache(&mut second, 4, None);
    first.set(&a, "k", b"a", None).unwrap();
    first.set(&b, "k", b"b", None).unwrap();
    second.set(&c, "k", b"c", None).unwrap();
    assert_eq!(first.get(&a, "k").unwrap(), Some(b"a".to_vec()));
    assert_eq!(first.get(&b, "k").unwrap(), Some(b"b".to_vec()));
    assert_eq!(second.get(&c, "k").unwrap(), Some(b"c".to_vec()));
    first.clear(&a).unwrap();
    assert_eq!(first.get(&b, "k").unwrap(), Some(b"b".to_vec()));
    assert_eq!(second.get(&c, "k").unwrap(), Some(b"c".to_vec()));
    // A handle of one instance means nothing to another.
    assert!(second.get(&a, "k").is_err());
}

#[test]
fn dropping_caches_frees_their_memory() {
    const CYCLES: usize = 100_000;
    let clock = ManualClock::new(0);
    let mut cashier = instance(&clock);
    let value = [7u8; 256];
    let mut after_warmup = 0;
    for cycle in 0..CYCLES {
        let cache = cache(&mut cashier, 8, Some(1_000));
        for key in ["a", "b", "c"] {
            cashier.set(&cache, key, &value, None).unwrap();
        }
        cashier.drop_cache(cache).unwrap();
        if cycle == 1_000 {
            after_warmup = cashier.memory_bytes();
        }
    }
    let end = cashier.memory_bytes();
    println!(
        "linear memory after 1,000 create/drop cycles: {after_warmup} B; after {CYCLES}: {end} B"
    );
    // The bound: no growth at all after warm-up (memory grows in 64 KiB pages).
    assert_eq!(end, after_warmup, "memory grew across create/drop cycles");
}

#[test]
fn an_over_large_value_under_a_memory_limit_is_an_error_and_the_cache_stays_usable() {
    const LIMIT: usize = 4 << 20;
    let clock = ManualClock::new(0);
    let mut cashier = instance_with_memory_limit(&clock, LIMIT);
    let cache = cache(&mut cashier, 1_000, None);
    cashier.set(&cache, "small", b"kept", None).unwrap();
    let huge = vec![1u8; 8 << 20];
    assert!(matches!(
        cashier.set(&cache, "huge", &huge, None),
        Err(HostError::OutOfMemory(_))
    ));
    assert_eq!(
        cashier.get(&cache, "small").unwrap(),
        Some(b"kept".to_vec())
    );
    // Fill towards the limit with values that do fit, then overflow again: still an error.
    let mut stored = 0;
    for i in 0..100 {
        match cashier.set(&cache, &format!("fill{i}"), &[2u8; 256 * 1024], None) {
            Ok(()) => stored += 1,
            Err(HostError::OutOfMemory(_)) => break,
            Err(other) => panic!("expected success or OutOfMemory, got {other}"),
        }
    }
    assert!(
        stored > 0 && stored < 100,
        "stored {stored} values of 256 KiB under a 4 MiB limit"
    );
    println!("stored {stored} values of 256 KiB under the 4 MiB limit, then OutOfMemory");
    assert!(cashier.memory_bytes() <= LIMIT);
    assert_eq!(
        cashier.get(&cache, "small").unwrap(),
        Some(b"kept".to_vec())
    );
    cashier.delete(&cache, "fill0").unwrap();
    cashier.set(&cache, "after", b"ok", None).unwrap();
    assert_eq!(cashier.get(&cache, "after").unwrap(), Some(b"ok".to_vec()));
}

#[test]
fn many_small_entries_under_a_memory_limit_end_in_an_error_not_a_trap() {
    // Small values: the store's own tables (not the argument copy) are what run out.
    const LIMIT: usize = 2 << 20;
    let clock = ManualClock::new(0);
    let mut cashier = instance_with_memory_limit(&clock, LIMIT);
    let cache = cache(&mut cashier, 10_000_000, None);
    let mut stored = 0u32;
    let refusal = loop {
        match cashier.set(&cache, &format!("key-{stored:08}"), b"v", None) {
            Ok(()) => stored += 1,
            Err(HostError::Wasmtime(error)) => panic!("trap after {stored} entries: {error:#}"),
            Err(other) => break other,
        }
        assert!(stored < 1_000_000, "2 MiB never ran out");
    };
    println!("stored {stored} small entries under the 2 MiB limit, then: {refusal}");
    assert!(stored > 1_000, "only {stored} entries fit");
    // Everything stored is still served; a new key is refused by begin without a trap.
    for i in [0, stored / 2, stored - 1] {
        let key = format!("key-{i:08}");
        assert_eq!(
            cashier.get(&cache, &key).unwrap(),
            Some(b"v".to_vec()),
            "{key}"
        );
        assert!(matches!(cashier.begin(&cache, &key), Ok(Lookup::Hit(_))));
    }
    match cashier.begin(&cache, "a-new-key") {
        Err(HostError::Cache(CacheError::OutOfMemory(_)) | HostError::OutOfMemory(_)) => {}
        other => panic!("expected out-of-memory, got {other:?}"),
    }
    // Freeing memory lets the cache grow again.
    cashier.clear(&cache).unwrap();
    cashier.set(&cache, "after", b"ok", None).unwrap();
    assert_eq!(cashier.get(&cache, "after").unwrap(), Some(b"ok".to_vec()));
}

#[test]
fn fuel_bounds_a_call() {
    let clock = ManualClock::new(0);
    let mut cashier = instance_with(
        &clock,
        Limits {
            fuel: Some(2_000_000),
            ..Limits::default()
        },
    );
    let cache = cache(&mut cashier, 100_000, None);
    let mut outcome = Ok(());
    for i in 0..100_000 {
        outcome = cashier.set(&cache, &format!("key-{i}"), &[0u8; 64], None);
        if outcome.is_err() {
            break;
        }
    }
    match outcome {
        Err(HostError::Wasmtime(error)) => {
            let trap = error.downcast_ref::<wasmtime::Trap>().copied();
            assert_eq!(trap, Some(wasmtime::Trap::OutOfFuel), "{error:?}");
        }
        other => panic!("expected the fuel to run out, got {other:?}"),
    }
}

#[test]
fn a_dropped_cache_answers_with_an_error_and_the_instance_lives_on() {
    let clock = ManualClock::new(0);
    let mut cashier = instance(&clock);
    let kept = cache(&mut cashier, 4, None);
    let dropped = cache(&mut cashier, 4, None);
    cashier.set(&kept, "k", b"v", None).unwrap();
    cashier.drop_cache(dropped).unwrap();
    assert!(matches!(
        cashier.get(&dropped, "k"),
        Err(HostError::Wasmtime(_))
    ));
    assert!(
        cashier.drop_cache(dropped).is_err(),
        "dropping twice is an error too"
    );
    assert_eq!(cashier.get(&kept, "k").unwrap(), Some(b"v".to_vec()));
    let fresh = cache(&mut cashier, 4, None);
    cashier.set(&fresh, "x", b"y", None).unwrap();
}

#[test]
fn ttls_work_whatever_the_clock_reads_at_start() {
    // 0, 2^48 ms, Unix time in microseconds (a host passing µs), the top of the u64 range.
    for start in [0, 1 << 48, 1_700_000_000_000_000, u64::MAX - 10_000] {
        let clock = ManualClock::new(start);
        let mut cashier = instance(&clock);
        let cache = cache(&mut cashier, 10, Some(100));
        cashier.set(&cache, "default", b"d", None).unwrap();
        cashier.set(&cache, "k", b"v", Some(1_000)).unwrap();
        // A TTL past the end of the clock saturates: the entry lives, it does not wrap.
        cashier.set(&cache, "huge", b"h", Some(u64::MAX)).unwrap();
        assert_eq!(
            cashier.get(&cache, "k").unwrap(),
            Some(b"v".to_vec()),
            "start {start}"
        );
        clock.advance(99);
        assert_eq!(
            cashier.get(&cache, "default").unwrap(),
            Some(b"d".to_vec()),
            "start {start}"
        );
        clock.advance(1);
        assert_eq!(
            cashier.get(&cache, "default").unwrap(),
            None,
            "start {start}"
        );
        clock.advance(899);
        assert_eq!(
            cashier.get(&cache, "k").unwrap(),
            Some(b"v".to_vec()),
            "start {start}"
        );
        clock.advance(1);
        assert_eq!(cashier.get(&cache, "k").unwrap(), None, "start {start}");
        clock.advance(8_999);
        assert_eq!(
            cashier.get(&cache, "huge").unwrap(),
            Some(b"h".to_vec()),
            "start {start}"
        );
        // The flight protocol's TTLs too.
        let ticket = ticket(cashier.begin(&cache, "flight").unwrap());
        cashier.complete(&cache, ticket, b"f", Some(1)).unwrap();
        assert_eq!(
            cashier.get(&cache, "flight").unwrap(),
            Some(b"f".to_vec()),
            "start {start}"
        );
        assert_eq!(cashier.stats(&cache).unwrap().expirations, 2);
    }
}

#[test]
fn a_ticket_of_one_cache_is_stale_in_another() {
    let clock = ManualClock::new(0);
    let mut cashier = instance(&clock);
    let a = cache(&mut cashier, 1_000, None);
    let b = cache(&mut cashier, 1_000, None);
    let keys: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
    let from_a: Vec<u64> = keys
        .iter()
        .map(|key| ticket(cashier.begin(&a, key).unwrap()))
        .collect();
    let from_b: Vec<u64> = keys
        .iter()
        .map(|key| ticket(cashier.begin(&b, key).unwrap()))
        .collect();
    for (key, (&ta, &tb)) in keys.iter().zip(from_a.iter().zip(&from_b)) {
        for (wrong_cache, wrong_ticket) in [(&b, ta), (&a, tb)] {
            assert!(
                matches!(
                    cashier.complete(wrong_cache, wrong_ticket, b"mixed up", None),
                    Err(HostError::Cache(CacheError::StaleTicket(_)))
                ),
                "{key}: a ticket of the other cache completed a flight"
            );
            assert!(matches!(
                cashier.fail(wrong_cache, wrong_ticket),
                Err(HostError::Cache(CacheError::StaleTicket(_)))
            ));
        }
    }
    // Nothing was stored and every flight is still pending, ending only with its own ticket.
    for cache in [&a, &b] {
        let stats = cashier.stats(cache).unwrap();
        assert_eq!((stats.size, stats.pending), (0, 100));
    }
    for (key, (&ta, &tb)) in keys.iter().zip(from_a.iter().zip(&from_b)) {
        assert_eq!(cashier.begin(&b, key).unwrap(), Lookup::Joined(tb));
        assert_eq!(cashier.get(&b, key).unwrap(), None);
        cashier.complete(&a, ta, b"a", None).unwrap();
        cashier.complete(&b, tb, b"b", None).unwrap();
        assert_eq!(cashier.get(&a, key).unwrap(), Some(b"a".to_vec()));
        assert_eq!(cashier.get(&b, key).unwrap(), Some(b"b".to_vec()));
    }
    // A ticket of a dropped cache means nothing to a cache created after it.
    let dropped = cache(&mut cashier, 10, None);
    let old = ticket(cashier.begin(&dropped, "k").unwrap());
    cashier.drop_cache(dropped).unwrap();
    let fresh = cache(&mut cashier, 10, None);
    let _pending = ticket(cashier.begin(&fresh, "k").unwrap());
    assert!(matches!(
        cashier.complete(&fresh, old, b"x", None),
        Err(HostError::Cache(CacheError::StaleTicket(_)))
    ));
    assert_eq!(cashier.get(&fresh, "k").unwrap(), None);
}

#[test]
fn every_max_size_from_1_to_u32_max_is_accepted() {
    let clock = ManualClock::new(0);
    let mut cashier = instance(&clock);
    for max_size in [1, u32::MAX - 1, u32::MAX] {
        let cache = cashier
            .create_cache(config(max_size, None))
            .unwrap_or_else(|error| panic!("max-size {max_size}: {error}"));
        cashier.set(&cache, "k", b"v", None).unwrap();
        assert_eq!(cashier.get(&cache, "k").unwrap(), Some(b"v".to_vec()));
    }
}
