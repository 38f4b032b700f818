//! `SessionStore`: `sessionStorage` when it works, memory when it does not, never a throw.
//!
//! Each test that breaks storage restores it before asserting (a failed assertion aborts the
//! test without running destructors, and the page is shared by all tests).

use crate::support::*;
use rtp_tag::store::Store;
use rtp_tag::web::session_store::SessionStore;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn a_working_session_storage_is_written_and_read_through() {
    let key = unique("rtp-test:through");
    let mut store = SessionStore::open();
    assert!(store.set(&key, "v1"));
    let in_storage = session_storage().get_item(&key).unwrap();
    // A value the page (or an earlier page of the tab) wrote is read back.
    session_storage().set_item(&key, "v2").unwrap();
    let read = store.get(&key);
    session_storage().remove_item(&key).unwrap();
    assert_eq!(in_storage.as_deref(), Some("v1"));
    assert_eq!(read.as_deref(), Some("v2"));
    assert_eq!(store.get(&unique("rtp-test:absent")), None);
}

#[wasm_bindgen_test]
fn when_set_item_throws_values_are_kept_in_memory_and_read_back() {
    let (k1, k2) = (
        unique("rtp-test:set-throws-1"),
        unique("rtp-test:set-throws-2"),
    );
    let proto = storage_prototype();
    let original = replace(&proto, "setItem", &thrower());
    let mut store = SessionStore::open();
    let stored = (
        store.set(&k1, "one"),
        store.set(&k2, "two"),
        store.set(&k1, "uno"),
    );
    let read = (store.get(&k1), store.get(&k2));
    restore(&proto, "setItem", &original);
    let in_storage = (
        session_storage().get_item(&k1).unwrap(),
        session_storage().get_item(&k2).unwrap(),
    );

    assert_eq!(stored, (true, true, true));
    assert_eq!(read, (Some("uno".into()), Some("two".into())));
    assert_eq!(in_storage, (None, None), "nothing reached sessionStorage");
}

#[wasm_bindgen_test]
fn when_get_item_throws_the_read_is_none_and_later_values_are_kept_in_memory() {
    let key = unique("rtp-test:get-throws");
    let proto = storage_prototype();
    let original = replace(&proto, "getItem", &thrower());
    let mut store = SessionStore::open();
    let first_read = store.get(&key);
    let stored = store.set(&key, "v");
    let read = store.get(&key);
    restore(&proto, "getItem", &original);
    // After a failed read the store stops using sessionStorage: the write went to memory.
    let in_storage = session_storage().get_item(&key).unwrap();

    assert_eq!(first_read, None);
    assert!(stored);
    assert_eq!(read.as_deref(), Some("v"));
    assert_eq!(in_storage, None);
}

#[wasm_bindgen_test]
fn when_session_storage_is_blocked_the_store_works_in_memory() {
    let key = unique("rtp-test:blocked");
    let unblock = block_session_storage();
    let blocked = web_sys::window().unwrap().session_storage().is_err();
    let mut store = SessionStore::open();
    let before = store.get(&key);
    let stored = store.set(&key, "v");
    let read = store.get(&key);
    unblock.call0(&wasm_bindgen::JsValue::NULL).unwrap();
    let in_storage = session_storage().get_item(&key).unwrap();

    assert!(blocked, "the fixture did not block window.sessionStorage");
    assert_eq!(before, None);
    assert!(stored);
    assert_eq!(read.as_deref(), Some("v"));
    assert_eq!(in_storage, None);
}
