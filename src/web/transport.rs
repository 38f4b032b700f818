//! Moving a batch body to the collector: `fetch` with `keepalive`, also when the page is left
//! (not `navigator.sendBeacon`, which cannot omit credentials).
//!
//! Both send the body as a string, so the browser sets `Content-Type: text/plain;charset=UTF-8`:
//! a CORS-simple request, no preflight (Fetch standard, "CORS-safelisted request-header").
//! `fetch` omits credentials. Every call is `catch`: a page's `fetch` wrapper may throw.

use super::bindings;
use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

/// A batch body is at most this many bytes.
pub const MAX_BATCH_BYTES: usize = 32 * 1024;

/// Keepalive bodies the tag keeps in flight: half of the 64 KiB that a page may have in flight
/// across all keepalive fetches and beacons (Fetch standard, "keepalive" step; Chromium counts
/// beacons in the same quota). Half, because Chromium releases a request's share only once its
/// response body has been read (see `bindings::drain`), which finishes after the answer that
/// frees our own count, and because other scripts of the page share the quota.
/// The tag only sends with keepalive, and keeps what does not fit queued until an answer frees
/// room: a request that outlives the page is the only kind that cannot lose events.
pub const KEEPALIVE_BUDGET: usize = 32 * 1024;

/// A request without an answer after this long (30 s) is aborted and counts as a failed
/// attempt (a collector that accepts connections but never answers would otherwise hold the
/// outbox, and the keepalive quota, for ever). Where `AbortSignal.timeout` is missing, the
/// request waits for the browser's own timeout.
pub const REQUEST_TIMEOUT_MS: f64 = 30_000.0;

/// What may be in flight once the page is hidden or leaving: the whole 64 KiB quota, less
/// 4 KiB for the page's own beacons. Nothing of the page will need room after this.
pub const LEAVING_BUDGET: usize = 60 * 1024;

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
