//! The light tag's decisions: the delivery driver of a page that has nothing to recover.
//!
//! Most page loads find no stored events of other pages, no calls the snippet kept, no stored
//! pause, and then see every batch acknowledged. For them the loader runs a small wasm (the
//! light module) instead of the whole tag: it validates, dedupes, writes ahead and sends
//! exactly as the tag does ([`Tag`], [`crate::outbox::Outbox`]), and nothing else. At the first
//! thing it does not handle (a failed batch, a `flush`, a privacy or debug setting, a callback
//! that must be answered, no endpoint, offline, a page restored from the back-forward cache)
//! it **hands over**: no new call is taken, the batches in flight are waited for, what is
//! accepted is written to the journal, the page's lock is released, and the loader starts the
//! full tag, which adopts those records as it adopts any page's, and replays the calls made
//! meanwhile. The journal is the hand-over: nothing accepted lives only in the light module's
//! memory once it retires.
//!
//! Inputs and effects are the full driver's ([`crate::driver`]), a subset of each; the
//! answer to a call is a [`Reply`].

use crate::command::Setting;
use crate::driver::{say, Call, Effect, Level, SetValue, Shown};
use crate::driver::{KEEPALIVE_BUDGET, LEAVING_BUDGET, MAX_BATCH_BYTES};
use crate::envelope::BATCH_OVERHEAD;
use crate::outbox::Outcome;
use crate::rate::Limiter;
use crate::retry::Answer;
use crate::store::Store;
use crate::tag::{Env, Tag};
use crate::verdict::{Rejection, Verdict};
use alloc::string::String;
use alloc::vec::Vec;

/// What a call gets: its verdict, or "hand over" (the call goes to the full tag).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    /// Decided here.
    Verdict(Verdict),
    /// Not handled here: the loader queues it for the full tag.
    HandOver,
}

/// What the light module is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Taking calls.
    Running,
    /// Handing over: no call is taken; retires once nothing is in flight.
    Handing,
    /// Retired: the full tag runs the page.
    Retired,
}

/// Why batches are being sent, as in the full driver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sending {
    /// The pump: within [`KEEPALIVE_BUDGET`].
    Pump,
    /// The page is hidden, or left (`release`: the lock goes once the sends are made): within
    /// [`LEAVING_BUDGET`].
    Leaving { release: bool },
}

/// The light driver.
pub struct Light<S: Store, J: Store> {
    /// The tag: config, session, ledger, outbox.
    pub tag: Tag<S, J>,
    phase: Phase,
    /// A pump is due (a microtask, or the read of a body).
    pump_due: bool,
    /// Batches are being sent, one [`Effect::Send`] at a time: for the pump, or for leaving.
    sending: Option<Sending>,
    /// `pagehide` came, and no `pageshow` since.
    left: bool,
    /// The page's Web Lock is requested.
    locked: bool,
    /// The rate-limit warning was shown.
    warned_limit: bool,
    effects: Vec<Effect>,
}

impl<S: Store, J: Store> Light<S, J> {
    /// The light driver over a tag.
    pub fn new(tag: Tag<S, J>) -> Self {
        Light {
            tag,
            phase: Phase::Running,
            pump_due: false,
            sending: None,
            left: false,
            locked: false,
            warned_limit: false,
            effects: Vec::new(),
        }
    }

    /// Whether it has retired: every input is then ignored.
    pub fn retired(&self) -> bool {
        self.phase == Phase::Retired
    }

    /// A call from the page. Its reply, and the effects to run.
    pub fn call(&mut self, call: Call, env: &mut impl Env) -> (Reply, Vec<Effect>) {
        let reply = if self.phase != Phase::Running {
            Reply::HandOver
        } else {
            let t = &mut self.tag;
            let v = match call {
                Call::Event(raw, origin) => t.send_event(raw, origin, env),
                Call::View(page, origin) => t.send_view(page, origin, env),
                Call::Account(id) => t.set_account(id),
                Call::Set(Some(Setting::Endpoint), SetValue { text, .. }) => {
                    t.set_endpoint(text, env)
                }
                Call::Set(Some(Setting::Account), SetValue { text, .. }) => t.set_account(text),
                Call::Set(None, _) => Verdict::Rejected(Rejection::UnknownSetting),
                // Debug, consent, Do Not Track: the full tag's.
                Call::Set(..) => return (self.hand_over(), self.take()),
            };
            self.answer(v);
            Reply::Verdict(v)
        };
        if reply == Reply::HandOver && self.phase == Phase::Running {
            self.hand_over();
        }
        (reply, self.take())
    }

