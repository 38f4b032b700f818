//! Real JavaScript values read into the core's plain types: `customData` by js/host.js's
//! `read()` and `rtp_tag::web::args::custom_data`, the other arguments by `rtp_tag::web::args`.

use crate::support::*;
use rtp_tag::values::{Field, RawValues, MAX_VALUE_LEN};
use rtp_tag::web::args::{callback, time};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

/// `customData` as the wasm's `event` gets it: read by js/host.js, decoded by the edge.
fn custom_data(d: &JsValue) -> RawValues {
    let r = read(d);
    let shape = r.get(0).as_f64().expect("a shape") as u32;
    let texts = [1, 2, 3, 4].map(|i| r.get(i).as_string());
    rtp_tag::web::args::custom_data(shape, texts)
}

fn texts(xs: &[&str]) -> RawValues {
    RawValues::Fields(xs.iter().map(|x| Field::Text((*x).into())).collect())
}

fn one(f: Field) -> RawValues {
    RawValues::Fields(vec![f])
}

#[wasm_bindgen_test]
fn documented_object_with_one_string_is_one_text_value() {
    assert_eq!(custom_data(&plain(&s("MyEvent"))), texts(&["MyEvent"]));
}

#[wasm_bindgen_test]
fn object_with_an_array_of_strings_keeps_their_order() {
    let arr = array_of(&s("a"), &s("b"), &undef(), &undef(), &undef());
    assert_eq!(custom_data(&plain(&arr)), texts(&["a", "b"]));
    let four = array_of(&s("d"), &s("c"), &s("b"), &s("a"), &undef());
    assert_eq!(custom_data(&plain(&four)), texts(&["d", "c", "b", "a"]));
}

#[wasm_bindgen_test]
fn bare_string_is_read_like_its_object_form() {
    assert_eq!(custom_data(&s("MyEvent")), texts(&["MyEvent"]));
}

#[wasm_bindgen_test]
fn bare_array_is_read_like_its_object_form() {
    let arr = array_of(&s("a"), &s("b"), &s("c"), &undef(), &undef());
    assert_eq!(custom_data(&arr), texts(&["a", "b", "c"]));
}

#[wasm_bindgen_test]
fn five_values_are_too_many_and_no_element_is_read() {
    // Every element getter throws: had one been read, the answer would be `Unreadable`.
    let five = array_with_unreadable_elements(5);
    assert_eq!(custom_data(&five), RawValues::TooMany);
    assert_eq!(custom_data(&plain(&five)), RawValues::TooMany);
    // Plain strings too, in both forms.
    let strings = array_of(&s("a"), &s("b"), &s("c"), &s("d"), &s("e"));
    assert_eq!(custom_data(&strings), RawValues::TooMany);
    // A huge sparse array is refused from its length alone (no allocation per element).
    assert_eq!(
        custom_data(&plain(&sparse_array(4_000_000_000))),
        RawValues::TooMany
    );
}

#[wasm_bindgen_test]
fn four_readable_elements_are_read_but_a_throwing_one_is_unreadable() {
    assert_eq!(
        custom_data(&array_with_unreadable_elements(4)),
        RawValues::Unreadable
    );
}

#[wasm_bindgen_test]
fn a_value_that_is_not_a_string_is_not_text() {
    assert_eq!(custom_data(&plain(&JsValue::from(5))), one(Field::NotText));
    assert_eq!(custom_data(&plain(&JsValue::TRUE)), one(Field::NotText));
    assert_eq!(
        custom_data(&plain(&plain(&s("nested")))),
        one(Field::NotText)
    );
    assert_eq!(
        custom_data(&plain(&array_like(&s("a")))),
        one(Field::NotText)
    );
    assert_eq!(custom_data(&plain(&symbol())), one(Field::NotText));
    assert_eq!(custom_data(&plain(&bigint())), one(Field::NotText));
    // Bare primitives that are not strings.
    assert_eq!(custom_data(&JsValue::from(5)), one(Field::NotText));
    assert_eq!(custom_data(&symbol()), one(Field::NotText));
    assert_eq!(custom_data(&bigint()), one(Field::NotText));
    // A non-string element among strings.
    let mixed = array_of(&s("a"), &JsValue::from(1), &undef(), &undef(), &undef());
    assert_eq!(
        custom_data(&mixed),
        RawValues::Fields(vec![Field::Text("a".into()), Field::NotText])
    );
}

#[wasm_bindgen_test]
fn null_undefined_and_an_object_without_value_are_missing() {
    assert_eq!(custom_data(&JsValue::NULL), RawValues::Missing);
    assert_eq!(custom_data(&JsValue::UNDEFINED), RawValues::Missing);
    assert_eq!(custom_data(&plain(&JsValue::NULL)), RawValues::Missing);
    assert_eq!(custom_data(&plain(&JsValue::UNDEFINED)), RawValues::Missing);
    assert_eq!(custom_data(&js_sys::Object::new()), RawValues::Missing);
    assert_eq!(custom_data(&noop()), RawValues::Missing);
}

