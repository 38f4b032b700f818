//! The light module's edge (`--features light`). Its exports translate JavaScript into inputs
//! of [`Light`], which decides; the effects it returns are run by the host object the loader
//! hands to `boot` (js/light.js), through its one method `run`: the request, the microtask, the
//! lock, the console, the hand-over. The light module has no closures and no browser bindings
//! of its own but storage, time and randomness: every callback is the host calling `input`,
//! which is what keeps it small.
//!
//! `event`, `rtp` and `codes` are the full tag's, with its arguments and answers
//! (js/PROTOCOL.md), so `call()` in js/host.js drives either.
//!
//! Nothing here throws into the page: the host's `run` catches whatever its effect throws (and
//! answers a request that could not be started with its error), and no effect runs while the
//! state is borrowed.

use super::args::{self, Asked};
use super::env::BrowserEnv;
use super::journal::Journal;
use super::session_store::SessionStore;
use crate::driver::{say, Effect, Level, Shown};
use crate::light::Light;
use crate::retry::parse_retry_after;
use crate::tag::Call;
use crate::verdict::Verdict;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The loader's host object (js/light.js).
    pub type Host;
    /// Runs one effect (js/PROTOCOL.md, "The light module's host"): `kind` says which, `n` is
    /// its number (a boolean as 0 or 1), `a` and `b` its texts, `v` its value. Returns
    /// `undefined`, or the error of a request that could not be started. Never throws.
    #[wasm_bindgen(method)]
    fn run(this: &Host, kind: u32, n: u32, a: &str, b: &str, v: &JsValue) -> JsValue;
}

/// The effects the host runs, by their `kind` in [`Host::run`].
mod kind {
    /// POST `b` to `a` as batch `n`; the answer comes back as [`super::input`] 1, a failure as
    /// 2. Returns the error when the request could not be started.
    pub const SEND: u32 = 0;
    /// Report [`super::input`] 0 at the end of the task (`n` 0) or once the last answer's body
    /// is read (1).
    pub const PUMP: u32 = 1;
    /// Report [`super::input`] 0 after `n` milliseconds.
    pub const TIMER: u32 = 2;
    /// Report [`super::input`] 3 for batch `n` a task later.
    pub const LATER: u32 = 3;
    /// Request (`n` 1) or release the page's Web Lock.
    pub const LOCK: u32 = 4;
    /// Start the full tag: the light module has retired.
    pub const RETIRE: u32 = 5;
    /// Answer the `flush` callers waiting with `n` (1: true).
    pub const SETTLE: u32 = 6;
    /// `console.warn(a, v)` (`n` & 1) or `console.debug(a, v)`; without `v` when `n` & 2.
    pub const SAY: u32 = 7;
}

struct Edge {
    light: Light<SessionStore, Journal>,
    env: BrowserEnv,
    host: Host,
}

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

/// Gives the light driver one input (through `f`), then runs its effects; `detail` is what a
/// console message about the input shows.
fn drive(
    detail: &JsValue,
    f: impl FnOnce(&mut Light<SessionStore, Journal>, &mut BrowserEnv) -> Vec<Effect>,
) {
    if let Some(effects) = with_edge(|e| f(&mut e.light, &mut e.env)) {
        run(effects, detail);
    }
}

/// Sets the light module up for this page over the loader's `host`. Returns this page's id.
#[wasm_bindgen]
pub fn boot(host: Host) -> JsValue {
    if !matches!(EDGE.0.try_borrow(), Ok(e) if e.is_none()) {
        return JsValue::UNDEFINED;
    }
    let mut env = BrowserEnv::new();
    let light = Light::new(SessionStore::open(), Journal::open(), &mut env);
    let id = JsValue::from_str(light.owner());
    match EDGE.0.try_borrow_mut() {
        Ok(mut e) if e.is_none() => core::mem::forget(e.replace(Edge { light, env, host })),
        _ => return JsValue::UNDEFINED,
    }
    id
}

/// One call; its verdict, `None` when busy (re-entered).
fn call(data: &JsValue, call: Call) -> Option<Verdict> {
    let (verdict, effects) = with_edge(|e| e.light.call(call, &mut e.env))?;
    run(effects, data);
    Some(verdict)
}

