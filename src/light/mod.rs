//! The light tag's decisions: the delivery driver of a page that has nothing to recover.
//!
//! Most page loads find no stored events of other pages, no calls the snippet kept, no stored
//! pause, and then see every batch acknowledged. For them the loader runs a small wasm (the
//! light module) instead of the whole tag. Its calls go through the full tag's own
//! [`Tag::call`] (validation, the ledger, the envelope, settings, consent, Do Not Track, the
//! rate limit) over its own [`Queue`]; it writes what they accept ahead to the journal in the
//! outbox's record format ([`crate::record`]), one group per task, and sends each group as one
//! batch. Its verdicts and console messages are the full tag's ([`said`]), `flush` included,
//! and it waits for `online` when offline, within the outbox's bounds. At the first delivery it does not handle (a failed batch, no
//! endpoint, a page restored from the back-forward cache) it **hands over**: it stops sending, waits for the batches in
//! flight, and asks the loader for the full tag ([`Effect::HandOver`]), while it goes on taking
//! calls and writing them. Once the full tag is loaded, the loader takes [`Light::handoff`]
//! (which writes what the task accepted) and boots the full tag with it: it adopts this page's
//! records at once, and continues the rate limit. A failed batch leaves the pause and its
//! attempt stored, as the outbox would: the full tag honours them. The journal is the
//! hand-over; nothing accepted lives only in the light module's memory.
//!
//! `flush` is answered here too ([`Effect::Settle`]) while the light module sends; one pending
//! when it hands over is asked again of the full tag by the loader.
//!
//! Inputs and effects are the full driver's ([`crate::driver`]), a subset of each, and
//! [`Effect::HandOver`].

use crate::driver::{said, say, Effect, Level, Shown};
use crate::driver::{KEEPALIVE_BUDGET, LEAVING_BUDGET, MAX_BATCH_BYTES};
use crate::envelope::{encode_batch, BATCH_OVERHEAD};
use crate::handoff;
use crate::outbox::{MAX_BYTES, MAX_EVENTS};
use crate::record::{self, Pause, PAUSE_KEY};
use crate::retry::{classify, Answer, Backoff, Class, DropReason};
use crate::store::Store;
use crate::tag::{Call, Env, Queue, Tag};
use crate::verdict::Verdict;
use alloc::string::String;
use alloc::vec::Vec;

/// What the light module is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Taking calls.
    Running,
    /// Handing over: nothing new is sent; retires once nothing is in flight.
    Handing,
    /// Retired: the loader is starting the full tag. Calls are still taken, and written.
    Retired,
}

/// A group: the events accepted in one task (cut at a batch's size), stored under one key
/// and sent as one batch.
struct Group {
    /// Its batch's id while in flight.
    batch: u32,
    key: String,
    created: u64,
    events: Vec<String>,
    /// Its batch is in flight.
    flying: bool,
    /// The drops its batch reports: evicted (the bounds), rate-limited.
    drops: [u64; 2],
    /// The attempts its records carry, and whether the journal holds them: `false` when storage
    /// refused them (full, blocked), and the hand-over carries them instead.
    attempts: u32,
    stored: bool,
}

impl Group {
    fn bytes(&self) -> usize {
        self.events.iter().map(|e| e.len() + 1).sum::<usize>() + BATCH_OVERHEAD
    }
}

/// The light module's [`Queue`]: what the task's calls accepted, until the driver writes it.
struct Pending {
    owner: String,
    /// Events accepted in this task, not yet written: when, the id, the JSON.
    unwritten: Vec<(u64, String, String)>,
    /// Drops not yet reported: evicted ([`Light::bound`]), rate-limited.
    drops: [u64; 2],
    /// The tag asked for everything to be forgotten: the driver forgets its groups and the
    /// stored records too.
    discarded: bool,
}

impl Queue for Pending {
    fn owner(&self) -> &str {
        &self.owner
    }
    fn push(&mut self, id: String, event: String, created: u64) {
        self.unwritten.push((created, id, event));
    }
    fn add_limited(&mut self) {
        self.drops[1] += 1;
    }
    fn discard(&mut self) {
        self.unwritten.clear();
        self.discarded = true;
    }
    fn persist(&mut self) {} // the driver writes groups (`Light::write`)
}

