//! Fixtures and helpers shared by the browser tests.
//!
//! The JavaScript fixtures are an inline module (no `eval`, no `new Function`): each builds one
//! kind of hostile or unusual value a page can pass to `rtp()`.

use js_sys::{Array, Function, Object, Promise, Reflect};
use rtp_tag::web::{codes, event, rtp};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(inline_js = r#"
export function plain(value) { return { value }; }
export function array_of(a, b, c, d, e) { return [a, b, c, d, e].filter((x) => x !== undefined); }
export function throwing_value_getter() {
  return { get value() { throw new Error('value getter throws (test fixture)'); } };
}
export function proxy_with_throwing_get(target_is_array) {
  return new Proxy(target_is_array ? ['a'] : { value: 'a' }, {
    get() { throw new Error('get trap throws (test fixture)'); },
  });
}
export function revoked_proxy(target_is_array) {
  const { proxy, revoke } = Proxy.revocable(target_is_array ? ['a'] : { value: 'a' }, {});
  revoke();
  return proxy;
}
export function array_with_unreadable_elements(n) {
  const a = new Array(n);
  for (let i = 0; i < n; i++) {
    Object.defineProperty(a, i, { get() { throw new Error('element ' + i + ' was read (test fixture)'); } });
  }
  return a;
}
export function array_with_hole() { return ['a', , 'b']; }
export function sparse_array(length) { return new Array(length); }
export function repeated(s, n) { return s.repeat(n); }
export function lone_surrogate() { return '\uD800'; }
export function surrogate_in_the_middle() { return 'a\uDC00b'; }
export function symbol() { return Symbol('rtp-test'); }
export function bigint() { return 12345678901234567890n; }
export function noop() { return function () {}; }
export function thrower() { return function () { throw new Error('blocked by the test'); }; }
export function null_prototype_with_value(v) { const o = Object.create(null); o.value = v; return o; }
export function array_like(v) { return { length: 1, 0: v }; }

// window.rtp as the loader makes it, over js/host.js's call(): `u` and `t`, when given, make it
// a call queued before the tag loaded, replayed with that URL and time.
export function page_rtp(call, tag) {
  return function (a, m, d, x, u, t) {
    const q = [a, m, d, x];
    q.u = u;
    q.t = t;
    return call(tag, q, arguments.length > 4 ? 1 : undefined);
  };
}

// Calls f with args the way a page would, and reports a throw as data.
export function call_catching(f, args) {
  try { return { returned: f(...args) }; } catch (e) { return { threw: e }; }
}

// Settles with {value} when p does, or with null after ms (p did not settle in time).
export function within(p, ms) {
  return Promise.race([
    Promise.resolve(p).then((value) => ({ value }), (error) => ({ error })),
    new Promise((r) => setTimeout(() => r(null), ms)),
  ]);
}

// A callback that counts its calls and keeps its last argument; `settled` resolves on the
// first call.
export function recorder() {
  let resolve;
  const box = { calls: 0, arg: undefined, settled: new Promise((r) => { resolve = r; }) };
  box.callback = function (x) { box.calls += 1; box.arg = x; resolve(x); };
  return box;
}

// `{value}` whose getter first calls rtp (re-entrantly) with another event.
export function reentrant_data(rtp, inner, outer) {
  const box = { inner: undefined };
  box.data = { get value() { box.inner = rtp('send', 'event', { value: inner }); return outer; } };
  return box;
}

// Makes `window.sessionStorage` throw, as with cookies blocked; returns the undo function.
export function block_session_storage() {
  const own = Object.getOwnPropertyDescriptor(window, 'sessionStorage');
  Object.defineProperty(window, 'sessionStorage', {
    configurable: true,
    get() { throw new DOMException('The operation is insecure (test fixture).', 'SecurityError'); },
  });
  return function () {
    if (own) { Object.defineProperty(window, 'sessionStorage', own); } else { delete window.sessionStorage; }
  };
}
"#)]
extern "C" {
    /// `{value}`.
    pub fn plain(value: &JsValue) -> JsValue;
    /// An array of the given values, `undefined` ones left out.
    pub fn array_of(a: &JsValue, b: &JsValue, c: &JsValue, d: &JsValue, e: &JsValue) -> JsValue;
    /// `{ get value() { throw } }`.
    pub fn throwing_value_getter() -> JsValue;
    /// A Proxy (of an object, or of an array) whose `get` trap throws.
    pub fn proxy_with_throwing_get(target_is_array: bool) -> JsValue;
    /// A revoked Proxy: `Array.isArray` and every property read on it throw a TypeError.
    pub fn revoked_proxy(target_is_array: bool) -> JsValue;
    /// An array of length `n` whose every element getter throws.
    pub fn array_with_unreadable_elements(n: u32) -> JsValue;
    /// `['a', , 'b']`.
    pub fn array_with_hole() -> JsValue;
    /// `new Array(length)`: holes only, nothing allocated per element.
    pub fn sparse_array(length: u32) -> JsValue;
    /// `s.repeat(n)`, built in JavaScript (a 1 MB string is never a Rust string here).
    pub fn repeated(s: &str, n: u32) -> JsValue;
    /// `'\uD800'`.
    pub fn lone_surrogate() -> JsValue;
    /// `'a\uDC00b'`.
    pub fn surrogate_in_the_middle() -> JsValue;
    /// `Symbol('rtp-test')`.
    pub fn symbol() -> JsValue;
    /// `12345678901234567890n`.
    pub fn bigint() -> JsValue;
    /// A function that does nothing.
    pub fn noop() -> JsValue;
    /// A function that throws.
    pub fn thrower() -> JsValue;
    /// `Object.create(null)` with `value` set: it has no `toString`, so `String(it)` throws.
    pub fn null_prototype_with_value(v: &JsValue) -> JsValue;
    /// `{length: 1, 0: v}`: array-like, not an array.
    pub fn array_like(v: &JsValue) -> JsValue;
    /// `{returned}` or `{threw}`.
    pub fn call_catching(f: &JsValue, args: &Array) -> JsValue;
    /// A Promise of `{value}`, `{error}`, or `null` on time-out.
    pub fn within(p: &JsValue, ms: u32) -> Promise;
    /// `{calls, arg, settled, callback}`.
    pub fn recorder() -> JsValue;
    /// `{data, inner}`.
    pub fn reentrant_data(rtp: &JsValue, inner: &str, outer: &str) -> JsValue;
    /// Makes `window.sessionStorage` throw; returns the undo function.
    pub fn block_session_storage() -> Function;
    /// `window.rtp` over `call` and `tag` (see the fixture).
    fn page_rtp(call: &Function, tag: &JsValue) -> Function;
}

/// js/host.js, the JavaScript around the wasm that the loader and the npm package share: the
/// tests call the tag through it, as pages do.
#[wasm_bindgen(module = "/js/host.js")]
extern "C" {
    /// `call(tag, args, queued)`.
    #[wasm_bindgen(thread_local_v2, js_name = call)]
    static CALL: Function;
    /// `read(customData)`: `[shape, v0, v1, v2, v3]`.
    pub fn read(data: &JsValue) -> Array;
}

type EventFn = dyn Fn(
    JsValue,
    u32,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    JsValue,
    JsValue,
) -> u32;

thread_local! {
    /// The wasm's exports as js/host.js sees them (`tag.rtp`, `tag.event`, `tag.codes`), made
    /// once; their closures live as long as the page.
    static TAG: JsValue = {
        let tag = Object::new();
        let rtp = Closure::<dyn Fn(JsValue, JsValue, JsValue, JsValue, JsValue) -> JsValue>::new(rtp);
        let event = Closure::<EventFn>::new(event);
        let codes = Closure::<dyn Fn() -> String>::new(codes);
        for (name, f) in [("rtp", rtp.as_ref()), ("event", event.as_ref()), ("codes", codes.as_ref())] {
            Reflect::set(&tag, &s(name), f).unwrap();
        }
        rtp.forget();
        event.forget();
        codes.forget();
        tag.into()
    };
}

/// A value no earlier call in this page (or an earlier run) can have sent.
pub fn unique(label: &str) -> String {
    let n = (js_sys::Math::random() * 1e15) as u64;
    format!("{label} {n:x}")
}

/// A JavaScript string.
pub fn s(x: &str) -> JsValue {
    JsValue::from_str(x)
}

/// `undefined`.
pub fn undef() -> JsValue {
    JsValue::UNDEFINED
}

/// `rtp(action, method, data)` called as a page calls it, as a string (the verdict code).
pub fn rtp3(action: &str, method: &str, data: &JsValue) -> String {
    code(
        &rtp_from_js(&rtp_as_js(), &[s(action), s(method), data.clone()])
            .expect("rtp() never throws"),
    )
}

/// `rtp('send', 'event', data)`.
pub fn send_event(data: &JsValue) -> String {
    rtp3("send", "event", data)
}

/// The string in `v`, or a marker that makes the assertion fail readably.
pub fn code(v: &JsValue) -> String {
    v.as_string()
        .unwrap_or_else(|| format!("<not a string: {v:?}>"))
}

/// `window.rtp` as the loader makes it (js/host.js's `call` over the wasm's exports). Called with
/// more than four arguments, the fifth and sixth are the URL and time of a queued call.
pub type RtpFn = Function;

/// Makes [`RtpFn`].
pub fn rtp_as_js() -> RtpFn {
    CALL.with(|call| TAG.with(|tag| page_rtp(call, tag)))
}

/// Calls `rtp(...args)` from JavaScript: `Ok(returned)` or `Err(thrown)`. A panic in the wasm
/// (a trap) is a throw too.
pub fn rtp_from_js(f: &RtpFn, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let array: Array = args.iter().collect();
    let outcome = call_catching(f.as_ref(), &array);
    match Reflect::get(&outcome, &s("threw")) {
        Ok(e) if Reflect::has(&outcome, &s("threw")).unwrap_or(false) => Err(e),
        _ => Ok(Reflect::get(&outcome, &s("returned")).unwrap_or(JsValue::UNDEFINED)),
    }
}

/// Awaits `p` for at most `ms`: `Some(Ok(value))`, `Some(Err(reason))`, or `None` on time-out.
pub async fn settle_within(p: &JsValue, ms: u32) -> Option<Result<JsValue, JsValue>> {
    let outcome = JsFuture::from(within(p, ms))
        .await
        .expect("within() never rejects");
    if outcome.is_null() {
        return None;
    }
    if Reflect::has(&outcome, &s("error")).unwrap_or(false) {
        return Some(Err(get(&outcome, "error")));
    }
    Some(Ok(get(&outcome, "value")))
}

/// Waits for the microtasks and one macrotask queued so far to run.
pub async fn next_task() {
    let p = Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
    });
    let _ = JsFuture::from(p).await;
}