#[wasm_bindgen_test]
fn a_throwing_value_getter_is_unreadable() {
    assert_eq!(custom_data(&throwing_value_getter()), RawValues::Unreadable);
}

#[wasm_bindgen_test]
fn a_proxy_whose_get_trap_throws_is_unreadable() {
    assert_eq!(
        custom_data(&proxy_with_throwing_get(false)),
        RawValues::Unreadable
    );
    // `Array.isArray` sees through the Proxy to its array target; reading `length` throws.
    assert_eq!(
        custom_data(&proxy_with_throwing_get(true)),
        RawValues::Unreadable
    );
    assert_eq!(
        custom_data(&plain(&proxy_with_throwing_get(true))),
        RawValues::Unreadable
    );
}

#[wasm_bindgen_test]
fn a_revoked_proxy_is_unreadable_and_nothing_throws() {
    // `Array.isArray(revoked)` throws a TypeError; so does every property read.
    for target_is_array in [false, true] {
        assert_eq!(
            custom_data(&revoked_proxy(target_is_array)),
            RawValues::Unreadable
        );
        assert_eq!(
            custom_data(&plain(&revoked_proxy(target_is_array))),
            RawValues::Unreadable
        );
    }
}

#[wasm_bindgen_test]
fn a_megabyte_string_is_too_long() {
    assert_eq!(custom_data(&repeated("x", 1 << 20)), one(Field::TooLong));
    assert_eq!(
        custom_data(&plain(&repeated("x", 1 << 20))),
        one(Field::TooLong)
    );
}

#[wasm_bindgen_test]
fn the_length_limit_counts_utf16_code_units_at_the_edge() {
    let limit = MAX_VALUE_LEN as u32;
    assert_eq!(
        custom_data(&repeated("x", limit)),
        texts(&[&"x".repeat(MAX_VALUE_LEN)])
    );
    assert_eq!(custom_data(&repeated("x", limit + 1)), one(Field::TooLong));
    // One emoji is two UTF-16 code units: 128 of them are 256 units, 127 are 254.
    assert_eq!(custom_data(&repeated("😀", 128)), one(Field::TooLong));
    assert_eq!(
        custom_data(&repeated("😀", 127)),
        texts(&[&"😀".repeat(127)])
    );
}

#[wasm_bindgen_test]
fn a_lone_surrogate_is_broken_text() {
    assert_eq!(custom_data(&lone_surrogate()), one(Field::BrokenText));
    assert_eq!(
        custom_data(&plain(&surrogate_in_the_middle())),
        one(Field::BrokenText)
    );
    let arr = array_of(&s("ok"), &lone_surrogate(), &undef(), &undef(), &undef());
    assert_eq!(
        custom_data(&arr),
        RawValues::Fields(vec![Field::Text("ok".into()), Field::BrokenText])
    );
    // A proper surrogate pair is fine.
    assert_eq!(custom_data(&s("😀")), texts(&["😀"]));
}

#[wasm_bindgen_test]
fn a_hole_in_an_array_is_not_text() {
    let expected = RawValues::Fields(vec![
        Field::Text("a".into()),
        Field::NotText,
        Field::Text("b".into()),
    ]);
    assert_eq!(custom_data(&array_with_hole()), expected);
    assert_eq!(custom_data(&plain(&array_with_hole())), expected);
}

#[wasm_bindgen_test]
fn an_empty_array_is_no_fields() {
    let empty = array_of(&undef(), &undef(), &undef(), &undef(), &undef());
    assert_eq!(custom_data(&empty), RawValues::Fields(vec![]));
}

#[wasm_bindgen_test]
fn a_queued_call_time_is_a_finite_non_negative_number() {
    assert_eq!(
        time(&JsValue::from(1_700_000_000_123.0)),
        Some(1_700_000_000_123)
    );
    assert_eq!(time(&JsValue::from(0)), Some(0));
    for bad in [
        JsValue::from(-1),
        JsValue::from(f64::NAN),
        JsValue::from(f64::INFINITY),
        s("1700000000000"),
        bigint(),
        symbol(),
        undef(),
    ] {
        assert_eq!(time(&bad), None, "{bad:?}");
    }
}

#[wasm_bindgen_test]
fn the_callback_is_the_first_function_among_the_arguments() {
    let (first, second) = (noop(), noop());
    let found = callback(&[&s("x"), &first, &second]).expect("a function was given");
    assert!(JsValue::from(found) == first);
    assert!(callback(&[&s("x"), &JsValue::from(1), &undef()]).is_none());
}
