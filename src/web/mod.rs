//! The browser edge: the `rtp` export, the tag's state for this page, and the hooks that move
//! events out (a microtask after each call, the network answers, the page lifecycle).
//!
//! Nothing here throws into the page, and nothing can leave the state borrowed:
//! - the state (`EDGE`) is borrowed only around plain Rust work and `catch` bindings; every
//!   call that may run page code (`fetch`, `then`, `bind`, console, callbacks) happens after
//!   the borrow is released, so an exception or a re-entrant `rtp()` from page code cannot
//!   wedge the tag;
//! - the borrow is `try_borrow_mut`: a re-entrant call during the few places where page code
//!   still runs under it (getters are read before borrowing) is answered `"busy"`, not a panic.
//! The loader wraps each call in a try/catch as a last guard.

pub mod args;
mod bindings;
mod console;
pub mod env;
pub mod journal;
mod lifecycle;
pub mod session_store;
pub mod transport;

use crate::command::{parse, parse_setting, Command, Setting};
use crate::envelope::BATCH_OVERHEAD;
use crate::outbox::{Outcome, Outgoing};
use crate::retry::{parse_retry_after, Answer, DropReason, MAX_AGE_MS};
use crate::tag::{Env, Origin, Tag};
use crate::verdict::{Rejection, Verdict};
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use env::BrowserEnv;
use journal::Journal;
use js_sys::{Array, Function, Object, Promise, Reflect};
use lifecycle::Moment;
use session_store::SessionStore;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Everything the tag holds for this page.
struct Edge {
    tag: Tag<SessionStore, Journal>,
    env: BrowserEnv,
    hooks: Hooks,
    /// The loader's `claim()`: runs [`adopt`] under the Web Lock `rtp-claim`.
    claim: Option<Function>,
    /// The loader's `lock(on)`: requests or releases the Web Lock `rtp-tab-<page id>`.
    lock: Option<Function>,
    /// The page's lock is requested (it is, whenever the outbox holds events).
    locked: bool,
    /// The page was left (`pagehide`) and has not sent since: if it comes back from the
    /// back-forward cache, what it holds must first be checked against storage.
    left: bool,
    /// The rate limit's warning was logged (once per page: a runaway loop must not flood the
    /// console either).
    warned_limit: bool,
    /// A pump is scheduled (for the end of the current task, or after a response body).
    scheduled: bool,
    /// That pump runs at the end of the current task (a microtask): it writes what the calls
    /// of this task stored only in memory (`Tag::persist`).
    soon: bool,
    /// A retry timer is set.
    timer: bool,
    /// Bytes of keepalive bodies in flight, by batch id.
    keepalive: Vec<(u32, usize)>,
    /// `rtp('flush')` callers waiting for the outbox to settle.
    waiters: Vec<Function>,
    /// Events were dropped undelivered (refused, too old) since the waiters were last answered.
    dropped: bool,
    warned_no_endpoint: bool,
}

impl Edge {
    fn in_flight_bytes(&self) -> usize {
        self.keepalive.iter().map(|(_, n)| n).sum()
    }

    /// The next queued batch that fits what `budget` leaves (a lone batch always fits:
    /// an event is far below 64 KiB), counted in flight, with the endpoint to send it to.
    #[inline(never)] // shared by pump and page_hidden: one copy in the wasm
    fn next_batch(&mut self, budget: usize) -> Option<(String, Outgoing)> {
        let endpoint = String::from(self.tag.endpoint()?);
        let in_flight = self.in_flight_bytes();
        let room = budget.saturating_sub(in_flight);
        if in_flight > 0 && self.tag.outbox.next_len()? + BATCH_OVERHEAD > room {
            return None;
        }
        let now = self.env.now();
        let batch = self
            .tag
            .outbox
            .take_batch(now, room.min(transport::MAX_BATCH_BYTES))?;
        self.keepalive.push((batch.id, batch.body.len()));
        Some((endpoint, batch))
    }

    /// Batch `id` is no longer in flight.
    fn landed(&mut self, id: u32) {
        self.keepalive.retain(|(b, _)| *b != id);
    }

