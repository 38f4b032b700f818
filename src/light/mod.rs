//! The light tag's decisions: the delivery driver of a page that has nothing to recover.
//!
//! Most page loads find no stored events of other pages, no calls the snippet kept, no stored
//! pause, and then see every batch acknowledged. For them the loader runs a small wasm (the
//! light module) instead of the whole tag. It validates, dedupes and builds events with the
//! tag's own code ([`crate::values`], [`crate::ledger`], [`crate::envelope`]), writes them
//! ahead to the journal in the outbox's record format ([`crate::record`]), one group per task,
//! and sends each group as one batch. It answers every call the full tag answers, with the same
//! verdicts and console messages (settings, consent, Do Not Track, debug, `flush`), and waits
//! for `online` when offline. At the first delivery it does not handle (a failed batch, no
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

use crate::command::Setting;
use crate::driver::{say, Call, Effect, Level, SetValue, Shown};
use crate::driver::{KEEPALIVE_BUDGET, LEAVING_BUDGET, MAX_BATCH_BYTES};
use crate::envelope::{encode_batch, encode_event, Kind, Meta, BATCH_OVERHEAD};
use crate::handoff;
use crate::id::uuid_v4;
use crate::ledger::Ledger;
use crate::rate::Limiter;
use crate::record::{self, Pause, PAUSE_KEY};
use crate::retry::{classify, Answer, Backoff, Class, DropReason};
use crate::store::Store;
use crate::tag::{check_account, check_endpoint, page_id, set, Env, Origin};
use crate::values::{validate, RawValues};
use crate::verdict::{Rejection, Verdict};
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
    /// The rate-limited drops its batch reports.
    limited: u64,
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

/// The light driver.
pub struct Light<S: Store, J: Store> {
    endpoint: Option<String>,
    account: Option<String>,
    /// `rtp('set', 'debug', true)`: accepted calls are said on the console.
    debug: bool,
    /// `rtp('set', 'consent', false)` is in force.
    denied: bool,
    /// `honorDnt` is on and the browser sends Do Not Track or Global Privacy Control.
    dnt: bool,
    session: String,
    owner: String,
    ledger: Ledger<S>,
    journal: J,
    limiter: Limiter,
    /// Rate-limited drops not yet reported.
    limited: u64,
    /// Events accepted in this task, not yet written: when, the id, the JSON.
    unwritten: Vec<(u64, String, String)>,
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
        let mut ledger = Ledger::new(store);
        let session = ledger.session_id(env.random16());
        Light {
            endpoint: None,
            account: None,
            debug: false,
            denied: false,
            dnt: false,
            session,
            owner: page_id(env.random16()),
            ledger,
            journal,
            limiter: Limiter::default(),
            limited: 0,
            unwritten: Vec::new(),
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
        &self.owner
    }

    /// A call from the page: its verdict (as the full tag's), and the effects to run.
    pub fn call(&mut self, call: Call, env: &mut impl Env) -> (Verdict, Vec<Effect>) {
        let v = match call {
            Call::Event(raw, origin) => self.event(raw, origin, env),
            Call::View(page, mut origin) => match (self.refusal(), page) {
                (Some(r), _) => Verdict::Rejected(r),
                (None, Err(())) => Verdict::Rejected(Rejection::BadPage),
                (None, Ok(page)) => {
                    if let Some(p) = page.filter(|p| !p.is_empty()) {
                        origin.url = Some(p);
                    }
                    self.enqueue(Kind::View, None, origin, env)
                }
            },
            Call::Account(id) => set(&mut self.account, check_account(id)),
            Call::Set(setting, value) => self.set(setting, value, env),
        };
        self.answer(v);
        (v, self.take())
    }

    /// `rtp('set', name, value)`, as the full tag's (`Driver::set`, `Tag`).
    fn set(&mut self, setting: Option<Setting>, value: SetValue, env: &mut impl Env) -> Verdict {
        match setting {
            Some(Setting::Endpoint) => {
                return set(&mut self.endpoint, check_endpoint(value.text, env))
            }
            Some(Setting::Account) => return set(&mut self.account, check_account(value.text)),
            Some(Setting::Debug) => self.debug = value.truthy,
            Some(Setting::Consent) => {
                self.denied = !value.is_true;
                if self.denied {
                    self.discard();
                }
            }
            Some(Setting::HonorDnt) => {
                self.dnt = value.truthy && value.signal;
                if self.dnt {
                    self.discard();
                }
            }
            None => return Verdict::Rejected(Rejection::UnknownSetting),
        }
        Verdict::Done
    }

    /// Why nothing may be stored or sent now, if so (as `Tag::refusal`).
    fn refusal(&self) -> Option<Rejection> {
        if self.dnt {
            Some(Rejection::DoNotTrack)
        } else if self.denied {
            Some(Rejection::NoConsent)
        } else {
            None
        }
    }

    /// Forgets every event it holds, the stored records of all the site's pages and the calls
    /// the snippet kept (consent withdrawn, Do Not Track honoured), as `Tag::discard`. The
    /// answers to batches in flight are then ignored.
    fn discard(&mut self) {
        self.unwritten.clear();
        self.groups.clear();
        for key in self.journal.keys(record::KEY_PREFIX) {
            if key != PAUSE_KEY {
                self.journal.remove(&key);
            }
        }
        crate::kept::forget(&mut self.journal);
        self.after_answer();
    }

