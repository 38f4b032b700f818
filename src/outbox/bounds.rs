//! Bounds: at most so many events and bytes per page (the oldest queued evicted past them),
//! and the counts of evicted and rate-limited events that a batch reports.

use super::Outbox;
use crate::record::{decode_evicted, encode_evicted, EVICTED_KEY};
use crate::store::Store;

/// At most this many events per page: 1,000, so that a burst of 1,000 distinct events in one
/// task is delivered whole (the benchmark sends one).
pub const MAX_EVENTS: usize = 1_000;

/// At most this many bytes per page, counting each record's key, header and event: 768 KiB,
/// enough for [`MAX_EVENTS`] events of four 200-character values. localStorage gives an
/// origin about 5 MiB (5 million UTF-16 code units in Chromium and Firefox; records are
/// almost all ASCII, one unit per byte), and that space belongs to the site: one page's outbox
/// takes at most about 15 % of it, and only while the collector cannot be reached.
pub const MAX_BYTES: usize = 768 * 1024;

impl<J: Store> Outbox<J> {
    /// Evicts the oldest queued events until the bounds hold (never the newest).
    pub(super) fn bound(&mut self) {
        let mut n = 0;
        let (others, other_bytes) = self.others;
        while self.queued.len() > 1
            && (self.queued.len() + self.in_flight_events() + others > MAX_EVENTS
                || self.bytes + other_bytes > MAX_BYTES)
        {
            let item = self.queued.remove(0);
            self.forget(core::slice::from_ref(&item));
            n += 1;
        }
        self.add_evicted(n);
    }

    /// Adds `n` to the stored eviction counter (shared by the site's pages), or to this page's
    /// own when storage fails.
    pub fn add_evicted(&mut self, n: u64) {
        if n == 0 {
            return;
        }
        let stored = self
            .journal
            .get(EVICTED_KEY)
            .and_then(|v| decode_evicted(&v).ok())
            .unwrap_or(0);
        if !self
            .journal
            .set(EVICTED_KEY, &encode_evicted(stored.saturating_add(n)))
        {
            self.evicted = self.evicted.saturating_add(n);
        }
    }

    /// Takes the eviction count out of storage (and this page's own), for one batch to report.
    pub(super) fn take_evicted(&mut self) -> u64 {
        let stored = match self.journal.get(EVICTED_KEY) {
            Some(v) => {
                self.journal.remove(EVICTED_KEY);
                decode_evicted(&v).unwrap_or(0)
            }
            None => 0,
        };
        stored.saturating_add(core::mem::take(&mut self.evicted))
    }

    /// The drop counts a batch carried were not reported (it was not delivered): the eviction
    /// count goes back into storage, the rate-limited count back to this page, for a later
    /// batch to report.
    pub(super) fn unreport(&mut self, evicted: u64, limited: u64) {
        self.add_evicted(evicted);
        self.limited = self.limited.saturating_add(limited);
    }

    /// The rate-limited drops not yet reported, taken (the light module hands them over).
    pub fn take_limited(&mut self) -> u64 {
        core::mem::take(&mut self.limited)
    }

    /// `n` more events dropped by the rate limit (before a hand-over), reported by the next batch.
    pub fn add_limited_n(&mut self, n: u64) {
        self.limited = self.limited.saturating_add(n);
    }

    /// One more event dropped by the rate limit, reported by the next batch.
    pub fn add_limited(&mut self) {
        self.limited = self.limited.saturating_add(1);
    }
}
