//! The Web Lock names the tag uses, and reading the lock snapshot that `claim()` in js/host.js
//! takes (`navigator.locks.query()`: the names held or requested, separated by spaces).
//!
//! - `rtp-tab-<page id>`: held by a page while it has events outstanding (requested before it
//!   writes a record, released when it has none or is left);
//! - `rtp-claim`: held while one page decides which stored events belong to pages that are gone
//!   (`Outbox::adopt`).

/// The prefix of the Web Lock that a page holds while it has events outstanding.
pub const LOCK_PREFIX: &str = "rtp-tab-";

/// The Web Lock under which one page at a time adopts (taken by `claim()` in js/host.js).
pub const CLAIM_LOCK: &str = "rtp-claim";

/// Whether the snapshot `live` names the lock of the page `owner`.
pub fn held_by(live: &str, owner: &str) -> bool {
    // Word by word, by hand: `str::split` brings a formatted panic path into the wasm.
    let mut rest = live;
    loop {
        let end = rest.bytes().position(|b| b == b' ').unwrap_or(rest.len());
        let Some((word, tail)) = rest.split_at_checked(end) else {
            return false;
        };
        if word.strip_prefix(LOCK_PREFIX) == Some(owner) {
            return true;
        }
        match tail.get(1..) {
            Some(t) => rest = t,
            None => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_live_when_its_lock_is_held_or_requested() {
        assert!(held_by("rtp-claim rtp-tab-aa rtp-tab-bb", "bb"));
        assert!(held_by("rtp-tab-aa", "aa"));
        assert!(!held_by("rtp-tab-aa", "a"));
        assert!(!held_by("rtp-tab-aab", "aa"));
        assert!(!held_by("", "aa"));
        assert!(!held_by("rtp-claim  rtp-tab-", "aa"));
        assert!(!held_by("aa", "aa"));
    }
}
