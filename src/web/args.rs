//! Reading the JavaScript arguments of `rtp()` into the core's plain types.
//!
//! Every read that could run page code (a getter, a Proxy trap) happens in JavaScript before
//! the call (`customData`, js/host.js) or goes through a `catch` binding, so an exception
//! becomes a value here instead of unwinding through the wasm. Strings are measured (and
//! checked for lone surrogates) before they are copied in.

use crate::values::{RawValues, MAX_VALUES};
use alloc::string::String;
use js_sys::{JsString, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// `customData` (the third argument of `send event`) as the core sees it, from what
/// `read()` in js/host.js found: `shape` (see there) and the strings it passed. `customData` is
/// read in JavaScript, in one pass, so that a call crosses into the wasm once (reading it from
/// here took a dozen crossings per call); what it means is decided in `crate::values`.
pub fn custom_data(shape: u32, texts: [Option<String>; MAX_VALUES]) -> RawValues {
    crate::values::from_shape(shape, texts)
}

/// The longest URL argument read (a page URL, a view override, the endpoint), in UTF-16
/// code units: the contract's limit.
pub const MAX_URL: usize = crate::envelope::MAX_URL_LEN;

/// A string argument of at most `max` UTF-16 code units, or `None` for anything else. Measured
/// before it is copied: a page passing a 50 MB string must not grow the wasm memory for good.
pub fn short_string(v: &JsValue, max: usize) -> Option<String> {
    let s = v.dyn_ref::<JsString>()?;
    if s.length() as usize > max {
        return None;
    }
    v.as_string()
}

/// A time argument (ms since the epoch) recorded by the snippet, if it is one.
pub fn time(v: &JsValue) -> Option<u64> {
    match v.as_f64() {
        Some(t) if t.is_finite() && t >= 0.0 => Some(t as u64),
        _ => None,
    }
}

/// The first of `args` that is a function (a callback), if any.
pub fn callback(args: &[&JsValue]) -> Option<js_sys::Function> {
    args.iter()
        .find(|a| a.is_function())
        .map(|a| a.unchecked_ref::<js_sys::Function>().clone())
}

/// What a callback of an unsupported command receives: `{error: 'unsupported', message}`.
pub fn unsupported_result() -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &"error".into(), &"unsupported".into());
    let _ = Reflect::set(
        &o,
        &"message".into(),
        &"rtp-tag does not implement this command".into(),
    );
    o.into()
}
