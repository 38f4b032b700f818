//! The light module's edge (`--features light`): the exports `boot`, `rtp`, `event`, `codes`
//! and `handoff`, and the hooks the browser calls back. Each translates JavaScript into an
//! input of [`Light`], which decides, and runs the effects it returns. The exports have the
//! full tag's names and arguments (js/PROTOCOL.md), so `call()` in js/host.js drives either;
//! a call the light module does not take is answered `"handover"` (its index in [`codes`]).
//!
//! As in the full edge, nothing here throws into the page, and no effect runs while the state
//! is borrowed.

use super::env::BrowserEnv;
use super::journal::Journal;
use super::session_store::SessionStore;
use super::{args, bindings, console, transport};
use crate::command::{parse, parse_setting, Command};
use crate::driver::{Call, Effect, Level, SetValue, Shown};
use crate::light::{Light, Reply};
use crate::retry::parse_retry_after;
use crate::tag::{Origin, Tag};
use crate::verdict::Verdict;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The code of a call handed over to the full tag.
const HANDOVER: &str = "handover";

struct Edge {
    light: Light<SessionStore, Journal>,
    env: BrowserEnv,
    hooks: Hooks,
    /// The loader's `lock(on)`: the page's Web Lock `rtp-tab-<id>`.
    lock: Option<Function>,
    /// The loader's `retire()`: starts the full tag.
    retire: Option<Function>,
}

