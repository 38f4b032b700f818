//! The delivery driver: every decision the browser edge used to make, as a state machine with
//! no I/O (after quinn-proto's design). The edge feeds it inputs ([`Input`], [`Call`]) — a call, a network answer, a
//! timer, the page's lifecycle, a claim snapshot — and runs the [`Effect`]s each input
//! returns, in order: send this batch, run the pump at the end of the task, set the retry timer,
//! take or release the page's Web Lock, claim, answer `flush` waiters, say something on the
//! console. Time and randomness come in through [`Env`], storage through the tag's stores, so
//! native tests play whole delivery scenarios with an injected clock (`tests/`).
//!
//! Sending is a conversation: a [`Effect::Send`] is answered by [`Input::Started`] (the
//! request was made: the next batch that fits comes out) or [`Input::NotStarted`] (the page's
//! `fetch` threw: the batch goes back, and the rest waits for a timer).

mod calls;
mod claim;
mod io;
mod lifecycle;
mod sending;

pub use calls::said;
pub use io::{say, Effect, Input, Level, Shown};
pub use sending::{KEEPALIVE_BUDGET, LEAVING_BUDGET, MAX_BATCH_BYTES};

use crate::command::Setting;
use crate::envelope::BATCH_OVERHEAD;
use crate::kept::{self, Replay};
use crate::outbox::{Outbox, Outcome, RECENT_MS, RECLAIM_MS};
use crate::retry::{Answer, DropReason, BASE_DELAY_MS};
use crate::store::Store;
use crate::tag::{Call, Env, Tag};
use crate::verdict::{Rejection, Verdict};
use alloc::string::String;
use alloc::vec::Vec;

/// Where a pump stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pump {
    /// None scheduled.
    Idle,
    /// Scheduled for the end of the current task: it writes what the task's calls stored in
    /// memory only.
    Soon,
    /// Scheduled after a response body: a call meanwhile writes at once.
    AfterBody,
}

/// Batches are being sent, one effect at a time, for this reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// The pump: within [`KEEPALIVE_BUDGET`].
    Pump,
    /// The page is hidden, or left (`release`: its lock goes once the sends are made): within
    /// [`LEAVING_BUDGET`].
    Leaving { release: bool },
}

/// The tag and its delivery state for one page.
pub struct Driver<S: Store, J: Store> {
    /// The tag: configuration, session, ledger, outbox.
    pub tag: Tag<S, Outbox<J>>,
    /// The page's lock is requested (it is, whenever the outbox holds events).
    locked: bool,
    /// The page was left (`pagehide`) and has not been shown since: if it comes back from the
    /// back-forward cache, what it holds must first be checked against storage.
    left: bool,
    warned_limit: bool,
    warned_no_endpoint: bool,
    pump: Pump,
    /// The retry timer is set.
    timer: bool,
    sending: Option<Phase>,
    /// `flush` callers waiting for the outbox to settle.
    waiters: usize,
    /// Events were dropped undelivered since the waiters were last answered.
    dropped: bool,
    out: Vec<Effect>,
}

impl<S: Store, J: Store> Driver<S, J> {
    /// A driver for `tag`, with nothing scheduled.
    pub fn new(tag: Tag<S, Outbox<J>>) -> Self {
        Driver {
            tag,
            locked: false,
            left: false,
            warned_limit: false,
            warned_no_endpoint: false,
            pump: Pump::Idle,
            timer: false,
            sending: None,
            waiters: 0,
            dropped: false,
            out: Vec::new(),
        }
    }

    fn emit(&mut self, e: Effect) {
        self.out.push(e);
    }

    fn say(&mut self, level: Level, text: &'static str, shown: Shown) {
        self.emit(Effect::Say(level, text, shown));
    }

    /// The effects of the last input, in order.
    fn effects(&mut self) -> Vec<Effect> {
        core::mem::take(&mut self.out)
    }

