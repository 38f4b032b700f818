//! Adoption: taking over the stored records of pages that are gone (closed, navigated away,
//! crashed), under the claim lock, and forgetting on return from the back-forward cache what
//! another page took over meanwhile.

use super::{Item, Outbox};
use crate::locks;
use crate::record::{
    decode_evicted, decode_group, Corrupt, Pause, EVICTED_KEY, KEY_PREFIX, PAUSE_KEY,
};
use crate::store::Store;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

/// A record accepted less than this long (500 ms) before the lock snapshot of an adoption is
/// not adopted by it. `locks.query()` and another page's `locks.request()` are queued on the
/// lock manager independently: a page may request its lock just after the snapshot was taken,
/// then write a record that the adopting page reads. That record is recent; the page that
/// skipped it claims again a moment later (see [`Adoption::recent`]).
pub const RECENT_MS: u64 = 500;

/// While records of other live pages are stored, a page claims again every 5 s. A page just
/// left may hold its lock a moment longer (its release is asynchronous; a fresh-clone CI run saw a
/// page reloaded in Chromium during an outage never adopt its predecessor's events, which this
/// second look fixes), and a tab that closes during an
/// outage leaves its events to the pages still open, which may have nothing of their own to
/// retry. The cost, only while another page has events outstanding: a lock request and a scan
/// of the tag's keys every 5 s.
pub const RECLAIM_MS: u64 = 5_000;

/// Without Web Locks (an insecure context, an old browser) a page cannot tell whether the page
/// that wrote a record is still open. It then adopts records accepted more than this long ago
/// (60 s): a page open that long with events still unsent is in an outage, and sending them
/// from two pages costs a repeat that the collector drops by id, not a loss.
pub const STALE_MS: u64 = 60_000;

/// What [`Outbox::adopt`] found in the journal.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Adoption {
    /// Events of pages that are gone, now sent from this page.
    pub adopted: usize,
    /// Records (and state) discarded as corrupt, each with its reason.
    pub corrupt: Vec<Corrupt>,
    /// Records of pages that are gone, too old to send.
    pub too_old: usize,
    /// Records of pages without a lock were skipped as too recent ([`RECENT_MS`]): claim again
    /// in a moment.
    pub recent: bool,
    /// Records left to pages that hold their lock: claim again later ([`RECLAIM_MS`]).
    pub waiting: usize,
}

impl<J: Store> Outbox<J> {
    /// Adopts the records of pages that are gone, and takes the queues the snippet left.
    /// `live` lists the Web Locks held or requested (names separated by spaces), or is `None`
    /// without Web Locks (then records older than [`STALE_MS`] are taken as abandoned). Also
    /// reloads the pause and the eviction counter, which other pages may have changed.
    /// `since` is when the lock snapshot was asked for: records of pages without a lock that
    /// were accepted less than [`RECENT_MS`] before it are left for a later adoption.
    pub fn adopt(&mut self, live: Option<&str>, since: u64, now: u64) -> Adoption {
        self.adopt_from(live, since, now, None)
    }

