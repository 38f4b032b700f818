//! Moving a batch body to the collector: `fetch` with `keepalive`, or `navigator.sendBeacon`.
//!
//! Both send the body as a string, so the browser sets `Content-Type: text/plain;charset=UTF-8`:
//! a CORS-simple request, no preflight (Fetch standard, "CORS-safelisted request-header").
//! Credentials are never sent.

use js_sys::Promise;
use wasm_bindgen::JsValue;
use web_sys::{RequestCredentials, RequestInit, RequestMode};

/// A batch body is at most this many bytes.
pub const MAX_BATCH_BYTES: usize = 60 * 1024;

/// Browsers allow at most 64 KiB of body in flight across all keepalive fetches and beacons
/// of a page (Fetch standard, "keepalive" step; Chromium enforces it per renderer).
pub const KEEPALIVE_BUDGET: usize = 64 * 1024;

/// Starts a POST of `body`; `keepalive` lets it outlive the page. Resolves to the `Response`.
pub fn post(endpoint: &str, body: &str, keepalive: bool) -> Option<Promise> {
    let window = web_sys::window()?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    // web-sys 0.3.107 has no RequestInit::set_keepalive; the dictionary member is plain JS.
    let _ = js_sys::Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::from_bool(keepalive));
    init.set_mode(RequestMode::Cors);
    init.set_credentials(RequestCredentials::Omit);
    Some(window.fetch_with_str_and_init(endpoint, &init))
}

/// Queues `body` with `navigator.sendBeacon`; `false` when the browser refused it (too big, or
/// its beacon budget is spent). `true` means queued, not delivered: there is no answer.
pub fn beacon(endpoint: &str, body: &str) -> bool {
    web_sys::window()
        .map(|w| w.navigator())
        .and_then(|n| n.send_beacon_with_opt_str(endpoint, Some(body)).ok())
        .unwrap_or(false)
}
