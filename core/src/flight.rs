//! [`FlightTable`]: the single-threaded table of pending computations.
//!
//! The flight vocabulary, the same in every layer (this table, `SlotLru`, `Cache`, the WIT, the
//! npm package): a miss **begins** a flight and holds its ticket; callers wanting the same key
//! **join** it; the ticket holder ends it once, and **complete**s it with a value or **fail**s
//! it; invalidating the key **cancel**s it.
//!
//! A computation for a key is a *flight*. The first caller to miss begins it and holds its
//! [`Ticket`]; callers that want the same key while it is pending *join* it and learn its
//! [`FlightId`], which bindings use to find the shared promise or waiter list. The ticket
//! holder ends the flight exactly once, with a value or a failure. Invalidating the key
//! (delete, clear, version bump) cancels the flight: its ticket turns stale and ending it
//! reports [`FlightError::StaleTicket`] without touching the table.
//!
//! Tickets and ids are a slot index plus a per-slot serial that changes whenever the slot is
//! freed, so an old ticket never matches a newer flight in the same slot (until the serial
//! wraps after 2^32 reuses of one slot).

use core::borrow::Borrow;
use core::hash::{BuildHasher, Hash};

use alloc::vec::Vec;
use foldhash::fast::FixedState;
use hashbrown::HashTable;

use crate::error::{FlightError, OutOfMemory};

const NIL: u32 = u32::MAX;

/// Names a pending flight, for callers that joined it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FlightId {
    slot: u32,
    serial: u32,
}

impl FlightId {
    /// The slot the flight's computation holds (in the cache's policy, or its flight table).
    pub const fn slot(self) -> u32 {
        self.slot
    }

    /// The serial that tells this flight from earlier and later ones in the same slot.
    pub const fn serial(self) -> u32 {
        self.serial
    }

    /// The id as one integer, to cross a language boundary.
    pub const fn to_raw(self) -> u64 {
        ((self.serial as u64) << 32) | self.slot as u64
    }

    /// The id back from [`FlightId::to_raw`].
    pub const fn from_raw(raw: u64) -> Self {
        Self {
            slot: raw as u32,
            serial: (raw >> 32) as u32,
        }
    }
}

/// The right, and the duty, to end one flight: pass it to `complete` or `fail` exactly once.
#[derive(Debug, PartialEq, Eq, Hash)]
#[must_use = "a flight stays pending until its ticket is completed or failed"]
pub struct Ticket {
    id: FlightId,
}

impl Ticket {
    /// The ticket of the computation in `slot` with `serial`, as a policy handed them out.
    pub(crate) const fn new(slot: u32, serial: u32) -> Self {
        Self {
            id: FlightId { slot, serial },
        }
    }

    /// The flight this ticket ends.
    pub const fn id(&self) -> FlightId {
        self.id
    }

    /// The ticket as one integer, to cross a language boundary.
    pub const fn to_raw(&self) -> u64 {
        self.id.to_raw()
    }

    /// The ticket of the flight in `slot` with `serial` (as [`FlightId::slot`] and
    /// [`FlightId::serial`] report them), for bindings that pass the two separately. A forged
    /// pair is harmless, as with [`Ticket::from_raw`].
    pub const fn from_parts(slot: u32, serial: u32) -> Self {
        Self::new(slot, serial)
    }

    /// A ticket back from [`Ticket::to_raw`]. A forged or reused value is harmless: ending
    /// it reports [`FlightError::StaleTicket`].
    pub const fn from_raw(raw: u64) -> Self {
        Self {
            id: FlightId::from_raw(raw),
        }
    }
}

struct Slot<K> {
    /// `None` marks a free slot.
    key: Option<K>,
    hash: u64,
    serial: u32,
    waiters: u32,
    next_free: u32,
}

/// Pending flights by key. O(1) start, join, end and cancel.
pub struct FlightTable<K> {
    slots: Vec<Slot<K>>,
    index: HashTable<u32>,
    hasher: FixedState,
    free: u32,
    len: usize,
}

impl<K: Hash + Eq> FlightTable<K> {
    /// An empty table hashing keys with `hash_seed`.
    pub fn new(hash_seed: u64) -> Self {
        Self {
            slots: Vec::new(),
            index: HashTable::new(),
            hasher: FixedState::with_seed(hash_seed),
            free: NIL,
            len: 0,
        }
    }

    /// Makes room for one more flight now, so that the next `start` allocates only its key.
    pub fn try_reserve(&mut self) -> Result<(), OutOfMemory> {
        if self.free == NIL {
            self.slots.try_reserve(1).map_err(|_| OutOfMemory)?;
        }
        let slots = &self.slots;
        self.index
            .try_reserve(1, |&slot| slots[slot as usize].hash)
            .map_err(|_| OutOfMemory)
    }

