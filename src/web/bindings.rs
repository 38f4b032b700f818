//! The few JavaScript bindings that js-sys / web-sys lack, or bind without `catch`.
//!
//! Every binding here is `catch`: pages replace globals (`fetch` wrappers of RUM tools,
//! `Date.now` of fake-timer libraries, `Function.prototype.bind` polyfills), and an exception
//! from such a replacement must become a value here, never unwind through the wasm.

use alloc::string::String;
use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Storage;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Date, js_name = now, catch)]
    fn date_now() -> Result<f64, JsValue>;

    /// `fetch(url, init)`: whatever the page's `fetch` returns (a wrapper may return anything).
    #[wasm_bindgen(js_name = fetch, catch)]
    pub fn fetch(url: &str, init: &JsValue) -> Result<JsValue, JsValue>;

    /// `addEventListener(type, f)` on the window.
    #[wasm_bindgen(js_name = addEventListener, catch)]
    pub fn add_window_listener(kind: &str, f: &Function) -> Result<(), JsValue>;

    /// `document.addEventListener(type, f)`.
    #[wasm_bindgen(js_namespace = document, js_name = addEventListener, catch)]
    pub fn add_document_listener(kind: &str, f: &Function) -> Result<(), JsValue>;

    /// `crypto.getRandomValues(buf)`: a CSPRNG in every browser, secure context or not.
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    pub fn get_random_values(buf: &mut [u8]) -> Result<JsValue, JsValue>;

    /// `location.toString()`: the page URL (`location.href`).
    #[wasm_bindgen(js_namespace = location, js_name = toString, catch)]
    pub fn location_href() -> Result<String, JsValue>;

    /// `setTimeout(f, ms)`.
    #[wasm_bindgen(js_name = setTimeout, catch)]
    pub fn set_timeout(f: &Function, ms: f64) -> Result<JsValue, JsValue>;

    /// `AbortSignal.timeout(ms)`: a signal that aborts a fetch after `ms` (a `TimeoutError`).
    #[wasm_bindgen(js_namespace = AbortSignal, js_name = timeout, catch)]
    pub fn abort_after(ms: f64) -> Result<JsValue, JsValue>;

    /// `navigator.onLine`: `false` only when the browser knows it is offline.
    #[wasm_bindgen(thread_local_v2, js_name = navigator)]
    static NAVIGATOR: Navigator;
    type Navigator;
    #[wasm_bindgen(method, getter, js_name = onLine, catch)]
    fn on_line(this: &Navigator) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, js_name = doNotTrack, catch)]
    fn do_not_track(this: &Navigator) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, js_name = globalPrivacyControl, catch)]
    fn global_privacy_control(this: &Navigator) -> Result<JsValue, JsValue>;

    /// `window`, bound directly: `web_sys::window()` goes through `js_sys::global()`, whose
    /// four probes (`globalThis`, `self`, `window`, `global`) and `instanceof Window` check
    /// cost wasm and glue; the tag only ever runs in a window (the loader and the npm entry
    /// check).
    #[wasm_bindgen(thread_local_v2, js_name = window)]
    static WINDOW: Win;
    type Win;
    /// `window.localStorage`: it throws a SecurityError when storage is blocked.
    #[wasm_bindgen(method, getter, js_name = localStorage, catch)]
    fn local_storage(this: &Win) -> Result<Option<Storage>, JsValue>;
    /// `window.sessionStorage`: as `localStorage`.
    #[wasm_bindgen(method, getter, js_name = sessionStorage, catch)]
    fn session_storage(this: &Win) -> Result<Option<Storage>, JsValue>;

    /// `document.hidden`, `document.referrer`.
    #[wasm_bindgen(thread_local_v2, js_name = document)]
    static DOCUMENT: Doc;
    type Doc;
    #[wasm_bindgen(method, getter, catch)]
    fn hidden(this: &Doc) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn referrer(this: &Doc) -> String;

    /// An answer to a fetch: a Response, unless a page's wrapper handed back something else.
    type Answered;
    #[wasm_bindgen(method, getter, catch)]
    fn status(this: &Answered) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn headers(this: &Answered) -> Result<Answered, JsValue>;
    #[wasm_bindgen(method, js_name = get, catch)]
    fn header(this: &Answered, name: &str) -> Result<JsValue, JsValue>;

    /// `JSON.parse(text)`.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    pub fn json_parse(text: &str) -> Result<JsValue, JsValue>;

    /// Anything with a `then` method (a promise, or what a page's `fetch` wrapper returned).
    type Thenable;
    #[wasm_bindgen(method, js_name = then, catch)]
    fn then2(this: &Thenable, ok: &Function, err: &JsValue) -> Result<JsValue, JsValue>;

    /// `new Promise(executor)`.
    #[wasm_bindgen(js_name = Promise)]
    pub type Deferred;
    #[wasm_bindgen(constructor, js_class = "Promise", catch)]
    pub fn new(executor: &Function) -> Result<Deferred, JsValue>;

    type Body;
    #[wasm_bindgen(method, js_name = text, catch)]
    fn text(this: &Body) -> Result<JsValue, JsValue>;

    type Bindable;
    #[wasm_bindgen(method, js_name = bind, catch)]
    fn bind_(this: &Bindable, context: &JsValue, arg: &JsValue) -> Result<Function, JsValue>;
}