    /// Batch `id` got `answer` (read by the caller, outside the borrow).
    fn answered(&mut self, id: u32, answer: Answer, retry_after: Option<u64>) -> Outcome {
        self.landed(id);
        let now = self.env.now();
        let r = self.env.random16();
        let random = u32::from_le_bytes([r[0], r[1], r[2], r[3]]);
        self.tag
            .outbox
            .answered(id, answer, retry_after, now, random)
    }
}

/// JavaScript functions that call back into the edge, made once and reused.
struct Hooks {
    pump: Closure<dyn FnMut(JsValue)>,
    answered: Closure<dyn FnMut(JsValue, JsValue)>,
    unreachable: Closure<dyn FnMut(JsValue, JsValue)>,
    failed: Closure<dyn FnMut(JsValue)>,
    lifecycle: Closure<dyn FnMut(JsValue)>,
    retry: Closure<dyn FnMut(JsValue)>,
    /// The executor of `flush`'s Promise: its `resolve` joins the waiters. The same closure
    /// type as `answered`, so it costs no new glue (a stack closure for `Promise::new` did).
    defer: Closure<dyn FnMut(JsValue, JsValue)>,
}

/// The page's one tag. A plain static, not `thread_local!` (which needs std): the wasm is
/// built without the atomics feature, so it has exactly one thread.
struct PageTag(RefCell<Option<Edge>>);
// SAFETY: wasm32 without atomics is single-threaded; `Sync` is never exercised.
unsafe impl Sync for PageTag {}
static EDGE: PageTag = PageTag(RefCell::new(None));

fn with_edge<R>(f: impl FnOnce(&mut Edge) -> R) -> Option<R> {
    EDGE.0
        .try_borrow_mut()
        .ok()
        .and_then(|mut e| e.as_mut().map(f))
}

fn hook(f: impl FnOnce(&Hooks) -> &JsValue) -> Option<Function> {
    with_edge(|e| f(&e.hooks).unchecked_ref::<Function>().clone())
}

/// Sets the tag up for this page: the session, the storage, the lifecycle listeners.
/// `claim` is the loader's function that runs [`adopt`] under the Web Lock `rtp-claim`;
/// `lock(on)` requests or releases the page's Web Lock `rtp-tab-<id>`. Returns this page's id.
/// Called by the loader once; calling it again (or while the tag is busy) does nothing.
#[wasm_bindgen]
pub fn boot(claim: JsValue, lock: JsValue) -> JsValue {
    start(claim.dyn_into().ok(), lock.dyn_into().ok());
    with_edge(|e| JsValue::from_str(e.tag.outbox.owner())).unwrap_or(JsValue::UNDEFINED)
}

fn start(claim: Option<Function>, lock: Option<Function>) {
    match EDGE.0.try_borrow() {
        Ok(e) if e.is_none() => {}
        _ => return, // booted, or busy (which means booted)
    }
    let mut env = BrowserEnv::new();
    let tag = Tag::new(SessionStore::open(), Journal::open(), &mut env);
    let hooks = Hooks {
        pump: Closure::new(|_| pump()),
        answered: Closure::new(answered),
        unreachable: Closure::new(unreachable),
        failed: Closure::new(failed),
        lifecycle: Closure::new(|ev: JsValue| on_lifecycle(&ev)),
        retry: Closure::new(|_| retry()),
        defer: Closure::new(|resolve: JsValue, _reject: JsValue| wait(resolve.unchecked_into())),
    };
    let edge = Edge {
        tag,
        env,
        hooks,
        claim,
        lock,
        locked: false,
        left: false,
        warned_limit: false,
        scheduled: false,
        soon: false,
        timer: false,
        keepalive: Vec::new(),
        waiters: Vec::new(),
        dropped: false,
        warned_no_endpoint: false,
    };
    match EDGE.0.try_borrow_mut() {
        Ok(mut e) if e.is_none() => *e = Some(edge),
        _ => return,
    }
    // Listeners only once the state that owns their hook is stored.
    if let Some(f) = hook(|h| h.lifecycle.as_ref()) {
        lifecycle::listen(&f);
    }
}

