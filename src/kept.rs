//! The calls the inline snippet kept for the next page: when a page is left before its tag
//! loaded, the snippet stores its queued calls (`JSON.stringify` of their `arguments`, each with
//! its time `t` and page URL `u`; the newest 99) under [`QUEUE_PREFIX`] in localStorage. The
//! next page's tag takes them under the claim lock ([`take`]) and replays the ones
//! [`replayable`] keeps, as calls of its own snippet.

use crate::retry::MAX_AGE_MS;
use crate::store::Store;
use alloc::string::String;
use alloc::vec::Vec;

/// Where the snippet leaves the calls it queued when the page was left before the tag loaded:
/// one key, a JSON array of the calls (the newest 99), read and removed under the claim lock.
pub const QUEUE_PREFIX: &str = "rtp:q";

/// Takes the kept queues out of the journal (JSON text each): whatever happens next, they are
/// replayed once, by this page.
pub fn take(journal: &mut impl Store) -> Vec<String> {
    let mut queues = Vec::new();
    for key in journal.keys(QUEUE_PREFIX) {
        if let Some(v) = journal.get(&key) {
            queues.push(v);
        }
        journal.remove(&key);
    }
    queues
}

/// What becomes of one kept call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replay {
    /// Replayed, with its own time and URL.
    Send,
    /// Dropped: older than the age cap (or its time is unreadable), as a stored event would be.
    TooOld,
    /// Dropped quietly: not a send. A `set` of an earlier page must not change this page's
    /// endpoint or account.
    NotASend,
}

/// Whether a kept call (its action, and its time `t`) is replayed at `now`.
pub fn replayable(action: Option<&str>, time: Option<u64>, now: u64) -> Replay {
    match time {
        Some(t) if now.saturating_sub(t) <= MAX_AGE_MS => {}
        _ => return Replay::TooOld,
    }
    if action == Some("send") {
        Replay::Send
    } else {
        Replay::NotASend
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    #[test]
    fn kept_queues_are_taken_once() {
        let mut j = MemoryStore::default();
        j.set("rtp:q", "[1]");
        j.set("rtp:o:x", "record");
        assert_eq!(take(&mut j), ["[1]"]);
        assert!(take(&mut j).is_empty());
        assert_eq!(j.get("rtp:o:x").as_deref(), Some("record"));
    }

    #[test]
    fn only_recent_sends_are_replayed() {
        let now = 10 * MAX_AGE_MS;
        assert_eq!(replayable(Some("send"), Some(now - 5), now), Replay::Send);
        assert_eq!(
            replayable(Some("send"), Some(now - MAX_AGE_MS - 1), now),
            Replay::TooOld
        );
        assert_eq!(replayable(Some("send"), None, now), Replay::TooOld);
        assert_eq!(replayable(Some("set"), Some(now), now), Replay::NotASend);
        assert_eq!(replayable(None, Some(now), now), Replay::NotASend);
    }
}