/// `rtp(action, method, data, url, time)`, as the full tag's, but the verdict's index in
/// [`codes`] (as `event` answers), not its code.
/// `flush` answers `"ok"`: its caller, held by the loader, is answered by the host's `settle`
/// (or, once the light module hands over, by the full tag).
#[wasm_bindgen]
pub fn rtp(action: JsValue, method: JsValue, data: JsValue, url: JsValue, time: JsValue) -> u32 {
    let verdict = match args::asked(&action, &method, &data, &url, &time) {
        Asked::Call(c) => call(&data, c),
        Asked::SendEvent => {
            say(say::SEND_EVENT_IGNORED, &JsValue::UNDEFINED, true);
            Some(Verdict::Ignored)
        }
        Asked::Flush => with_edge(|e| e.light.flush()).map(|effects| {
            run(effects, &JsValue::UNDEFINED);
            Verdict::Done
        }),
        Asked::Unsupported => {
            say(say::UNSUPPORTED, &action, false);
            Some(Verdict::Ignored)
        }
    };
    verdict.map_or(Verdict::ALL.len() as u32, Verdict::index)
}

/// A console message (`console.debug`) through the host, outside any borrow.
fn say(text: &str, detail: &JsValue, bare: bool) {
    if let Some(host) = with_edge(|e| e.host.clone().unchecked_into::<Host>()) {
        host.run(kind::SAY, (bare as u32) << 1, text, "", detail);
    }
}

/// `rtp('send', 'event', customData)` in one crossing, as the full tag's `event`: the
/// verdict's index in [`codes`].
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
    call(&data, args::event(shape, [a, b, c, d], &url, &time))
        .map_or(Verdict::ALL.len() as u32, Verdict::index)
}

/// The verdict codes, as the full tag's.
#[wasm_bindgen]
pub fn codes() -> String {
    crate::verdict::codes()
}

/// What the full tag continues from (js/PROTOCOL.md, "Handing over"), taken by the loader just
/// before it boots the full tag.
#[wasm_bindgen]
pub fn handoff() -> Option<String> {
    with_edge(|e| e.light.handoff())
}

/// What the host reports (js/light.js), in one export: `kind` says what, `a` and `b` carry its
/// numbers (a boolean as 0 or 1), `retry_after` an answer's header, `detail` what a console
/// message about it shows (js/PROTOCOL.md, "The light module"):
///
/// | kind | input | a | b |
/// |---|---|---|---|
/// | 0 | the pump's microtask ran | online | |
/// | 1 | the collector answered a batch (`retry_after`) | batch | status |
/// | 2 | a request failed before an answer (`detail`: the error) | batch | |
/// | 3 | a task after 2 | batch | online |
/// | 4 | the page was hidden, or `pagehide` came | left | online |
/// | 5 | visible again, or restored from the back-forward cache | restored | |
#[wasm_bindgen]
pub fn input(kind: u32, a: u32, b: u32, retry_after: Option<String>, detail: JsValue) {
    let (one, two) = (a != 0, b != 0);
    let retry_after = retry_after.and_then(|v| parse_retry_after(&v));
    drive(&detail, |l, env| match kind {
        0 => l.pump(one, env),
        1 => l.answered(a, b as u16, retry_after, env),
        2 => l.unreachable(a),
        3 => l.failed(a, two, env),
        4 => l.leave(one, two, env),
        _ => l.shown(one),
    });
}

/// Runs `effects` in order through the host, outside the state's borrow.
fn run(effects: Vec<Effect>, detail: &JsValue) {
    let Some(host) = with_edge(|e| e.host.clone().unchecked_into::<Host>()) else {
        return;
    };
    let none = &JsValue::UNDEFINED;
    for effect in effects {
        let (k, n) = match effect {
            Effect::Send { id, endpoint, body } => {
                let error = host.run(kind::SEND, id, &endpoint, &body, none);
                if !error.is_undefined() {
                    drive(&error, |l, _| l.not_started(id));
                }
                continue;
            }
            Effect::Say(level, text, shown) => {
                let warn = level == Level::Warn;
                let (shown, bare) = match shown {
                    Shown::Nothing => (JsValue::UNDEFINED, !warn),
                    Shown::Input => (detail.clone(), false),
                    Shown::Number(n) => (JsValue::from(n), false),
                };
                let n = warn as u32 | (bare as u32) << 1;
                host.run(kind::SAY, n, text, "", &shown);
                continue;
            }
            Effect::Pump => (kind::PUMP, 0),
            Effect::PumpAfterBody => (kind::PUMP, 1),
            Effect::FailLater(id) => (kind::LATER, id),
            Effect::Lock(on) => (kind::LOCK, on as u32),
            Effect::Settle(ok) => (kind::SETTLE, ok as u32),
            Effect::HandOver => (kind::RETIRE, 0),
            Effect::Timer(ms) => (kind::TIMER, ms as u32),
            Effect::Persist | Effect::Claim => continue,
        };
        host.run(k, n, "", "", none);
    }
}