/// `rtp(action, method, data, extra)`, for every command but `send event` (see [`event`]).
/// `url` and `time` are the page URL and time of a call that the snippet queued before the tag
/// loaded (`undefined` for a live call). Returns the verdict's code (a string), or a Promise
/// for `flush`.
#[wasm_bindgen]
pub fn rtp(
    action: JsValue,
    method: JsValue,
    data: JsValue,
    extra: JsValue,
    url: JsValue,
    time: JsValue,
) -> JsValue {
    start(None, None);
    let command = parse(
        args::short_string(&action, 16).as_deref(),
        args::short_string(&method, 16).as_deref(),
    );
    let origin = origin(&url, &time);
    // Read page values before borrowing the state: a getter may run page code.
    let verdict = match command {
        Command::SendEvent => {
            // js/host.js reads customData and hands it to `event`: this entry never reads it.
            console::debug("rtp: send event goes through event() (js/host.js); ignored");
            Some(Verdict::Ignored)
        }
        Command::SendView => {
            let page = if data.is_undefined() || data.is_null() {
                Ok(None)
            } else {
                args::short_string(&data, args::MAX_URL).map(Some).ok_or(())
            };
            with_edge(|e| e.tag.send_view(page, origin, &mut e.env))
        }
        Command::SetAccount => {
            let id = args::short_string(&method, 255);
            with_edge(|e| e.tag.set_account(id))
        }
        Command::Set => set(
            parse_setting(args::short_string(&method, 16).as_deref()),
            &data,
        ),
        Command::Flush => return flush(args::callback(&[&method, &data])),
        Command::Unsupported => {
            console::debug_with(
                "rtp: command ignored (not implemented by this tag)",
                &action,
            );
            if let Some(cb) = args::callback(&[&method, &data, &extra]) {
                call_later(&cb, &unsupported_result());
            }
            Some(Verdict::Ignored)
        }
    };
    match verdict {
        Some(v) => {
            answer(v, &data);
            JsValue::from_str(v.code())
        }
        None => JsValue::from_str(crate::verdict::BUSY),
    }
}

/// `rtp('send', 'event', customData)`, the call pages make most, in one crossing: js/host.js
/// reads `customData` (`read()`) and passes `shape` and up to four strings (see
/// [`args::custom_data`]); `data` itself is only shown on the console. `url` and `time` as for
/// [`rtp`]. Returns the verdict's index in [`codes`].
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn event(
    data: JsValue,
    shape: u32,
    a: Option<String>,
    b: Option<String>,
    c: Option<String>,
    d: Option<String>,
    url: JsValue,
    time: JsValue,
) -> u32 {
    start(None, None);
    let raw = args::custom_data(shape, [a, b, c, d]);
    let origin = origin(&url, &time);
    match with_edge(|e| e.tag.send_event(raw, origin, &mut e.env)) {
        Some(v) => {
            answer(v, &data);
            v.index()
        }
        None => Verdict::ALL.len() as u32, // busy
    }
}

/// The verdict codes, in the order of [`event`]'s answers, separated by spaces.
#[wasm_bindgen]
pub fn codes() -> String {
    crate::verdict::codes()
}

/// When and where a call was made: `url` and `time` of a replayed call, or the present.
fn origin(url: &JsValue, time: &JsValue) -> Origin {
    Origin {
        time: args::time(time),
        url: args::short_string(url, args::MAX_URL),
    }
}

/// What follows a verdict: for an accepted event, the page's lock and the pump; otherwise the
/// console message (`data` shown with it). Never for a call refused as busy (only when page code
/// re-enters rtp() while the tag is busy: refused, quietly).
fn answer(verdict: Verdict, data: &JsValue) {
    match verdict {
        Verdict::Accepted => {
            // The page's Web Lock is requested before the event's record is written (at the end
            // of the task, or just below), and only for an accepted event: a Web Lock request
            // per refused or repeated call cost a browser round trip and held memory until
            // granted (measured: about 50 B of JS heap per call over 100,000 calls).
            set_lock(true);
            if with_edge(|e| e.tag.debug()) == Some(true) {
                console::debug_with("rtp: accepted", data);
            }
            schedule_pump();
            // The ledger entry and the record are written by that pump, at the end of this
            // task; when the pump waits for a response body instead, now.
            with_edge(|e| {
                if !e.soon {
                    e.tag.persist();
                }
            });
        }
        Verdict::Duplicate => {
            console::debug_with("rtp: already sent in this session; not sent again", data)
        }
        Verdict::Rejected(r) if r.quiet() => console::debug(r.message()),
        Verdict::Rejected(r @ Rejection::RateLimited) => {
            if with_edge(|e| !core::mem::replace(&mut e.warned_limit, true)) == Some(true) {
                console::warn(r.message(), data);
            }
        }
        Verdict::Rejected(r) => console::warn(r.message(), data),
        Verdict::Done | Verdict::Ignored => {}
    }
}