/// Whether the browser may be online (`navigator.onLine` is not `false`).
pub fn online() -> bool {
    NAVIGATOR.with(|n| n.on_line()).ok() != Some(JsValue::FALSE)
}

/// Whether the browser asks not to be tracked: Do Not Track (`navigator.doNotTrack` is
/// `"1"`) or Global Privacy Control (`navigator.globalPrivacyControl` is `true`).
pub fn privacy_signal() -> bool {
    NAVIGATOR.with(|n| {
        n.do_not_track().ok().and_then(|v| v.as_string()).as_deref() == Some("1")
            || n.global_privacy_control().ok() == Some(JsValue::TRUE)
    })
}

/// `window.localStorage`, or `None` when it is absent or blocked.
pub fn local_storage() -> Option<Storage> {
    WINDOW.with(|w| w.local_storage()).ok().flatten()
}

/// `window.sessionStorage`, or `None` when it is absent or blocked.
pub fn session_storage() -> Option<Storage> {
    WINDOW.with(|w| w.session_storage()).ok().flatten()
}

/// `document.referrer`.
pub fn referrer() -> String {
    DOCUMENT.with(|d| d.referrer())
}

/// Whether the page is hidden (`document.hidden`); `true` if it cannot be read.
pub fn hidden() -> bool {
    DOCUMENT
        .with(|d| d.hidden())
        .map_or(true, |h| h.is_truthy())
}

/// A fetch answer's status (0 when it has none) and `Retry-After` header, read with `catch`.
pub fn answer(response: &JsValue) -> (u16, Option<String>) {
    let r = response.unchecked_ref::<Answered>();
    let status = r
        .status()
        .ok()
        .and_then(|s| s.as_f64())
        .filter(|s| (0.0..1000.0).contains(s))
        .unwrap_or(0.0) as u16;
    let retry_after = r
        .headers()
        .and_then(|h| h.header("retry-after"))
        .ok()
        .and_then(|v| v.as_string());
    (status, retry_after)
}

/// `Date.now()`, or `None` when the page's replacement threw or returned a non-number.
pub fn now() -> Option<f64> {
    date_now().ok().filter(|t| t.is_finite())
}

/// `p.then(ok)`; `Err` when `p` is not a thenable or `then` threw.
pub fn then(p: &JsValue, ok: &Function) -> Result<(), JsValue> {
    // `then(ok, undefined)` is `then(ok)`; one import serves both.
    p.unchecked_ref::<Thenable>()
        .then2(ok, &JsValue::UNDEFINED)
        .map(drop)
}

/// `p.then(ok, err)`; `Err` when `p` is not a thenable or `then` threw.
pub fn then_or(p: &JsValue, ok: &Function, err: &Function) -> Result<(), JsValue> {
    p.unchecked_ref::<Thenable>().then2(ok, err).map(drop)
}

/// Starts reading a response's body (a Promise), to be dropped. Chromium keeps a keepalive request's share of the
/// 64 KiB in-flight quota until its response body is consumed (measured: unread, the third
/// 30 KB keepalive POST in a row fails; read, none does), so every answer is drained.
pub fn drain(response: &JsValue) -> Result<JsValue, JsValue> {
    response.unchecked_ref::<Body>().text()
}

/// `f.bind(null, arg)`.
pub fn bind(f: &Function, arg: &JsValue) -> Result<Function, JsValue> {
    f.unchecked_ref::<Bindable>().bind_(&JsValue::NULL, arg)
}
