//! Running the driver's effects in the browser, in order, outside the state's borrow: each
//! is a few bindings, and a binding that fails (a page that broke `fetch`, `then` or
//! `setTimeout`) is answered to the driver, or falls back to doing the step at once.

use super::state::{hook, id_of, with_edge};
use super::{bindings, console, transport};
use crate::driver::{Effect, Input, Level, Shown};
use crate::retry::parse_retry_after;
use alloc::vec::Vec;
use js_sys::{Function, Promise};
use wasm_bindgen::JsValue;

/// What an input came with: the JavaScript value its console messages show, and for an
/// answer, the Promise of its body being read.
pub struct Ctx<'a> {
    input: &'a JsValue,
    drained: Option<JsValue>,
}

impl<'a> Ctx<'a> {
    pub fn of(input: &'a JsValue) -> Self {
        Ctx {
            input,
            drained: None,
        }
    }
}

/// Gives the driver one input, then runs its effects (outside the borrow).
pub fn drive(cx: &Ctx, input: Input) {
    if let Some(effects) = with_edge(|e| e.driver.input(input, &mut e.env)) {
        run(effects, cx);
    }
}

/// Runs `effects` in order.
pub fn run(effects: Vec<Effect>, cx: &Ctx) {
    for effect in effects {
        match effect {
            Effect::Send { id, endpoint, body } => match send(&endpoint, id, &body) {
                Ok(()) => drive(cx, Input::Started),
                Err(error) => drive(&Ctx::of(&error), Input::NotStarted(id)),
            },
            Effect::Pump => after(Ok(Promise::resolve(&JsValue::UNDEFINED).into())),
            Effect::PumpAfterBody => after(cx.drained.clone().ok_or(JsValue::NULL)),
            Effect::Persist => drive(cx, Input::Persist),
            Effect::Timer(ms) => {
                let set = hook(|h| h.retry.as_ref())
                    .ok_or(JsValue::NULL)
                    .and_then(|f| bindings::set_timeout(&f, ms as f64));
                if set.is_err() {
                    drive(cx, Input::TimerFailed);
                }
            }
            Effect::FailLater(id) => {
                let id_js = JsValue::from(id);
                let later = hook(|h| h.failed.as_ref())
                    .ok_or(JsValue::NULL)
                    .and_then(|f| bindings::set_timeout(&bindings::bind(&f, &id_js)?, 0.0));
                if later.is_err() {
                    failed(id);
                }
            }
            Effect::Lock(on) => {
                if let Some(Some(f)) = with_edge(|e| e.lock.clone()) {
                    let _ = f.call1(&JsValue::NULL, &JsValue::from_bool(on));
                }
            }
            Effect::Claim => {
                if let Some(Some(f)) = with_edge(|e| e.claim.clone()) {
                    let _ = f.call1(&JsValue::NULL, &JsValue::UNDEFINED); // call1: the import Lock uses
                }
            }
            Effect::Settle(ok) => {
                for w in with_edge(|e| core::mem::take(&mut e.waiters)).unwrap_or_default() {
                    call_later(&w, &JsValue::from_bool(ok));
                }
            }
            Effect::HandOver => {} // the light module's
            Effect::Say(level, text, shown) => {
                let shown = match shown {
                    Shown::Nothing if level == Level::Debug => {
                        console::debug(text);
                        continue;
                    }
                    Shown::Nothing => JsValue::UNDEFINED,
                    Shown::Input => cx.input.clone(),
                    Shown::Number(n) => JsValue::from(n),
                };
                match level {
                    Level::Debug => console::debug_with(text, &shown),
                    Level::Warn => console::warn(text, &shown),
                }
            }
        }
    }
}

/// Runs the pump once `promise` settles; at once if it cannot be (the page broke promises:
/// send now rather than never).
fn after(promise: Result<JsValue, JsValue>) {
    let started = hook(|h| h.pump.as_ref())
        .ok_or(JsValue::NULL)
        .and_then(|f| bindings::then_or(&promise?, &f, &f));
    if started.is_err() {
        pump_now();
    }
}

/// The pump's hook.
pub fn pump_now() {
    drive(
        &Ctx::of(&JsValue::UNDEFINED),
        Input::Pump {
            online: bindings::online(),
        },
    );
}

/// [`Input::Failed`], a task after the request failed.
pub fn failed(id: u32) {
    drive(
        &Ctx::of(&JsValue::UNDEFINED),
        Input::Failed {
            id,
            online: bindings::online(),
        },
    );
}

/// The collector answered batch `id`: its status and `Retry-After` are read with `catch`
/// bindings (a page's fetch wrapper may hand back a Proxy or a fake), and its body is read and
/// dropped (Chromium holds the keepalive quota until it is).
pub fn answered(id: JsValue, response: JsValue) {
    let (status, retry_after) = bindings::answer(&response);
    let retry_after = retry_after.and_then(|v| parse_retry_after(&v));
    let cx = Ctx {
        input: &JsValue::UNDEFINED,
        drained: bindings::drain(&response).ok(),
    };
    drive(
        &cx,
        Input::Answered {
            id: id_of(&id),
            status,
            retry_after,
        },
    );
}

/// POSTs one batch; `Err` when the request could not be started (the page's `fetch` may be a
/// wrapper that throws or returns a non-promise).
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

/// Calls a page callback after the current task, so its exceptions and its timing never
/// become ours.
pub fn call_later(f: &Function, arg: &JsValue) {
    let _ = bindings::then(&Promise::resolve(arg), f);
}
