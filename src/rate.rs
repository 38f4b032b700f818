//! The rate limit: a runaway loop on a page cannot flood the collector. A token bucket holds
//! [`BURST`] events and refills at [`RATE_PER_S`] events per second. An event sent while it is
//! empty is dropped (`rate_limited`), counted, and the count goes in the next batch (`limited`).
//! The burst is twice the outbox's capacity ([`crate::outbox::MAX_EVENTS`]), so that a page's
//! legitimate burst of 1,000 fits beside its other events; the steady rate is far above what a
//! person clicking produces (custom data events also count once per session).
//! Only events that would be sent take a token: a repeat or an invalid call costs nothing.

/// Events that may be sent at once.
pub const BURST: u64 = 2000;
/// Events per second once the burst is spent.
pub const RATE_PER_S: u64 = 10;

/// Thousandths of an event, so that the refill is exact in integers.
const ONE: u64 = 1000;

/// A token bucket over the clock the caller passes (ms).
#[derive(Debug)]
pub struct Limiter {
    level: u64,
    at: u64,
}

impl Default for Limiter {
    fn default() -> Self {
        Limiter {
            level: BURST * ONE,
            at: 0,
        }
    }
}

impl Limiter {
    /// The bucket's level (thousandths of an event) and the time it was last filled, for a
    /// hand-over (`crate::light`).
    pub fn state(&self) -> (u64, u64) {
        (self.level, self.at)
    }

    /// A bucket continued from [`Limiter::state`] (the level capped at the burst).
    pub fn resume(level: u64, at: u64) -> Self {
        Limiter {
            level: level.min(BURST * ONE),
            at,
        }
    }

    /// Takes one event's token at `now`; `false` when the bucket is empty. A clock that goes
    /// back refills nothing.
    pub fn take(&mut self, now: u64) -> bool {
        let elapsed = now.saturating_sub(self.at);
        self.at = self.at.max(now);
        self.level = self
            .level
            .saturating_add(elapsed.saturating_mul(RATE_PER_S))
            .min(BURST * ONE);
        if self.level < ONE {
            return false;
        }
        self.level -= ONE;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_732_456_789_012;

    #[test]
    fn a_burst_then_the_steady_rate() {
        let mut l = Limiter::default();
        assert_eq!((0..BURST).filter(|_| l.take(NOW)).count() as u64, BURST);
        assert!(!l.take(NOW), "empty after the burst");
        assert!(
            !l.take(NOW + 99),
            "a tenth of a second refills one event at 10/s: not yet"
        );
        assert!(l.take(NOW + 100));
        assert!(!l.take(NOW + 100));
        // One second: ten more.
        assert_eq!((0..50).filter(|_| l.take(NOW + 1100)).count(), 10);
    }

    #[test]
    fn idle_time_refills_up_to_the_burst_only() {
        let mut l = Limiter::default();
        for _ in 0..BURST {
            l.take(NOW);
        }
        let later = NOW + 3_600_000;
        assert_eq!((0..5000).filter(|_| l.take(later)).count() as u64, BURST);
    }

    #[test]
    fn a_clock_that_goes_back_refills_nothing() {
        let mut l = Limiter::default();
        for _ in 0..BURST {
            l.take(NOW);
        }
        assert!(!l.take(NOW - 10_000));
        assert!(!l.take(NOW + 50), "measured from the latest time seen");
        assert!(l.take(NOW + 100));
    }
}
