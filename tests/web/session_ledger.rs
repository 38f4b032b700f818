//! The once-per-session ledger lives in the page's real `sessionStorage`.

use crate::support::*;
use rtp_tag::ledger::{EVENT_KEY_PREFIX, SESSION_KEY};
use rtp_tag::values::{validate, Field, RawValues};
use rtp_tag::web::boot;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

/// The fingerprint the ledger writes for one value, in hex (from the core, which native tests
/// cover; here we check that the edge really stores it).
fn fingerprint(value: &str) -> String {
    let values = validate(RawValues::Fields(vec![Field::Text(value.into())])).unwrap();
    format!("{:016x}", values.fingerprint())
}

#[wasm_bindgen_test]
async fn a_task_s_accepted_events_write_one_ledger_entry_to_session_storage_at_its_end() {
    let (v, w) = (unique("ledger"), unique("ledger two"));
    next_task().await; // what earlier tests of this page accepted is written first
    let before = storage_keys();
    assert_eq!(send_event(&plain(&s(&v))), "accepted");
    assert_eq!(send_event(&plain(&s(&w))), "accepted");
    assert_eq!(storage_keys(), before, "not written by the calls");
    assert_eq!(
        send_event(&plain(&s(&v))),
        "duplicate",
        "a repeat in the same task"
    );
    next_task().await;
    let new: Vec<String> = storage_keys()
        .into_iter()
        .filter(|k| !before.contains(k))
        .collect();
    assert_eq!(new.len(), 1, "one entry for the task: {new:?}");
    assert!(new[0].starts_with(EVENT_KEY_PREFIX), "{new:?}");
    let value = session_storage()
        .get_item(&new[0])
        .unwrap()
        .unwrap_or_default();
    assert_eq!(value, fingerprint(&v) + &fingerprint(&w));
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
fn an_entry_written_by_another_document_makes_the_event_a_duplicate() {
    // The ledger reads storage again whenever its key count changed, so it is shared with the
    // tab's other documents (a same-origin frame's tag, the previous page of the tab).
    let (v, w) = (unique("seen in a frame"), unique("not seen"));
    assert_eq!(send_event(&plain(&s(&w))), "accepted"); // the ledger has read storage
    session_storage()
        .set_item(&format!("{EVENT_KEY_PREFIX}frame.0"), &fingerprint(&v))
        .unwrap();
    assert_eq!(send_event(&plain(&s(&v))), "duplicate");
}

#[wasm_bindgen_test]
fn the_session_id_in_session_storage_is_a_v4_uuid() {
    boot(JsValue::UNDEFINED, JsValue::UNDEFINED, None);
    let sid = session_storage()
        .get_item(SESSION_KEY)
        .unwrap()
        .expect("rtp:sid is set once the tag is booted");
    assert_eq!(SESSION_KEY, "rtp:sid");
    assert!(is_lowercase_v4_uuid(&sid), "rtp:sid = {sid:?}");
    // A second boot (the loader runs once, but a page may load the tag twice) keeps it.
    boot(JsValue::UNDEFINED, JsValue::UNDEFINED, None);
    assert_eq!(session_storage().get_item(SESSION_KEY).unwrap(), Some(sid));
}

#[wasm_bindgen_test]
async fn clearing_session_storage_forgets_sent_events_but_not_the_booted_session() {
    boot(JsValue::UNDEFINED, JsValue::UNDEFINED, None);
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
