//! The browser edge: the `rtp` export, the tag's state for this page, and the hooks that move
//! events out (a microtask after each call, the network answers, the page lifecycle).
//!
//! Nothing here throws into the page: every browser call that can fail returns a `Result`
//! that is handled; the state is borrowed with `try_borrow_mut`, so a re-entrant call (a
//! callback calling `rtp`) is answered, not a panic. The loader wraps each call in a
//! try/catch as a last guard.

pub mod args;
mod bindings;
mod console;
pub mod env;
mod lifecycle;
pub mod session_store;
pub mod transport;

use crate::command::{parse, parse_setting, Command, Setting};
use crate::tag::{Env, Origin, Tag};
use crate::verdict::{Rejection, Verdict};
use env::BrowserEnv;
use js_sys::{Function, Object, Promise, Reflect};
use session_store::SessionStore;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Everything the tag holds for this page.
struct Edge {
    tag: Tag<SessionStore>,
    env: BrowserEnv,
    hooks: Hooks,
    /// A pump is scheduled for the end of the current task.
    scheduled: bool,
    /// Bytes of keepalive bodies in flight, by batch id.
    keepalive: Vec<(u32, usize)>,
    /// `rtp('flush')` callers waiting for the outbox to settle.
    waiters: Vec<Function>,
    warned_no_endpoint: bool,
}

/// JavaScript functions that call back into the edge, made once and reused.
struct Hooks {
    pump: Closure<dyn FnMut(JsValue)>,
    answered: Closure<dyn FnMut(JsValue, JsValue)>,
    unreachable: Closure<dyn FnMut(JsValue, JsValue)>,
    page_hidden: Closure<dyn FnMut(JsValue)>,
}

/// The page's one tag. A plain static, not `thread_local!` (which needs std): the wasm is
/// built without the atomics feature, so it has exactly one thread.
struct PageTag(RefCell<Option<Edge>>);
// SAFETY: wasm32 without atomics is single-threaded; `Sync` is never exercised.
unsafe impl Sync for PageTag {}
static EDGE: PageTag = PageTag(RefCell::new(None));

fn with_edge<R>(f: impl FnOnce(&mut Edge) -> R) -> Option<R> {
    EDGE.0.try_borrow_mut().ok().and_then(|mut e| e.as_mut().map(f))
}

/// Sets the tag up for this page: the session, the storage, the lifecycle listeners.
/// Called by the loader once; calling it again does nothing.
#[wasm_bindgen]
pub fn boot() {
    if with_edge(|_| ()).is_some() {
        return;
    }
    let mut env = BrowserEnv::new();
    let tag = Tag::new(SessionStore::open(), &mut env);
    let hooks = Hooks {
        pump: Closure::new(|_| pump()),
        answered: Closure::new(answered),
        unreachable: Closure::new(unreachable),
        page_hidden: Closure::new(|_| page_hidden()),
    };
    lifecycle::on_page_hidden(hooks.page_hidden.as_ref().unchecked_ref());
    let edge = Edge { tag, env, hooks, scheduled: false, keepalive: Vec::new(), waiters: Vec::new(), warned_no_endpoint: false };
    if let Ok(mut e) = EDGE.0.try_borrow_mut() {
        *e = Some(edge);
    }
}

/// `rtp(action, method, data, extra)`. `url` and `time` are the page URL and time of a call
/// that the snippet queued before the tag loaded (`undefined` for a live call).
/// Returns the verdict's code (a string), or a Promise for `flush`.
#[wasm_bindgen]
pub fn rtp(action: JsValue, method: JsValue, data: JsValue, extra: JsValue, url: JsValue, time: JsValue) -> JsValue {
    boot();
    let command = parse(action.as_string().as_deref(), method.as_string().as_deref());
    let origin = Origin { time: args::time(&time), url: args::string(&url) };
    // Read page values before borrowing the state: a getter may run page code.
    let verdict = match command {
        Command::SendEvent => {
            let raw = args::custom_data(&data);
            with_edge(|e| e.tag.send_event(raw, origin, &mut e.env))
        }
        Command::SendView => {
            let page = if data.is_undefined() || data.is_null() { Ok(None) } else { data.as_string().map(Some).ok_or(()) };
            with_edge(|e| e.tag.send_view(page, origin, &mut e.env))
        }
        Command::SetAccount => with_edge(|e| e.tag.set_account(method.as_string())),
        Command::Set => set(parse_setting(method.as_string().as_deref()), &data),
        Command::Flush => return flush(args::callback(&[&method, &data])),
        Command::Unsupported => {
            console::debug_with("rtp: command ignored (not implemented by this tag)", &action);
            if let Some(cb) = args::callback(&[&method, &data, &extra]) {
                call_later(&cb, &unsupported_result());
            }
            Some(Verdict::Ignored)
        }
    };
    let verdict = match verdict {
        Some(v) => v,
        // Only when a callback re-enters rtp() while the tag is busy: refuse quietly.
        None => return JsValue::from_str("busy"),
    };
    match verdict {
        Verdict::Accepted => {
            with_edge(|e| {
                if e.tag.debug() {
                    console::debug_with("rtp: accepted", &data);
                }
            });
            schedule_pump();
        }
        Verdict::Duplicate => console::debug_with("rtp: already sent in this session; not sent again", &data),
        Verdict::Rejected(r) => console::warn(r.message(), &data),
        Verdict::Done | Verdict::Ignored => {}
    }
    JsValue::from_str(verdict.code())
}

