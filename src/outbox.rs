//! The outbox: every accepted event until the collector acknowledges it.
//!
//! - **Write-ahead.** [`Outbox::persist`] writes the events [`Outbox::push`] queued to the
//!   journal (`localStorage` in the browser, in the format of [`crate::record`]), at the end of
//!   the task that accepted them and always before they can be sent or left, and the record is
//!   removed only when a 2xx acknowledges its batch ([`Outbox::delivered`]). Records are
//!   written in groups of at most [`GROUP_BYTES`] (one key each), about one batch: a group
//!   whose events leave is rewritten, or removed when none is left ([`Outbox::sync_dirty`]). Memory holds the
//!   same events, so sending never reads storage; the journal is what the next page reads.
//! - **Batches** ([`Outbox::take_batch`]) are cut to a byte budget, oldest first. A batch in
//!   flight is acknowledged, refused or failed as a whole ([`Outbox::answered`]).
//! - **Retry.** A failure pauses the whole outbox (not one batch) until the time
//!   [`Backoff`] gives, persisted under [`PAUSE_KEY`] so that the next page, and the other
//!   tabs, keep to it. A refusal (4xx other than 408 and 429) drops the batch; an event older
//!   than the age cap is dropped instead of retried.
//! - **Bounds.** At most [`MAX_EVENTS`] events and [`MAX_BYTES`] per page. Past either, the
//!   oldest queued event is evicted (never one in flight, never the newest), its record is
//!   removed, and the counter under [`EVICTED_KEY`] grows by one. The next batch takes the
//!   count out of storage and reports it to the collector as `evicted`; if that batch fails,
//!   the count is put back. So evictions by several tabs are each reported once.
//! - **Pages that are gone** ([`Outbox::adopt`]). Each record names the page that sends it. A
//!   page holds the Web Lock `rtp-tab-<owner>` while it has events outstanding (requested before it
//!   writes a record, released when it has none or is left); under the lock `rtp-claim`,
//!   the edge lists the locks held or requested and hands them here. A record whose owner is not
//!   among them belongs to a page that has gone (closed, navigated away, crashed): it is
//!   rewritten with this page as owner and sent from here. Two pages never adopt the same
//!   record, because adoption runs under one exclusive lock and rewrites the owner before the
//!   lock is released; and a page never adopts a live page's records, because the owner's lock
//!   is requested before the page writes its first record.
//! - **Storage that fails.** A record that cannot be written (blocked, full) leaves the event
//!   in memory only: it is still delivered by this page.

use crate::envelope::{encode_batch, BATCH_OVERHEAD};
use crate::record::{
    self, decode_evicted, decode_group, encode_evicted, Corrupt, Pause, EVICTED_KEY, KEY_PREFIX,
    PAUSE_KEY,
};
use crate::retry::{Answer, Backoff, DropReason, Next, MAX_DELAY_MS, MAX_RETRY_AFTER_MS};
use crate::store::Store;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

/// At most this many events per page: 1,000, so that a burst of 1,000 distinct events in one
/// task is delivered whole (the benchmark sends one).
pub const MAX_EVENTS: usize = 1_000;

/// At most this many bytes per page, counting each record's key, header and event: 768 KiB,
/// enough for [`MAX_EVENTS`] events of four 200-character values. localStorage gives an
/// origin about 5 MiB (5 million UTF-16 code units in Chromium and Firefox; records are
/// almost all ASCII, one unit per byte), and that space belongs to the site: one page's outbox
/// takes at most about 15 % of it, and only while the collector cannot be reached.
pub const MAX_BYTES: usize = 768 * 1024;

/// A group (the records written together under one key) holds events of at most this many
/// bytes of batch body: 32 KiB, the transport's batch size, so that a batch is usually one
/// group, and its acknowledgement one `removeItem`.
pub const GROUP_BYTES: usize = 32 * 1024;

