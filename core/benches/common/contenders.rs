// Shared by the store benches (`include!`d): the workloads' PRNG and the three contenders —
// cashier-core's TtlLruStore, the `lru` crate with the same TTL check on get, and
// `quick_cache::unsync` — behind one small interface, each monomorphized.

/// A small deterministic PRNG (SplitMix64), so every contender sees the same sequence.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The three contenders behind one small interface.
trait Contender {
    fn name(&self) -> &'static str;
    fn get(&mut self, key: u64) -> Option<u64>;
    fn insert(&mut self, key: u64, value: u64);
}

struct Cashier<'c>(TtlLruStore<u64, u64, &'c ManualClock>);

impl Contender for Cashier<'_> {
    fn name(&self) -> &'static str {
        "cashier-core"
    }
    fn get(&mut self, key: u64) -> Option<u64> {
        self.0.get(&key).copied()
    }
    fn insert(&mut self, key: u64, value: u64) {
        self.0.insert(key, value);
    }
}

/// `lru::LruCache` holding `(value, expires_at)` and checking the deadline on get.
///
/// Both TTL contenders read the same clock the same way: `Clock::now_ms` of one shared
/// `&ManualClock` (a `Cell<u64>` load through a reference), once per insert and once per get —
/// here before the lookup, cashier only when it finds an entry that can expire (every entry in
/// these workloads). What cashier does with the reading beyond the comparison (count it from the
/// store's epoch, hold it from running backwards) is its semantics, measured as its cost.
struct LruWithTtl<'c> {
    cache: lru::LruCache<u64, (u64, u64)>,
    clock: &'c ManualClock,
}

impl Contender for LruWithTtl<'_> {
    fn name(&self) -> &'static str {
        "lru+ttl"
    }
    fn get(&mut self, key: u64) -> Option<u64> {
        use cashier_core::Clock;
        let now = self.clock.now_ms();
        match self.cache.get(&key) {
            Some(&(value, expires_at)) if now < expires_at => Some(value),
            Some(_) => {
                self.cache.pop(&key);
                None
            }
            None => None,
        }
    }
    fn insert(&mut self, key: u64, value: u64) {
        use cashier_core::Clock;
        let expires_at = self.clock.now_ms() + TTL_MS;
        self.cache.put(key, (value, expires_at));
    }
}

/// `quick_cache::unsync::Cache` (S3-FIFO-like policy, no TTL support).
struct QuickCache(quick_cache::unsync::Cache<u64, u64>);

impl Contender for QuickCache {
    fn name(&self) -> &'static str {
        "quick_cache"
    }
    fn get(&mut self, key: u64) -> Option<u64> {
        self.0.get(&key).copied()
    }
    fn insert(&mut self, key: u64, value: u64) {
        self.0.insert(key, value);
    }
}

fn cashier(capacity: usize, clock: &ManualClock) -> Cashier<'_> {
    let config = StoreConfig::new(capacity).ttl_ms(TTL_MS).hash_seed(0x5eed);
    Cashier(TtlLruStore::new(config, clock).unwrap())
}

fn lru_with_ttl(capacity: usize, clock: &ManualClock) -> LruWithTtl<'_> {
    LruWithTtl {
        cache: lru::LruCache::new(NonZeroUsize::new(capacity).unwrap()),
        clock,
    }
}

fn quick_cache(capacity: usize) -> QuickCache {
    QuickCache(quick_cache::unsync::Cache::new(capacity))
}
