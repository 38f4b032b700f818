//! Reading the JavaScript arguments of `rtp()` into the core's plain types.
//!
//! Every read that could run page code (a getter, a Proxy trap) happens in JavaScript before
//! the call (`customData`, js/host.js) or goes through a `catch` binding, so an exception
//! becomes a value here instead of unwinding through the wasm. Strings are measured (and
//! checked for lone surrogates) before they are copied in.

use super::bindings;
use crate::command::{parse, parse_setting, Command, Setting};
use crate::tag::{Call, Origin, SetValue};
use crate::values::{RawValues, MAX_VALUES};
use alloc::string::String;
use js_sys::{Function, JsString};
use wasm_bindgen::{JsCast, JsValue};

/// What `rtp(action, method, data, url, time)` asks for (both modules' `rtp` export).
pub enum Asked {
    /// A call for the driver.
    Call(Call),
    /// `send event` given to `rtp` instead of `event` (js/host.js reads `customData` and
    /// gives it to `event`): ignored.
    SendEvent,
    /// `flush` (its callback is the first function of `method` and `data`).
    Flush,
    /// A command this tag does not implement (`call()` in js/host.js answers its callback).
    Unsupported,
}

/// Reads the arguments of `rtp()`. `url` and `time` are the page URL and time of a call that
/// the snippet queued before the tag loaded (`undefined` for a live call). Page values are
/// read here, before any state is borrowed: a getter may run page code.
pub fn asked(
    action: &JsValue,
    method: &JsValue,
    data: &JsValue,
    url: &JsValue,
    time: &JsValue,
) -> Asked {
    let command = parse(
        short_string(action, 16).as_deref(),
        short_string(method, 16).as_deref(),
    );
    Asked::Call(match command {
        Command::SendEvent => return Asked::SendEvent,
        Command::Flush => return Asked::Flush,
        Command::Unsupported => return Asked::Unsupported,
        Command::SendView => {
            let given = !(data.is_undefined() || data.is_null());
            let page = if given {
                short_string(data, MAX_URL).map(Some).ok_or(())
            } else {
                Ok(None)
            };
            Call::View(page, origin(url, time))
        }
        Command::SetAccount => Call::Account(short_string(method, 255)),
        Command::Set => {
            let setting = parse_setting(short_string(method, 16).as_deref());
            let value = SetValue {
                text: short_string(data, MAX_URL),
                truthy: data.is_truthy(),
                is_true: *data == JsValue::TRUE,
                signal: setting == Some(Setting::HonorDnt) && bindings::privacy_signal(),
            };
            Call::Set(setting, value)
        }
    })
}

/// `rtp('send', 'event', customData)` as the `event` export of either module receives it
/// (js/host.js `read()`), and its `url` and `time` as [`asked`]'s.
pub fn event(
    shape: u32,
    texts: [Option<String>; MAX_VALUES],
    url: &JsValue,
    time: &JsValue,
) -> Call {
    Call::Event(custom_data(shape, texts), origin(url, time))
}

/// When and where a call was made: `time` and `url` as the snippet recorded them, if so.
fn origin(url: &JsValue, time: &JsValue) -> Origin {
    Origin {
        time: self::time(time),
        url: short_string(url, MAX_URL),
    }
}

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
pub fn callback(args: &[&JsValue]) -> Option<Function> {
    args.iter()
        .find(|a| a.is_function())
        .map(|a| a.unchecked_ref::<Function>().clone())
}
