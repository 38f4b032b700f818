//! The outbox: every accepted event until the collector acknowledges it.
//!
//! - **Write-ahead.** [`Outbox::persist`] writes the events [`Outbox::push`] queued to the
//!   journal (`localStorage` in the browser, in the format of [`crate::record`]), at the end of
//!   the task that accepted them and always before they can be sent or left, and the record is
//!   removed only when a 2xx acknowledges its batch ([`Outbox::delivered`]). Records are
//!   written in groups of at most [`GROUP_BYTES`] (one key each), about one batch: a group
//!   whose events leave is rewritten, or removed when none is left (`Outbox::sync_dirty`). Memory holds the
//!   same events, so sending never reads storage; the journal is what the next page reads.
//! - **Batches** ([`Outbox::take_batch`]) are cut to a byte budget, oldest first. A batch in
//!   flight is acknowledged, refused or failed as a whole ([`Outbox::answered`]).
//! - **Retry.** A failure pauses the whole outbox (not one batch) until the time
//!   [`Backoff`] gives, persisted under [`crate::record::PAUSE_KEY`] so that the next page, and the other
//!   tabs, keep to it. A refusal (4xx other than 408 and 429) drops the batch; an event older
//!   than the age cap is dropped instead of retried.
//! - **Bounds.** At most [`MAX_EVENTS`] events and [`MAX_BYTES`] per page. Past either, the
//!   oldest queued event is evicted (never one in flight, never the newest), its record is
//!   removed, and the counter under [`crate::record::EVICTED_KEY`] grows by one. The next batch takes the
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

mod adopt;
mod batches;
mod bounds;
mod groups;
mod pause;

pub use adopt::{Adoption, RECENT_MS, RECLAIM_MS, STALE_MS};
pub use bounds::{MAX_BYTES, MAX_EVENTS};
pub use groups::GROUP_BYTES;

use crate::record::{self, Pause};
use crate::retry::{Backoff, DropReason};
use crate::store::Store;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

/// What a record costs beyond its event JSON: the key (`rtp:o:` and 36), and the header
/// (`1|`, 13 digits of `created`, attempts, 16 of owner, 4 separators), rounded up.
const RECORD_OVERHEAD: usize = 80;

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
    /// The length of its body: what it holds of the browser's keepalive quota.
    bytes: usize,
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

    /// The journal, for what other concerns keep in it (the snippet's kept calls, `crate::kept`).
    pub fn journal(&mut self) -> &mut J {
        &mut self.journal
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

    /// [`Outbox::push`], for an event handed over with its attempts (`crate::light`).
    pub fn push_back(&mut self, event: String, created: u64, attempts: u32) {
        self.push(event, created);
        if let Some(item) = self.queued.last_mut() {
            item.attempts = attempts;
        }
    }

    /// Consent was withdrawn: forgets every event, queued or in flight (a request already made
    /// cannot be recalled; its answer changes nothing), and removes the stored records of all
    /// the site's pages. The pause stays: it is about the
    /// collector, not the visitor.
    pub fn discard(&mut self) {
        self.queued.clear();
        self.in_flight.clear();
        self.dirty.clear();
        self.unwritten = false;
        self.bytes = 0;
        record::forget_all(&mut self.journal);
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

    /// Bytes of batch bodies in flight (the browser's keepalive quota they hold).
    pub fn in_flight_bytes(&self) -> usize {
        self.in_flight.iter().map(|f| f.bytes).sum()
    }

    /// Nothing queued and nothing in flight: everything accepted has been acknowledged.
    pub fn is_settled(&self) -> bool {
        self.queued.is_empty() && self.in_flight.is_empty()
    }

    /// Puts items back in front of the queue, in order.
    fn requeue(&mut self, mut items: Vec<Item>) {
        items.append(&mut self.queued);
        self.queued = items;
    }

    /// Takes batch `id` out of flight.
    fn land(&mut self, id: u32) -> Option<Flight> {
        let i = self.in_flight.iter().position(|f| f.id == id)?;
        Some(self.in_flight.swap_remove(i))
    }

    fn in_flight_events(&self) -> usize {
        self.in_flight.iter().map(|f| f.items.len()).sum()
    }
}

#[cfg(test)]
mod tests;