fn set(setting: Option<Setting>, value: &JsValue) -> Option<Verdict> {
    let v = with_edge(|e| match setting {
        Some(Setting::Endpoint) => e.tag.set_endpoint(value.as_string()),
        Some(Setting::Account) => e.tag.set_account(value.as_string()),
        Some(Setting::Debug) => e.tag.set_debug(value.is_truthy()),
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
    let hook = with_edge(|e| {
        if e.scheduled {
            return None;
        }
        e.scheduled = true;
        Some(e.hooks.pump.as_ref().unchecked_ref::<Function>().clone())
    });
    if let Some(Some(f)) = hook {
        bindings::then(&Promise::resolve(&JsValue::UNDEFINED), &f);
    }
}

/// Sends everything queued, in batches of at most [`transport::MAX_BATCH_BYTES`], then answers
/// `flush` waiters if nothing is left in flight.
fn pump() {
    send_queued();
    settle_waiters();
}

fn send_queued() {
    with_edge(|e| {
        e.scheduled = false;
        let Some(endpoint) = e.tag.endpoint().map(String::from) else {
            if !e.warned_no_endpoint && e.tag.outbox.queued() > 0 {
                e.warned_no_endpoint = true;
                console::warn("rtp: no collector endpoint set; events are kept until rtp('set', 'endpoint', url)", &JsValue::UNDEFINED);
            }
            return;
        };
        let now = e.env.now();
        while let Some(batch) = e.tag.outbox.take_batch(now, transport::MAX_BATCH_BYTES) {
            let in_flight: usize = e.keepalive.iter().map(|(_, n)| n).sum();
            let keepalive = in_flight + batch.body.len() <= transport::KEEPALIVE_BUDGET;
            let Some(promise) = transport::post(&endpoint, &batch.body, keepalive) else {
                e.tag.outbox.fail(batch.id);
                break;
            };
            if keepalive {
                e.keepalive.push((batch.id, batch.body.len()));
            }
            let id = JsValue::from(batch.id);
            let ok: Function = e.hooks.answered.as_ref().unchecked_ref::<Function>().bind1(&JsValue::NULL, &id).unchecked_into();
            let err: Function = e.hooks.unreachable.as_ref().unchecked_ref::<Function>().bind1(&JsValue::NULL, &id).unchecked_into();
            bindings::then_or(&promise, &ok, &err);
        }
    });
}

/// The collector answered batch `id`.
fn answered(id: JsValue, response: JsValue) {
    let status = response.dyn_ref::<web_sys::Response>().map(|r| r.status()).unwrap_or(0);
    let id = id.as_f64().unwrap_or(-1.0) as u32;
    with_edge(|e| {
        e.keepalive.retain(|(b, _)| *b != id);
        if (200..300).contains(&status) {
            e.tag.outbox.ack(id);
        } else if (400..500).contains(&status) && status != 408 && status != 429 {
            // The collector refused the batch as malformed: resending it cannot help.
            console::warn("rtp: the collector refused a batch (HTTP status below); dropped", &JsValue::from(status));
            e.tag.outbox.ack(id);
        } else {
            console::debug_with("rtp: the collector did not accept a batch; it stays queued. HTTP status:", &JsValue::from(status));
            e.tag.outbox.fail(id);
        }
    });
    settle_waiters();
}

/// The request for batch `id` failed before an answer (network error, CORS, offline).
fn unreachable(id: JsValue, error: JsValue) {
    let id = id.as_f64().unwrap_or(-1.0) as u32;
    console::debug_with("rtp: the collector could not be reached; the batch stays queued", &error);
    with_edge(|e| {
        e.keepalive.retain(|(b, _)| *b != id);
        e.tag.outbox.fail(id);
    });
    settle_waiters();
}

/// The page is being hidden or left: whatever is queued goes by `sendBeacon`, which the
/// browser delivers after the page is gone. A refused beacon leaves its events queued.
fn page_hidden() {
    with_edge(|e| {
        let Some(endpoint) = e.tag.endpoint().map(String::from) else { return };
        let now = e.env.now();
        while let Some(batch) = e.tag.outbox.take_batch(now, transport::MAX_BATCH_BYTES) {
            if transport::beacon(&endpoint, &batch.body) {
                e.tag.outbox.ack(batch.id);
            } else {
                e.tag.outbox.fail(batch.id);
                break;
            }
        }
    });
    settle_waiters();
}

/// `rtp('flush' [, callback])`: a Promise that resolves `true` once everything accepted so far
/// is acknowledged by the collector, or `false` if a batch failed meanwhile; the callback, if
/// given, is called with the same value.
fn flush(callback: Option<Function>) -> JsValue {
    let mut callback = callback;
    let promise = Promise::new(&mut |resolve, _reject| {
        let waiter = resolve;
        if let Some(cb) = callback.take() {
            let _ = with_edge(|e| e.waiters.push(cb));
        }
        let _ = with_edge(|e| e.waiters.push(waiter));
    });
    schedule_pump();
    settle_waiters();
    promise.into()
}

/// Answers `flush` waiters when nothing is queued or in flight (`true`), or when something is
/// queued but nothing is in flight, i.e. the last attempt failed (`false`).
fn settle_waiters() {
    let done = with_edge(|e| {
        let o = &e.tag.outbox;
        if e.waiters.is_empty() || o.in_flight() > 0 || e.scheduled {
            return None;
        }
        Some((o.is_settled(), core::mem::take(&mut e.waiters)))
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
    bindings::then(&Promise::resolve(arg), f);
}

/// What a callback of an unsupported command receives: `{error: 'unsupported', message}`.
fn unsupported_result() -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &"error".into(), &"unsupported".into());
    let _ = Reflect::set(&o, &"message".into(), &"rtp-tag does not implement this command".into());
    o.into()
}
