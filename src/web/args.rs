//! Reading the JavaScript arguments of `rtp()` into the core's plain types.
//!
//! Every read that could run page code (a getter, a Proxy trap) goes through a `catch`
//! binding, so an exception becomes a value here instead of unwinding through the wasm.
//! Strings are measured (and checked for lone surrogates) before they are copied in.

use crate::values::{Field, RawValues, MAX_VALUES, MAX_VALUE_LEN};
use super::bindings::{is_array, is_well_formed};
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use js_sys::{JsString, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// `customData` (the third argument of `send event`) as the core sees it. Accepts
/// `{value: string | string[]}`, and a bare string or array.
pub fn custom_data(data: &JsValue) -> RawValues {
    if data.is_string() || is_array(data).unwrap_or(false) {
        return value(data);
    }
    if data.is_object() || data.is_function() {
        return match Reflect::get(data, &JsValue::from_str("value")) {
            Ok(v) => value(&v),
            Err(_) => RawValues::Unreadable,
        };
    }
    if data.is_undefined() || data.is_null() {
        RawValues::Missing
    } else {
        RawValues::Fields(vec![Field::NotText])
    }
}

fn value(v: &JsValue) -> RawValues {
    if v.is_undefined() || v.is_null() {
        return RawValues::Missing;
    }
    match is_array(v) {
        Ok(true) => {}
        Ok(false) => return RawValues::Fields(vec![field(v)]),
        Err(_) => return RawValues::Unreadable,
    }
    let len = match Reflect::get(v, &JsValue::from_str("length")).map(|l| l.as_f64()) {
        Ok(Some(n)) => n,
        _ => return RawValues::Unreadable,
    };
    if len > MAX_VALUES as f64 {
        return RawValues::TooMany;
    }
    let mut fields = Vec::with_capacity(len as usize);
    for i in 0..len as u32 {
        match Reflect::get_u32(v, i) {
            Ok(x) => fields.push(field(&x)),
            Err(_) => return RawValues::Unreadable,
        }
    }
    RawValues::Fields(fields)
}

fn field(x: &JsValue) -> Field {
    if !x.is_string() {
        return Field::NotText;
    }
    let s: &JsString = x.unchecked_ref();
    if s.length() as usize > MAX_VALUE_LEN {
        Field::TooLong
    } else if !is_well_formed(s) {
        Field::BrokenText
    } else {
        Field::Text(s.into())
    }
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
    args.iter().find(|a| a.is_function()).map(|a| a.unchecked_ref::<js_sys::Function>().clone())
}