    /// The full driver's `answer`, for what a light call can give.
    fn answer(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Accepted => {
                self.lock(true);
                self.schedule_pump();
            }
            Verdict::Duplicate => self.say(Level::Debug, say::DUPLICATE, Shown::Input),
            Verdict::Rejected(r @ Rejection::RateLimited) => {
                if !core::mem::replace(&mut self.warned_limit, true) {
                    self.say(Level::Warn, r.message(), Shown::Input);
                }
            }
            Verdict::Rejected(r) => self.say(Level::Warn, r.message(), Shown::Input),
            Verdict::Done | Verdict::Ignored => {}
        }
    }

    /// Hands over: no call is taken from now on; retires once nothing is in flight.
    pub fn hand_over(&mut self) -> Reply {
        if self.phase == Phase::Running {
            self.phase = Phase::Handing;
        }
        self.retire_if_idle();
        Reply::HandOver
    }

    /// Retires when handing over and nothing is in flight: what is accepted is written, the
    /// lock released, and [`Effect::Settle`] tells the edge to start the full tag (the light
    /// module has no flush waiters, so the effect is free to mean this).
    fn retire_if_idle(&mut self) {
        if self.phase == Phase::Handing && self.tag.outbox.in_flight() == 0 {
            self.phase = Phase::Retired;
            self.tag.persist();
            self.lock(false);
            self.effects.push(Effect::Settle(true));
        }
    }

    /// The pump ran: writes what the task's calls hold in memory, then sends what fits.
    pub fn pump(&mut self, online: bool, env: &mut impl Env) -> Vec<Effect> {
        self.pump_due = false;
        if self.phase == Phase::Retired {
            return self.take();
        }
        self.tag.persist();
        if self.phase == Phase::Handing || self.left {
            self.retire_if_idle();
            return self.take();
        }
        if self.tag.outbox.queued() > 0 {
            // No endpoint (the full tag warns and keeps them), offline (it waits for online):
            // the full tag's.
            if self.tag.endpoint().is_none() || !online {
                self.hand_over();
            } else {
                self.sending = Some(Sending::Pump);
                self.send_next(env);
            }
        }
        self.release_if_settled();
        self.take()
    }

    /// The request of the last [`Effect::Send`] was made: the next batch that fits follows.
    pub fn started(&mut self, env: &mut impl Env) -> Vec<Effect> {
        self.send_next(env);
        self.take()
    }

    /// The request for batch `id` could not be started: handed over, with the batch back.
    pub fn not_started(&mut self, id: u32) -> Vec<Effect> {
        self.say(Level::Debug, say::NOT_STARTED, Shown::Input);
        self.tag.outbox.unsent(id);
        if let Some(s) = self.sending.take() {
            self.end(s);
        }
        self.hand_over();
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
        let now = env.now();
        let r = env.random16();
        let random = u32::from_le_bytes([r[0], r[1], r[2], r[3]]);
        let outcome =
            self.tag
                .outbox
                .answered(id, Answer::Status(status), retry_after, now, random);
        let shown = Shown::Number(status as u32);
        match outcome {
            Outcome::Dropped(reason, _) => self.say(Level::Warn, reason.message(), shown),
            Outcome::Retry { .. } => {
                // The pause and the attempt are stored: the full tag honours them.
                self.say(Level::Debug, say::NOT_ACCEPTED, shown);
                self.hand_over();
            }
            Outcome::Delivered => {}
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

    /// A task after [`Light::unreachable`]: the page is gone if it was left, and the batch
    /// with it (its records were removed when it was handed to the browser); otherwise the
    /// batch goes back (an attempt counted when online) and the full tag takes over.
    pub fn failed(&mut self, id: u32, online: bool, env: &mut impl Env) -> Vec<Effect> {
        if !self.left {
            if online {
                let now = env.now();
                let r = env.random16();
                let random = u32::from_le_bytes([r[0], r[1], r[2], r[3]]);
                self.tag
                    .outbox
                    .answered(id, Answer::NetworkError, None, now, random);
            } else {
                self.tag.outbox.unsent(id);
            }
            self.hand_over();
        }
        self.after_answer();
        self.take()
    }

    fn after_answer(&mut self) {
        if self.phase == Phase::Running && self.tag.outbox.queued() > 0 {
            // What waited for the keepalive budget goes once the answer's body is read.
            if !self.pump_due {
                self.pump_due = true;
                self.effects.push(Effect::PumpAfterBody);
            }
        }
        self.retire_if_idle();
        self.release_if_settled();
    }

    /// The page was hidden, or (`left`) `pagehide` came: what is queued goes now, within the
    /// whole keepalive quota, and its records are removed (the browser finishes those
    /// requests); after `pagehide` the lock is released once the sends are made.
    pub fn leave(&mut self, left: bool, online: bool, env: &mut impl Env) -> Vec<Effect> {
        if self.phase != Phase::Running {
            return self.take();
        }
        self.left |= left;
        self.tag.persist();
        if online && self.tag.endpoint().is_some() && self.tag.outbox.leaving() {
            self.sending = Some(Sending::Leaving { release: left });
            self.send_next(env);
        } else if left {
            self.lock(false);
        }
        self.take()
    }

    /// Visible again, or (`restored`) shown from the back-forward cache: another page may have
    /// adopted this page's records meanwhile, which the full tag sorts out.
    pub fn shown(&mut self, restored: bool) -> Vec<Effect> {
        if restored || self.left {
            self.left = false;
            self.hand_over();
        }
        self.take()
    }

    /// The next batch that fits what the budget leaves in flight (a lone batch always fits),
    /// or the end of the sending.
    fn send_next(&mut self, env: &mut impl Env) {
        let Some(sending) = self.sending else { return };
        let budget = match sending {
            Sending::Pump => KEEPALIVE_BUDGET,
            Sending::Leaving { .. } => LEAVING_BUDGET,
        };
        let outbox = &mut self.tag.outbox;
        let in_flight = outbox.in_flight_bytes();
        let room = budget.saturating_sub(in_flight);
        let fits = outbox
            .next_len()
            .is_some_and(|n| in_flight == 0 || n + BATCH_OVERHEAD <= room);
        let batch = if fits {
            outbox.take_batch(env.now(), room.min(MAX_BATCH_BYTES))
        } else {
            None
        };
        match (batch, self.tag.endpoint()) {
            (Some(batch), Some(endpoint)) => self.effects.push(Effect::Send {
                id: batch.id,
                endpoint: String::from(endpoint),
                body: batch.body,
            }),
            _ => {
                self.sending = None;
                self.end(sending);
            }
        }
    }

    /// The sending is over: after leaving, the records of what left are removed, and after
    /// `pagehide` the lock released.
    fn end(&mut self, sending: Sending) {
        if let Sending::Leaving { release } = sending {
            self.tag.outbox.leaving();
            if release {
                self.lock(false);
            }
        }
    }

    fn schedule_pump(&mut self) {
        if !self.pump_due {
            self.pump_due = true;
            self.effects.push(Effect::Pump);
        }
    }

    fn release_if_settled(&mut self) {
        if self.phase == Phase::Running && self.tag.outbox.is_settled() {
            self.lock(false);
        }
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

    /// What the full tag continues from: the rate limit's bucket, the rate-limited events not
    /// yet reported, and whether the rate-limit warning was shown (js/PROTOCOL.md, "Handing
    /// over"): `<level> <at> <limited> <warned>`.
    pub fn handoff(&mut self) -> String {
        let (level, at) = self.tag.limiter().state();
        let mut out = String::new();
        for (i, n) in [
            level,
            at,
            self.tag.outbox.take_limited(),
            self.warned_limit as u64,
        ]
        .into_iter()
        .enumerate()
        {
            if i > 0 {
                out.push(' ');
            }
            crate::json::push_u64(&mut out, n);
        }
        out
    }
}

/// Reads [`Light::handoff`]: the limiter's state, the limited count, the warning shown.
pub fn read_handoff(s: &str) -> Option<(Limiter, u64, bool)> {
    let mut n = [0u64; 4];
    let mut rest = s;
    for slot in n.iter_mut() {
        let end = rest.find(' ').unwrap_or(rest.len());
        *slot = crate::json::parse_u64(rest.get(..end)?)?;
        rest = rest.get(end + 1..).unwrap_or_default();
    }
    Some((Limiter::resume(n[0], n[1]), n[2], n[3] == 1))
}
