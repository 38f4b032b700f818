//! `rtp(action, method, data, extra, url, time)` returns the documented verdict codes.

use crate::support::*;
use rtp_tag::web::rtp;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

/// Every code `rtp()` may return (`busy` only to a re-entrant call while the tag is borrowed).
const CODES: [&str; 20] = [
    "accepted",
    "duplicate",
    "ok",
    "ignored",
    "missing_value",
    "no_values",
    "not_a_string",
    "empty_value",
    "value_too_long",
    "invalid_text",
    "too_many_values",
    "unreadable_data",
    "bad_account",
    "bad_endpoint",
    "insecure_endpoint",
    "bad_page",
    "unknown_setting",
    "rate_limited",
    "no_consent",
    "do_not_track",
];

#[wasm_bindgen_test]
fn a_new_event_is_accepted_and_the_same_values_again_are_a_duplicate() {
    let v = unique("MyEvent");
    assert_eq!(send_event(&plain(&s(&v))), "accepted");
    assert_eq!(send_event(&plain(&s(&v))), "duplicate");
    // The bare string is the same event as `{value: string}`, and a one-element array too.
    assert_eq!(send_event(&s(&v)), "duplicate");
    assert_eq!(
        send_event(&array_of(&s(&v), &undef(), &undef(), &undef(), &undef())),
        "duplicate"
    );
}

#[wasm_bindgen_test]
fn values_in_another_order_are_another_event() {
    let (a, b) = (unique("a"), unique("b"));
    let ab = array_of(&s(&a), &s(&b), &undef(), &undef(), &undef());
    let ba = array_of(&s(&b), &s(&a), &undef(), &undef(), &undef());
    assert_eq!(send_event(&plain(&ab)), "accepted");
    assert_eq!(send_event(&plain(&ba)), "accepted");
    assert_eq!(send_event(&plain(&ab)), "duplicate");
    // A subset is another event as well.
    assert_eq!(send_event(&plain(&s(&a))), "accepted");
}

#[wasm_bindgen_test]
fn a_rejected_event_can_be_sent_once_corrected() {
    let v = unique("fixed");
    assert_eq!(
        send_event(&array_of(
            &s(&v),
            &JsValue::from(1),
            &undef(),
            &undef(),
            &undef()
        )),
        "not_a_string"
    );
    assert_eq!(send_event(&plain(&s(&v))), "accepted");
}

#[wasm_bindgen_test]
fn invalid_custom_data_returns_its_rejection_code() {
    let u = unique("r");
    let five = array_of(&s(&u), &s("b"), &s("c"), &s("d"), &s("e"));
    assert_eq!(send_event(&plain(&five)), "too_many_values");
    assert_eq!(send_event(&plain(&JsValue::from(5))), "not_a_string");
    assert_eq!(send_event(&plain(&s(""))), "empty_value");
    assert_eq!(send_event(&plain(&s(" \t\n"))), "empty_value");
    assert_eq!(send_event(&undef()), "missing_value");
    assert_eq!(send_event(&JsValue::NULL), "missing_value");
    assert_eq!(send_event(&js_sys::Object::new()), "missing_value");
    assert_eq!(
        send_event(&array_of(&undef(), &undef(), &undef(), &undef(), &undef())),
        "no_values"
    );
    assert_eq!(send_event(&repeated("x", 1 << 20)), "value_too_long");
    assert_eq!(send_event(&plain(&lone_surrogate())), "invalid_text");
    assert_eq!(send_event(&throwing_value_getter()), "unreadable_data");
    assert_eq!(send_event(&array_with_hole()), "not_a_string");
}

#[wasm_bindgen_test]
fn commands_this_tag_does_not_implement_are_ignored() {
    assert_eq!(rtp3("get", "campaign", &undef()), "ignored");
    assert_eq!(rtp3("get", "visitor", &undef()), "ignored");
    // Names match exactly, as in the RTP tag.
    assert_eq!(rtp3("send", "Event", &plain(&s(&unique("x")))), "ignored");
    assert_eq!(
        code(&rtp(undef(), undef(), undef(), undef(), undef())),
        "ignored"
    );
}

#[wasm_bindgen_test]
fn settings_that_apply_return_ok() {
    assert_eq!(rtp3("setAccount", "x", &undef()), "ok");
    assert_eq!(rtp3("set", "account", &s("acme-test")), "ok");
    assert_eq!(rtp3("set", "debug", &JsValue::TRUE), "ok");
    assert_eq!(rtp3("set", "debug", &JsValue::FALSE), "ok");
}

