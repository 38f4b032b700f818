//! The asynchronous answers: callbacks of unsupported commands, and `rtp('flush')`.
//!
//! No test sets a collector endpoint, so accepted events stay queued: `flush` can only answer
//! from the outbox's state, never from the network.

use crate::support::*;
use rtp_tag::web::rtp;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

/// How long an answer may take: they are all due within a task or two.
const PATIENCE_MS: u32 = 2000;

#[wasm_bindgen_test]
async fn get_visitor_calls_back_later_with_an_unsupported_error() {
    // Through js/host.js's call(), which answers an unsupported command's callback.
    let rec = recorder();
    let verdict = rtp_from_js(
        &rtp_as_js(),
        &[s("get"), s("visitor"), get(&rec, "callback")],
    )
    .expect("rtp() never throws");
    let calls_during_rtp = get(&rec, "calls").as_f64();
    let answer = settle_within(&get(&rec, "settled"), PATIENCE_MS).await;

    assert_eq!(code(&verdict), "ignored");
    assert_eq!(
        calls_during_rtp,
        Some(0.0),
        "the callback must not run inside rtp()"
    );
    let arg = answer
        .expect("the callback was called")
        .expect("settled resolves");
    assert_eq!(code(&get(&arg, "error")), "unsupported");
    assert!(get(&arg, "message").is_string());
    next_task().await;
    assert_eq!(
        get(&rec, "calls").as_f64(),
        Some(1.0),
        "called exactly once"
    );
}

#[wasm_bindgen_test]
async fn an_unsupported_command_finds_its_callback_in_any_later_argument() {
    // rtp('get', 'campaign', options, callback): the callback is the 4th argument.
    let rec = recorder();
    let options = js_sys::Object::new().into();
    let verdict = rtp_from_js(
        &rtp_as_js(),
        &[s("get"), s("campaign"), options, get(&rec, "callback")],
    )
    .expect("rtp() never throws");
    let answer = settle_within(&get(&rec, "settled"), PATIENCE_MS).await;
    assert_eq!(code(&verdict), "ignored");
    let arg = answer
        .expect("the callback was called")
        .expect("settled resolves");
    assert_eq!(code(&get(&arg, "error")), "unsupported");
}

#[wasm_bindgen_test]
fn flush_returns_a_promise() {
    let p = rtp(s("flush"), undef(), undef(), undef(), undef());
    assert!(is_promise(&p), "rtp('flush') returned {p:?}");
}

#[wasm_bindgen_test]
async fn flush_without_an_endpoint_resolves_false_while_events_wait() {
    // Documented (src/web/mod.rs `settle_waiters`): with something queued and nothing in
    // flight, the waiters are answered `false`. Without an endpoint nothing is ever in flight.
    assert_eq!(send_event(&plain(&s(&unique("waiting")))), "accepted");
    let p = rtp(s("flush"), undef(), undef(), undef(), undef());
    let answer = settle_within(&p, PATIENCE_MS).await;
    let answer = answer.expect("rtp('flush') did not settle within 2 s");
    assert_eq!(answer.expect("rtp('flush') never rejects"), JsValue::FALSE);
}

#[wasm_bindgen_test]
async fn flush_calls_its_callback_with_the_value_of_its_promise() {
    assert_eq!(
        send_event(&plain(&s(&unique("waiting for callback")))),
        "accepted"
    );
    let rec = recorder();
    let p = rtp(s("flush"), get(&rec, "callback"), undef(), undef(), undef());
    let by_promise = settle_within(&p, PATIENCE_MS).await;
    let by_callback = settle_within(&get(&rec, "settled"), PATIENCE_MS).await;
    let by_promise = by_promise
        .expect("the promise settled")
        .expect("it resolved");
    let by_callback = by_callback
        .expect("the callback was called")
        .expect("settled resolves");
    assert_eq!(by_callback, by_promise);
    assert_eq!(by_promise, JsValue::FALSE);
}
