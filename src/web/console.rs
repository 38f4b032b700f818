//! Console output. Messages are static strings; a second argument carries the offending value
//! so a developer can inspect it, without any formatting code in the wasm.

use wasm_bindgen::JsValue;

/// A warning (shown by default): a call was refused.
pub fn warn(msg: &'static str, detail: &JsValue) {
    web_sys::console::warn_2(&JsValue::from_str(msg), detail);
}

/// A debug message (shown when the console's verbose level is on).
pub fn debug(msg: &'static str) {
    web_sys::console::debug_1(&JsValue::from_str(msg));
}

/// A debug message with a value.
pub fn debug_with(msg: &'static str, detail: &JsValue) {
    web_sys::console::debug_2(&JsValue::from_str(msg), detail);
}
