//! The light module's edge (`--features light`). Its exports translate JavaScript into inputs
//! of [`Light`], which decides; the effects it returns are run by the host object the loader
//! hands to `boot` (js/light.js): the request, the microtask, the lock, the console, the
//! hand-over. The light module has no closures and no browser bindings of its own but storage,
//! time and randomness: every callback is the host calling an export, which is what keeps it
//! small.
//!
//! `event`, `rtp` and `codes` are the full tag's, with its arguments and answers
//! (js/PROTOCOL.md), so `call()` in js/host.js drives either.
//!
//! Nothing here throws into the page: every host method is bound with `catch`, and no effect
//! runs while the state is borrowed.

use super::args::{self, Asked};
use super::env::BrowserEnv;
use super::journal::Journal;
use super::session_store::SessionStore;
use crate::driver::{say, Call, Effect, Level, Shown};
use crate::light::Light;
use crate::retry::parse_retry_after;
use crate::verdict::Verdict;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The loader's host object (js/light.js).
    pub type Host;
    /// POST `body` to `url` as batch `id`; the answer comes back as [`answered`], a failure as
    /// [`unreachable`]. Throws when the request could not be started.
    #[wasm_bindgen(method, catch)]
    fn send(this: &Host, id: u32, url: &str, body: &str) -> Result<(), JsValue>;
    /// Call [`pump`] at the end of the task (`after` 0) or once the last answer's body is read
    /// (1).
    #[wasm_bindgen(method, catch)]
    fn pump(this: &Host, after: u32) -> Result<(), JsValue>;
    /// Call the page's callback `f` with `value` after the current task (its exceptions and
    /// its timing stay the page's).
    #[wasm_bindgen(method, catch)]
    fn answer(this: &Host, f: &JsValue, value: &JsValue) -> Result<(), JsValue>;
    /// Call [`pump`] after `ms` milliseconds.
    #[wasm_bindgen(method, catch)]
    fn timer(this: &Host, ms: u32) -> Result<(), JsValue>;
    /// Call [`failed`] for batch `id` a task later.
    #[wasm_bindgen(method, catch)]
    fn later(this: &Host, id: u32) -> Result<(), JsValue>;
    /// Request or release the page's Web Lock.
    #[wasm_bindgen(method, catch)]
    fn lock(this: &Host, on: bool) -> Result<(), JsValue>;
    /// Start the full tag: the light module has retired.
    #[wasm_bindgen(method, catch)]
    fn retire(this: &Host) -> Result<(), JsValue>;
    /// Answer the `flush` callers waiting with `ok`.
    #[wasm_bindgen(method, catch)]
    fn settle(this: &Host, ok: bool) -> Result<(), JsValue>;
    /// `console.warn(text, detail)` (`warn` true) or `console.debug(text, detail)`; without the
    /// detail when `bare`.
    #[wasm_bindgen(method, catch)]
    fn say(
        this: &Host,
        warn: bool,
        text: &str,
        detail: &JsValue,
        bare: bool,
    ) -> Result<(), JsValue>;
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

/// `rtp(action, method, data, extra, url, time)`, as the full tag's, but the verdict's index in
/// [`codes`] (as `event` answers), not its code.
/// `flush` answers `"ok"`: its caller, held by the loader, is answered by the host's `settle`
/// (or, once the light module hands over, by the full tag).
#[wasm_bindgen]
pub fn rtp(
    action: JsValue,
    method: JsValue,
    data: JsValue,
    extra: JsValue,
    url: JsValue,
    time: JsValue,
) -> u32 {
    let verdict = match args::asked(&action, &method, &data, &extra, &url, &time) {
        Asked::Call(c) => call(&data, c),
        Asked::SendEvent => {
            say(say::SEND_EVENT_IGNORED, &JsValue::UNDEFINED, true);
            Some(Verdict::Ignored)
        }
        Asked::Flush => with_edge(|e| e.light.flush()).map(|effects| {
            run(effects, &JsValue::UNDEFINED);
            Verdict::Done
        }),
        Asked::Unsupported(cb) => {
            say(say::UNSUPPORTED, &action, false);
            if let Some(cb) = cb {
                if let Some(host) = with_edge(|e| e.host.clone().unchecked_into::<Host>()) {
                    let _ = host.answer(&cb, &args::unsupported_result());
                }
            }
            Some(Verdict::Ignored)
        }
    };
    verdict.map_or(Verdict::ALL.len() as u32, Verdict::index)
}

/// A console message through the host, outside any borrow.
fn say(text: &str, detail: &JsValue, bare: bool) {
    if let Some(host) = with_edge(|e| e.host.clone().unchecked_into::<Host>()) {
        let _ = host.say(false, text, detail, bare);
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
    for effect in effects {
        let _ = match effect {
            Effect::Send { id, endpoint, body } => {
                if let Err(error) = host.send(id, &endpoint, &body) {
                    drive(&error, |l, _| l.not_started(id));
                }
                Ok(())
            }
            Effect::Pump => host.pump(0),
            Effect::PumpAfterBody => host.pump(1),
            Effect::FailLater(id) => host.later(id),
            Effect::Lock(on) => host.lock(on),
            Effect::Settle(ok) => host.settle(ok),
            Effect::HandOver => host.retire(),
            Effect::Say(level, text, shown) => {
                let warn = level == Level::Warn;
                let (shown, bare) = match shown {
                    Shown::Nothing => (JsValue::UNDEFINED, !warn),
                    Shown::Input => (detail.clone(), false),
                    Shown::Number(n) => (JsValue::from(n), false),
                };
                host.say(warn, text, &shown, bare)
            }
            Effect::Timer(ms) => host.timer(ms as u32),
            Effect::Persist | Effect::Claim => Ok(()),
        };
    }
}