/// What a record costs beyond its event JSON: the key (`rtp:o:` and 36), and the header
/// (`1|`, 13 digits of `created`, attempts, 16 of owner, 4 separators), rounded up.
const RECORD_OVERHEAD: usize = 80;

/// Where the snippet leaves the calls it queued when the page was left before the tag loaded:
/// one key, a JSON array of the calls (the newest 99), read and removed under the claim lock.
pub const QUEUE_PREFIX: &str = "rtp:q";

/// The prefix of the Web Lock that a page holds while it has events outstanding.
pub const LOCK_PREFIX: &str = "rtp-tab-";

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

/// The longest a stored pause is honoured: the longest pause the policy ever sets. A stored
/// value further ahead (a clock change, tampering) is cut to this.
const MAX_PAUSE_MS: u64 = MAX_RETRY_AFTER_MS + MAX_DELAY_MS;

/// An accepted event.
#[derive(Debug)]
struct Item {
    /// When the tag accepted it.
    created: u64,
    /// Sends that ended without a 2xx.
    attempts: u32,
    /// The journal key of the group its record is in; `None`: not stored (not written yet,
    /// or storage refused it).
    group: Option<Rc<str>>,
    /// Its record was written, or tried ([`Outbox::persist`]).
    written: bool,
    /// The event JSON.
    event: String,
}

impl Item {
    /// The event id: every envelope event starts `{"id":"<36>"`.
    fn id(&self) -> &str {
        self.event.get(7..43).unwrap_or("")
    }

    fn cost(&self) -> usize {
        self.event.len() + RECORD_OVERHEAD
    }
}

/// A batch handed to the transport: its id (for [`Outbox::answered`]) and body.
#[derive(Debug, PartialEq, Eq)]
pub struct Outgoing {
    /// Identifies the batch while it is in flight.
    pub id: u32,
    /// The JSON body, at most the requested number of bytes (unless one event alone is larger).
    pub body: String,
    /// How many events it carries.
    pub events: usize,
}

#[derive(Debug)]
struct Flight {
    id: u32,
    items: Vec<Item>,
    /// The evictions this batch reports (taken out of the stored counter).
    evicted: u64,
    /// The rate-limited drops this batch reports.
    limited: u64,
    /// What [`Outbox::leaving`] did with this batch's records, if the page was left while it
    /// was in flight.
    left: Left,
}

/// What became of an in-flight batch's records when the page was left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Left {
    /// The page was not left.
    No,
    /// Removed: the request was the browser's to finish.
    Handed,
    /// Kept for the next page (the collector was failing), which may have adopted them.
    Kept,
}

/// What became of a batch after its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Acknowledged: its events are done.
    Delivered,
    /// Dropped without delivery: this many events, for this reason.
    Dropped(DropReason, usize),
    /// Queued again; nothing is sent before `at`. `too_old` events of it were dropped instead.
    Retry {
        /// When the next attempt may be made (ms since the Unix epoch).
        at: u64,
        /// Events of the batch dropped for their age.
        too_old: usize,
    },
}

/// What [`Outbox::adopt`] found in the journal.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Adoption {
    /// Events of pages that are gone, now sent from this page.
    pub adopted: usize,
    /// Records (and state) discarded as corrupt, each with its reason.
    pub corrupt: Vec<Corrupt>,
    /// Records of pages that are gone, too old to send.
    pub too_old: usize,
    /// Queues the snippet left (JSON text), removed from the journal: the edge replays them.
    pub queues: Vec<String>,
    /// Records of pages without a lock were skipped as too recent ([`RECENT_MS`]): claim again
    /// in a moment.
    pub recent: bool,
    /// Records left to pages that hold their lock: claim again later ([`RECLAIM_MS`]).
    pub waiting: usize,
}

