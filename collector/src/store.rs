//! What the collector has seen: accepted events (in memory and in the NDJSON log, in arrival
//! order), the ids already accepted (to drop repeats), one record per POST to collect, and
//! counters.

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

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

/// How a valid batch was taken in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admission {
    /// Events stored.
    pub accepted: usize,
    /// Events dropped because their id was already accepted (earlier, or earlier in the batch).
    pub duplicates: usize,
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
    fetch_modes: BTreeMap<String, u64>,
}

/// The collector's memory and its NDJSON log.
#[derive(Debug)]
pub struct Store {
    events: Vec<Value>,
    ids: HashSet<String>,
    attempts: Vec<Attempt>,
    stats: Stats,
    log: File,
    log_path: PathBuf,
}

impl Store {
    /// Creates the log's directory and truncates the log: each run starts empty.
    pub fn open(log_path: &Path) -> io::Result<Store> {
        if let Some(dir) = log_path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir)?;
        }
        let log = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(log_path)?;
        Ok(Store {
            events: Vec::new(),
            ids: HashSet::new(),
            attempts: Vec::new(),
            stats: Stats::default(),
            log,
            log_path: log_path.to_path_buf(),
        })
    }

    /// Where accepted events are logged.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// Takes in a valid batch: each event whose id was not accepted before is stamped with
    /// `received` and appended, to memory and to the log, in batch order. The log is written
    /// first, so a failed write stores nothing (memory and log never disagree).
    pub fn admit(&mut self, batch: &Value, received: u64) -> io::Result<Admission> {
        let events = batch
            .get("events")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut fresh: Vec<(String, Value)> = Vec::new();
        let mut duplicates = 0;
        for event in events {
            let id = event.get("id").and_then(Value::as_str).unwrap_or_default();
            if self.ids.contains(id) || fresh.iter().any(|(seen, _)| seen == id) {
                duplicates += 1;
                continue;
            }
            let mut stamped = event.clone();
            if let Some(obj) = stamped.as_object_mut() {
                obj.insert("received".to_string(), json!(received));
            }
            fresh.push((id.to_string(), stamped));
        }

        let mut lines = Vec::new();
        for (_, event) in &fresh {
            serde_json::to_writer(&mut lines, event)?;
            lines.push(b'\n');
        }
        self.log.write_all(&lines)?;

        let accepted = fresh.len();
        for (id, event) in fresh {
            self.ids.insert(id);
            self.events.push(event);
        }
        self.stats.accepted += accepted as u64;
        self.stats.duplicates += duplicates as u64;
        self.stats.evicted += batch.get("evicted").and_then(Value::as_u64).unwrap_or(0);
        self.stats.limited += batch.get("limited").and_then(Value::as_u64).unwrap_or(0);
        Ok(Admission {
            accepted,
            duplicates,
        })
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
            (Some(name), _) if name != crate::faults::ACK_LOST => self.stats.faulted += 1,
            (_, 400) => self.stats.rejected += 1,
            (_, 413) => self.stats.too_large += 1,
            _ => {}
        }
        self.attempts.push(attempt);
    }

    /// Accepted events from index `since` on, optionally of one session only.
    pub fn events(&self, since: usize, session: Option<&str>) -> Vec<&Value> {
        self.events
            .iter()
            .skip(since)
            .filter(|e| {
                session.map_or(true, |s| {
                    e.get("session").and_then(Value::as_str) == Some(s)
                })
            })
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
            "events": self.events.len(),
            "beacons_or_fetches": s.fetch_modes,
        })
    }

    /// Forgets everything and empties the log.
    pub fn reset(&mut self) -> io::Result<()> {
        self.events.clear();
        self.ids.clear();
        self.attempts.clear();
        self.stats = Stats::default();
        self.log.set_len(0)?;
        self.log.seek(SeekFrom::Start(0))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_log(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("rtp-collector-store-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir.join("data").join("events.ndjson")
    }

    fn batch(ids: &[&str]) -> Value {
        let events: Vec<Value> = ids
            .iter()
            .map(|id| json!({ "id": id, "session": "s" }))
            .collect();
        json!({ "v": 1, "sent": 0, "events": events })
    }

    #[test]
    fn reported_evictions_are_summed_in_the_stats() {
        let path = temp_log("evicted");
        let mut store = Store::open(&path).unwrap();
        let mut b = batch(&["a"]);
        b["evicted"] = json!(7);
        store.admit(&b, 1).unwrap();
        store.admit(&batch(&["b"]), 2).unwrap();
        b["evicted"] = json!(3);
        b["events"] = json!([{ "id": "c", "session": "s" }]);
        store.admit(&b, 3).unwrap();
        assert_eq!(store.stats_json()["evicted"], json!(10));
    }

    #[test]
    fn repeats_are_dropped_whether_from_an_earlier_batch_or_the_same_one() {
        let path = temp_log("repeats");
        let mut store = Store::open(&path).unwrap();
        assert_eq!(
            store.admit(&batch(&["a", "b"]), 1).unwrap(),
            Admission {
                accepted: 2,
                duplicates: 0
            }
        );
        assert_eq!(
            store.admit(&batch(&["b", "c", "c"]), 2).unwrap(),
            Admission {
                accepted: 1,
                duplicates: 2
            }
        );
        let ids: Vec<&str> = store
            .events(0, None)
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["a", "b", "c"]);

        let log = fs::read_to_string(&path).unwrap();
        assert_eq!(log.lines().count(), 3);
        assert_eq!(
            log.lines().next().unwrap(),
            r#"{"id":"a","session":"s","received":1}"#
        );
        fs::remove_dir_all(path.parent().unwrap().parent().unwrap()).unwrap();
    }

    #[test]
    fn reset_forgets_ids_and_empties_the_log() {
        let path = temp_log("reset");
        let mut store = Store::open(&path).unwrap();
        store.admit(&batch(&["a"]), 1).unwrap();
        store.reset().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "");
        assert_eq!(store.admit(&batch(&["a"]), 2).unwrap().accepted, 1);
        assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), 1);
        fs::remove_dir_all(path.parent().unwrap().parent().unwrap()).unwrap();
    }

    #[test]
    fn events_since_and_session_filter_by_index_then_session() {
        let path = temp_log("filter");
        let mut store = Store::open(&path).unwrap();
        let b = json!({ "v": 1, "sent": 0, "events": [
            { "id": "1", "session": "x" }, { "id": "2", "session": "y" }, { "id": "3", "session": "x" }
        ]});
        store.admit(&b, 0).unwrap();
        assert_eq!(store.events(1, None).len(), 2);
        assert_eq!(store.events(0, Some("x")).len(), 2);
        assert_eq!(store.events(1, Some("x"))[0]["id"], "3");
        assert!(store.events(9, None).is_empty());
        fs::remove_dir_all(path.parent().unwrap().parent().unwrap()).unwrap();
    }
}
