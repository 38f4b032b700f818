//! The session ledger: which custom-data events this visitor session has already sent,
//! and the session id. Custom data events count once per session (as in the RTP product);
//! the ledger is what makes a repeat a no-op.
//!
//! - **Checks are answered from memory.** The fingerprints of the session's events are read
//!   from the store once, then kept sorted in memory: a check is a binary search, not a storage
//!   read per call. The store stays the truth: when its number of keys is not what this ledger
//!   last saw (another document of the tab, such as a same-origin frame with the tag, wrote an
//!   entry; the page cleared the storage), the fingerprints are read again before answering.
//! - **Writes are one key per task.** The fingerprints recorded during a task are written by
//!   [`Ledger::persist`] (the end of the task, with the outbox's records) as one entry,
//!   `rtp:e:<page id>.<n>`, whose value is their 16-digit hex forms end to end. A burst of
//!   1,000 events is one `setItem`, not 1,000 (measured: 8 to 29 ms per 1,000 `setItem`s in
//!   Chromium).

use crate::id::{is_uuid_v4, uuid_v4};
use crate::json::{push_hex_u64, push_u64};
use crate::store::Store;
use crate::values::Values;
use alloc::string::String;
use alloc::vec::Vec;

/// Where the session id lives.
pub const SESSION_KEY: &str = "rtp:sid";
/// The prefix of the ledger's entries.
pub const EVENT_KEY_PREFIX: &str = "rtp:e:";

/// The ledger over a [`Store`] (in the browser: `sessionStorage`, which lives as long as the
/// tab's session and survives reloads and same-tab navigation within the site).
pub struct Ledger<S: Store> {
    store: S,
    /// The fingerprints of the events sent in this session, sorted: those read from the store
    /// and those recorded here.
    seen: Vec<u64>,
    /// Fingerprints recorded and not yet written.
    pending: Vec<u64>,
    /// The store's key count when this ledger last read or wrote it; `None`: read it again.
    known: Option<usize>,
    /// Entries this page wrote: the next entry's number.
    entries: u64,
}

impl<S: Store> Ledger<S> {
    /// A ledger over `store`. Nothing is read until the first check.
    pub fn new(store: S) -> Self {
        Ledger {
            store,
            seen: Vec::new(),
            pending: Vec::new(),
            known: None,
            entries: 0,
        }
    }

    /// The session id stored, or a new one made from `random` and stored. A stored value that is
    /// not a v4 UUID (the page wrote it) is replaced.
    pub fn session_id(&mut self, random: [u8; 16]) -> String {
        if let Some(id) = self.store.get(SESSION_KEY) {
            if is_uuid_v4(&id) {
                return id;
            }
        }
        let id = uuid_v4(random);
        self.store.set(SESSION_KEY, &id);
        id
    }

    /// `None` when these values were already sent in this session; otherwise the fingerprint
    /// to [`Ledger::record`] once the event is queued (so an event the tag failed to queue is
    /// never marked as sent).
    pub fn check(&mut self, values: &Values) -> Option<u64> {
        let fingerprint = values.fingerprint();
        if self.known != Some(self.store.count()) {
            self.load();
        }
        match self.seen.binary_search(&fingerprint) {
            Ok(_) => None,
            Err(_) => Some(fingerprint),
        }
    }

    /// Records a fingerprint from [`Ledger::check`]: these values were sent in this session.
    /// Written by the next [`Ledger::persist`].
    pub fn record(&mut self, fingerprint: u64) {
        if insert_sorted(&mut self.seen, fingerprint) {
            self.pending.push(fingerprint);
        }
    }

    /// Writes what was recorded since the last call, as one entry named after `page` (this
    /// page's id, so that the pages of a tab never overwrite each other's entries).
    pub fn persist(&mut self, page: &str) {
        if self.pending.is_empty() {
            return;
        }
        // Another document's entry written since the last read is read at the next check.
        let current = self.known == Some(self.store.count());
        let mut key = String::with_capacity(EVENT_KEY_PREFIX.len() + page.len() + 4);
        key.push_str(EVENT_KEY_PREFIX);
        key.push_str(page);
        key.push('.');
        push_u64(&mut key, self.entries);
        self.entries += 1;
        let mut value = String::with_capacity(self.pending.len() * 16);
        for fingerprint in core::mem::take(&mut self.pending) {
            push_hex_u64(&mut value, fingerprint);
        }
        self.store.set(&key, &value);
        self.known = if current {
            Some(self.store.count())
        } else {
            None
        };
    }