fn set(setting: Option<Setting>, value: &JsValue) -> Option<Verdict> {
    let text = args::short_string(value, args::MAX_URL);
    let signal = setting == Some(Setting::HonorDnt) && bindings::privacy_signal();
    let v = with_edge(|e| match setting {
        Some(Setting::Endpoint) => e.tag.set_endpoint(text, &mut e.env),
        Some(Setting::Account) => e.tag.set_account(text),
        Some(Setting::Debug) => e.tag.set_debug(value.is_truthy()),
        Some(Setting::Consent) => e.tag.set_consent(value == &JsValue::TRUE),
        Some(Setting::HonorDnt) => e.tag.set_honor_dnt(value.is_truthy(), signal),
        None => Verdict::Rejected(Rejection::UnknownSetting),
    });
    if setting == Some(Setting::Endpoint) {
        schedule_pump(); // events accepted before the endpoint was known can leave now
    }
    v
}

/// Runs [`pump`] once at the end of the current task (a microtask): calls made in the same
/// task share one request, and a lone call leaves at once.
fn schedule_pump() {
    if with_edge(|e| e.scheduled) == Some(false)
        && schedule_pump_after(Ok(Promise::resolve(&JsValue::UNDEFINED).into()))
    {
        with_edge(|e| e.soon = true);
    }
}

/// Runs [`pump`] once `after` settles, unless a pump is already scheduled; returns whether
/// this call scheduled it. `scheduled` stays set meanwhile, which keeps `flush` waiters waiting.
fn schedule_pump_after(after: Result<JsValue, JsValue>) -> bool {
    if with_edge(|e| !core::mem::replace(&mut e.scheduled, true)) != Some(true) {
        return false;
    }
    let started = hook(|h| h.pump.as_ref())
        .ok_or(JsValue::NULL)
        .and_then(|f| bindings::then_or(&after?, &f, &f));
    if started.is_err() {
        pump(); // the page broke promises: send now rather than never
        return false;
    }
    true
}

/// Sends the queued batches that fit the keepalive budget (the rest follow as answers free
/// room), one at a time: taken under the borrow, sent after it. Nothing is sent while the
/// browser is offline (the `online` event resumes) or while the outbox is paused after a
/// failure (a timer resumes). Then answers `flush` waiters if nothing is left in flight.
fn pump() {
    with_edge(|e| {
        e.soon = false;
        e.tag.persist();
    });
    // Left (pagehide), and not shown again: a call from a later pagehide listener, or a timer
    // that came due while the page was in the back-forward cache and runs before its pageshow.
    // Its lock was released, so another page may have adopted its stored events: those are
    // forgotten first; the rest goes the way of a page being left (sent, or kept stored).
    if with_edge(|e| {
        e.left && {
            e.scheduled = false;
            e.tag.outbox.resync();
            true
        }
    }) == Some(true)
    {
        page_hidden();
        set_lock(false);
        return;
    }
    let state = with_edge(|e| {
        e.scheduled = false;
        let warn = e.tag.endpoint().is_none() && !e.warned_no_endpoint && e.tag.outbox.queued() > 0;
        e.warned_no_endpoint |= warn;
        let now = e.env.now();
        (warn, e.tag.outbox.ready(now), e.tag.outbox.queued() > 0)
    });
    let Some((warn, wait, queued)) = state else {
        return;
    };
    if warn {
        console::warn(
            "rtp: no collector endpoint set; events are kept until rtp('set', 'endpoint', url)",
            &JsValue::UNDEFINED,
        );
    }
    if queued && wait > 0 {
        set_timer(wait);
    } else if queued && bindings::online() {
        // A batch that could not be started goes back in front: stop, or it would be taken again.
        while let Some(Some((endpoint, b))) =
            with_edge(|e| e.next_batch(transport::KEEPALIVE_BUDGET))
        {
            if !send(&endpoint, b.id, &b.body) {
                break;
            }
        }
    }
    settle_waiters();
}

