//! The full tag's edge: the exports (`boot`, `rtp`, `event`, `codes`, `adopt`) and the hooks
//! the browser calls back (a microtask, a network answer, a timer, the page lifecycle). Each
//! translates JavaScript into an input of the [`Driver`], which decides, and runs the effects it
//! returns (`effects.rs`). Nothing here decides.
//!
//! Nothing here throws into the page, and nothing can leave the state borrowed: the state
//! (`EDGE`) is borrowed only around the driver's plain Rust work and `catch` bindings; every
//! effect that may run page code (`fetch`, `then`, console, callbacks, locks) runs after the
//! borrow is released. A re-entrant call while it is borrowed (page code run by a storage
//! wrapper) is answered `"busy"`. The loader wraps each call in a try/catch as a last guard.

use super::args::{self, Asked};
use super::effects::{self, drive, run, Ctx};
use super::state::{hook, id_of, with_edge, Edge, Hooks, EDGE};
use super::{console, env, flush, journal, lifecycle, session_store};

use crate::driver::{say, Driver, Input};
use crate::tag::{Call, Tag};
use crate::verdict::Verdict;
use alloc::string::String;
use alloc::vec::Vec;
use env::BrowserEnv;
use journal::Journal;
use js_sys::Function;
use session_store::SessionStore;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Gives the driver one call, then runs its effects; its verdict, or `None` when busy.
fn call(data: &JsValue, call: Call) -> Option<Verdict> {
    let (verdict, effects) = with_edge(|e| e.driver.call(call, &mut e.env))?;
    run(effects, &Ctx::of(data));
    Some(verdict)
}

/// Sets the tag up for this page: the session, the storage, the lifecycle listeners.
/// `handoff` is what the light module left when it handed the page over (js/PROTOCOL.md).
/// `claim` is the loader's function that runs [`adopt`] under the Web Lock `rtp-claim`;
/// `lock(on)` requests or releases the page's Web Lock `rtp-tab-<id>`. Returns this page's id.
/// Called by the loader once; calling it again (or while the tag is busy) does nothing.
#[wasm_bindgen]
pub fn boot(claim: JsValue, lock: JsValue, handoff: Option<String>) -> JsValue {
    start(claim.dyn_into().ok(), lock.dyn_into().ok());
    if let Some(effects) =
        handoff.and_then(|h| with_edge(|e| e.driver.continue_from(&h, &mut e.env)))
    {
        run(effects, &Ctx::of(&JsValue::UNDEFINED));
    }
    with_edge(|e| JsValue::from_str(e.driver.tag.outbox.owner())).unwrap_or(JsValue::UNDEFINED)
}

fn start(claim: Option<Function>, lock: Option<Function>) {
    match EDGE.0.try_borrow() {
        Ok(e) if e.is_none() => {}
        _ => return, // booted, or busy (which means booted)
    }
    let mut env = BrowserEnv::new();
    let tag = Tag::new(SessionStore::open(), Journal::open(), &mut env);
    let hooks = Hooks {
        pump: Closure::new(|_| effects::pump_now()),
        answered: Closure::new(effects::answered),
        unreachable: Closure::new(|id: JsValue, error: JsValue| {
            drive(&Ctx::of(&error), Input::Unreachable(id_of(&id)))
        }),
        failed: Closure::new(|id: JsValue| effects::failed(id_of(&id))),
        lifecycle: Closure::new(|ev: JsValue| lifecycle::on_lifecycle(&ev)),
        retry: Closure::new(|_| drive(&Ctx::of(&JsValue::UNDEFINED), Input::TimerFired)),
        defer: Closure::new(|resolve: JsValue, _reject: JsValue| {
            flush::wait(resolve.unchecked_into())
        }),
    };
    let edge = Edge {
        driver: Driver::new(tag),
        env,
        hooks,
        claim,
        lock,
        waiters: Vec::new(),
    };
    // Never dropped: the page's tag lives as long as the page (and no drop glue for it is
    // linked). Only a re-entrant start (page code run by storage while the tag was made) finds
    // the slot taken; that second tag is leaked, not run.
    match EDGE.0.try_borrow_mut() {
        Ok(mut e) if e.is_none() => core::mem::forget(e.replace(edge)),
        _ => return core::mem::forget(edge),
    }
    // Listeners only once the state that owns their hook is stored.
    if let Some(f) = hook(|h| h.lifecycle.as_ref()) {
        lifecycle::listen(&f);
    }
}

/// `rtp(action, method, data)`, for every command but `send event` (see [`event`]).
/// `url` and `time` are the page URL and time of a call that the snippet queued before the tag
/// loaded (`undefined` for a live call). Returns the verdict's code (a string), or a Promise
/// for `flush`.
#[wasm_bindgen]
pub fn rtp(
    action: JsValue,
    method: JsValue,
    data: JsValue,
    url: JsValue,
    time: JsValue,
) -> JsValue {
    start(None, None);
    let verdict = match args::asked(&action, &method, &data, &url, &time) {
        Asked::Call(c) => call(&data, c),
        Asked::SendEvent => {
            console::debug(say::SEND_EVENT_IGNORED);
            Some(Verdict::Ignored)
        }
        Asked::Flush => return flush::flush(args::callback(&[&method, &data])),
        Asked::Unsupported => {
            console::debug_with(say::UNSUPPORTED, &action);
            Some(Verdict::Ignored)
        }
    };
    JsValue::from_str(verdict.map_or(crate::verdict::BUSY, Verdict::code))
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
    call(&data, args::event(shape, [a, b, c, d], &url, &time))
        .map_or(Verdict::ALL.len() as u32, Verdict::index)
    // past the codes: busy
}

/// The verdict codes, in the order of [`event`]'s answers, separated by spaces.
#[wasm_bindgen]
pub fn codes() -> String {
    crate::verdict::codes()
}
