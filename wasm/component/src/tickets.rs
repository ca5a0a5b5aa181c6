//! Tickets and flight ids as the host sees them: the core's 64-bit (slot, serial) value
//! enciphered under a key of its own cache, so that a ticket names its cache.
//!
//! Every cache's core numbers its flights from slot 0, serial 0, so bare core tickets of two
//! caches coincide, and a ticket handed to the wrong cache would complete that cache's flight
//! with the other computation's value. The cipher is a 64-bit permutation (a four-round Feistel
//! network over 32-bit halves) keyed by the cache's secret hash seed and a number no other cache
//! of the instance gets: a cache deciphers another cache's ticket into an unrelated (slot,
//! serial) value, which names one of its pending flights with a chance of about
//! `pending / 2^64`, so it answers `stale-ticket`. Without the seed, tickets are also not
//! guessable from small integers. (The mixing function is fast, not cryptographic.)

use std::sync::atomic::{AtomicU64, Ordering};

/// Numbers caches in creation order; never reused within an instance (2^64 creations).
static NEXT_CACHE: AtomicU64 = AtomicU64::new(0);

/// The ticket cipher of one cache.
pub struct TicketCipher {
    round_keys: [u64; 4],
}

impl TicketCipher {
    /// The cipher of a new cache seeded with `hash_seed`: its key differs from every other cache
    /// of this instance.
    pub fn for_new_cache(hash_seed: u64) -> Self {
        let number = NEXT_CACHE.fetch_add(1, Ordering::Relaxed);
        let mut state = mix(hash_seed ^ 0x7469_636b_6574_7321) ^ mix(number);
        let mut next = || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            mix(state)
        };
        Self {
            round_keys: [next(), next(), next(), next()],
        }
    }

    /// The host-visible form of a core ticket or flight id.
    pub fn seal(&self, raw: u64) -> u64 {
        let (mut left, mut right) = ((raw >> 32) as u32, raw as u32);
        for &key in &self.round_keys {
            (left, right) = (right, left ^ round(right, key));
        }
        ((left as u64) << 32) | right as u64
    }

    /// The core ticket back from [`TicketCipher::seal`]; a ticket of another cache (or a forged
    /// one) comes back as an unrelated value that the core finds stale.
    pub fn open(&self, sealed: u64) -> u64 {
        let (mut left, mut right) = ((sealed >> 32) as u32, sealed as u32);
        for &key in self.round_keys.iter().rev() {
            (left, right) = (right ^ round(left, key), left);
        }
        ((left as u64) << 32) | right as u64
    }
}

fn round(half: u32, key: u64) -> u32 {
    (mix(half as u64 ^ key) >> 32) as u32
}

/// SplitMix64's finalizer: every input bit affects every output bit.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}
