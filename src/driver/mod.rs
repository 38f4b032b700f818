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

use crate::command::Setting;
use crate::envelope::BATCH_OVERHEAD;
use crate::kept::{self, Replay};
use crate::outbox::{Outcome, RECENT_MS, RECLAIM_MS};
use crate::retry::{Answer, DropReason, BASE_DELAY_MS};
use crate::store::Store;
use crate::tag::{Env, Origin, Tag};
use crate::values::RawValues;
use crate::verdict::{Rejection, Verdict};
use alloc::string::String;
use alloc::vec::Vec;

/// A batch body is at most this many bytes.
pub const MAX_BATCH_BYTES: usize = 32 * 1024;

/// Keepalive bodies the tag keeps in flight: half of the 64 KiB that a page may have in flight
/// across all keepalive fetches and beacons (Fetch standard, "keepalive" step; Chromium counts
/// beacons in the same quota). Half, because Chromium releases a request's share only once its
/// response body has been read, which finishes after the answer that frees our own count, and
/// because other scripts of the page share the quota. What does not fit waits for an answer.
pub const KEEPALIVE_BUDGET: usize = 32 * 1024;

/// What may be in flight once the page is hidden or leaving: the whole 64 KiB quota, less
/// 4 KiB for the page's own beacons. Nothing of the page will need room after this.
pub const LEAVING_BUDGET: usize = 60 * 1024;

/// What the edge is asked to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// POST `body` to `endpoint` (keepalive `fetch`, no credentials); then tell the driver
    /// [`Input::Started`] or [`Input::NotStarted`], and later [`Input::Answered`] or
    /// [`Driver::unreachable`].
    Send {
        /// The batch, for the answer.
        id: u32,
        /// The collector URL.
        endpoint: String,
        /// The batch JSON.
        body: String,
    },
    /// Give [`Input::Pump`] at the end of the current task (a microtask): the calls of one task
    /// share one request.
    Pump,
    /// Give [`Input::Pump`] once the last answer's body has been read: Chromium gives the
    /// request's share of the keepalive quota back only then.
    PumpAfterBody,
    /// Write now what the calls stored only in memory ([`Input::Persist`]): after the lock
    /// request that precedes it.
    Persist,
    /// Give [`Input::TimerFired`] after this many ms.
    Timer(u64),
    /// Give [`Input::Failed`] for this batch a task later (see [`Driver::unreachable`]).
    FailLater(u32),
    /// Request (`true`) or release the page's Web Lock `rtp-tab-<page id>`.
    Lock(bool),
    /// Take the claim lock and a snapshot of the locks, then call [`Driver::claiming`] and
    /// [`Driver::adopt`].
    Claim,
    /// Answer every `flush` waiter with this value.
    Settle(bool),
    /// A console message.
    Say(Level, &'static str, Shown),
}

/// A console level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// `console.debug`.
    Debug,
    /// `console.warn`.
    Warn,
}

/// What a console message shows after its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// Nothing.
    Nothing,
    /// The JavaScript value the input came with (the call's `customData`, the network error).
    Input,
    /// A number (an HTTP status, a count).
    Number(u32),
}

/// Console texts.
pub mod say {
    /// An accepted call, in debug mode.
    pub const ACCEPTED: &str = "rtp: accepted";
    /// A repeat of a custom data event in the session.
    pub const DUPLICATE: &str = "rtp: already sent in this session; not sent again";
    /// Events were accepted before any endpoint was set.
    pub const NO_ENDPOINT: &str =
        "rtp: no collector endpoint set; events are kept until rtp('set', 'endpoint', url)";
    /// A batch failed and will be retried.
    pub const NOT_ACCEPTED: &str = "rtp: batch not accepted; kept, retried later. HTTP status:";
    /// A request failed before an answer.
    pub const UNREACHABLE: &str = "rtp: collector unreachable; batch kept, retried later";
    /// The page's `fetch` threw.
    pub const NOT_STARTED: &str = "rtp: request not started; batch kept queued";
    /// Events of earlier pages are being sent.
    pub const ADOPTED: &str = "rtp: sending events that an earlier page left unsent:";
    /// The snippet's kept calls could not be parsed.
    pub const KEPT_UNREADABLE: &str =
        "rtp: discarded calls kept from an earlier page: not readable";
}

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

