//! What a development collector has seen, in memory, for the demo's live view and the tests'
//! assertions: accepted events in arrival order, one record per POST to collect, and counters.
//! The events themselves are stored by the sink (the file sink in `make demo` and the tests);
//! this is a view of what the sink took as new, and grows without bound: development only.

use std::collections::BTreeMap;

use serde_json::{json, Value};

/// One POST to collect, as `/requests` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// When the request was handled, ms since the epoch.
    pub t: u64,
    /// The status answered; 0 when no answer was sent (hang and close faults).
    pub status: u16,
    /// The event ids found in the body, when it was parseable.
    pub ids: Vec<String>,
    /// The body length in bytes (the declared length when too large to read).
    pub bytes: u64,
    /// The fault applied, by mode name.
    pub fault: Option<&'static str>,
    /// The `Sec-Fetch-Mode` request header: `no-cors` for `sendBeacon` with a text/plain
    /// body, `cors` for `fetch` (Fetch spec, "beacon" and request mode). Absent in old
    /// browsers and in test clients.
    pub fetch_mode: Option<String>,
    /// The request carried a `Cookie` header (the tag sends no credentials: always false).
    pub cookie: bool,
}

#[derive(Debug, Default)]
struct Stats {
    requests: u64,
    accepted: u64,
    duplicates: u64,
    rejected: u64,
    faulted: u64,
    too_large: u64,
    /// CORS preflights (OPTIONS) received: the tag's requests are CORS-simple, so this stays 0.
    preflights: u64,
    /// The sum of the `evicted` counts of accepted batches: events tags dropped from a full
    /// outbox, as they reported them.
    evicted: u64,
    /// The sum of the `limited` counts: sends tags dropped past their rate limit.
    limited: u64,
    /// Batches the sink could not store (answered 503).
    unstored: u64,
    fetch_modes: BTreeMap<String, u64>,
}

/// The development collector's memory.
#[derive(Debug, Default)]
pub struct Store {
    events: Vec<Value>,
    attempts: Vec<Attempt>,
    stats: Stats,
}

/// What the sink made of a valid batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admission {
    /// Events stored as new.
    pub accepted: usize,
    /// Events dropped as repeats (of a stored id, or of one earlier in the batch).
    pub duplicates: usize,
    /// The batch's `evicted` count.
    pub evicted: u64,
    /// The batch's `limited` count.
    pub limited: u64,
}

impl Store {
    /// Takes in the events a sink stored as new (in batch order) and counts the batch.
    pub fn admit(&mut self, fresh: impl IntoIterator<Item = Value>, admission: Admission) {
        self.events.extend(fresh);
        self.stats.accepted += admission.accepted as u64;
        self.stats.duplicates += admission.duplicates as u64;
        self.stats.evicted += admission.evicted;
        self.stats.limited += admission.limited;
    }

    /// Records one POST to collect and counts it: a fault (other than `ack_lost`, which
    /// answers normally) counts as faulted, otherwise 400 as rejected and 413 as too large.
    pub fn record(&mut self, attempt: Attempt) {
        self.stats.requests += 1;
        let mode = attempt
            .fetch_mode
            .clone()
            .unwrap_or_else(|| "unknown".to_string());
        *self.stats.fetch_modes.entry(mode).or_default() += 1;
        match (attempt.fault, attempt.status) {
            (Some(name), _) if name != super::faults::ACK_LOST => self.stats.faulted += 1,
            (_, 400) => self.stats.rejected += 1,
            (_, 413) => self.stats.too_large += 1,
            (_, 503) => self.stats.unstored += 1,
            _ => {}
        }
        self.attempts.push(attempt);
    }

    /// Accepted events from index `since` on, optionally of one session only.
    pub fn events(&self, since: usize, session: Option<&str>) -> Vec<&Value> {
        self.events
            .iter()
            .skip(since)
            .filter(|e| session.is_none_or(|s| e.get("session").and_then(Value::as_str) == Some(s)))
            .collect()
    }

    /// How many events have been accepted (the next `since` for a poller).
    pub fn event_count(&self) -> usize {
        self.events.len()
    }

    /// `/requests`: one object per POST to collect, in arrival order.
    pub fn attempts_json(&self) -> Value {
        Value::Array(
            self.attempts
                .iter()
                .map(|a| {
                    json!({
                        "t": a.t, "status": a.status, "ids": a.ids, "bytes": a.bytes,
                        "fault": a.fault, "fetch_mode": a.fetch_mode, "cookie": a.cookie,
                    })
                })
                .collect(),
        )
    }

    /// Counts a CORS preflight (an OPTIONS request).
    pub fn count_preflight(&mut self) {
        self.stats.preflights += 1;
    }

    /// `/stats`: the counters.
    pub fn stats_json(&self) -> Value {
        let s = &self.stats;
        json!({
            "requests": s.requests,
            "accepted": s.accepted,
            "duplicates": s.duplicates,
            "rejected": s.rejected,
            "faulted": s.faulted,
            "too_large": s.too_large,
            "preflights": s.preflights,
            "evicted": s.evicted,
            "limited": s.limited,
            "unstored": s.unstored,
            "events": self.events.len(),
            "beacons_or_fetches": s.fetch_modes,
        })
    }

    /// Forgets everything.
    pub fn reset(&mut self) {
        *self = Store::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admission(accepted: usize, evicted: u64) -> Admission {
        Admission {
            accepted,
            duplicates: 0,
            evicted,
            limited: 0,
        }
    }

    #[test]
    fn reported_evictions_are_summed_in_the_stats() {
        let mut store = Store::default();
        store.admit([json!({ "id": "a" })], admission(1, 7));
        store.admit([json!({ "id": "b" })], admission(1, 3));
        assert_eq!(store.stats_json()["evicted"], json!(10));
        assert_eq!(store.stats_json()["accepted"], json!(2));
    }

    #[test]
    fn events_since_and_session_filter_by_index_then_session() {
        let mut store = Store::default();
        let events = [
            json!({ "id": "1", "session": "x" }),
            json!({ "id": "2", "session": "y" }),
            json!({ "id": "3", "session": "x" }),
        ];
        store.admit(events, admission(3, 0));
        assert_eq!(store.events(1, None).len(), 2);
        assert_eq!(store.events(0, Some("x")).len(), 2);
        assert_eq!(store.events(1, Some("x"))[0]["id"], "3");
        assert!(store.events(9, None).is_empty());
        store.reset();
        assert_eq!(store.event_count(), 0);
    }
}