/// The light driver.
pub struct Light<S: Store, J: Store> {
    /// The calls' checks and settings, as the full tag's, over the light module's queue.
    tag: Tag<S, Pending>,
    journal: J,
    /// The next batch's id.
    next_batch: u32,
    /// Written groups, oldest first.
    groups: Vec<Group>,
    phase: Phase,
    /// A pump is due (a microtask, or the read of a body).
    pump_due: bool,
    /// Batches go within [`LEAVING_BUDGET`]: the page is hidden or left.
    leaving: bool,
    /// `pagehide` came, and no `pageshow` since.
    left: bool,
    /// The page's Web Lock is requested.
    locked: bool,
    /// The rate-limit warning was shown.
    warned_limit: bool,
    /// `flush` callers waiting (the edge holds them).
    waiters: usize,
    /// A batch was dropped since they began to wait.
    dropped: bool,
    effects: Vec<Effect>,
}

impl<S: Store, J: Store> Light<S, J> {
    /// The light driver over a session store (the ledger) and a journal.
    pub fn new(store: S, journal: J, env: &mut impl Env) -> Self {
        let pending = |owner| Pending {
            owner,
            unwritten: Vec::new(),
            drops: [0; 2],
            discarded: false,
        };
        Light {
            tag: Tag::with_queue(store, env, pending),
            journal,
            next_batch: 0,
            groups: Vec::new(),
            phase: Phase::Running,
            pump_due: false,
            leaving: false,
            left: false,
            locked: false,
            warned_limit: false,
            waiters: 0,
            dropped: false,
            effects: Vec::new(),
        }
    }

    /// This page's id (the owner of its records, the name of its lock).
    pub fn owner(&self) -> &str {
        self.tag.outbox.owner()
    }

    /// A call from the page: its verdict (as the full tag's), and the effects to run.
    pub fn call(&mut self, call: Call, env: &mut impl Env) -> (Verdict, Vec<Effect>) {
        let v = self.tag.call(call, env);
        if core::mem::take(&mut self.tag.outbox.discarded) {
            // Consent withdrawn, Do Not Track honoured: the stored records of all the site's
            // pages go too (the answers to batches in flight are then ignored).
            self.groups.clear();
            record::forget_all(&mut self.journal);
            self.after_answer();
        }
        if v == Verdict::Accepted {
            self.lock(true);
        }
        said(
            &mut self.effects,
            v,
            self.tag.debug(),
            &mut self.warned_limit,
        );
        if v == Verdict::Accepted && !self.pump_due {
            self.pump_due = true;
            self.effects.push(Effect::Pump);
        }
        (v, self.take())
    }

    /// Hands over: nothing new is sent; retires once nothing is in flight.
    fn hand_over(&mut self) {
        if self.phase == Phase::Running {
            self.phase = Phase::Handing;
        }
        self.retire_if_idle();
    }

    /// Retires when handing over and nothing is in flight: what is accepted is written, and
    /// [`Effect::HandOver`] tells the edge to start the full tag (which is asked again for the
    /// `flush` callers still waiting).
    fn retire_if_idle(&mut self) {
        if self.phase == Phase::Handing && !self.groups.iter().any(|g| g.flying) {
            // The lock stays held: no other page adopts these records before the full tag of
            // this page has (the loader releases it then).
            self.phase = Phase::Retired;
            self.write();
            self.waiters = 0;
            self.effects.push(Effect::HandOver);
        }
    }

    /// `rtp('flush' [, callback])`, one more caller waiting: answered ([`Effect::Settle`]) once
    /// nothing is queued or in flight, `true` when everything was acknowledged. Once handing
    /// over, the callers still waiting are the full tag's to answer.
    pub fn flush(&mut self) -> Vec<Effect> {
        if self.phase != Phase::Running {
            return self.take(); // the loader asks the full tag
        }
        self.waiters += 1;
        if self.tag.outbox.unwritten.is_empty() && self.groups.is_empty() {
            self.settle();
        } else if !self.pump_due {
            self.pump_due = true;
            self.effects.push(Effect::Pump);
        }
        self.take()
    }

