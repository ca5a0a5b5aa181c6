//! [`Cache`]: the memoization engine — a [`TtlLruStore`] whose pending computations are slots
//! of the same policy (quick_cache's placeholders), so one key has one slot whether it is being
//! computed or stored.
//!
//! Bindings drive it with [`Cache::begin`]: a *hit* returns the stored value; a key that is
//! being computed returns *joined* with the flight to wait for; otherwise the lookup registers
//! a flight and returns *miss* with its [`Ticket`]. The caller computes and ends the flight
//! with [`Cache::complete`] (the value is stored, and every joiner takes it) or
//! [`Cache::fail`] (nothing is stored, every joiner takes the same failure, and the next
//! lookup starts a new flight). Invalidating a key (remove, clear, version bump, or a direct
//! insert, which wins over the computation) cancels its flight.

use alloc::borrow::ToOwned;
use core::borrow::Borrow;
use core::hash::Hash;

use crate::clock::Clock;
use crate::error::{ConfigError, Error, FlightError, OutOfMemory};
use crate::flight::{FlightId, Ticket};
use crate::stats::CacheStats;
use crate::store::{Found, StoreConfig, TtlLruStore, validate_ttl};

/// What [`Cache::begin`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup<'a, V> {
    /// A live stored value.
    Hit(&'a V),
    /// The key is being computed: wait for this flight's outcome.
    Joined(FlightId),
    /// Nothing stored or pending: compute, then end the flight with the ticket.
    Miss(Ticket),
}

/// How a flight ended, for the caller that ended it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Landing {
    /// The flight that ended.
    pub flight: FlightId,
    /// How many callers joined it and now take its outcome.
    pub waiters: u32,
}

/// A TTL + LRU store with per-key pending-flight dedup and stats.
///
/// ```
/// use cashier_core::{Cache, Lookup, ManualClock, StoreConfig};
///
/// let clock = ManualClock::new(0);
/// let mut cache: Cache<String, u32, _> = Cache::new(StoreConfig::new(100).ttl_ms(1_000), &clock)?;
///
/// // The first caller misses and holds the ticket; a second caller joins the same flight.
/// let Lookup::Miss(ticket) = cache.begin("f(1)") else { unreachable!() };
/// assert!(matches!(cache.begin("f(1)"), Lookup::Joined(flight) if flight == ticket.id()));
/// let landing = cache.complete(ticket, 42)?;
/// assert_eq!(landing.waiters, 1);
/// assert_eq!(cache.begin("f(1)"), Lookup::Hit(&42));
///
/// clock.advance(1_000);
/// assert!(matches!(cache.begin("f(1)"), Lookup::Miss(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Cache<K, V, C> {
    store: TtlLruStore<K, V, C>,
}