/// Accepted events, queued or in flight, over a journal.
pub struct Outbox<J: Store> {
    journal: J,
    owner: String,
    queued: Vec<Item>,
    in_flight: Vec<Flight>,
    next_id: u32,
    /// Some queued item's record is not written yet ([`Outbox::persist`]).
    unwritten: bool,
    /// [`Item::cost`] of everything queued or in flight.
    bytes: usize,
    /// Evictions not yet reported that storage could not count.
    evicted: u64,
    /// Sends the rate limit dropped on this page, not yet reported (kept in memory only).
    limited: u64,
    /// Groups whose records changed (events left or came back): rewritten by
    /// [`Outbox::sync_dirty`].
    dirty: Vec<Rc<str>>,
    /// Records of other live pages at the last adoption: count and bytes. The bounds count
    /// them, so that the tabs of a site together stay near the bounds.
    others: (usize, usize),
    pause: Pause,
    backoff: Backoff,
}

impl<J: Store> Outbox<J> {
    /// An empty outbox for the page `owner` (see [`record::is_owner`]), over `journal`.
    /// Nothing is read yet: [`Outbox::adopt`] reads what earlier pages left.
    pub fn new(journal: J, owner: String) -> Self {
        Self::with_backoff(journal, owner, Backoff::DEFAULT)
    }

    /// [`Outbox::new`] with another retry schedule (tests shorten it).
    pub fn with_backoff(journal: J, owner: String, backoff: Backoff) -> Self {
        Outbox {
            journal,
            owner,
            queued: Vec::new(),
            in_flight: Vec::new(),
            next_id: 0,
            unwritten: false,
            bytes: 0,
            evicted: 0,
            limited: 0,
            others: (0, 0),
            dirty: Vec::new(),
            pause: Pause {
                until: 0,
                failures: 0,
            },
            backoff,
        }
    }

    /// This page's id, as written in its records.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Queues an event accepted at `created`, then applies the bounds. Its record is written
    /// by the next [`Outbox::persist`], which the browser edge runs at the end of the task
    /// (a microtask), and which anything that sends or leaves runs first: a burst of calls
    /// returns without a storage write each, and no event leaves, or is left, unwritten.
    pub fn push(&mut self, event: String, created: u64) {
        let item = Item {
            created,
            attempts: 0,
            group: None,
            written: false,
            event,
        };
        self.bytes += item.cost();
        self.queued.push(item);
        self.unwritten = true;
        self.bound();
    }

    /// Consent was withdrawn: forgets every event, queued or in flight (a request already made
    /// cannot be recalled; its answer changes nothing), and removes the stored records of all
    /// the site's pages and the calls the snippet kept. The pause stays: it is about the
    /// collector, not the visitor.
    pub fn discard(&mut self) {
        self.queued.clear();
        self.in_flight.clear();
        self.dirty.clear();
        self.unwritten = false;
        self.bytes = 0;
        for prefix in [KEY_PREFIX, QUEUE_PREFIX] {
            for key in self.journal.keys(prefix) {
                if key != PAUSE_KEY {
                    self.journal.remove(&key);
                }
            }
        }
    }

    /// The drop counts a batch carried were not reported (it was not delivered): the eviction
    /// count goes back into storage, the rate-limited count back to this page, for a later
    /// batch to report.
    fn unreport(&mut self, evicted: u64, limited: u64) {
        self.add_evicted(evicted);
        self.limited = self.limited.saturating_add(limited);
    }

    /// Counts a send the rate limit dropped, for the next batch to report.
    pub fn add_limited(&mut self) {
        self.limited = self.limited.saturating_add(1);
    }

