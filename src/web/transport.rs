//! Moving a batch body to the collector: `fetch` with `keepalive`, also when the page is left
//! (not `navigator.sendBeacon`, which cannot omit credentials).
//!
//! Both send the body as a string, so the browser sets `Content-Type: text/plain;charset=UTF-8`:
//! a CORS-simple request, no preflight (Fetch standard, "CORS-safelisted request-header").
//! `fetch` omits credentials. Every call is `catch`: a page's `fetch` wrapper may throw.

use super::bindings;
use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

// The byte budgets (batch size, keepalive quota) are the driver's: `crate::driver`.

/// A request without an answer after this long (30 s) is aborted and counts as a failed
/// attempt (a collector that accepts connections but never answers would otherwise hold the
/// outbox, and the keepalive quota, for ever). Where `AbortSignal.timeout` is missing, the
/// request waits for the browser's own timeout.
pub const REQUEST_TIMEOUT_MS: f64 = 30_000.0;

/// Starts a keepalive POST of `body`. `Ok` holds what `fetch` returned (a Promise of the
/// Response, unless a page wrapper returned something else); `Err` when it threw.
pub fn post(endpoint: &str, body: &str) -> Result<JsValue, JsValue> {
    let init = Object::new();
    let set = |k: &str, v: &JsValue| Reflect::set(&init, &JsValue::from_str(k), v);
    set("method", &JsValue::from_str("POST"))?;
    set("body", &JsValue::from_str(body))?;
    set("keepalive", &JsValue::TRUE)?;
    set("mode", &JsValue::from_str("cors"))?;
    set("credentials", &JsValue::from_str("omit"))?;
    if let Ok(signal) = bindings::abort_after(REQUEST_TIMEOUT_MS) {
        set("signal", &signal)?;
    }
    bindings::fetch(endpoint, &init)
}