impl<K, V, C> Cache<K, V, C>
where
    K: Hash + Eq,
    C: Clock,
{
    /// A cache sized and seeded by `config`, reading time from `clock`.
    pub fn new(config: StoreConfig, clock: C) -> Result<Self, ConfigError> {
        Ok(Self {
            store: TtlLruStore::new(config, clock)?,
        })
    }

    /// Makes room for one more flight or entry now, so that a following miss and its
    /// completion allocate nothing but the key. Errs, changing nothing, when the allocator
    /// refuses: a binding then answers hits and refuses misses instead of aborting mid-update.
    pub fn try_reserve_entry(&mut self) -> Result<(), OutOfMemory> {
        self.store.try_reserve_entry()
    }

    /// Looks `key` up: hit, joined pending flight, or miss with a new flight's ticket.
    ///
    /// Allocates for the new flight on a miss, aborting like `Vec::push` if the allocator
    /// refuses; call [`Cache::try_begin`] (or [`Cache::try_reserve_entry`] first) to get an
    /// error instead.
    pub fn begin<Q>(&mut self, key: &Q) -> Lookup<'_, V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        match self.try_begin(key) {
            Ok(lookup) => lookup,
            Err(OutOfMemory) => panic!("{}", OutOfMemory::MESSAGE),
        }
    }

    /// [`Cache::begin`], answering [`OutOfMemory`] (nothing changed, no lookup counted) when a
    /// miss cannot start its flight. Hits and joins never allocate.
    pub fn try_begin<Q>(&mut self, key: &Q) -> Result<Lookup<'_, V>, OutOfMemory>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        match self.store.find_live(key) {
            Found::Live(slot) => Ok(Lookup::Hit(self.store.serve(slot))),
            Found::Pending(slot) => {
                let serial = self.store.join(slot).unwrap_or_default();
                Ok(Lookup::Joined(Ticket::new(slot, serial).id()))
            }
            Found::Absent => {
                let ticket = self.store.begin(key.to_owned())?;
                self.store.record_miss();
                Ok(Lookup::Miss(ticket))
            }
        }
    }

    /// The live value for `key`, or else `compute`'s value, stored with the default TTL.
    /// An `Err` from `compute` is returned and nothing is stored. Counts a hit or a miss.
    ///
    /// A flight left pending for `key` by a [`Cache::begin`] caller is superseded: the value
    /// computed here is stored, and that flight's ticket turns stale (as after
    /// [`Cache::insert`]).
    pub fn get_or_try_insert_with<Q, E>(
        &mut self,
        key: &Q,
        compute: impl FnOnce() -> Result<V, E>,
    ) -> Result<&V, E>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if let Found::Live(slot) = self.store.find_live(key) {
            return Ok(self.store.serve(slot));
        }
        self.store.record_miss();
        let value = compute()?;
        let ttl = self.store.default_ttl_ms();
        let (_, slot) = self.store.insert_returning_slot(key.to_owned(), value, ttl);
        Ok(self.store.value_in(slot))
    }

    /// Ends a flight with its value: stores it under the flight's key with the default TTL.
    pub fn complete(&mut self, ticket: Ticket, value: V) -> Result<Landing, FlightError> {
        let ttl = self.store.default_ttl_ms();
        let waiters = self.store.complete(&ticket, value, ttl)?;
        Ok(Landing {
            flight: ticket.id(),
            waiters,
        })
    }

    /// Like [`Cache::complete`] with the entry's own TTL (`None`: never expires).
    /// An invalid TTL is reported before the flight is touched, so the ticket stays usable.
    pub fn complete_with_ttl(
        &mut self,
        ticket: Ticket,
        value: V,
        ttl_ms: Option<u64>,
    ) -> Result<Landing, Error> {
        validate_ttl(ttl_ms)?;
        let waiters = self.store.complete(&ticket, value, ttl_ms)?;
        Ok(Landing {
            flight: ticket.id(),
            waiters,
        })
    }

    /// Ends a flight with a failure: nothing is stored and the key is free for a new flight.
    pub fn fail(&mut self, ticket: Ticket) -> Result<Landing, FlightError> {
        let waiters = self.store.fail(&ticket)?;
        Ok(Landing {
            flight: ticket.id(),
            waiters,
        })
    }

    /// The live value for `key` (a counted lookup that never starts a flight).
    pub fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.store.get(key)
    }

    /// The live value for `key` without recency or counter changes.
    pub fn peek<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.store.peek(key)
    }

    /// Stores a value directly with the default TTL. A flight pending for the key is
    /// cancelled: this write wins, and the flight's ticket turns stale.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.store.insert(key, value)
    }

    /// Stores a value directly with its own TTL (`None`: never expires); cancels a pending
    /// flight as [`Cache::insert`] does.
    pub fn insert_with_ttl(
        &mut self,
        key: K,
        value: V,
        ttl_ms: Option<u64>,
    ) -> Result<Option<V>, ConfigError> {
        self.store.insert_with_ttl(key, value, ttl_ms)
    }

    /// Removes `key`'s value and cancels its pending flight; returns the live value removed.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.store.remove(key)
    }

    /// Removes every value and cancels every pending flight.
    pub fn clear(&mut self) {
        self.store.clear();
    }

    /// Invalidates every value and cancels every pending flight, in O(1).
    pub fn bump_version(&mut self) {
        self.store.bump_version();
    }

    /// Drops every expired or invalidated entry now; returns how many.
    pub fn purge_expired(&mut self) -> usize {
        self.store.purge_expired()
    }

    /// Whether a flight is pending for `key`.
    pub fn is_pending<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.store.is_pending(key)
    }

    /// Live entries (see [`TtlLruStore::len`]).
    pub fn len(&self) -> usize {
        self.store.len()
    }

    /// Whether no entry is live.
    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }

    /// The underlying store, read-only (iteration, peeking, configuration).
    pub fn store(&self) -> &TtlLruStore<K, V, C> {
        &self.store
    }

    /// The counters, pending flights included.
    pub fn stats(&self) -> CacheStats {
        self.store.stats()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use alloc::string::String;

    type TestCache<'c> = Cache<String, u32, &'c ManualClock>;

    fn cache(clock: &ManualClock) -> TestCache<'_> {
        Cache::new(StoreConfig::new(16).ttl_ms(1_000), clock).unwrap()
    }

    fn miss(lookup: Lookup<'_, u32>) -> Ticket {
        match lookup {
            Lookup::Miss(ticket) => ticket,
            other => panic!("expected a miss, got {other:?}"),
        }
    }

    #[test]
    fn one_flight_per_key_and_joiners_share_it() {
        let clock = ManualClock::new(0);
        let mut cache = cache(&clock);
        let ticket = miss(cache.begin("k"));
        let flight = ticket.id();
        assert_eq!(cache.begin("k"), Lookup::Joined(flight));
        assert_eq!(cache.begin("k"), Lookup::Joined(flight));
        assert!(matches!(cache.begin("other"), Lookup::Miss(_)));
        assert_eq!(
            cache.complete(ticket, 7),
            Ok(Landing { flight, waiters: 2 })
        );
        assert_eq!(cache.begin("k"), Lookup::Hit(&7));
        let stats = cache.stats();
        assert_eq!(
            (
                stats.hits,
                stats.joined,
                stats.misses,
                stats.pending,
                stats.size
            ),
            (3, 2, 2, 1, 1)
        );
    }

    #[test]
    fn a_failure_caches_nothing_and_frees_the_key() {
        let clock = ManualClock::new(0);
        let mut cache = cache(&clock);
        let ticket = miss(cache.begin("k"));
        let flight = ticket.id();
        assert!(matches!(cache.begin("k"), Lookup::Joined(_)));
        assert_eq!(cache.fail(ticket), Ok(Landing { flight, waiters: 1 }));
        assert_eq!(cache.peek("k"), None);
        let retry = miss(cache.begin("k"));
        assert_ne!(retry.id(), flight);
        cache.complete(retry, 1).unwrap();
        assert_eq!(cache.get("k"), Some(&1));
    }

    #[test]
    fn invalidation_makes_pending_tickets_stale() {
        let clock = ManualClock::new(0);
        let mut cache = cache(&clock);
        for invalidate in [
            (|c: &mut TestCache<'_>| {
                c.remove("k");
            }) as fn(&mut TestCache<'_>),
            |c| c.clear(),
            |c| c.bump_version(),
        ] {
            let ticket = miss(cache.begin("k"));
            let raw = ticket.to_raw();
            invalidate(&mut cache);
            assert_eq!(cache.stats().pending, 0);
            // The next caller starts a fresh flight instead of joining the invalidated one.
            let fresh = miss(cache.begin("k"));
            assert_eq!(
                cache.complete(Ticket::from_raw(raw), 1),
                Err(FlightError::StaleTicket)
            );
            assert_eq!(cache.peek("k"), None, "a stale completion stores nothing");
            cache.complete(fresh, 2).unwrap();
            assert_eq!(cache.peek("k"), Some(&2));
            cache.remove("k");
        }
    }

    #[test]
    fn a_ticket_ends_its_flight_exactly_once() {
        let clock = ManualClock::new(0);
        let mut cache = cache(&clock);
        let ticket = miss(cache.begin("k"));
        let raw = ticket.to_raw();
        cache.complete(ticket, 1).unwrap();
        assert_eq!(
            cache.complete(Ticket::from_raw(raw), 2),
            Err(FlightError::StaleTicket)
        );
        assert_eq!(
            cache.fail(Ticket::from_raw(raw)),
            Err(FlightError::StaleTicket)
        );
        assert_eq!(cache.peek("k"), Some(&1));
    }

    #[test]
    fn get_or_try_insert_with_computes_once_and_caches_no_failure() {
        let clock = ManualClock::new(0);
        let mut cache = cache(&clock);
        let mut calls = 0;
        let mut compute = |fail: bool| {
            calls += 1;
            if fail { Err("boom") } else { Ok(calls) }
        };
        assert_eq!(
            cache.get_or_try_insert_with("k", || compute(true)),
            Err("boom")
        );
        assert_eq!(cache.peek("k"), None);
        assert_eq!(cache.get_or_try_insert_with("k", || compute(false)), Ok(&2));
        assert_eq!(cache.get_or_try_insert_with("k", || compute(false)), Ok(&2));
        let stats = cache.stats();
        assert_eq!((stats.hits, stats.misses, stats.pending), (1, 2, 0));
        // The TTL runs from when the value is stored, not from when computing began.
        let mut slow = Cache::new(StoreConfig::new(2).ttl_ms(5), &clock).unwrap();
        let value: Result<&u32, ()> = slow.get_or_try_insert_with("s", || {
            clock.advance(10);
            Ok(9)
        });
        assert_eq!(value, Ok(&9));
        clock.advance(4);
        assert_eq!(slow.peek("s"), Some(&9));
        clock.advance(1);
        assert_eq!(slow.peek("s"), None);
    }

    #[test]
    fn an_invalid_ttl_leaves_the_flight_pending() {
        let clock = ManualClock::new(0);
        let mut cache = cache(&clock);
        let ticket = miss(cache.begin("k"));
        let raw = ticket.to_raw();
        assert_eq!(
            cache.complete_with_ttl(ticket, 1, Some(0)),
            Err(Error::Config(ConfigError::ZeroTtl))
        );
        assert!(cache.is_pending("k"));
        cache
            .complete_with_ttl(Ticket::from_raw(raw), 1, Some(5))
            .unwrap();
        clock.advance(5);
        assert_eq!(cache.get("k"), None);
    }
}