    /// Answers the `flush` callers once nothing is queued, in flight or about to be sent.
    fn settle(&mut self) {
        let busy = self.pump_due
            || !self.tag.outbox.unwritten.is_empty()
            || self.groups.iter().any(|g| g.flying);
        if self.waiters == 0 || busy || self.phase != Phase::Running {
            return;
        }
        self.waiters = 0;
        let ok = self.groups.is_empty() && !core::mem::take(&mut self.dropped);
        self.effects.push(Effect::Settle(ok));
    }

    /// Writes the events accepted since the last call as groups of at most a batch (one
    /// `setItem` each), and the ledger's entry.
    fn write(&mut self) {
        self.tag.persist(); // the ledger's entry
        let mut events = core::mem::take(&mut self.tag.outbox.unwritten)
            .into_iter()
            .peekable();
        while let Some((created, id, first)) = events.next() {
            let mut g = Group {
                batch: 0,
                key: record::key(&id),
                created,
                events: Vec::new(),
                flying: false,
                drops: [0; 2],
                attempts: 0,
                stored: false,
            };
            let mut size = BATCH_OVERHEAD + first.len();
            g.events.push(first);
            while let Some((_, _, e)) = events.next_if(|(_, _, e)| size + e.len() < MAX_BATCH_BYTES)
            {
                size += e.len() + 1;
                g.events.push(e);
            }
            // Not stored (storage full or blocked): still sent, from memory.
            g.stored = store(&mut self.journal, self.tag.outbox.owner(), &g);
            self.groups.push(g);
        }
    }

    /// The outbox's bounds ([`MAX_EVENTS`], [`MAX_BYTES`]) on what this page holds while
    /// nothing leaves (offline, or handing over to a full tag that may not be fetched; online,
    /// batches leave as they are written, and the full tag bounds what it adopts): past them,
    /// the oldest groups not in flight go, never the newest, counted for a later batch to report
    /// (or the full tag, once handed over).
    fn bound(&mut self) {
        let Light {
            groups,
            journal,
            tag,
            ..
        } = self;
        let (mut events, mut bytes) = (0, 0);
        for g in groups.iter() {
            events += g.events.len();
            bytes += g.bytes();
        }
        let newest = groups.len().saturating_sub(1);
        for g in groups.iter_mut().take(newest).filter(|g| !g.flying) {
            if events <= MAX_EVENTS && bytes <= MAX_BYTES {
                break;
            }
            events -= g.events.len();
            bytes -= g.bytes();
            tag.outbox.drops[0] += g.events.len() as u64;
            journal.remove(&g.key);
            g.events.clear();
        }
        self.prune();
    }

    /// The pump ran: writes what the task's calls hold in memory, then sends what fits (not
    /// once handing over).
    pub fn pump(&mut self, online: bool, env: &mut impl Env) -> Vec<Effect> {
        self.pump_due = false;
        self.write();
        if !online || self.phase != Phase::Running {
            self.bound(); // nothing leaves now
        }
        if self.phase == Phase::Running && !self.left && !self.groups.is_empty() {
            if self.tag.endpoint().is_none() {
                // The full tag warns, and keeps them until an endpoint is set.
                self.phase = Phase::Handing;
            } else if online {
                self.send(env);
            }
            // Offline: nothing is attempted; `online` pumps again (the edge listens).
        }
        self.retire_if_idle();
        self.settle();
        self.take()
    }

    /// Sends the groups not in flight that fit the budget, oldest first (a lone batch always
    /// fits).
    fn send(&mut self, env: &mut impl Env) {
        let Some(endpoint) = self.tag.endpoint().map(String::from) else {
            return;
        };
        let budget = if self.leaving {
            LEAVING_BUDGET
        } else {
            KEEPALIVE_BUDGET
        };
        let mut in_flight: usize = self
            .groups
            .iter()
            .filter(|g| g.flying)
            .map(Group::bytes)
            .sum();
        let now = env.now();
        // Fields apart: no index into `groups` (a bounds check is a panic path in the wasm).
        let Light {
            groups,
            tag,
            next_batch,
            effects,
            ..
        } = self;
        let drops = &mut tag.outbox.drops;
        for g in groups.iter_mut().filter(|g| !g.flying) {
            if in_flight > 0 && in_flight + g.bytes() > budget {
                break;
            }
            in_flight += g.bytes();
            g.drops = core::mem::take(drops);
            let [evicted, limited] = g.drops;
            let body = encode_batch(g.events.iter().map(String::as_str), now, evicted, limited);
            g.flying = true;
            g.batch = *next_batch;
            *next_batch = next_batch.wrapping_add(1);
            effects.push(Effect::Send {
                id: g.batch,
                endpoint: endpoint.clone(),
                body,
            });
        }
    }

