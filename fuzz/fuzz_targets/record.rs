//! The outbox's stored form read back from `localStorage` (`rtp_tag::record`): anything the
//! page, an extension or another tag version may have written under the tag's keys.
//!
//! Input (text): `<key>\n<value>`. Without a newline, the whole input is the value and the key
//! is the one its event id would have (`rtp:o:<id>`), so that whole records reach the end of
//! `decode_for_key`. The value is also read as the evicted counter, the pause and a
//! `Retry-After` header.
//!
//! Checked: no decoder panics; what decodes is what the format says (a v4 UUID id that the
//! key names, an owner that is a page id, an event that is a suffix of the value shaped like an
//! envelope object) and encodes back to a value that decodes to the same thing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtp_tag::id::is_uuid_v4;
use rtp_tag::record::{
    self, decode, decode_evicted, decode_for_key, encode, encode_evicted, event_id, is_owner, Pause,
};
use rtp_tag::retry::{parse_retry_after, MAX_DELAY_MS, MAX_RETRY_AFTER_MS};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (key, value) = match text.split_once('\n') {
        Some((k, v)) => (k.to_owned(), v),
        None => (
            decode(text).map(|r| record::key(r.id)).unwrap_or_default(),
            text,
        ),
    };

    if let Some(id) = event_id(&key) {
        assert!(is_uuid_v4(id));
        assert_eq!(record::key(id), key);
    }

    match decode(value) {
        Ok(r) => {
            assert!(is_uuid_v4(r.id), "{value:?}");
            assert!(is_owner(r.owner), "{value:?}");
            assert!(
                value.ends_with(r.event)
                    && r.event.starts_with("{\"id\":\"")
                    && r.event.ends_with('}'),
                "{value:?}"
            );
            assert_eq!(&r.event[7..43], r.id);
            let again = encode(r.created, r.attempts, r.owner, r.event);
            assert_eq!(decode(&again), Ok(r), "{value:?}");
            // The key check: only `rtp:o:<this id>`.
            match decode_for_key(&key, value) {
                Ok(k) => {
                    assert_eq!(k, r);
                    assert_eq!(key, record::key(r.id));
                }
                Err(e) => {
                    assert_eq!(e, record::Corrupt::WrongKey);
                    assert_ne!(key, record::key(r.id));
                }
            }
        }
        Err(e) => assert_eq!(decode_for_key(&key, value), Err(e), "{key:?} {value:?}"),
    }

    if let Ok(n) = decode_evicted(value) {
        assert_eq!(decode_evicted(&encode_evicted(n)), Ok(n));
    }

    if let Ok(p) = Pause::decode(value) {
        assert_eq!(Pause::decode(&p.encode()), Ok(p));
        let max = MAX_RETRY_AFTER_MS + MAX_DELAY_MS;
        for now in [0, p.until / 2, p.until, u64::MAX] {
            assert!(p.wait(now, max) <= max);
        }
    }

    if let Some(ms) = parse_retry_after(value) {
        assert_eq!(ms % 1000, 0);
        let t = value.trim_matches(|c| c == ' ' || c == '\t');
        assert!(
            !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()),
            "{value:?}"
        );
    }
});