    /// One input, and the effects it asks for, in order.
    pub fn input(&mut self, input: Input, env: &mut impl Env) -> Vec<Effect> {
        match input {
            Input::Pump { online } => self.pump(online, env),
            Input::Started => self.started(env),
            Input::NotStarted(id) => self.not_started(id),
            Input::Answered {
                id,
                status,
                retry_after,
            } => self.answered(id, status, retry_after, env),
            Input::Unreachable(id) => self.unreachable(id),
            Input::Failed { id, online } => self.failed(id, online, env),
            Input::TimerFired => self.timer_fired(),
            Input::TimerFailed => self.timer = false, // the page broke setTimeout: a later call retries
            Input::Persist => self.tag.persist(),
            Input::Hidden { online } => self.hidden(online, env),
            Input::Left { online } => self.left(online, env),
            Input::Shown => self.shown(),
            Input::Online => self.online(),
            Input::Flush(added) => self.flush(added),
            Input::KeptUnreadable => self.say(Level::Warn, say::KEPT_UNREADABLE, Shown::Nothing),
        }
        self.effects()
    }

    /// One call: its verdict, and the effects that follow.
    pub fn call(&mut self, call: Call, env: &mut impl Env) -> (Verdict, Vec<Effect>) {
        let endpoint = matches!(call, Call::Set(Some(Setting::Endpoint), _));
        let verdict = self.tag.call(call, env);
        if endpoint {
            self.schedule_pump(); // events accepted before the endpoint was known can leave now
        }
        self.answer(verdict);
        (verdict, self.effects())
    }

    /// Continues from what the light module of this page handed over
    /// ([`crate::handoff`]): its rate limit, its rate-limited drops not yet
    /// reported, the warning shown, and its stored events, adopted at once (so that a `flush`
    /// made meanwhile waits for them), with the pause it stored.
    pub fn continue_from(&mut self, handoff: &str, env: &mut impl Env) -> Vec<Effect> {
        if let Some(h) = crate::handoff::read(handoff) {
            self.tag.continue_from(h.limiter);
            self.tag.outbox.add_limited_n(h.limited);
            self.tag.outbox.add_evicted(h.evicted);
            self.warned_limit |= h.warned;
            self.set_lock(true);
            let now = env.now();
            self.tag.outbox.adopt_from(None, now, now, Some(&h.owner));
            // What storage refused the light module: in memory here, as an event this tag
            // could not write.
            for (created, attempts, event) in h.unstored {
                self.tag.outbox.push_back(event, created, attempts);
            }
            self.schedule_pump();
        }
        self.effects()
    }

    fn set_lock(&mut self, on: bool) {
        if core::mem::replace(&mut self.locked, on) != on {
            self.emit(Effect::Lock(on));
        }
    }

    fn set_timer(&mut self, ms: u64) {
        if !core::mem::replace(&mut self.timer, true) {
            self.emit(Effect::Timer(ms));
        }
    }

    fn schedule_pump(&mut self) {
        if self.pump == Pump::Idle {
            self.pump = Pump::Soon;
            self.emit(Effect::Pump);
        }
    }

    fn schedule_pump_after_body(&mut self) {
        if self.pump == Pump::Idle {
            self.pump = Pump::AfterBody;
            self.emit(Effect::PumpAfterBody);
        }
    }

    /// Releases the lock when nothing is outstanding, and answers `flush` waiters when nothing
    /// is queued or in flight or about to be sent: `true` when everything was acknowledged,
    /// `false` when events were dropped meanwhile, or when something is still queued (the last
    /// attempt failed).
    fn settle_waiters(&mut self) {
        let settled = self.tag.outbox.is_settled();
        if self.locked && settled {
            self.set_lock(false);
        }
        if self.waiters == 0
            || self.tag.outbox.in_flight() > 0
            || self.pump != Pump::Idle
            || self.sending.is_some()
        {
            return;
        }
        self.waiters = 0;
        let ok = settled && !core::mem::take(&mut self.dropped);
        self.emit(Effect::Settle(ok));
    }
}

#[cfg(test)]
mod tests;