    /// Whether batch `id` is in flight.
    fn flying(&self, id: u32) -> bool {
        self.groups.iter().any(|g| g.flying && g.batch == id)
    }

    /// The request for batch `id` could not be started (the page's `fetch` threw, or returned
    /// no promise): not the collector's failure. As the full driver does, the batch goes back
    /// without an attempt counted, and the pump runs again in a second ([`Effect::Timer`]).
    pub fn not_started(&mut self, id: u32) -> Vec<Effect> {
        self.say(Level::Debug, say::NOT_STARTED, Shown::Input);
        self.back(id, 0);
        self.effects
            .push(Effect::Timer(crate::retry::BASE_DELAY_MS));
        self.retire_if_idle();
        self.settle();
        self.take()
    }

    /// The collector answered batch `id`.
    pub fn answered(
        &mut self,
        id: u32,
        status: u16,
        retry_after: Option<u64>,
        env: &mut impl Env,
    ) -> Vec<Effect> {
        if self.flying(id) {
            let shown = Shown::Number(status as u32);
            match classify(Answer::Status(status)) {
                Class::Delivered => self.done(id, true),
                Class::Refused => {
                    self.done(id, false);
                    self.dropped |= self.waiters > 0;
                    self.say(Level::Warn, DropReason::Refused.message(), shown);
                }
                Class::Transient => {
                    self.say(Level::Debug, say::NOT_ACCEPTED, shown);
                    self.failure(id, retry_after, env);
                }
            }
        }
        self.after_answer();
        self.take()
    }

    /// The request for batch `id` failed before an answer: handled a task later, as the full
    /// driver does (a keepalive request of a page being left is rejected before `pagehide`,
    /// and still sent).
    pub fn unreachable(&mut self, id: u32) -> Vec<Effect> {
        self.say(Level::Debug, say::UNREACHABLE, Shown::Input);
        self.effects.push(Effect::FailLater(id));
        self.take()
    }

    /// A task after [`Light::unreachable`]. After `pagehide` the batch was handed to the
    /// browser (its records are gone): nothing to do. Offline, it goes back, no attempt counted,
    /// for `online`. Otherwise it failed, and the full tag takes over.
    pub fn failed(&mut self, id: u32, online: bool, env: &mut impl Env) -> Vec<Effect> {
        if self.left {
            self.back(id, 0);
        } else if online {
            if self.flying(id) {
                self.failure(id, None, env);
            }
        } else {
            // Offline is not the collector's failure: no attempt counted, and `online` sends
            // it again.
            self.back(id, 0);
        }
        self.after_answer();
        self.take()
    }

    /// Batch `id` was acknowledged (`delivered`) or refused: its records go. The drops a
    /// refused batch reported are reported again, as the outbox does.
    fn done(&mut self, id: u32, delivered: bool) {
        let Light {
            groups,
            journal,
            tag,
            ..
        } = self;
        if let Some(g) = groups.iter_mut().find(|g| g.flying && g.batch == id) {
            if !delivered {
                unreport(&mut tag.outbox.drops, g);
            }
            journal.remove(&g.key);
            g.events.clear();
        }
        self.prune();
    }

    /// Forgets the groups whose events went (acknowledged, refused, evicted).
    fn prune(&mut self) {
        self.groups.retain(|g| !g.events.is_empty());
    }

    /// Batch `id` failed: the pause and the attempt are stored as the outbox stores them
    /// (the full tag honours them), and the full tag takes over.
    fn failure(&mut self, id: u32, retry_after: Option<u64>, env: &mut impl Env) {
        let r = env.random16();
        let random = u32::from_le_bytes([r[0], r[1], r[2], r[3]]);
        let pause = Pause {
            until: Backoff::DEFAULT.schedule(env.now(), 1, retry_after, random),
            failures: 1,
        };
        self.journal.set(PAUSE_KEY, &pause.encode());
        self.back(id, 1);
        self.phase = Phase::Handing;
    }