    /// Writes the records of the events pushed since the last call, as groups of at most
    /// [`GROUP_BYTES`] (one `setItem` per group, not per event), and rewrites the groups that
    /// events left.
    pub fn persist(&mut self) {
        if core::mem::take(&mut self.unwritten) {
            // The unwritten events, oldest first, cut into groups: a group is a set of events
            // (its records say which), not a run of the queue.
            let mut queued = core::mem::take(&mut self.queued);
            let mut group: Vec<&mut Item> = Vec::new();
            let mut size = 0;
            for item in queued.iter_mut().filter(|i| !i.written) {
                let add = item.event.len() + 1;
                if !group.is_empty() && size + add > GROUP_BYTES - BATCH_OVERHEAD {
                    self.write_group(&mut group);
                    group.clear();
                    size = 0;
                }
                size += add;
                group.push(item);
            }
            self.write_group(&mut group);
            drop(group);
            self.queued = queued;
        }
        self.sync_dirty();
    }

    /// Events not yet handed to the transport.
    pub fn queued(&self) -> usize {
        self.queued.len()
    }

    /// The encoded length of the oldest queued event, if any.
    pub fn next_len(&self) -> Option<usize> {
        self.queued.first().map(|i| i.event.len())
    }

    /// Batches in flight.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Nothing queued and nothing in flight: everything accepted has been acknowledged.
    pub fn is_settled(&self) -> bool {
        self.queued.is_empty() && self.in_flight.is_empty()
    }

    /// The last answer was a failure: the collector is having trouble.
    pub fn failing(&self) -> bool {
        self.pause.failures > 0
    }

    /// How many ms from `now` until a batch may be sent (0: now).
    pub fn wait(&self, now: u64) -> u64 {
        self.pause.wait(now, MAX_PAUSE_MS)
    }

    /// [`Outbox::wait`], after reading the pause other pages may have stored (a `Retry-After`
    /// another tab was given holds here too).
    pub fn ready(&mut self, now: u64) -> u64 {
        if let Some(Ok(p)) = self.journal.get(PAUSE_KEY).map(|v| Pause::decode(&v)) {
            self.pause = p;
        }
        self.wait(now)
    }

    /// The network is back (`online`): the next attempt may be made at once. The failure count
    /// stays, so a collector that is still down is not hammered.
    pub fn resume_now(&mut self) {
        self.pause.until = 0;
    }

    /// Takes the oldest queued events that fit in `max_bytes` of body (always at least one),
    /// and marks them in flight; `None` when nothing is queued, or while paused.
    pub fn take_batch(&mut self, now: u64, max_bytes: usize) -> Option<Outgoing> {
        self.persist();
        if self.wait(now) > 0 {
            return None;
        }
        let mut size = BATCH_OVERHEAD;
        let mut n = 0;
        for e in &self.queued {
            let add = e.event.len() + 1;
            if n > 0 && size + add > max_bytes {
                break;
            }
            size += add;
            n += 1;
        }
        if n == 0 {
            return None;
        }
        // `min` lets the compiler see the range is in bounds: no panic path in the wasm.
        let items: Vec<Item> = self.queued.drain(..n.min(self.queued.len())).collect();
        // The count moves from storage into this batch, so that it is reported once, whichever
        // tab takes it; a failed batch puts it back.
        let evicted = self.take_evicted();
        let limited = core::mem::take(&mut self.limited);
        let body = encode_batch(
            items.iter().map(|i| i.event.as_str()),
            now,
            evicted,
            limited,
        );
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        self.in_flight.push(Flight {
            id,
            items,
            evicted,
            limited,
            left: Left::No,
        });
        Some(Outgoing {
            id,
            body,
            events: n,
        })
    }

    /// The collector acknowledged batch `id`: its events and records are done, the evictions
    /// it reported are cleared, and the pause is over.
    pub fn delivered(&mut self, id: u32) {
        let Some(flight) = self.land(id) else { return };
        self.forget(&flight.items);
        self.sync_dirty();
        self.pause = Pause {
            until: 0,
            failures: 0,
        };
        self.journal.remove(PAUSE_KEY);
    }