struct Hooks {
    pump: Closure<dyn FnMut(JsValue)>,
    answered: Closure<dyn FnMut(JsValue, JsValue)>,
    unreachable: Closure<dyn FnMut(JsValue, JsValue)>,
    failed: Closure<dyn FnMut(JsValue)>,
    lifecycle: Closure<dyn FnMut(JsValue)>,
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

fn hook(f: impl FnOnce(&Hooks) -> &JsValue) -> Option<Function> {
    with_edge(|e| f(&e.hooks).unchecked_ref::<Function>().clone())
}

/// Gives the light driver one input (through `f`), then runs its effects.
fn drive(
    input: &JsValue,
    f: impl FnOnce(&mut Light<SessionStore, Journal>, &mut BrowserEnv) -> Vec<Effect>,
) {
    if let Some(effects) = with_edge(|e| f(&mut e.light, &mut e.env)) {
        run(effects, input, None);
    }
}

/// Sets the light module up for this page. `lock(on)` requests or releases the page's Web
/// Lock; `retire()` is called once the light module has handed over (js/loader.js then starts
/// the full tag). Returns this page's id.
#[wasm_bindgen]
pub fn boot(lock: JsValue, retire: JsValue) -> JsValue {
    if !matches!(EDGE.0.try_borrow(), Ok(e) if e.is_none()) {
        return JsValue::UNDEFINED;
    }
    let mut env = BrowserEnv::new();
    let tag = Tag::new(SessionStore::open(), Journal::open(), &mut env);
    let hooks = Hooks {
        pump: Closure::new(|_| pump_now()),
        answered: Closure::new(answered),
        unreachable: Closure::new(|id: JsValue, error: JsValue| {
            drive(&error, |l, _| l.unreachable(id_of(&id)))
        }),
        failed: Closure::new(|id: JsValue| {
            let online = bindings::online();
            drive(&JsValue::UNDEFINED, |l, env| l.failed(id_of(&id), online, env))
        }),
        lifecycle: Closure::new(|ev: JsValue| on_lifecycle(&ev)),
    };
    let edge = Edge {
        light: Light::new(tag),
        env,
        hooks,
        lock: lock.dyn_into().ok(),
        retire: retire.dyn_into().ok(),
    };
    let id = JsValue::from_str(edge.light.tag.outbox.owner());
    match EDGE.0.try_borrow_mut() {
        Ok(mut e) if e.is_none() => core::mem::forget(e.replace(edge)),
        _ => {
            core::mem::forget(edge);
            return JsValue::UNDEFINED;
        }
    }
    if let Some(f) = hook(|h| h.lifecycle.as_ref()) {
        for kind in ["pagehide", "pageshow"] {
            let _ = bindings::add_window_listener(kind, &f);
        }
        let _ = bindings::add_document_listener("visibilitychange", &f);
    }
    id
}

fn id_of(id: &JsValue) -> u32 {
    id.as_f64().unwrap_or(-1.0) as u32
}

/// One call; its reply, `None` when busy (re-entered).
fn call(data: &JsValue, call: Call) -> Option<Reply> {
    let (reply, effects) = with_edge(|e| e.light.call(call, &mut e.env))?;
    run(effects, data, None);
    Some(reply)
}

/// `rtp(action, method, data, extra, url, time)`, as the full tag's: the reply's code, or
/// `"handover"` for what the full tag must take (`flush`, a callback to answer, …).
#[wasm_bindgen]
pub fn rtp(
    action: JsValue,
    method: JsValue,
    data: JsValue,
    extra: JsValue,
    url: JsValue,
    time: JsValue,
) -> JsValue {
    let origin = Origin {
        time: args::time(&time),
        url: args::short_string(&url, args::MAX_URL),
    };
    let command = parse(
        args::short_string(&action, 16).as_deref(),
        args::short_string(&method, 16).as_deref(),
    );
    let reply = match command {
        Command::SendView => {
            let given = !(data.is_undefined() || data.is_null());
            let page = if given {
                args::short_string(&data, args::MAX_URL).map(Some).ok_or(())
            } else {
                Ok(None)
            };
            call(&data, Call::View(page, origin))
        }
        Command::SetAccount => call(&data, Call::Account(args::short_string(&method, 255))),
        Command::Set => {
            let setting = parse_setting(args::short_string(&method, 16).as_deref());
            let value = SetValue {
                text: args::short_string(&data, args::MAX_URL),
                truthy: false,
                is_true: false,
                signal: false,
            };
            call(&data, Call::Set(setting, value))
        }
        // Without a callback to answer, an unsupported command is ignored, as the full tag
        // does with debug off (the light module never has it on).
        Command::Unsupported if args::callback(&[&method, &data, &extra]).is_none() => {
            Some(Reply::Verdict(Verdict::Ignored))
        }
        // `send event` through here, `flush`, a callback: the full tag's.
        _ => hand_over(),
    };
    JsValue::from_str(match reply {
        Some(Reply::Verdict(v)) => v.code(),
        Some(Reply::HandOver) => HANDOVER,
        None => crate::verdict::BUSY,
    })
}

fn hand_over() -> Option<Reply> {
    let effects = with_edge(|e| {
        e.light.hand_over();
        e.light.pump(true, &mut e.env)
    })?;
    run(effects, &JsValue::UNDEFINED, None);
    Some(Reply::HandOver)
}

/// `rtp('send', 'event', customData)` in one crossing, as the full tag's `event`: the reply's
/// index in [`codes`].
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
    let raw = args::custom_data(shape, [a, b, c, d]);
    let origin = Origin {
        time: args::time(&time),
        url: args::short_string(&url, args::MAX_URL),
    };
    let busy = Verdict::ALL.len() as u32;
    match call(&data, Call::Event(raw, origin)) {
        Some(Reply::Verdict(v)) => v.index(),
        Some(Reply::HandOver) => busy + 1,
        None => busy,
    }
}

/// The full tag's codes, then `handover`.
#[wasm_bindgen]
pub fn codes() -> String {
    let mut c = crate::verdict::codes();
    c.push(' ');
    c.push_str(HANDOVER);
    c
}

/// What the full tag continues from, once retired (js/PROTOCOL.md, "Handing over").
#[wasm_bindgen]
pub fn handoff() -> Option<String> {
    with_edge(|e| e.light.handoff())
}

fn pump_now() {
    let online = bindings::online();
    drive(&JsValue::UNDEFINED, |l, env| l.pump(online, env));
}