    /// The pending flight for `key`, if any.
    pub fn find<Q>(&self, key: &Q) -> Option<FlightId>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let slot = self.find_slot(key)?;
        Some(FlightId {
            slot,
            serial: self.slots[slot as usize].serial,
        })
    }

    /// Joins the pending flight for `key`, if any, counting one more waiter.
    pub fn join<Q>(&mut self, key: &Q) -> Option<FlightId>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let slot = self.find_slot(key)?;
        let entry = &mut self.slots[slot as usize];
        entry.waiters = entry.waiters.saturating_add(1);
        Some(FlightId {
            slot,
            serial: entry.serial,
        })
    }

    /// Begins a flight for `key`. If one is already pending, returns its id instead (join it).
    pub fn begin(&mut self, key: K) -> Result<Ticket, FlightId> {
        if let Some(id) = self.find(&key) {
            return Err(id);
        }
        let hash = self.hasher.hash_one(&key);
        let slot = if self.free != NIL {
            let slot = self.free;
            let entry = &mut self.slots[slot as usize];
            self.free = entry.next_free;
            entry.key = Some(key);
            entry.hash = hash;
            entry.waiters = 0;
            entry.next_free = NIL;
            slot
        } else {
            self.slots.push(Slot {
                key: Some(key),
                hash,
                serial: 0,
                waiters: 0,
                next_free: NIL,
            });
            (self.slots.len() - 1) as u32
        };
        let slots = &self.slots;
        self.index
            .insert_unique(hash, slot, |&other| slots[other as usize].hash);
        self.len += 1;
        Ok(Ticket {
            id: FlightId {
                slot,
                serial: self.slots[slot as usize].serial,
            },
        })
    }

    /// Ends the ticket's flight with a value (kept by the caller, e.g. in a shared storage):
    /// returns its key and how many callers joined it.
    pub fn complete(&mut self, ticket: Ticket) -> Result<(K, u32), FlightError> {
        self.end(ticket)
    }

    /// Ends the ticket's flight with a failure: returns its key and how many callers joined it
    /// (they share the failure; the next caller begins anew).
    pub fn fail(&mut self, ticket: Ticket) -> Result<(K, u32), FlightError> {
        self.end(ticket)
    }

    fn end(&mut self, ticket: Ticket) -> Result<(K, u32), FlightError> {
        let FlightId { slot, serial } = ticket.id;
        match self.slots.get(slot as usize) {
            Some(entry) if entry.serial == serial && entry.key.is_some() => {}
            _ => return Err(FlightError::StaleTicket),
        }
        let waiters = self.slots[slot as usize].waiters;
        let key = self.release(slot).ok_or(FlightError::StaleTicket)?;
        Ok((key, waiters))
    }

    /// Cancels the pending flight for `key`, if any: its ticket turns stale.
    /// Returns the cancelled flight's id.
    pub fn cancel<Q>(&mut self, key: &Q) -> Option<FlightId>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let slot = self.find_slot(key)?;
        let id = FlightId {
            slot,
            serial: self.slots[slot as usize].serial,
        };
        self.release(slot);
        Some(id)
    }

    /// Cancels every pending flight (O(pending)).
    pub fn clear(&mut self) {
        for slot in 0..self.slots.len() as u32 {
            if self.slots[slot as usize].key.is_some() {
                self.release(slot);
            }
        }
    }

    /// Pending flights.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no flight is pending.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn find_slot<Q>(&self, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        let slots = &self.slots;
        self.index
            .find(hash, |&slot| match &slots[slot as usize].key {
                Some(stored) => stored.borrow() == key,
                None => false,
            })
            .copied()
    }

    /// Frees an occupied slot and retires its serial.
    fn release(&mut self, slot: u32) -> Option<K> {
        let hash = self.slots[slot as usize].hash;
        if let Ok(found) = self.index.find_entry(hash, |&other| other == slot) {
            found.remove();
        }
        let entry = &mut self.slots[slot as usize];
        let key = entry.key.take()?;
        entry.serial = entry.serial.wrapping_add(1);
        entry.waiters = 0;
        entry.next_free = self.free;
        self.free = slot;
        self.len -= 1;
        Some(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    fn owned(key: &str) -> String {
        String::from(key)
    }

    #[test]
    fn begin_join_complete() {
        let mut flights = FlightTable::new(7);
        let ticket = flights.begin(owned("k")).unwrap();
        let id = ticket.id();
        assert_eq!(flights.join("k"), Some(id));
        assert_eq!(flights.join("k"), Some(id));
        assert_eq!(flights.begin(owned("k")), Err(id));
        assert_eq!(flights.len(), 1);
        assert_eq!(flights.complete(ticket), Ok((owned("k"), 2)));
        assert!(flights.is_empty());
        assert_eq!(flights.join("k"), None);
    }

    #[test]
    fn a_ticket_ends_its_flight_once() {
        let mut flights = FlightTable::new(0);
        let ticket = flights.begin(owned("k")).unwrap();
        let raw = ticket.to_raw();
        flights.complete(ticket).unwrap();
        assert_eq!(
            flights.complete(Ticket::from_raw(raw)),
            Err(FlightError::StaleTicket)
        );
        // The slot is reused by a new flight; the old ticket still cannot end it.
        let fresh = flights.begin(owned("other")).unwrap();
        assert_eq!(fresh.id().slot, 0);
        assert_eq!(
            flights.complete(Ticket::from_raw(raw)),
            Err(FlightError::StaleTicket)
        );
        assert_eq!(flights.len(), 1);
        assert_eq!(flights.complete(fresh), Ok((owned("other"), 0)));
    }

    #[test]
    fn cancel_and_clear_make_tickets_stale() {
        let mut flights = FlightTable::new(0);
        let a = flights.begin(owned("a")).unwrap();
        let b = flights.begin(owned("b")).unwrap();
        assert_eq!(flights.cancel("a"), Some(a.id()));
        assert_eq!(flights.cancel("a"), None);
        assert_eq!(flights.complete(a), Err(FlightError::StaleTicket));
        flights.clear();
        assert_eq!(flights.complete(b), Err(FlightError::StaleTicket));
        assert!(flights.is_empty());
        // Forged tickets are rejected too.
        assert_eq!(
            flights.complete(Ticket::from_raw(u64::MAX)),
            Err(FlightError::StaleTicket)
        );
    }

    #[test]
    fn raw_ids_round_trip() {
        let id = FlightId {
            slot: 0xdead,
            serial: 0xbeef,
        };
        assert_eq!(FlightId::from_raw(id.to_raw()), id);
    }
}