    /// The answer to batch `id`: `Delivered`, `Dropped` (refused, removed) or `Retry` (back in
    /// front of the queue, attempts counted, the outbox paused). `retry_after` is the server's
    /// `Retry-After` in ms; `random` is uniform over `u32`, for the jitter.
    pub fn answered(
        &mut self,
        id: u32,
        answer: Answer,
        retry_after: Option<u64>,
        now: u64,
        random: u32,
    ) -> Outcome {
        let failures = self.pause.failures.saturating_add(1);
        match self
            .backoff
            .next(answer, retry_after, failures, now, random)
        {
            Next::Done => {
                self.delivered(id);
                Outcome::Delivered
            }
            Next::Drop(reason) => {
                let Some(flight) = self.land(id) else {
                    return Outcome::Dropped(reason, 0);
                };
                self.forget(&flight.items);
                self.sync_dirty();
                self.unreport(flight.evicted, flight.limited); // the batch was refused
                Outcome::Dropped(reason, flight.items.len())
            }
            Next::RetryAt(at) => {
                self.pause = Pause {
                    until: at,
                    failures,
                };
                self.journal.set(PAUSE_KEY, &self.pause.encode());
                let Some(flight) = self.land(id) else {
                    return Outcome::Retry { at, too_old: 0 };
                };
                let mut too_old = 0;
                let (left, evicted, limited) = (flight.left, flight.evicted, flight.limited);
                let mut back = Vec::with_capacity(flight.items.len());
                for mut item in flight.items {
                    if self.backoff.expired(item.created, at) {
                        self.forget(core::slice::from_ref(&item));
                        too_old += 1;
                        continue;
                    }
                    item.attempts = item.attempts.saturating_add(1);
                    back.push(item);
                }
                self.take_back(back, left, evicted, limited);
                Outcome::Retry { at, too_old }
            }
        }
    }

    /// Batch `id` was never sent (the request could not be started): its
    /// events go back in front of the queue, and no attempt is counted.
    pub fn unsent(&mut self, id: u32) {
        if let Some(flight) = self.land(id) {
            self.take_back(flight.items, flight.left, flight.evicted, flight.limited);
        }
    }

    /// A batch that was not delivered comes back: its events go back in front of the queue,
    /// with their records written again, and its drop counts to be reported again. If the page
    /// was left while it was in flight with its records kept for the next page, only the events
    /// whose record still names this page come back: the others were adopted by another page.
    fn take_back(&mut self, items: Vec<Item>, left: Left, evicted: u64, limited: u64) {
        self.unreport(evicted, limited);
        let mut back = Vec::with_capacity(items.len());
        for mut item in items {
            if left == Left::Kept && !self.owns(&item) {
                self.bytes = self.bytes.saturating_sub(item.cost());
                continue;
            }
            if left == Left::Handed {
                // Its record was removed when it was handed to the browser: it is stored again
                // in a group of its own (its old group's key may be another's by now).
                item.group = None;
            }
            if item.group.is_none() {
                // Not stored: written again below.
                item.written = false;
                self.unwritten = true;
            }
            back.push(item);
        }
        // Their groups are rewritten: attempts changed.
        self.mark(&back);
        self.requeue(back);
        self.persist();
    }

    /// Whether the journal's record of `item` names this page.
    fn owns(&mut self, item: &Item) -> bool {
        let Some(key) = item.group.clone() else {
            return false;
        };
        let id = item.id();
        self.journal.get(&key).is_some_and(|v| {
            decode_group(&key, &v)
                .is_ok_and(|rs| rs.iter().any(|r| r.id == id && r.owner == self.owner))
        })
    }