fn answered(id: JsValue, response: JsValue) {
    let (status, retry_after) = bindings::answer(&response);
    let retry_after = retry_after.and_then(|v| parse_retry_after(&v));
    let drained = bindings::drain(&response).ok();
    if let Some(effects) =
        with_edge(|e| e.light.answered(id_of(&id), status, retry_after, &mut e.env))
    {
        run(effects, &JsValue::UNDEFINED, drained);
    }
}

fn on_lifecycle(event: &JsValue) {
    let kind = js_sys::Reflect::get(event, &"type".into())
        .ok()
        .and_then(|k| k.as_string());
    let online = bindings::online();
    match kind.as_deref() {
        Some("pagehide") => drive(event, |l, env| l.leave(true, online, env)),
        Some("pageshow") => {
            let restored = js_sys::Reflect::get(event, &"persisted".into())
                .ok()
                .is_some_and(|p| p.is_truthy());
            if restored {
                drive(event, |l, _| l.shown(true));
            }
        }
        _ if bindings::hidden() => drive(event, |l, env| l.leave(false, online, env)),
        _ => drive(event, |l, _| l.shown(false)),
    }
}

/// Runs `effects` in order; `input` is what `Shown::Input` shows, `drained` the Promise of the
/// last answer's body.
fn run(effects: Vec<Effect>, input: &JsValue, drained: Option<JsValue>) {
    for effect in effects {
        match effect {
            Effect::Send { id, endpoint, body } => match send(&endpoint, id, &body) {
                Ok(()) => drive(input, |l, env| l.started(env)),
                Err(error) => drive(&error, |l, _| l.not_started(id)),
            },
            Effect::Pump => after(Ok(Promise::resolve(&JsValue::UNDEFINED).into())),
            Effect::PumpAfterBody => after(drained.clone().ok_or(JsValue::NULL)),
            Effect::FailLater(id) => {
                let id_js = JsValue::from(id);
                let later = hook(|h| h.failed.as_ref())
                    .ok_or(JsValue::NULL)
                    .and_then(|f| bindings::set_timeout(&bindings::bind(&f, &id_js)?, 0.0));
                if later.is_err() {
                    let online = bindings::online();
                    drive(&JsValue::UNDEFINED, |l, env| l.failed(id, online, env));
                }
            }
            Effect::Lock(on) => {
                if let Some(Some(f)) = with_edge(|e| e.lock.clone()) {
                    let _ = f.call1(&JsValue::NULL, &JsValue::from_bool(on));
                }
            }
            // Retired: the loader starts the full tag.
            Effect::Settle(_) => {
                if let Some(Some(f)) = with_edge(|e| e.retire.clone()) {
                    let _ = f.call1(&JsValue::NULL, &JsValue::UNDEFINED);
                }
            }
            Effect::Say(level, text, shown) => {
                let shown = match shown {
                    Shown::Nothing => JsValue::UNDEFINED,
                    Shown::Input => input.clone(),
                    Shown::Number(n) => JsValue::from(n),
                };
                match level {
                    Level::Debug => console::debug_with(text, &shown),
                    Level::Warn => console::warn(text, &shown),
                }
            }
            Effect::Persist | Effect::Timer(_) | Effect::Claim => {}
        }
    }
}

/// Runs the pump once `promise` settles; at once if it cannot be.
fn after(promise: Result<JsValue, JsValue>) {
    let started = hook(|h| h.pump.as_ref())
        .ok_or(JsValue::NULL)
        .and_then(|f| bindings::then_or(&promise?, &f, &f));
    if started.is_err() {
        pump_now();
    }
}

/// POSTs one batch; `Err` when the request could not be started.
fn send(endpoint: &str, id: u32, body: &str) -> Result<(), JsValue> {
    let id = JsValue::from(id);
    let (ok, err) = hook(|h| h.answered.as_ref())
        .zip(hook(|h| h.unreachable.as_ref()))
        .ok_or(JsValue::NULL)?;
    let promise = transport::post(endpoint, body)?;
    bindings::then_or(
        &promise,
        &bindings::bind(&ok, &id)?,
        &bindings::bind(&err, &id)?,
    )
}