#[wasm_bindgen_test]
fn invalid_settings_return_their_rejection_code() {
    assert_eq!(rtp3("set", "nope", &JsValue::from(1)), "unknown_setting");
    assert_eq!(rtp3("set", "Debug", &JsValue::TRUE), "unknown_setting");
    assert_eq!(rtp3("setAccount", "", &undef()), "bad_account");
    assert_eq!(rtp3("setAccount", "   ", &undef()), "bad_account");
    assert_eq!(
        rtp3("setAccount", &"a".repeat(256), &undef()),
        "bad_account"
    );
    assert_eq!(
        code(&rtp(
            s("setAccount"),
            JsValue::from(42),
            undef(),
            undef(),
            undef()
        )),
        "bad_account"
    );
    assert_eq!(rtp3("set", "account", &undef()), "bad_account");
    assert_eq!(rtp3("set", "endpoint", &s("")), "bad_endpoint");
    assert_eq!(
        rtp3("set", "endpoint", &JsValue::from(8080)),
        "bad_endpoint"
    );
    assert_eq!(
        rtp3("set", "endpoint", &s("http://collect.example.com/rtp")),
        "insecure_endpoint"
    );
    assert_eq!(
        rtp3(
            "set",
            "endpoint",
            &s("https://user:pw@collect.example.com/rtp")
        ),
        "bad_endpoint"
    );
}

#[wasm_bindgen_test]
fn page_views_are_accepted_every_time_and_a_non_string_page_is_refused() {
    assert_eq!(rtp3("send", "view", &undef()), "accepted");
    assert_eq!(rtp3("send", "view", &undef()), "accepted");
    assert_eq!(
        rtp3("send", "view", &s("http://site.test/override")),
        "accepted"
    );
    assert_eq!(rtp3("send", "view", &JsValue::from(5)), "bad_page");
}

#[wasm_bindgen_test]
fn no_call_throws_whatever_the_arguments() {
    let f = rtp_as_js();
    let odd = [
        symbol(),
        bigint(),
        noop(),
        JsValue::NULL,
        undef(),
        JsValue::from(f64::NAN),
        JsValue::from(-1),
        js_sys::Object::new().into(),
        array_with_hole(),
    ];
    let actions = [s("send"), s("set"), s("setAccount"), s("get"), s("flush")];
    let mut calls = 0;
    for action in actions.iter().chain(odd.iter()) {
        for method in [
            s("event"),
            s("view"),
            s("debug"),
            s("account"),
            s("endpoint"),
        ]
        .iter()
        .chain(odd.iter())
        {
            for data in odd.iter() {
                // extra, url and time get odd values too; `url`/`time` are those of a queued call.
                let args = [
                    action.clone(),
                    method.clone(),
                    data.clone(),
                    data.clone(),
                    data.clone(),
                    data.clone(),
                ];
                let returned = match rtp_from_js(&f, &args) {
                    Ok(r) => r,
                    Err(e) => panic!("rtp({action:?}, {method:?}, {data:?}) threw {e:?}"),
                };
                calls += 1;
                if action.as_string().as_deref() == Some("flush") {
                    assert!(is_promise(&returned), "flush returned {returned:?}");
                } else {
                    let c = code(&returned);
                    assert!(
                        CODES.contains(&c.as_str()),
                        "rtp({action:?}, {method:?}, {data:?}) returned {c}"
                    );
                }
            }
        }
    }
    assert_eq!(calls, 14 * 14 * 9);
    // The tag still answers normally afterwards (no state left borrowed).
    assert_eq!(rtp3("set", "debug", &JsValue::FALSE), "ok");
    assert_eq!(
        send_event(&plain(&s(&unique("after odd calls")))),
        "accepted"
    );
}

#[wasm_bindgen_test]
fn a_value_getter_that_calls_rtp_gets_its_own_answer() {
    // The edge reads page values before it borrows its state, so re-entry is not "busy".
    let f = rtp_as_js();
    let (inner, outer) = (unique("inner"), unique("outer"));
    let fixture = reentrant_data(f.as_ref(), &inner, &outer);
    let returned =
        rtp_from_js(&f, &[s("send"), s("event"), get(&fixture, "data")]).expect("no throw");
    assert_eq!(code(&returned), "accepted");
    assert_eq!(code(&get(&fixture, "inner")), "accepted");
    assert_eq!(send_event(&plain(&s(&inner))), "duplicate");
    assert_eq!(send_event(&plain(&s(&outer))), "duplicate");
}
