//! The once-per-session ledger lives in the page's real `sessionStorage`.

use crate::support::*;
use rtp_tag::ledger::{EVENT_KEY_PREFIX, SESSION_KEY};
use rtp_tag::values::{validate, Field, RawValues};
use rtp_tag::web::boot;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

/// The ledger key the tag should write for one value (fingerprint from the core, which native
/// tests cover; here we check that the edge really stores it).
fn ledger_key(value: &str) -> String {
    let values = validate(RawValues::Fields(vec![Field::Text(value.into())])).unwrap();
    format!("{EVENT_KEY_PREFIX}{:016x}", values.fingerprint())
}

#[wasm_bindgen_test]
async fn an_accepted_event_writes_one_ledger_key_to_session_storage_at_the_end_of_the_task() {
    let v = unique("ledger");
    next_task().await; // what earlier tests of this page accepted is written first
    let before = storage_keys();
    assert!(!before.contains(&ledger_key(&v)));
    assert_eq!(send_event(&plain(&s(&v))), "accepted");
    assert!(!storage_keys().contains(&ledger_key(&v)), "not written by the call");
    assert_eq!(send_event(&plain(&s(&v))), "duplicate", "a repeat in the same task");
    next_task().await;
    let new: Vec<String> = storage_keys().into_iter().filter(|k| !before.contains(k)).collect();
    assert_eq!(new, [ledger_key(&v)], "new keys: {new:?}");
    assert!(new[0].starts_with("rtp:e:"));
    assert_eq!(session_storage().get_item(&new[0]).unwrap().as_deref(), Some("1"));
}

#[wasm_bindgen_test]
async fn duplicate_rejected_and_view_calls_write_nothing_to_session_storage() {
    let v = unique("quiet");
    assert_eq!(send_event(&plain(&s(&v))), "accepted");
    next_task().await;
    let before = storage_keys();
    assert_eq!(send_event(&plain(&s(&v))), "duplicate");
    assert_eq!(send_event(&plain(&JsValue::from(1))), "not_a_string");
    assert_eq!(send_event(&plain(&s(""))), "empty_value");
    assert_eq!(rtp3("send", "view", &undef()), "accepted");
    next_task().await;
    let mut after = storage_keys();
    let mut before = before;
    before.sort();
    after.sort();
    assert_eq!(after, before);
}

#[wasm_bindgen_test]
fn an_event_key_the_page_already_holds_makes_the_event_a_duplicate() {
    // The ledger is read from storage on each call, so it is shared with the page's other tags
    // loaded earlier in the same tab session (e.g. before a reload).
    let v = unique("seen before reload");
    session_storage().set_item(&ledger_key(&v), "1").unwrap();
    assert_eq!(send_event(&plain(&s(&v))), "duplicate");
}

#[wasm_bindgen_test]
fn the_session_id_in_session_storage_is_a_v4_uuid() {
    boot(JsValue::UNDEFINED, JsValue::UNDEFINED);
    let sid = session_storage().get_item(SESSION_KEY).unwrap().expect("rtp:sid is set once the tag is booted");
    assert_eq!(SESSION_KEY, "rtp:sid");
    assert!(is_lowercase_v4_uuid(&sid), "rtp:sid = {sid:?}");
    // A second boot (the loader runs once, but a page may load the tag twice) keeps it.
    boot(JsValue::UNDEFINED, JsValue::UNDEFINED);
    assert_eq!(session_storage().get_item(SESSION_KEY).unwrap(), Some(sid));
}

#[wasm_bindgen_test]
async fn clearing_session_storage_forgets_sent_events_but_not_the_booted_session() {
    boot(JsValue::UNDEFINED, JsValue::UNDEFINED);
    let v = unique("before clear");
    assert_eq!(send_event(&plain(&s(&v))), "accepted");
    next_task().await;
    let storage = session_storage();
    let sid = storage.get_item(SESSION_KEY).unwrap();
    storage.clear().unwrap();

    // The ledger is read from storage on each call: a cleared storage means a new ledger.
    let again = send_event(&plain(&s(&v)));
    let repeat = send_event(&plain(&s(&v)));
    // The session id was read once at boot and is kept in memory (src/tag.rs `Tag::new`):
    // it is not written back, so the storage has no `rtp:sid` until the next page load.
    let sid_after = storage.get_item(SESSION_KEY).unwrap();

    // Put the session id back for the other tests of this page before asserting.
    if let Some(id) = &sid {
        storage.set_item(SESSION_KEY, id).unwrap();
    }
    assert!(sid.is_some());
    assert_eq!(again, "accepted");
    assert_eq!(repeat, "duplicate");
    assert_eq!(sid_after, None);
}