/// An input from the browser (other than a call, [`Call`]): the edge turns each JavaScript
/// callback into one, and [`Driver::input`] answers with the effects to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// The pump's microtask (or the read of a body) ran; `online`: `navigator.onLine`.
    Pump {
        /// `navigator.onLine`.
        online: bool,
    },
    /// The request of the last [`Effect::Send`] was made.
    Started,
    /// The request for this batch could not be started.
    NotStarted(u32),
    /// The collector answered a batch.
    Answered {
        /// The batch.
        id: u32,
        /// The HTTP status (0 when unreadable).
        status: u16,
        /// `Retry-After`, in ms.
        retry_after: Option<u64>,
    },
    /// A batch's request failed before an answer.
    Unreachable(u32),
    /// A task after [`Input::Unreachable`].
    Failed {
        /// The batch.
        id: u32,
        /// `navigator.onLine`.
        online: bool,
    },
    /// The retry timer fired.
    TimerFired,
    /// The retry timer could not be set.
    TimerFailed,
    /// [`Effect::Persist`] is being run.
    Persist,
    /// The page was hidden.
    Hidden {
        /// `navigator.onLine`.
        online: bool,
    },
    /// `pagehide`.
    Left {
        /// `navigator.onLine`.
        online: bool,
    },
    /// Shown again (visible, or from the back-forward cache).
    Shown,
    /// The browser is online again.
    Online,
    /// `rtp('flush')`: this many waiters joined.
    Flush(usize),
    /// A queue the snippet kept could not be read.
    KeptUnreadable,
}

/// A command call: what the page asked for.
#[derive(Clone, Debug)]
pub enum Call {
    /// `rtp('send', 'event', customData)`.
    Event(RawValues, Origin),
    /// `rtp('send', 'view' [, page])`; `Err` when the page was given but is not a string.
    View(Result<Option<String>, ()>, Origin),
    /// `rtp('setAccount', id)`.
    Account(Option<String>),
    /// `rtp('set', name, value)` (`None`: an unknown name).
    Set(Option<Setting>, SetValue),
}

/// What a `set` call carries, read by the edge.
#[derive(Clone, Debug, Default)]
pub struct SetValue {
    /// The value, if it is a short string.
    pub text: Option<String>,
    /// Whether it is truthy.
    pub truthy: bool,
    /// Whether it is `true` itself.
    pub is_true: bool,
    /// Whether the browser sends Do Not Track or Global Privacy Control (read for `honorDnt`).
    pub signal: bool,
}

/// The tag and its delivery state for one page.
pub struct Driver<S: Store, J: Store> {
    /// The tag: configuration, session, ledger, outbox.
    pub tag: Tag<S, J>,
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
    pub fn new(tag: Tag<S, J>) -> Self {
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
        let verdict = match call {
            Call::Event(raw, origin) => self.tag.send_event(raw, origin, env),
            Call::View(page, origin) => self.tag.send_view(page, origin, env),
            Call::Account(id) => self.tag.set_account(id),
            Call::Set(setting, value) => self.set(setting, value, env),
        };
        self.answer(verdict);
        (verdict, self.effects())
    }

    // ---- calls -------------------------------------------------------------------------

    /// `rtp('set', name, value)`, with the setting's name parsed (`None`: unknown).
    fn set(&mut self, setting: Option<Setting>, value: SetValue, env: &mut impl Env) -> Verdict {
        let t = &mut self.tag;
        let v = match setting {
            Some(Setting::Endpoint) => t.set_endpoint(value.text, env),
            Some(Setting::Account) => t.set_account(value.text),
            Some(Setting::Debug) => t.set_debug(value.truthy),
            Some(Setting::Consent) => t.set_consent(value.is_true),
            Some(Setting::HonorDnt) => t.set_honor_dnt(value.truthy, value.signal),
            None => Verdict::Rejected(Rejection::UnknownSetting),
        };
        if setting == Some(Setting::Endpoint) {
            self.schedule_pump(); // events accepted before the endpoint was known can leave now
        }
        v
    }