/// `obj[key]`, `undefined` when the read throws.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &s(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The page's `sessionStorage`.
pub fn session_storage() -> web_sys::Storage {
    web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap()
}

/// Every key in `sessionStorage`.
pub fn storage_keys() -> Vec<String> {
    let st = session_storage();
    let n = st.length().unwrap();
    (0..n).filter_map(|i| st.key(i).unwrap()).collect()
}

/// Replaces `obj[name]` with `value`; returns the previous value, for [`restore`].
pub fn replace(obj: &JsValue, name: &str, value: &JsValue) -> JsValue {
    let previous = get(obj, name);
    assert!(
        Reflect::set(obj, &s(name), value).unwrap(),
        "could not replace {name}"
    );
    previous
}

/// Puts back what [`replace`] took.
pub fn restore(obj: &JsValue, name: &str, previous: &JsValue) {
    Reflect::set(obj, &s(name), previous).unwrap();
}

/// `Storage.prototype`, where `getItem` and `setItem` live.
pub fn storage_prototype() -> JsValue {
    let ctor = get(&js_sys::global(), "Storage");
    get(&ctor, "prototype")
}

/// The global `console` object.
pub fn console() -> JsValue {
    get(&js_sys::global(), "console")
}

/// Whether `v` is a lowercase version-4 UUID (checked here independently of `rtp_tag::id`).
pub fn is_lowercase_v4_uuid(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    lens == [8, 4, 4, 4, 12]
        && v.chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c))
        && parts[2].starts_with('4')
        && matches!(parts[3].chars().next(), Some('8' | '9' | 'a' | 'b'))
}

/// Whether `v` is a Promise.
pub fn is_promise(v: &JsValue) -> bool {
    v.is_instance_of::<Promise>()
}