/// Sets the retry timer for `ms` from now, unless one is set.
fn set_timer(ms: u64) {
    if with_edge(|e| !core::mem::replace(&mut e.timer, true)) != Some(true) {
        return;
    }
    let set = hook(|h| h.retry.as_ref())
        .ok_or(JsValue::NULL)
        .and_then(|f| bindings::set_timeout(&f, ms as f64));
    if set.is_err() {
        with_edge(|e| e.timer = false); // the page broke setTimeout: the next call or event retries
    }
}

/// The retry timer fired: adopt what pages that closed meanwhile left, then send.
fn retry() {
    with_edge(|e| e.timer = false);
    claim();
    schedule_pump();
}

/// Requests (`true`) or releases the page's Web Lock, through the loader's `lock(on)`, outside
/// the borrow. The lock is requested before the page writes a record, and released when the
/// outbox is empty and when the page is left: a page that holds a Web Lock is kept out of
/// Firefox's back-forward cache (measured), so a page with nothing outstanding holds none.
fn set_lock(on: bool) {
    if let Some(Some(f)) = with_edge(|e| {
        (core::mem::replace(&mut e.locked, on) != on)
            .then(|| e.lock.clone())
            .flatten()
    }) {
        let _ = f.call1(&JsValue::NULL, &JsValue::from_bool(on));
    }
}

/// Releases the page's Web Lock when nothing is outstanding.
fn release_if_settled() {
    if with_edge(|e| e.locked && e.tag.outbox.is_settled()) == Some(true) {
        set_lock(false);
    }
}

/// Runs the loader's `claim()`, which calls [`adopt`] under the Web Lock `rtp-claim`.
fn claim() {
    if let Some(Some(f)) = with_edge(|e| e.claim.clone()) {
        let _ = f.call1(&JsValue::NULL, &JsValue::UNDEFINED); // call1: the import set_lock uses
    }
}

/// Called by the loader's `claim()` under the Web Lock `rtp-claim`, with the names of the
/// locks held or requested, separated by spaces (`null` without Web Locks), and the time the
/// lock snapshot was asked for. Adopts the events
/// of pages that are gone, and returns the calls the snippet kept when a page was left before
/// the tag loaded, for js/host.js to replay (with `call`, as the calls of this page's own
/// snippet: each with its time and URL).
#[wasm_bindgen]
pub fn adopt(live: JsValue, since: JsValue) -> Array {
    let calls = Array::new();
    if with_edge(|e| e.tag.refusal().is_none()) != Some(true) {
        return calls; // consent denied, or Do Not Track honoured: take nothing over
    }
    let live = live.as_string();
    set_lock(true); // before rewriting any record as this page's
    let since = args::time(&since);
    let Some((found, now)) = with_edge(|e| {
        let now = e.env.now();
        (
            e.tag
                .outbox
                .adopt(live.as_deref(), since.unwrap_or(now), now),
            now,
        )
    }) else {
        return calls;
    };
    if found.recent {
        set_timer(crate::outbox::RECENT_MS * 2); // claim again, once those records are not recent
    } else if found.waiting > 0 {
        set_timer(crate::outbox::RECLAIM_MS); // claim again: their pages may be gone by then
    }
    for c in &found.corrupt {
        console::warn(c.message(), &JsValue::UNDEFINED);
    }
    if found.too_old > 0 {
        console::debug_with(
            DropReason::TooOld.message(),
            &JsValue::from(found.too_old as u32),
        );
    }
    if found.adopted > 0 {
        console::debug_with(
            "rtp: sending events that an earlier page left unsent:",
            &JsValue::from(found.adopted as u32),
        );
    }
    for q in &found.queues {
        replay(q, now, &calls);
    }
    schedule_pump();
    calls
}

