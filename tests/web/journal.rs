//! `Journal`: the outbox's `localStorage`, and the outbox over it, in a real browser. A write
//! that fails is `false`, never a throw, and the outbox then keeps the event in memory.
//!
//! Each test that breaks storage restores it before asserting.

use crate::support::*;
use rtp_tag::outbox::Outbox;
use rtp_tag::record;
use rtp_tag::store::Store;
use rtp_tag::web::journal::Journal;
use wasm_bindgen_test::wasm_bindgen_test;

fn local_storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// An envelope-shaped event with a fresh id.
fn event() -> (String, String) {
    let bytes: [u8; 16] = core::array::from_fn(|_| (js_sys::Math::random() * 256.0) as u8);
    let id = rtp_tag::id::uuid_v4(bytes);
    let json = format!("{{\"id\":\"{id}\",\"type\":\"view\",\"account\":null,\"session\":\"{id}\",\"time\":1,\"url\":\"http://x/\",\"referrer\":\"\"}}");
    (id, json)
}

#[wasm_bindgen_test]
fn the_journal_reads_writes_removes_and_lists_local_storage() {
    let prefix = unique("rtp-test:journal:");
    let mut j = Journal::open();
    assert!(j.set(&format!("{prefix}a"), "1"));
    assert!(j.set(&format!("{prefix}b"), "2"));
    let listed = {
        let mut k = j.keys(&prefix);
        k.sort();
        k
    };
    let read = j.get(&format!("{prefix}b"));
    j.remove(&format!("{prefix}a"));
    let after = local_storage().get_item(&format!("{prefix}a")).unwrap();
    j.remove(&format!("{prefix}b"));
    assert_eq!(listed, [format!("{prefix}a"), format!("{prefix}b")]);
    assert_eq!(read.as_deref(), Some("2"));
    assert_eq!(after, None);
}

#[wasm_bindgen_test]
fn an_accepted_event_is_in_local_storage_until_delivered() {
    let (id, json) = event();
    let mut o = Outbox::new(Journal::open(), "0123456789abcdef".into());
    o.push(json.clone(), 5);
    let unwritten = local_storage().get_item(&record::key(&id)).unwrap();
    o.persist();
    let stored = local_storage().get_item(&record::key(&id)).unwrap();
    let b = o.take_batch(10, 65536).unwrap();
    o.delivered(b.id);
    let after = local_storage().get_item(&record::key(&id)).unwrap();
    assert_eq!(unwritten, None, "written by persist(), not by push()");
    assert_eq!(
        stored,
        Some(record::encode(5, 0, "0123456789abcdef", &json))
    );
    assert_eq!(after, None);
}

#[wasm_bindgen_test]
fn when_set_item_throws_the_event_is_kept_in_memory_and_still_sent() {
    let (id, json) = event();
    let proto = storage_prototype();
    let original = replace(&proto, "setItem", &thrower());
    let mut j = Journal::open();
    let refused = j.set(&unique("rtp-test:journal-throws"), "x");
    let mut o = Outbox::new(j, "0123456789abcdef".into());
    o.push(json.clone(), 5);
    let batch = o.take_batch(10, 65536);
    restore(&proto, "setItem", &original);
    let stored = local_storage().get_item(&record::key(&id)).unwrap();

    assert!(!refused);
    assert_eq!(stored, None);
    assert!(batch.unwrap().body.contains(&json));
}
