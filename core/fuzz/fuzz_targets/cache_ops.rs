//! Arbitrary operation sequences on a `Cache` with TTLs, clock jumps, flights and invalidation.
//! Never panics, and after every operation: the size bound holds, pending flights match the
//! tickets the driver holds, and every served value is the latest one written for its key since
//! that key was last invalidated (nothing stale, expired-and-revived, or foreign is served).
#![no_main]

use std::collections::HashMap;

use arbitrary::Arbitrary;
use cashier_core::{Cache, FlightError, Lookup, ManualClock, StoreConfig, Ticket};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Op {
    Lookup(u8),
    Get(u8),
    Insert(u8, u16, Option<u8>),
    Complete(u8, u16, Option<u8>),
    Fail(u8),
    ForgedTicket(u64),
    Remove(u8),
    Clear,
    BumpVersion,
    Advance(u16),
    Rewind(u16),
    Purge,
}

#[derive(Arbitrary, Debug)]
struct Input {
    max_size: u8,
    default_ttl: Option<u8>,
    ops: Vec<Op>,
}

fuzz_target!(|input: Input| {
    let clock = ManualClock::new(1 << 20);
    let max_size = input.max_size as usize % 8 + 1;
    let mut config = StoreConfig::new(max_size).hash_seed(7);
    config.default_ttl_ms = input.default_ttl.map(|t| t as u64 + 1);
    let mut cache: Cache<u8, u16, &ManualClock> = Cache::new(config, &clock).unwrap();
    // key -> latest value written since the key was last invalidated
    let mut written: HashMap<u8, u16> = HashMap::new();
    let mut open: Vec<(u64, u8)> = Vec::new();
    let ttl = |t: Option<u8>| t.map(|t| t as u64 + 1);

    for op in input.ops {
        let key_of = |k: u8| k % 16;
        match op {
            Op::Lookup(k) => match cache.begin(&key_of(k)) {
                Lookup::Hit(value) => assert_eq!(written.get(&key_of(k)), Some(value)),
                Lookup::Joined(flight) => assert!(open.iter().any(|(raw, key)| *key == key_of(k) && *raw == flight.to_raw())),
                Lookup::Miss(ticket) => open.push((ticket.to_raw(), key_of(k))),
            },
            Op::Get(k) => {
                if let Some(value) = cache.get(&key_of(k)) {
                    assert_eq!(written.get(&key_of(k)), Some(value));
                }
            }
            Op::Insert(k, v, t) => {
                cache.insert_with_ttl(key_of(k), v, ttl(t)).unwrap();
                written.insert(key_of(k), v);
            }
            Op::Complete(i, v, t) => {
                if open.is_empty() {
                    continue;
                }
                let (raw, key) = open.remove(i as usize % open.len());
                match cache.complete_with_ttl(Ticket::from_raw(raw), v, ttl(t)) {
                    Ok(_) => {
                        written.insert(key, v);
                    }
                    Err(error) => assert_eq!(error, FlightError::StaleTicket.into()),
                }
            }
            Op::Fail(i) => {
                if open.is_empty() {
                    continue;
                }
                let (raw, _) = open.remove(i as usize % open.len());
                let _ = cache.fail(Ticket::from_raw(raw));
            }
            Op::ForgedTicket(raw) => {
                if !open.iter().any(|(r, _)| *r == raw) {
                    assert!(cache.fail(Ticket::from_raw(raw)).is_err());
                }
            }
            Op::Remove(k) => {
                cache.remove(&key_of(k));
                written.remove(&key_of(k));
                open.retain(|(_, key)| *key != key_of(k));
            }
            Op::Clear => {
                cache.clear();
                written.clear();
                open.clear();
            }
            Op::BumpVersion => {
                cache.bump_version();
                written.clear();
                open.clear();
            }
            Op::Advance(ms) => clock.advance(ms as u64),
            Op::Rewind(ms) => clock.set(clock_now(&clock).saturating_sub(ms as u64)),
            Op::Purge => {
                cache.purge_expired();
            }
        }
        let stats = cache.stats();
        assert!(stats.size as usize <= max_size);
        assert_eq!(stats.pending as usize, open.len());
        for (key, value) in cache.store().iter() {
            assert_eq!(written.get(key), Some(value));
        }
    }
});

fn clock_now(clock: &ManualClock) -> u64 {
    use cashier_core::Clock;
    clock.now_ms()
}
