//! The few JavaScript bindings that js-sys / web-sys lack or type too narrowly for us.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// `Array.isArray(v)`; it throws on a revoked Proxy, and js-sys' binding does not catch.
    #[wasm_bindgen(js_namespace = Array, js_name = isArray, catch)]
    pub fn is_array(v: &JsValue) -> Result<bool, JsValue>;

    /// `s.isWellFormed()` (ES2024): no lone surrogates. One call, where js-sys'
    /// `is_valid_utf16` calls `charCodeAt` once per character. Throws where unsupported
    /// (browsers before 2023), hence `catch`.
    type Text;
    #[wasm_bindgen(method, js_name = isWellFormed, catch)]
    fn is_well_formed_(this: &Text) -> Result<bool, JsValue>;

    /// A promise seen as a plain thenable (js-sys 0.3.107's `then` only takes closures).
    type Thenable;
    #[wasm_bindgen(method, js_name = then)]
    fn then1(this: &Thenable, ok: &Function) -> JsValue;
    #[wasm_bindgen(method, js_name = then)]
    fn then2(this: &Thenable, ok: &Function, err: &Function) -> JsValue;
}

/// Whether `s` has no lone surrogate; `true` where `isWellFormed` is not supported (the value
/// is then sent with U+FFFD in place of the lone surrogate, as `TextEncoder` would).
pub fn is_well_formed(s: &js_sys::JsString) -> bool {
    s.unchecked_ref::<Text>().is_well_formed_().unwrap_or(true)
}

/// `promise.then(ok)` with a plain function.
pub fn then(p: &Promise, ok: &Function) {
    p.unchecked_ref::<Thenable>().then1(ok);
}

/// `promise.then(ok, err)` with plain functions.
pub fn then_or(p: &Promise, ok: &Function, err: &Function) {
    p.unchecked_ref::<Thenable>().then2(ok, err);
}
