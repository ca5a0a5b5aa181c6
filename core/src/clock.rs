//! The time source. cashier never reads the time except through a [`Clock`].

use core::cell::Cell;

/// A source of milliseconds.
///
/// A store counts time from its first reading, so the epoch is arbitrary and any `u64` reading
/// works (wall time, a monotonic counter, a test's counter, a value near `u64::MAX`); deadlines
/// saturate at 2^53 ms (about 285,000 years) after that first reading, and a reading that late or later makes
/// entries with a TTL expire at once. A clock may go backwards: entries then expire later by at
/// most the size of the jump, and nothing is corrupted.
pub trait Clock {
    /// The current time in milliseconds.
    fn now_ms(&self) -> u64;
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now_ms(&self) -> u64 {
        (**self).now_ms()
    }
}

impl<C: Clock + ?Sized> Clock for alloc::rc::Rc<C> {
    fn now_ms(&self) -> u64 {
        (**self).now_ms()
    }
}

impl<C: Clock + ?Sized> Clock for alloc::boxed::Box<C> {
    fn now_ms(&self) -> u64 {
        (**self).now_ms()
    }
}

/// A clock that only moves when told to: for tests, simulations and hosts that supply time.
///
/// Share it with a store through `&ManualClock` or `Rc<ManualClock>` and move it with
/// [`ManualClock::advance`] or [`ManualClock::set`].
#[derive(Debug, Default)]
pub struct ManualClock {
    now: Cell<u64>,
}

impl ManualClock {
    /// A clock reading `start_ms`.
    pub const fn new(start_ms: u64) -> Self {
        Self {
            now: Cell::new(start_ms),
        }
    }

    /// Moves the clock forward by `ms` (saturating at `u64::MAX`).
    pub fn advance(&self, ms: u64) {
        self.now.set(self.now.get().saturating_add(ms));
    }

    /// Sets the reading to `ms`, forwards or backwards.
    pub fn set(&self, ms: u64) {
        self.now.set(ms);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.now.get()
    }
}

/// Wall-clock milliseconds since the Unix epoch (a clock before 1970 reads 0).
#[cfg(feature = "std")]
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

#[cfg(feature = "std")]
impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(10);
        assert_eq!(clock.now_ms(), 10);
        clock.advance(5);
        assert_eq!(clock.now_ms(), 15);
        clock.set(3);
        assert_eq!(Clock::now_ms(&&clock), 3, "through a reference too");
        clock.set(u64::MAX - 1);
        clock.advance(10);
        assert_eq!(clock.now_ms(), u64::MAX);
    }

    #[cfg(feature = "std")]
    #[test]
    fn system_clock_reads_wall_time_after_2020() {
        assert!(SystemClock.now_ms() > 1_577_836_800_000);
    }
}