    /// Reads every entry of the store: the fingerprints it holds, and those recorded here and
    /// not yet written. What the store lost (the page cleared it) is forgotten.
    fn load(&mut self) {
        let mut seen = Vec::with_capacity(self.seen.len());
        for &fingerprint in &self.pending {
            insert_sorted(&mut seen, fingerprint);
        }
        for key in self.store.keys(EVENT_KEY_PREFIX) {
            if let Some(value) = self.store.get(&key) {
                read_entry(&value, &mut seen);
            }
        }
        self.seen = seen;
        self.known = Some(self.store.count());
    }

    /// The underlying store.
    pub fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }
}

/// Inserts `x` into the sorted `v` unless it is there; whether it was inserted. (No sort
/// machinery in the wasm: entries are read one fingerprint at a time.)
fn insert_sorted(v: &mut Vec<u64>, x: u64) -> bool {
    match v.binary_search(&x) {
        Ok(_) => false,
        Err(i) => {
            // As `v.insert(i, x)`, without its panic path (and its message) in the wasm: each
            // element from `i` on moves one place up.
            let mut carry = x;
            for slot in v.iter_mut().skip(i) {
                carry = core::mem::replace(slot, carry);
            }
            v.push(carry);
            true
        }
    }
}

/// Adds the fingerprints of an entry's value (16 hex digits each) to the sorted `out`; what is
/// not that (the page wrote it) is skipped.
fn read_entry(value: &str, out: &mut Vec<u64>) {
    for chunk in value.as_bytes().chunks(16) {
        let mut n: u64 = 0;
        let mut ok = chunk.len() == 16;
        for &b in chunk {
            let d = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                _ => {
                    ok = false;
                    0
                }
            };
            n = n << 4 | d as u64;
        }
        if ok {
            insert_sorted(out, n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{MemoryStore, SharedStore};
    use crate::values::{validate, Field, RawValues};

    fn values(xs: &[&str]) -> Values {
        validate(RawValues::Fields(
            xs.iter().map(|s| Field::Text((*s).into())).collect(),
        ))
        .unwrap()
    }

    /// Checks `xs` and records it if new; whether it was new.
    fn send(l: &mut Ledger<impl Store>, xs: &[&str]) -> bool {
        match l.check(&values(xs)) {
            Some(f) => {
                l.record(f);
                true
            }
            None => false,
        }
    }

    fn entries(store: &mut impl Store) -> Vec<(String, String)> {
        let keys = store.keys(EVENT_KEY_PREFIX);
        keys.into_iter()
            .map(|k| (k.clone(), store.get(&k).unwrap()))
            .collect()
    }

    #[test]
    fn duplicate_value_in_same_session_is_recorded_once() {
        let mut l = Ledger::new(MemoryStore::default());
        let one = values(&["MyEvent"]);
        let two = values(&["MyEvent", "download - example whitepaper"]);
        let key = l.check(&one).expect("new");
        assert!(l.check(&one).is_some(), "not recorded until record()");
        l.record(key);
        assert_eq!(l.check(&one), None);
        let key = l.check(&two).expect("new");
        l.record(key);
        assert_eq!(l.check(&two), None);
        assert!(
            send(&mut l, &["download - example whitepaper", "MyEvent"]),
            "order matters"
        );
    }

    #[test]
    fn a_task_s_records_are_one_entry_written_by_persist() {
        let mut l = Ledger::new(MemoryStore::default());
        let (a, b) = (values(&["a"]).fingerprint(), values(&["b"]).fingerprint());
        assert!(send(&mut l, &["a"]));
        assert!(send(&mut l, &["b"]));
        assert!(
            entries(l.store_mut()).is_empty(),
            "not written before persist()"
        );
        assert!(
            !send(&mut l, &["a"]),
            "a repeat before persist() is a repeat"
        );
        l.persist("0123456789abcdef");
        let mut hex = String::new();
        for f in [a, b] {
            push_hex_u64(&mut hex, f);
        }
        assert_eq!(
            entries(l.store_mut()),
            [("rtp:e:0123456789abcdef.0".into(), hex)]
        );
        l.persist("0123456789abcdef");
        assert_eq!(
            entries(l.store_mut()).len(),
            1,
            "nothing new, nothing written"
        );
        assert!(send(&mut l, &["c"]));
        l.persist("0123456789abcdef");
        let keys: Vec<String> = entries(l.store_mut()).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            ["rtp:e:0123456789abcdef.0", "rtp:e:0123456789abcdef.1"]
        );
        // The next page of the tab reads them all.
        let store = core::mem::take(l.store_mut());
        let mut next = Ledger::new(store);
        for x in ["a", "b", "c"] {
            assert!(!send(&mut next, &[x]), "{x} was sent by the previous page");
        }
        assert!(send(&mut next, &["d"]));
        next.persist("fedcba9876543210");
        assert_eq!(
            entries(next.store_mut()).len(),
            3,
            "its own entry, beside the previous page's"
        );
    }

    #[test]
    fn an_entry_another_document_writes_is_seen_at_the_next_check() {
        // Two same-origin frames of one tab share sessionStorage.
        let shared = SharedStore::default();
        let (mut top, mut frame) = (Ledger::new(shared.clone()), Ledger::new(shared.clone()));
        assert!(send(&mut top, &["x"]));
        assert!(send(&mut frame, &["y"]));
        top.persist("00000000000000a1");
        assert!(
            !send(&mut frame, &["x"]),
            "the frame reads the top page's entry"
        );
        frame.persist("00000000000000b2");
        assert!(!send(&mut top, &["y"]), "and the top page the frame's");
        assert!(send(&mut top, &["z"]));
    }

    #[test]
    fn a_cleared_store_forgets_what_was_written_but_not_what_is_pending() {
        let shared = SharedStore::default();
        let mut l = Ledger::new(shared.clone());
        assert!(send(&mut l, &["old"]));
        l.persist("00000000000000a1");
        assert!(send(&mut l, &["pending"]));
        for k in shared.clone().keys("") {
            shared.clone().remove(&k);
        }
        assert!(
            send(&mut l, &["old"]),
            "the storage was cleared: a new ledger"
        );
        assert!(
            !send(&mut l, &["pending"]),
            "recorded in this task, not yet written"
        );
        l.persist("00000000000000a1");
        let mut next = Ledger::new(shared);
        assert!(!send(&mut next, &["old"]));
        assert!(!send(&mut next, &["pending"]));
    }

    #[test]
    fn entries_the_page_mangled_are_read_as_far_as_they_are_fingerprints() {
        let mut store = MemoryStore::default();
        let a = values(&["a"]).fingerprint();
        let mut hex = String::new();
        push_hex_u64(&mut hex, a);
        store.set("rtp:e:x", "not hex at all, not at all");
        store.set("rtp:e:y", "1");
        store.set(
            "rtp:e:z",
            &(String::from("ABCDEF0123456789") + &hex + "12345"),
        );
        let mut l = Ledger::new(store);
        assert!(!send(&mut l, &["a"]), "the well-formed fingerprint counts");
        assert!(send(&mut l, &["b"]));
    }

    #[test]
    fn a_new_session_store_forgets_what_was_sent() {
        let mut l = Ledger::new(MemoryStore::default());
        assert!(send(&mut l, &["MyEvent"]));
        l.persist("00000000000000a1");
        assert!(!send(&mut l, &["MyEvent"]));
        let mut fresh = Ledger::new(MemoryStore::default());
        assert!(fresh.check(&values(&["MyEvent"])).is_some());
    }

    #[test]
    fn session_id_is_kept_and_a_tampered_one_replaced() {
        let mut l = Ledger::new(MemoryStore::default());
        let a = l.session_id([1; 16]);
        assert_eq!(l.session_id([2; 16]), a);
        l.store_mut().set(SESSION_KEY, "not-a-uuid");
        let b = l.session_id([3; 16]);
        assert_ne!(b, a);
        assert!(is_uuid_v4(&b));
    }

    #[test]
    fn many_fingerprints_stay_sorted_and_unique() {
        let mut v = Vec::new();
        for x in [5u64, 1, 9, 5, 0, u64::MAX, 1] {
            insert_sorted(&mut v, x);
        }
        assert_eq!(v, [0, 1, 5, 9, u64::MAX]);
    }
}