    /// `rtp('flush' [, callback])`: `added` waiters joined (the callback, the Promise's
    /// resolve). They are answered once nothing is queued or in flight: `true` when everything
    /// was acknowledged, `false` when events were dropped meanwhile or the last attempt failed.
    fn flush(&mut self, added: usize) {
        self.waiters += added;
        self.schedule_pump();
        self.settle_waiters();
    }

    /// What follows a verdict: for an accepted event, the lock, the pump and the write; for
    /// the others, the console message.
    fn answer(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Accepted => {
                // The lock is requested before the event's record is written (by the pump at
                // the end of the task, or by Persist), and only for an accepted event: a lock
                // request per refused or repeated call held memory until granted (measured:
                // about 50 B of JS heap per call over 100,000 calls).
                self.set_lock(true);
                if self.tag.debug() {
                    self.say(Level::Debug, say::ACCEPTED, Shown::Input);
                }
                self.schedule_pump();
                if self.pump != Pump::Soon {
                    self.emit(Effect::Persist);
                }
            }
            Verdict::Duplicate => self.say(Level::Debug, say::DUPLICATE, Shown::Input),
            Verdict::Rejected(r) if r.quiet() => {
                self.say(Level::Debug, r.message(), Shown::Nothing)
            }
            Verdict::Rejected(r @ Rejection::RateLimited) => {
                // Once per page: a runaway loop must not flood the console either.
                if !core::mem::replace(&mut self.warned_limit, true) {
                    self.say(Level::Warn, r.message(), Shown::Input);
                }
            }
            Verdict::Rejected(r) => self.say(Level::Warn, r.message(), Shown::Input),
            Verdict::Done | Verdict::Ignored => {}
        }
    }

    // ---- sending -----------------------------------------------------------------------

    /// The pump ran: writes what the task's calls stored in memory, then sends the queued
    /// batches that fit the keepalive budget, unless offline (`online` resumes) or paused
    /// after a failure (a timer resumes); then answers `flush` waiters.
    fn pump(&mut self, online: bool, env: &mut impl Env) {
        self.pump = Pump::Idle;
        self.tag.persist();
        if self.left {
            // Left, and not shown again: a call from a later pagehide listener, or a timer that
            // came due while the page was in the back-forward cache, before its pageshow. Its
            // lock was released, so another page may have adopted its stored events: those are
            // forgotten first; the rest goes the way of a page being left.
            self.tag.outbox.resync();
            self.leave(online, true, env);
            return;
        }
        let queued = self.tag.outbox.queued() > 0;
        if self.tag.endpoint().is_none()
            && queued
            && !core::mem::replace(&mut self.warned_no_endpoint, true)
        {
            self.say(Level::Warn, say::NO_ENDPOINT, Shown::Nothing);
        }
        let wait = self.tag.outbox.ready(env.now());
        if queued && wait > 0 {
            self.set_timer(wait);
        } else if queued && online {
            self.sending = Some(Phase::Pump);
            self.send_next(env);
            return;
        }
        self.settle_waiters();
    }

    /// The request of the last [`Effect::Send`] was made: the next batch follows, if one fits.
    fn started(&mut self, env: &mut impl Env) {
        self.send_next(env);
    }

    /// The request for batch `id` could not be started (the page's `fetch` threw; not the
    /// collector's failure): the batch goes back in front without an attempt counted, and is
    /// tried again on the next call or in a second.
    fn not_started(&mut self, id: u32) {
        self.say(Level::Debug, say::NOT_STARTED, Shown::Input);
        self.tag.outbox.unsent(id);
        self.set_timer(BASE_DELAY_MS);
        if let Some(phase) = self.sending.take() {
            self.end_phase(phase);
        }
    }

    /// The next batch of the current phase, or the phase's end.
    fn send_next(&mut self, env: &mut impl Env) {
        let Some(phase) = self.sending else { return };
        let budget = match phase {
            Phase::Pump => KEEPALIVE_BUDGET,
            Phase::Leaving { .. } => LEAVING_BUDGET,
        };
        match self.next_batch(budget, env.now()) {
            Some(send) => self.emit(send),
            None => {
                self.sending = None;
                self.end_phase(phase);
            }
        }
    }

    /// The oldest queued batch that fits what `budget` leaves in flight (a lone batch always
    /// fits: an event is far below 64 KiB).
    fn next_batch(&mut self, budget: usize, now: u64) -> Option<Effect> {
        let endpoint = String::from(self.tag.endpoint()?);
        let outbox = &mut self.tag.outbox;
        let in_flight = outbox.in_flight_bytes();
        let room = budget.saturating_sub(in_flight);
        if in_flight > 0 && outbox.next_len()? + BATCH_OVERHEAD > room {
            return None;
        }
        let batch = outbox.take_batch(now, room.min(MAX_BATCH_BYTES))?;
        Some(Effect::Send {
            id: batch.id,
            endpoint,
            body: batch.body,
        })
    }

    fn end_phase(&mut self, phase: Phase) {
        if let Phase::Leaving { release } = phase {
            // The records of what just left are removed: the browser finishes those requests.
            self.tag.outbox.leaving();
            self.settle_waiters();
            if release {
                self.set_lock(false);
            }
        } else {
            self.settle_waiters();
        }
    }

    /// The collector answered batch `id` with `status` (and `Retry-After`, in ms).
    fn answered(&mut self, id: u32, status: u16, retry_after: Option<u64>, env: &mut impl Env) {
        let outcome = self.answer_batch(id, Answer::Status(status), retry_after, env);
        if self.waiters > 0
            && matches!(
                outcome,
                Outcome::Dropped(..) | Outcome::Retry { too_old: 1.., .. }
            )
        {
            self.dropped = true;
        }
        let status = Shown::Number(status as u32);
        match outcome {
            Outcome::Dropped(reason, _) => self.say(Level::Warn, reason.message(), status),
            Outcome::Retry { too_old, .. } => {
                self.say(Level::Debug, say::NOT_ACCEPTED, status);
                if too_old > 0 {
                    self.say(Level::Debug, DropReason::TooOld.message(), Shown::Nothing);
                }
            }
            Outcome::Delivered => {}
        }
        if matches!(outcome, Outcome::Retry { .. }) {
            self.schedule_pump(); // it sets the retry timer
        } else if self.tag.outbox.queued() > 0 {
            // Room was freed: what waited for the keepalive budget goes once the body is read.
            self.schedule_pump_after_body();
        }
        self.settle_waiters();
    }

    /// The request for batch `id` failed before an answer (network error, CORS, timeout,
    /// offline). It is handled a task later ([`Effect::FailLater`], then [`Driver::failed`]):
    /// when the page is being left, Chromium rejects the fetch promises of keepalive requests
    /// that it goes on sending, before `pagehide` (measured: "TypeError: Failed to fetch",
    /// then pagehide, then the collector gets the batch). Handled at once, that would count
    /// the batch as failed, keep it stored, and have the next page send it again; a task
    /// later, the page is gone, and `pagehide` has handed the batch to the browser.
    fn unreachable(&mut self, id: u32) {
        self.say(Level::Debug, say::UNREACHABLE, Shown::Input);
        self.emit(Effect::FailLater(id));
    }

    /// See [`Driver::unreachable`]. Offline is not the collector's failure: the batch goes back
    /// without an attempt counted, and `online` resumes. (A timeout counts as a network error.)
    fn failed(&mut self, id: u32, online: bool, env: &mut impl Env) {
        if online {
            self.answer_batch(id, Answer::NetworkError, None, env);
        } else {
            self.tag.outbox.unsent(id);
        }
        self.schedule_pump();
        self.settle_waiters();
    }

    fn answer_batch(
        &mut self,
        id: u32,
        answer: Answer,
        retry_after: Option<u64>,
        env: &mut impl Env,
    ) -> Outcome {
        let now = env.now();
        let r = env.random16();
        let random = u32::from_le_bytes([r[0], r[1], r[2], r[3]]);
        self.tag
            .outbox
            .answered(id, answer, retry_after, now, random)
    }

    // ---- timers, lifecycle ---------------------------------------------------------------

    /// The retry timer fired: adopt what pages that closed meanwhile left, then send.
    fn timer_fired(&mut self) {
        self.timer = false;
        self.emit(Effect::Claim);
        self.schedule_pump();
    }

    /// The page was hidden (another tab, minimised): it may come back, or be discarded without
    /// a `pagehide` (mobile browsers do). What is queued goes now.
    fn hidden(&mut self, online: bool, env: &mut impl Env) {
        self.leave(online, false, env);
    }

    /// `pagehide`: the page is navigated away, reloaded, closed, or put in the back-forward
    /// cache. What is queued goes now, and the lock is released once it has.
    fn left(&mut self, online: bool, env: &mut impl Env) {
        self.left = true;
        self.leave(online, true, env);
    }

    /// What is queued goes now by keepalive `fetch`, within the whole quota, which the browser
    /// finishes after the page is gone; not by `sendBeacon`, which cannot omit credentials and
    /// gets no answer. The records of what is in flight are removed (`Outbox::leaving`), so
    /// that the next page does not send them again. While the collector is failing nothing
    /// goes: the events stay stored for the next page.
    fn leave(&mut self, online: bool, release: bool, env: &mut impl Env) {
        self.tag.persist();
        if self.tag.outbox.leaving() && online {
            self.sending = Some(Phase::Leaving { release });
            self.send_next(env);
        } else {
            self.settle_waiters();
            if release {
                self.set_lock(false);
            }
        }
    }

    /// Shown again: visible, or back from the back-forward cache. Back from the cache, what
    /// another page adopted meanwhile is forgotten first.
    fn shown(&mut self) {
        if core::mem::take(&mut self.left) && !self.tag.outbox.resync() {
            self.set_lock(true);
        }
        self.emit(Effect::Claim);
        self.schedule_pump();
    }

    /// The browser is online again: the next attempt may be made at once.
    fn online(&mut self) {
        self.tag.outbox.resume_now();
        self.schedule_pump();
    }

    // ---- adoption --------------------------------------------------------------------------

    /// The claim lock is held: whether to adopt at all (not while consent is denied or Do Not
    /// Track honoured). The page's lock is requested first, before any record is rewritten as
    /// this page's.
    pub fn claiming(&mut self) -> (bool, Vec<Effect>) {
        let go = self.tag.refusal().is_none();
        if go {
            self.set_lock(true);
        }
        (go, self.effects())
    }

    /// Under the claim lock, with the names of the locks held or requested (`None` without Web
    /// Locks) and when that snapshot was asked for: adopts the events of pages that are gone,
    /// and returns the queues the snippet kept for the next page (JSON text each), for the
    /// edge to read and replay through [`Driver::kept_call`].
    pub fn adopt(
        &mut self,
        live: Option<&str>,
        since: Option<u64>,
        env: &mut impl Env,
    ) -> (Vec<String>, Vec<Effect>) {
        let now = env.now();
        let found = self.tag.outbox.adopt(live, since.unwrap_or(now), now);
        if found.recent {
            self.set_timer(RECENT_MS * 2); // claim again, once those records are not recent
        } else if found.waiting > 0 {
            self.set_timer(RECLAIM_MS); // claim again: their pages may be gone by then
        }
        for c in &found.corrupt {
            self.say(Level::Warn, c.message(), Shown::Nothing);
        }
        if found.too_old > 0 {
            self.say(
                Level::Debug,
                DropReason::TooOld.message(),
                Shown::Number(found.too_old as u32),
            );
        }
        if found.adopted > 0 {
            self.say(
                Level::Debug,
                say::ADOPTED,
                Shown::Number(found.adopted as u32),
            );
        }
        let queues = kept::take(self.tag.outbox.journal());
        self.schedule_pump();
        (queues, self.effects())
    }

    /// One call the snippet kept (its action and time): whether to replay it.
    pub fn kept_call(
        &mut self,
        action: Option<&str>,
        time: Option<u64>,
        env: &mut impl Env,
    ) -> (bool, Vec<Effect>) {
        let r = kept::replayable(action, time, env.now());
        if r == Replay::TooOld {
            self.say(Level::Debug, DropReason::TooOld.message(), Shown::Input);
        }
        (r == Replay::Send, self.effects())
    }

    // ---- small steps -------------------------------------------------------------------------

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
