//! The session ledger: which custom-data events this visitor session has already sent,
//! and the session id. Custom data events count once per session (as in the RTP product);
//! the ledger is what makes a repeat a no-op.
//!
//! One key per event (`rtp:e:<fingerprint>`), so a check is one read and a new event one
//! write, whatever the number of events in the session (no list re-serialised on each call).
//! The writes wait for [`Ledger::persist`] (the end of the task, with the outbox's records):
//! until then the ledger answers from the fingerprints it holds.

use alloc::string::String;
use alloc::vec::Vec;
use crate::id::{is_uuid_v4, uuid_v4};
use crate::json::hex_digit;
use crate::store::Store;
use crate::values::Values;

/// Where the session id lives.
pub const SESSION_KEY: &str = "rtp:sid";
/// The prefix of an event's ledger entry.
pub const EVENT_KEY_PREFIX: &str = "rtp:e:";

/// The ledger over a [`Store`] (in the browser: `sessionStorage`, which lives as long as the
/// tab's session and survives reloads and same-tab navigation within the site).
pub struct Ledger<S: Store> {
    store: S,
    /// Fingerprints recorded and not yet written.
    pending: Vec<u64>,
}

impl<S: Store> Ledger<S> {
    /// A ledger over `store`.
    pub fn new(store: S) -> Self {
        Ledger { store, pending: Vec::new() }
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
        if self.pending.contains(&fingerprint) || self.store.get(&event_key(fingerprint)).is_some() {
            return None;
        }
        Some(fingerprint)
    }

    /// Records a fingerprint from [`Ledger::check`]: these values were sent in this session.
    /// Written by the next [`Ledger::persist`].
    pub fn record(&mut self, fingerprint: u64) {
        self.pending.push(fingerprint);
    }

    /// Writes what was recorded since the last call.
    pub fn persist(&mut self) {
        for fingerprint in core::mem::take(&mut self.pending) {
            self.store.set(&event_key(fingerprint), "1");
        }
    }

    /// The underlying store.
    pub fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }
}

fn event_key(fingerprint: u64) -> String {
    let mut key = String::with_capacity(EVENT_KEY_PREFIX.len() + 16);
    key.push_str(EVENT_KEY_PREFIX);
    for shift in (0..16).rev() {
        key.push(hex_digit(((fingerprint >> (shift * 4)) & 0xf) as u8));
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use crate::values::{validate, Field, RawValues};

    fn values(xs: &[&str]) -> Values {
        validate(RawValues::Fields(xs.iter().map(|s| Field::Text((*s).into())).collect())).unwrap()
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
    }

    #[test]
    fn records_are_written_by_persist_and_answered_from_memory_until_then() {
        let mut l = Ledger::new(MemoryStore::default());
        let one = values(&["MyEvent"]);
        let key = l.check(&one).unwrap();
        l.record(key);
        assert!(l.store_mut().keys(EVENT_KEY_PREFIX).is_empty(), "not written before persist()");
        assert_eq!(l.check(&one), None, "a repeat before persist() is a repeat");
        l.persist();
        assert_eq!(l.store_mut().keys(EVENT_KEY_PREFIX), [event_key(key)]);
        assert_eq!(l.check(&one), None);
        l.persist();
        assert_eq!(l.store_mut().keys(EVENT_KEY_PREFIX).len(), 1, "written once");
        // Another ledger over the same session store (the next page of the tab) sees it.
        let store = core::mem::take(l.store_mut());
        assert_eq!(Ledger::new(store).check(&one), None);
    }

    #[test]
    fn a_new_session_store_forgets_what_was_sent() {
        let mut l = Ledger::new(MemoryStore::default());
        let key = l.check(&values(&["MyEvent"])).unwrap();
        l.record(key);
        l.persist();
        assert_eq!(l.check(&values(&["MyEvent"])), None);
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
    fn event_keys_are_fixed_width_hex() {
        assert_eq!(event_key(0x1f), "rtp:e:000000000000001f");
        assert_eq!(event_key(u64::MAX), "rtp:e:ffffffffffffffff");
    }
}
