//! Counters every cache reports.

/// A snapshot of a cache's counters.
///
/// `hits + misses` equals the number of lookups (`get` on a store, `lookup` on a [`crate::Cache`]);
/// `joined` counts the hits that shared a pending flight instead of a stored value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Lookups answered without computing (stored value or joined flight).
    pub hits: u64,
    /// Of the hits, those that served a stale value (after its deadline, within the stale
    /// window) while it was refreshed.
    pub stale_hits: u64,
    /// Lookups that found nothing usable.
    pub misses: u64,
    /// Of the hits, those that joined a pending flight.
    pub joined: u64,
    /// Live entries removed to make room (least recently used first).
    pub evictions: u64,
    /// Entries removed because their TTL had passed (on access, by the sweep, or at eviction).
    pub expirations: u64,
    /// Entries currently stored and not known to be expired or invalidated.
    pub size: u64,
    /// Computations currently pending.
    pub pending: u64,
}