    /// [`Outbox::adopt`], or (`from`) only the records of that page, at once, whatever its
    /// lock and their age: the light module of this very page, which has handed the page over
    /// ([`crate::light`]) and holds its lock until they are taken.
    pub fn adopt_from(
        &mut self,
        live: Option<&str>,
        since: u64,
        now: u64,
        from: Option<&str>,
    ) -> Adoption {
        let mut a = Adoption::default();
        self.pause = match self.journal.get(PAUSE_KEY).map(|v| Pause::decode(&v)) {
            Some(Ok(p)) => p,
            Some(Err(c)) => {
                a.corrupt.push(c);
                self.journal.remove(PAUSE_KEY);
                Pause {
                    until: 0,
                    failures: 0,
                }
            }
            None => Pause {
                until: 0,
                failures: 0,
            },
        };
        if let Some(Err(c)) = self.journal.get(EVICTED_KEY).map(|v| decode_evicted(&v)) {
            a.corrupt.push(c);
            self.journal.remove(EVICTED_KEY);
        }
        let mut adopted = Vec::new();
        let mut taken = Vec::new();
        let mut others = (0, 0);
        for key in self.journal.keys(KEY_PREFIX) {
            if key == EVICTED_KEY || key == PAUSE_KEY {
                continue;
            }
            let Some(value) = self.journal.get(&key) else {
                continue;
            };
            let records = match decode_group(&key, &value) {
                Ok(r) => r,
                Err(c) => {
                    self.journal.remove(&key);
                    a.corrupt.push(c);
                    continue;
                }
            };
            let Some(owner) = records.first().map(|r| r.owner) else {
                continue;
            };
            if owner == self.owner {
                continue; // its own
            }
            let newest = records.iter().map(|r| r.created).max().unwrap_or(0);
            if let Some(from) = from {
                if owner != from {
                    continue;
                }
            } else if alive(live, owner, newest, now) {
                others = (others.0 + records.len(), others.1 + key.len() + value.len());
                continue;
            } else if live.is_some() && newest.saturating_add(RECENT_MS) > since {
                a.recent = true;
                continue;
            }
            let key: Rc<str> = Rc::from(key);
            for r in &records {
                // An event it still holds under another owner's record (in flight when the page
                // was in the back-forward cache and another page took the record over): it now
                // belongs to this group, stored again below as this page's.
                if self.hold(r.id, &key) {
                    continue;
                }
                if self.backoff.expired(r.created, now) {
                    a.too_old += 1;
                    continue;
                }
                adopted.push(Item {
                    created: r.created,
                    attempts: r.attempts,
                    group: None,
                    written: false,
                    event: String::from(r.event),
                });
            }
            // Taken over: the group is written again as this page's (below, by persist), and
            // rewritten now for whatever of it this page holds ([`Outbox::hold`]), or removed.
            // Under the claim lock, so no other page reads it meanwhile.
            self.journal.remove(&key);
            taken.push(key);
        }
        for key in taken {
            self.sync(&key, true);
        }
        a.adopted = adopted.len();
        if from.is_none() {
            a.waiting = others.0;
            self.others = others;
        }
        // Oldest first. An insertion sort: a few records, and no sort machinery in the wasm.
        for i in 1..adopted.len() {
            let mut j = i;
            while j > 0 && adopted[j - 1].created > adopted[j].created {
                adopted.swap(j - 1, j);
                j -= 1;
            }
        }
        self.bytes += adopted.iter().map(Item::cost).sum::<usize>();
        self.unwritten |= !adopted.is_empty();
        self.requeue(adopted);
        self.bound();
        // The adopted events are stored as this page's, before anything else can happen: a
        // record that cannot be written leaves the event in memory, sent by this page only.
        self.persist();
        a
    }

    /// The page came back from the back-forward cache. While it was away its lock was
    /// released, so another page may have adopted (and sent) its queued events: those whose
    /// record no longer names this page are forgotten here. Returns [`Outbox::is_settled`].
    pub fn resync(&mut self) -> bool {
        let mut keep = Vec::with_capacity(self.queued.len());
        for item in core::mem::take(&mut self.queued) {
            if item.group.is_none() || self.owns(&item) {
                keep.push(item);
            } else {
                self.bytes = self.bytes.saturating_sub(item.cost());
            }
        }
        self.queued = keep;
        self.is_settled()
    }

    /// Whether event `id` is queued or in flight here. If so, its record is taken to be in the
    /// group `key` (being taken over): the group it pointed to is rewritten without it.
    pub(super) fn hold(&mut self, id: &str, key: &Rc<str>) -> bool {
        let Some(item) = self
            .queued
            .iter_mut()
            .chain(self.in_flight.iter_mut().flat_map(|f| f.items.iter_mut()))
            .find(|i| i.id() == id)
        else {
            return false;
        };
        if let Some(old) = item.group.replace(key.clone()).filter(|old| old != key) {
            self.mark_key(old);
        }
        true
    }
}

/// Whether the page `owner` that wrote a record accepted at `created` may still be open: its
/// lock is in the snapshot `live`, or, without Web Locks, the record is recent.
fn alive(live: Option<&str>, owner: &str, created: u64, now: u64) -> bool {
    match live {
        Some(names) => locks::held_by(names, owner),
        None => now.saturating_sub(created) < STALE_MS,
    }
}
