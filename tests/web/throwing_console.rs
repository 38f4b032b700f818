//! A page whose `console` throws (error trackers and log shippers wrap it; a wrapper can throw
//! on `String(arg)` of the value the tag passes as detail) must not make `rtp` throw, and must
//! not leave the tag's state borrowed ("busy" for good). The console bindings are `catch`.

use crate::support::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn rtp_does_not_throw_when_the_page_console_throws() {
    let f = rtp_as_js();
    let console = console();
    let original = replace(&console, "warn", &thrower());
    let rejected = rtp_from_js(&f, &[s("send"), s("event"), plain(&JsValue::from(5))]);
    restore(&console, "warn", &original);
    // The harness itself wraps the console with `String(arg)`, which reads array elements.
    let through_harness = rtp_from_js(
        &f,
        &[s("send"), s("event"), array_with_unreadable_elements(5)],
    );

    assert_eq!(
        (outcome(rejected), outcome(through_harness)),
        ("not_a_string".into(), "too_many_values".into())
    );
}

#[wasm_bindgen_test]
fn a_throwing_console_during_debug_logging_does_not_wedge_the_tag() {
    let f = rtp_as_js();
    let console = console();
    assert_eq!(rtp3("set", "debug", &JsValue::TRUE), "ok");
    let original = replace(&console, "debug", &thrower());
    // With debug on, an accepted event is logged with console.debug while the state is borrowed.
    let logged = rtp_from_js(
        &f,
        &[s("send"), s("event"), plain(&s(&unique("debug logged")))],
    );
    restore(&console, "debug", &original);
    let debug_off = rtp3("set", "debug", &JsValue::FALSE);
    let next = send_event(&plain(&s(&unique("after the throw"))));

    // Before the fix: ("threw", "busy", "busy"), and "busy" to every later call of the page.
    assert_eq!(
        (outcome(logged), debug_off, next),
        ("accepted".into(), "ok".into(), "accepted".into())
    );
}

/// The verdict code, or `"threw"`.
fn outcome(r: Result<JsValue, JsValue>) -> String {
    r.map(|v| code(&v)).unwrap_or_else(|_| "threw".into())
}