    /// The page is being hidden or left. Returns whether what is queued should go now (by
    /// keepalive fetch, whose answer a page that is gone never sees). While the collector is
    /// failing, no: it would be lost if it failed too; the records stay for the next page. Otherwise yes, and the records of
    /// batches in flight are removed: those requests are keepalive, the browser finishes them
    /// after the page is gone, and the next page must not send them again. (If the page stays
    /// and such a batch fails, its records are written again.)
    pub fn leaving(&mut self) -> bool {
        self.persist();
        let failing = self.failing();
        let mut handed = Vec::new();
        for f in &mut self.in_flight {
            if f.left != Left::No {
                continue;
            }
            f.left = if failing { Left::Kept } else { Left::Handed };
            if !failing {
                handed.extend(f.items.iter().filter_map(|i| i.group.clone()));
            }
        }
        // The groups are rewritten without the handed events ([`Outbox::sync`] skips them).
        for key in handed {
            self.mark_key(key);
        }
        self.sync_dirty();
        !failing
    }

    /// Adopts the records of pages that are gone, and takes the queues the snippet left.
    /// `live` lists the Web Locks held or requested (names separated by spaces), or is `None`
    /// without Web Locks (then records older than [`STALE_MS`] are taken as abandoned). Also
    /// reloads the pause and the eviction counter, which other pages may have changed.
    /// `since` is when the lock snapshot was asked for: records of pages without a lock that
    /// were accepted less than [`RECENT_MS`] before it are left for a later adoption.
    pub fn adopt(&mut self, live: Option<&str>, since: u64, now: u64) -> Adoption {
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
            if alive(live, owner, newest, now) {
                others = (others.0 + records.len(), others.1 + key.len() + value.len());
                continue;
            }
            if live.is_some() && newest.saturating_add(RECENT_MS) > since {
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
        a.waiting = others.0;
        self.others = others;
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
        for key in self.journal.keys(QUEUE_PREFIX) {
            if let Some(v) = self.journal.get(&key) {
                a.queues.push(v);
            }
            self.journal.remove(&key);
        }
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

    /// Writes the records of `items` as one group of this page's, under the key of the first
    /// one's id.
    fn write_group(&mut self, items: &mut [&mut Item]) {
        let Some(first) = items.first() else { return };
        let key: Rc<str> = Rc::from(record::key(first.id()));
        let mut value = String::new();
        for item in items.iter() {
            if !value.is_empty() {
                value.push('\n');
            }
            record::encode_into(
                &mut value,
                item.created,
                item.attempts,
                &self.owner,
                &item.event,
            );
        }
        let stored = self.journal.set(&key, &value);
        for item in items.iter_mut() {
            item.group = stored.then(|| key.clone());
            item.written = true;
        }
    }

    /// Removes items for good: their bytes from the tally, and (by the next
    /// [`Outbox::sync_dirty`]) their records.
    fn forget(&mut self, items: &[Item]) {
        for item in items {
            self.bytes = self.bytes.saturating_sub(item.cost());
        }
        self.mark(items);
    }

    /// The groups of `items` are to be rewritten.
    fn mark(&mut self, items: &[Item]) {
        for item in items {
            if let Some(key) = &item.group {
                self.mark_key(key.clone());
            }
        }
    }

    fn mark_key(&mut self, key: Rc<str>) {
        if !self.dirty.contains(&key) {
            self.dirty.push(key);
        }
    }

    /// Rewrites each group marked: the records of the events this page still holds in it, or
    /// nothing (the key removed). A batch acknowledged whole is one `removeItem`.
    fn sync_dirty(&mut self) {
        for key in core::mem::take(&mut self.dirty) {
            self.sync(&key, false);
        }
    }

    /// Rewrites one group. The key stays the id of its first record (the check that makes a
    /// record copied under another key corrupt): when that event left, the group moves to the
    /// key of its new first one.
    ///
    /// A group that is no longer stored, or stored as another page's, was taken over by a page
    /// that adopted it while this page was in the back-forward cache (its lock released): it is
    /// that page's, neither rewritten nor removed here, and the events of it this page still
    /// points to are left to the checks of ownership ([`Outbox::resync`],
    /// [`Outbox::take_back`]). Unless `taken`: this page has just adopted it
    /// ([`Outbox::adopt`]).
    fn sync(&mut self, key: &Rc<str>, taken: bool) {
        if !taken && !self.journal.get(key).is_some_and(|v| self.is_mine(&v)) {
            return;
        }
        let mut value = String::new();
        let mut first: Option<Rc<str>> = None;
        let owner = &self.owner;
        // The events queued, and those in flight whose records were not handed over.
        let held = self.queued.iter().chain(
            self.in_flight
                .iter()
                .filter(|f| f.left != Left::Handed)
                .flat_map(|f| f.items.iter()),
        );
        for item in held.filter(|i| i.group.as_ref() == Some(key)) {
            if first.is_none() {
                first = Some(Rc::from(record::key(item.id())));
            } else {
                value.push('\n');
            }
            record::encode_into(&mut value, item.created, item.attempts, owner, &item.event);
        }
        let Some(new_key) = first else {
            self.journal.remove(key);
            return;
        };
        // Moved: the old key goes first, so that near the quota the new one has its room (the
        // group only shrank); written first, it could be refused for want of room for both.
        if new_key != *key {
            self.journal.remove(key);
        }
        let stored = self.journal.set(&new_key, &value);
        if !stored {
            self.journal.remove(key);
        }
        // Refused (full): those events are kept in memory only, delivered by this page.
        let group = stored.then_some(new_key);
        for item in self.queued.iter_mut().chain(
            self.in_flight
                .iter_mut()
                .filter(|f| f.left != Left::Handed)
                .flat_map(|f| f.items.iter_mut()),
        ) {
            if item.group.as_ref() == Some(key) {
                item.group = group.clone();
            }
        }
    }

    /// Whether a stored group is this page's (read from its first record). A value that is not
    /// a record is taken as this page's, to be written over.
    fn is_mine(&self, value: &str) -> bool {
        let first = value
            .get(
                ..value
                    .bytes()
                    .position(|b| b == b'\n')
                    .unwrap_or(value.len()),
            )
            .unwrap_or("");
        record::decode(first).map_or(true, |r| r.owner == self.owner)
    }

    /// Takes batch `id` out of flight.
    fn land(&mut self, id: u32) -> Option<Flight> {
        let i = self.in_flight.iter().position(|f| f.id == id)?;
        Some(self.in_flight.swap_remove(i))
    }

    /// Puts items back in front of the queue, in order.
    fn requeue(&mut self, mut items: Vec<Item>) {
        items.append(&mut self.queued);
        self.queued = items;
    }

    /// Evicts the oldest queued events until the bounds hold (never the newest).
    fn bound(&mut self) {
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

    /// Whether event `id` is queued or in flight here. If so, its record is taken to be in the
    /// group `key` (being taken over): the group it pointed to is rewritten without it.
    fn hold(&mut self, id: &str, key: &Rc<str>) -> bool {
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

    fn in_flight_events(&self) -> usize {
        self.in_flight.iter().map(|f| f.items.len()).sum()
    }

    /// Adds `n` to the stored eviction counter (shared by the site's pages), or to this page's
    /// own when storage fails.
    fn add_evicted(&mut self, n: u64) {
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
    fn take_evicted(&mut self) -> u64 {
        let stored = match self.journal.get(EVICTED_KEY) {
            Some(v) => {
                self.journal.remove(EVICTED_KEY);
                decode_evicted(&v).unwrap_or(0)
            }
            None => 0,
        };
        stored.saturating_add(core::mem::take(&mut self.evicted))
    }
}

/// Whether the page `owner` that wrote a record accepted at `created` may still be open.
fn alive(live: Option<&str>, owner: &str, created: u64, now: u64) -> bool {
    match live {
        Some(names) => {
            // Word by word, by hand: `str::split` brings a formatted panic path into the wasm.
            let mut rest = names;
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
        None => now.saturating_sub(created) < STALE_MS,
    }
}

#[cfg(test)]
mod tests;