    /// Batch `id` is no longer in flight: its records rewritten with `attempts` (if any), the
    /// drops it reported back to be reported.
    fn back(&mut self, id: u32, attempts: u32) {
        let Light {
            groups,
            journal,
            tag,
            ..
        } = self;
        if let Some(g) = groups.iter_mut().find(|g| g.flying && g.batch == id) {
            g.flying = false;
            unreport(&mut tag.outbox.drops, g);
            if attempts > 0 {
                g.attempts = attempts;
                g.stored = store(journal, tag.outbox.owner(), g);
            }
        }
    }

    fn after_answer(&mut self) {
        if self.phase == Phase::Running
            && !self.left
            && self.groups.iter().any(|g| !g.flying)
            && !self.pump_due
        {
            // What waited for the keepalive budget goes once the answer's body is read.
            self.pump_due = true;
            self.effects.push(Effect::PumpAfterBody);
        }
        self.retire_if_idle();
        self.settle();
        if self.phase == Phase::Running
            && self.groups.is_empty()
            && self.tag.outbox.unwritten.is_empty()
        {
            self.lock(false);
        }
    }

    /// The page was hidden, or (`left`) `pagehide` came: what is queued goes now, within the
    /// whole keepalive quota, and the records of what is in flight are removed (the browser
    /// finishes those requests, and the next page must not send them again); after
    /// `pagehide`, the lock is released.
    pub fn leave(&mut self, left: bool, online: bool, env: &mut impl Env) -> Vec<Effect> {
        self.write();
        if self.phase == Phase::Running {
            self.left |= left;
            self.leaving = true;
            self.write();
            if online && self.tag.endpoint().is_some() {
                self.send(env);
                for g in self.groups.iter().filter(|g| g.flying) {
                    self.journal.remove(&g.key);
                }
            }
            if left {
                self.lock(false);
            }
        }
        self.take()
    }

    /// Visible again, or (`restored`) shown from the back-forward cache, where another page
    /// may have adopted this page's records meanwhile: the full tag sorts that out.
    pub fn shown(&mut self, restored: bool) -> Vec<Effect> {
        self.leaving = false;
        if restored || self.left {
            self.left = false;
            self.hand_over();
        }
        self.take()
    }

    fn lock(&mut self, on: bool) {
        if self.locked != on {
            self.locked = on;
            self.effects.push(Effect::Lock(on));
        }
    }

    fn say(&mut self, level: Level, text: &'static str, shown: Shown) {
        self.effects.push(Effect::Say(level, text, shown));
    }

    fn take(&mut self) -> Vec<Effect> {
        core::mem::take(&mut self.effects)
    }

    /// What the full tag continues from, taken by the loader just before it boots it (what the
    /// task's calls accepted is written first): the rate limit's bucket, the
    /// rate-limited drops not yet reported, whether the warning was shown, the evicted events
    /// not yet reported, and this page's id, whose records it adopts at once (js/PROTOCOL.md,
    /// "Handing over"): `<level> <at> <limited> <warned> <evicted> <owner>`, then, one per
    /// line, the records of the events storage refused (they live nowhere else).
    pub fn handoff(&mut self) -> String {
        self.write();
        let (level, at) = self.tag.limiter().state();
        let Pending { owner, drops, .. } = &self.tag.outbox;
        // What storage refused goes with the hand-over, or it would be lost.
        let refused = self.groups.iter().filter(|g| !g.stored);
        handoff::write(
            [level, at, drops[1], self.warned_limit as u64, drops[0]],
            owner,
            refused.map(|g| records(owner, g)),
        )
    }
}

/// The drops a group's batch reported go back to `drops`, to be reported by a later batch (its
/// batch was not delivered).
fn unreport(drops: &mut [u64; 2], g: &mut Group) {
    for (d, n) in drops.iter_mut().zip(core::mem::take(&mut g.drops)) {
        *d += n;
    }
}

/// Writes a group's records, in the outbox's format; `false` when storage refused it.
fn store(journal: &mut impl Store, owner: &str, g: &Group) -> bool {
    journal.set(&g.key, &records(owner, g))
}

/// A group's records, one per line.
fn records(owner: &str, g: &Group) -> String {
    let mut value = String::new();
    for e in &g.events {
        if !value.is_empty() {
            value.push('\n');
        }
        record::encode_into(&mut value, g.created, g.attempts, owner, e);
    }
    value
}

#[cfg(test)]
mod tests;