    fn event(&mut self, raw: RawValues, origin: Origin, env: &mut impl Env) -> Verdict {
        if let Some(r) = self.refusal() {
            return Verdict::Rejected(r);
        }
        let values = match validate(raw) {
            Ok(v) => v,
            Err(r) => return Verdict::Rejected(r),
        };
        let Some(key) = self.ledger.check(&values) else {
            return Verdict::Duplicate;
        };
        let v = self.enqueue(Kind::Event, Some(&values), origin, env);
        if v == Verdict::Accepted {
            self.ledger.record(key);
        }
        v
    }

    /// As the tag's `enqueue`: the rate limit, then the event JSON.
    fn enqueue(
        &mut self,
        kind: Kind,
        values: Option<&crate::values::Values>,
        origin: Origin,
        env: &mut impl Env,
    ) -> Verdict {
        let now = env.now();
        if !self.limiter.take(now) {
            self.limited += 1;
            return Verdict::Rejected(Rejection::RateLimited);
        }
        let id = uuid_v4(env.random16());
        let url = origin.url.unwrap_or_else(|| env.page_url());
        let referrer = env.referrer();
        let meta = Meta {
            id: &id,
            session: &self.session,
            account: self.account.as_deref(),
            time: origin.time.unwrap_or(now),
            url: &url,
            referrer: &referrer,
        };
        let event = encode_event(kind, values, &meta);
        self.unwritten.push((now, id, event));
        Verdict::Accepted
    }

    /// The full driver's `answer`, for what a light call can give.
    fn answer(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Accepted => {
                self.lock(true);
                if self.debug {
                    self.say(Level::Debug, say::ACCEPTED, Shown::Input);
                }
                if !self.pump_due {
                    self.pump_due = true;
                    self.effects.push(Effect::Pump);
                }
            }
            Verdict::Duplicate => self.say(Level::Debug, say::DUPLICATE, Shown::Input),
            Verdict::Rejected(r) if r.quiet() => {
                self.say(Level::Debug, r.message(), Shown::Nothing)
            }
            Verdict::Rejected(r @ Rejection::RateLimited) => {
                if !core::mem::replace(&mut self.warned_limit, true) {
                    self.say(Level::Warn, r.message(), Shown::Input);
                }
            }
            Verdict::Rejected(r) => self.say(Level::Warn, r.message(), Shown::Input),
            Verdict::Done | Verdict::Ignored => {}
        }
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
        if self.unwritten.is_empty() && self.groups.is_empty() {
            self.settle();
        } else if !self.pump_due {
            self.pump_due = true;
            self.effects.push(Effect::Pump);
        }
        self.take()
    }

    /// Answers the `flush` callers once nothing is queued, in flight or about to be sent.
    fn settle(&mut self) {
        let busy =
            self.pump_due || !self.unwritten.is_empty() || self.groups.iter().any(|g| g.flying);
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
        self.ledger.persist(&self.owner);
        let mut events = core::mem::take(&mut self.unwritten).into_iter().peekable();
        while let Some((created, id, first)) = events.next() {
            let mut g = Group {
                batch: 0,
                key: record::key(&id),
                created,
                events: Vec::new(),
                flying: false,
                limited: 0,
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
            g.stored = store(&mut self.journal, &self.owner, &g);
            self.groups.push(g);
        }
    }

    /// The pump ran: writes what the task's calls hold in memory, then sends what fits (not
    /// once handing over).
    pub fn pump(&mut self, online: bool, env: &mut impl Env) -> Vec<Effect> {
        self.pump_due = false;
        self.write();
        if self.phase == Phase::Running && !self.left && !self.groups.is_empty() {
            if self.endpoint.is_none() {
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
        let Some(endpoint) = self.endpoint.clone() else {
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
            limited,
            next_batch,
            effects,
            ..
        } = self;
        for g in groups.iter_mut().filter(|g| !g.flying) {
            if in_flight > 0 && in_flight + g.bytes() > budget {
                break;
            }
            in_flight += g.bytes();
            g.limited = core::mem::take(limited);
            let body = encode_batch(g.events.iter().map(String::as_str), now, 0, g.limited);
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
                Class::Delivered => self.done(id),
                Class::Refused => {
                    self.done(id);
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

    /// Batch `id` was acknowledged (or refused): its records go.
    fn done(&mut self, id: u32) {
        let journal = &mut self.journal;
        self.groups.retain(|g| {
            let hit = g.flying && g.batch == id;
            if hit {
                journal.remove(&g.key);
            }
            !hit
        });
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

    /// Batch `id` is no longer in flight: its records rewritten with `attempts` (if any), its
    /// rate-limited count back to be reported.
    fn back(&mut self, id: u32, attempts: u32) {
        let Light {
            groups,
            journal,
            owner,
            limited,
            ..
        } = self;
        if let Some(g) = groups.iter_mut().find(|g| g.flying && g.batch == id) {
            g.flying = false;
            *limited += core::mem::take(&mut g.limited);
            if attempts > 0 {
                g.attempts = attempts;
                g.stored = store(journal, owner, g);
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
        if self.phase == Phase::Running && self.groups.is_empty() && self.unwritten.is_empty() {
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
            if online && self.endpoint.is_some() {
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
    /// rate-limited drops not yet reported, whether the warning was shown, and this page's id,
    /// whose records it adopts at once (js/PROTOCOL.md, "Handing over"):
    /// `<level> <at> <limited> <warned> <owner>`, then, one per line, the records of the events
    /// storage refused (they live nowhere else).
    pub fn handoff(&mut self) -> String {
        self.write();
        let (level, at) = self.limiter.state();
        // What storage refused goes with the hand-over, or it would be lost.
        let refused = self.groups.iter().filter(|g| !g.stored);
        handoff::write(
            [level, at, self.limited, self.warned_limit as u64],
            &self.owner,
            refused.map(|g| records(&self.owner, g)),
        )
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
