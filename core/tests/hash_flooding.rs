//! Hash flooding: keys crafted to collide under a known hasher seed cost nothing extra in a store
//! whose seed the attacker does not know.
//!
//! The crafted keys share their home bucket (low 8 bits of the hash) *and* hashbrown's 7-bit tag
//! (top bits) under seed `KNOWN`, so in a store seeded with `KNOWN` every lookup walks one long
//! probe chain comparing keys. The measure is the number of key comparisons per lookup — counted,
//! not timed — through a key type whose `Eq` counts its calls.

use std::cell::Cell;
use std::hash::{BuildHasher, Hash, Hasher};

use cashier_core::{ManualClock, StoreConfig, TtlLruStore};
use foldhash::fast::FixedState;

const KNOWN: u64 = 0;
const KEYS: usize = 150;

thread_local! {
    static COMPARISONS: Cell<u64> = const { Cell::new(0) };
}

/// A string key whose equality checks are counted.
#[derive(Clone, Debug)]
struct CountedKey(String);

impl Hash for CountedKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl PartialEq for CountedKey {
    fn eq(&self, other: &Self) -> bool {
        COMPARISONS.with(|c| c.set(c.get() + 1));
        self.0 == other.0
    }
}

impl Eq for CountedKey {}

/// Keys whose hashes under `KNOWN` agree on the low 8 bits and the top 7 bits.
fn crafted_keys() -> Vec<CountedKey> {
    let known = FixedState::with_seed(KNOWN);
    let pattern = |hash: u64| (hash & 0xff, hash >> 57);
    let target = pattern(known.hash_one(CountedKey("seed".into())));
    let mut keys = Vec::new();
    let mut n = 0u64;
    while keys.len() < KEYS {
        let key = CountedKey(format!("user:{n}"));
        if pattern(known.hash_one(&key)) == target {
            keys.push(key);
        }
        n += 1;
    }
    keys
}

/// Average key comparisons per lookup of every crafted key in a store with this seed.
fn comparisons_per_lookup(seed: u64, keys: &[CountedKey]) -> f64 {
    let clock = ManualClock::new(0);
    let mut store = TtlLruStore::new(StoreConfig::new(1_000).hash_seed(seed), &clock).unwrap();
    for (value, key) in keys.iter().enumerate() {
        store.insert(key.clone(), value);
    }
    COMPARISONS.with(|c| c.set(0));
    for (value, key) in keys.iter().enumerate() {
        assert_eq!(store.get(key), Some(&value));
    }
    COMPARISONS.with(|c| c.get()) as f64 / keys.len() as f64
}

#[test]
fn crafted_collisions_only_hurt_a_store_whose_seed_is_known() {
    let keys = crafted_keys();
    let attacked = comparisons_per_lookup(KNOWN, &keys);
    // The attack is real against the known seed: lookups walk the shared chain.
    assert!(
        attacked > 20.0,
        "crafted keys should collide under the known seed: {attacked}"
    );
    // A store with a seed the attacker does not know (what bindings and `StoreConfig::new` use)
    // spreads the same keys out: about one comparison per lookup.
    for seed in [StoreConfig::new(1).hash_seed, 0x1234_5678_9abc_def0] {
        if seed == KNOWN {
            continue;
        }
        let defended = comparisons_per_lookup(seed, &keys);
        println!(
            "{KEYS} crafted keys: {attacked:.1} comparisons per lookup with the known seed, {defended:.2} with seed {seed:#x}"
        );
        assert!(
            defended < 1.5,
            "seed {seed:#x}: {defended} comparisons per lookup"
        );
    }
}

#[test]
fn std_stores_get_a_random_seed_by_default() {
    let a = StoreConfig::new(1).hash_seed;
    let b = StoreConfig::new(1).hash_seed;
    assert_ne!(a, 0);
    assert_ne!(a, b, "each store draws its own seed");
}