/// Adds to `calls` the calls of one queue the snippet kept (`JSON.stringify` of its `arguments`
/// objects, each with its time `t` and page URL `u`) that are to be replayed, oldest first:
/// sends only, and not older than the age cap.
fn replay(queue: &str, now: u64, calls: &Array) {
    let Ok(kept) = bindings::json_parse(queue) else {
        console::warn(
            "rtp: discarded calls kept from an earlier page: not readable",
            &JsValue::UNDEFINED,
        );
        return;
    };
    let Ok(kept) = kept.dyn_into::<Array>() else {
        return;
    };
    for call in kept.iter() {
        let get =
            |k: &str| Reflect::get(&call, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
        let t = get("t");
        if args::time(&t).is_none_or(|t| now.saturating_sub(t) > MAX_AGE_MS) {
            console::debug_with(DropReason::TooOld.message(), &call);
            continue;
        }
        // Only sends: a `set` of an earlier page must not change this page's endpoint or account.
        if args::short_string(&get("0"), 16).as_deref() == Some("send") {
            calls.push(&call);
        }
    }
}

/// POSTs one batch, outside the borrow: the page's `fetch` may be a wrapper that throws,
/// returns a non-promise, or calls `rtp()` itself. `false` when it could not be started.
fn send(endpoint: &str, id: u32, body: &str) -> bool {
    let id_js = JsValue::from(id);
    let hooks = hook(|h| h.answered.as_ref()).zip(hook(|h| h.unreachable.as_ref()));
    let started = hooks.ok_or(JsValue::NULL).and_then(|(ok, err)| {
        let promise = transport::post(endpoint, body)?;
        bindings::then_or(
            &promise,
            &bindings::bind(&ok, &id_js)?,
            &bindings::bind(&err, &id_js)?,
        )
    });
    if let Err(error) = &started {
        // The page's fetch failed, not the collector: no attempt is counted, and the batch is
        // tried again on the next call, or in a second.
        console::debug_with("rtp: request not started; batch kept queued", error);
        with_edge(|e| {
            e.landed(id);
            e.tag.outbox.unsent(id);
        });
        set_timer(crate::retry::BASE_DELAY_MS);
    }
    started.is_ok()
}

/// The collector answered batch `id`.
fn answered(id: JsValue, response: JsValue) {
    // Read with `catch` bindings: a page's fetch wrapper may hand back a Proxy or a fake.
    let (status, retry_after) = bindings::answer(&response);
    let retry_after = retry_after.and_then(|v| parse_retry_after(&v));
    let drained = bindings::drain(&response);
    let id = id.as_f64().unwrap_or(-1.0) as u32;
    let done = with_edge(|e| {
        let outcome = e.answered(id, Answer::Status(status), retry_after);
        e.dropped |= !e.waiters.is_empty()
            && matches!(
                outcome,
                Outcome::Dropped(..) | Outcome::Retry { too_old: 1.., .. }
            );
        (outcome, e.tag.outbox.queued() > 0)
    });
    let Some((outcome, more)) = done else { return };
    let status = JsValue::from(status);
    match outcome {
        Outcome::Dropped(reason, _) => console::warn(reason.message(), &status),
        Outcome::Retry { too_old, .. } => {
            console::debug_with(
                "rtp: batch not accepted; kept, retried later. HTTP status:",
                &status,
            );
            if too_old > 0 {
                console::debug(DropReason::TooOld.message());
            }
        }
        Outcome::Delivered => {}
    }
    if matches!(outcome, Outcome::Retry { .. }) {
        schedule_pump(); // sets the retry timer
    } else if more {
        // Room was freed: what waited for the keepalive budget goes once the body is read,
        // when Chromium gives the request's quota back.
        schedule_pump_after(drained);
    }
    settle_waiters();
}

/// The request for batch `id` failed before an answer (network error, CORS, timeout,
/// offline). It is handled a task later ([`failed`]): when the page is being left, Chromium
/// rejects the fetch promises of keepalive requests that it goes on sending, before
/// `pagehide` (measured: "TypeError: Failed to fetch", then pagehide, then the collector gets
/// the batch). Handled at once, that would count the batch as failed, keep it stored, and have
/// the next page send it again; a task later, the page is gone, and `pagehide` has handed the
/// batch to the browser.
fn unreachable(id: JsValue, error: JsValue) {
    console::debug_with(
        "rtp: collector unreachable; batch kept, retried later",
        &error,
    );
    let later = hook(|h| h.failed.as_ref())
        .ok_or(JsValue::NULL)
        .and_then(|f| bindings::set_timeout(&bindings::bind(&f, &id)?, 0.0));
    if later.is_err() {
        failed(id);
    }
}

/// See [`unreachable`]. Offline is not the collector's failure: the batch goes back without an
/// attempt counted, and `online` resumes. (A timeout counts as a network error: both are
/// retried the same way.)
fn failed(id: JsValue) {
    let id = id.as_f64().unwrap_or(-1.0) as u32;
    let online = bindings::online();
    with_edge(|e| {
        if online {
            e.answered(id, Answer::NetworkError, None);
        } else {
            e.landed(id);
            e.tag.outbox.unsent(id);
        }
    });
    schedule_pump();
    settle_waiters();
}

/// A lifecycle event (see `lifecycle.rs`).
fn on_lifecycle(event: &JsValue) {
    match lifecycle::moment(event) {
        Some(Moment::Hidden) => page_hidden(),
        Some(Moment::Left) => {
            page_hidden();
            set_lock(false);
            with_edge(|e| e.left = true);
        }
        Some(Moment::Online) => {
            with_edge(|e| e.tag.outbox.resume_now());
            schedule_pump();
        }
        Some(Moment::Shown) => {
            // Back from the back-forward cache: forget what another page adopted meanwhile.
            if with_edge(|e| core::mem::take(&mut e.left) && !e.tag.outbox.resync()) == Some(true) {
                set_lock(true);
            }
            claim();
            schedule_pump();
        }
        None => {}
    }
}

/// The page was hidden (another tab, minimised), or is being left (`pagehide`): it may come
/// back, be discarded without a `pagehide` (mobile browsers do), or be gone. What is queued
/// goes now by keepalive `fetch`, within the whole quota, which the browser finishes after the
/// page is gone. Not by `sendBeacon`: a beacon cannot omit credentials (it sends the cookies
/// of the collector's site), and gets no answer; a fetch that the page lives to see answered
/// is retried if it failed. The records of what is in flight are removed as for a page left
/// (`Outbox::leaving`), so that the next page does not send them again; a batch that fails
/// while the page lives is stored again. While the collector is failing nothing goes: the
/// events stay stored for the next page.
fn page_hidden() {
    if with_edge(|e| {
        e.tag.persist();
        e.tag.outbox.leaving()
    }) == Some(true)
        && bindings::online()
    {
        while let Some(Some((endpoint, b))) = with_edge(|e| e.next_batch(transport::LEAVING_BUDGET))
        {
            if !send(&endpoint, b.id, &b.body) {
                break;
            }
        }
        with_edge(|e| e.tag.outbox.leaving());
    }
    settle_waiters();
}

/// `rtp('flush' [, callback])`: a Promise that resolves `true` once everything accepted so far
/// is acknowledged by the collector, or `false` if a batch failed meanwhile; the callback, if
/// given, is called with the same value.
fn flush(callback: Option<Function>) -> JsValue {
    if let Some(cb) = callback {
        wait(cb);
    }
    let promise = hook(|h| h.defer.as_ref()).and_then(|f| bindings::Deferred::new(&f).ok());
    schedule_pump();
    settle_waiters();
    promise.map(JsValue::from).unwrap_or(JsValue::UNDEFINED)
}

/// Adds a `flush` waiter; answers `false` at once when the tag is busy (a re-entrant call)
/// rather than never.
fn wait(f: Function) {
    if with_edge(|e| e.waiters.push(f.clone())).is_none() {
        call_later(&f, &JsValue::FALSE);
    }
}

/// Answers `flush` waiters when nothing is queued or in flight: `true` when everything was
/// acknowledged, `false` when events were dropped meanwhile (refused, too old); or when
/// something is queued but nothing is in flight, i.e. the last attempt failed (`false`).
fn settle_waiters() {
    release_if_settled();
    let done = with_edge(|e| {
        let o = &e.tag.outbox;
        if e.waiters.is_empty() || o.in_flight() > 0 || e.scheduled {
            return None;
        }
        Some((
            o.is_settled() && !core::mem::take(&mut e.dropped),
            core::mem::take(&mut e.waiters),
        ))
    });
    if let Some(Some((ok, waiters))) = done {
        for w in waiters {
            call_later(&w, &JsValue::from_bool(ok));
        }
    }
}

/// Calls a page callback after the current task, so its exceptions and its timing never
/// become ours.
fn call_later(f: &Function, arg: &JsValue) {
    let _ = bindings::then(&Promise::resolve(arg), f);
}

/// What a callback of an unsupported command receives: `{error: 'unsupported', message}`.
fn unsupported_result() -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &"error".into(), &"unsupported".into());
    let _ = Reflect::set(
        &o,
        &"message".into(),
        &"rtp-tag does not implement this command".into(),
    );
    o.into()
}
