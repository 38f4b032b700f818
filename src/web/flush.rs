//! `rtp('flush')`: a Promise (and an optional callback) answered when the driver settles its
//! waiters ([`crate::driver::Effect::Settle`]).

use super::bindings;
use super::effects::{self, drive, Ctx};
use super::state::{hook, with_edge};
use crate::driver::Input;
use js_sys::Function;
use wasm_bindgen::JsValue;

/// `rtp('flush' [, callback])`: a Promise that resolves `true` once everything accepted so far
/// is acknowledged by the collector, or `false` if a batch failed meanwhile; the callback, if
/// given, is called with the same value.
pub fn flush(callback: Option<Function>) -> JsValue {
    let before = with_edge(|e| e.waiters.len()).unwrap_or(0);
    if let Some(cb) = callback {
        wait(cb);
    }
    let promise = hook(|h| h.defer.as_ref()).and_then(|f| bindings::Deferred::new(&f).ok());
    let added = with_edge(|e| e.waiters.len())
        .unwrap_or(0)
        .saturating_sub(before);
    drive(&Ctx::of(&JsValue::UNDEFINED), Input::Flush(added));
    promise.map(JsValue::from).unwrap_or(JsValue::UNDEFINED)
}

/// Adds a `flush` waiter; answers `false` at once when the tag is busy (a re-entrant call)
/// rather than never.
pub fn wait(f: Function) {
    if with_edge(|e| e.waiters.push(f.clone())).is_none() {
        effects::call_later(&f, &JsValue::FALSE);
    }
}
