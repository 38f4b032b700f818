//! The event on the wire: one JSON object per event, and the batch that carries them.
//! The contract is `collector/batch.schema.json`; the README's "Collector contract" explains it.

use crate::json::{push_str, push_u64};
use crate::values::Values;
use alloc::string::String;

/// The contract version written in every batch (`"v"`).
pub const CONTRACT_VERSION: u64 = 1;

/// `url` and `referrer` are cut to this many UTF-16 code units (the contract's maxLength).
pub const MAX_URL_LEN: usize = 8192;

/// What kind of event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Custom data: `rtp('send', 'event', customData)`.
    Event,
    /// A page view: `rtp('send', 'view')`.
    View,
}

/// Everything an event carries besides its kind and values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meta<'a> {
    /// A fresh random UUID.
    pub id: &'a str,
    /// The session id.
    pub session: &'a str,
    /// The account id, if one was set.
    pub account: Option<&'a str>,
    /// When `rtp()` was called, in ms since the Unix epoch.
    pub time: u64,
    /// The page URL at the time of the call (or the view's override).
    pub url: &'a str,
    /// `document.referrer`.
    pub referrer: &'a str,
}

/// Encodes one event as a JSON object (the batch's `events` items).
pub fn encode_event(kind: Kind, values: Option<&Values>, m: &Meta) -> String {
    let values_len: usize = values.map_or(0, |v| v.as_slice().iter().map(|v| v.len() + 3).sum());
    let mut out = String::with_capacity(200 + m.url.len() + m.referrer.len() + values_len);
    out.push_str("{\"id\":");
    push_str(&mut out, m.id);
    out.push_str(match kind {
        Kind::Event => ",\"type\":\"event\"",
        Kind::View => ",\"type\":\"view\"",
    });
    if let (Kind::Event, Some(values)) = (kind, values) {
        out.push_str(",\"values\":[");
        for (i, v) in values.as_slice().iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_str(&mut out, v);
        }
        out.push(']');
    }
    out.push_str(",\"account\":");
    match m.account {
        Some(a) => push_str(&mut out, a),
        None => out.push_str("null"),
    }
    out.push_str(",\"session\":");
    push_str(&mut out, m.session);
    out.push_str(",\"time\":");
    push_u64(&mut out, m.time);
    out.push_str(",\"url\":");
    push_str(&mut out, clip(m.url, MAX_URL_LEN));
    out.push_str(",\"referrer\":");
    push_str(&mut out, clip(m.referrer, MAX_URL_LEN));
    out.push('}');
    out
}

/// The bytes a batch adds around its events:
/// `{"v":1,"sent":<13 digits>,"evicted":<n>,"limited":<n>,"events":[` … `]}`.
/// An upper bound, so that [`crate::outbox`] can cut batches to a byte budget before encoding.
pub const BATCH_OVERHEAD: usize = 112;

/// Encodes a batch of already-encoded events, with the counts of events the tag dropped:
/// `evicted` (a full outbox) and `limited` (the rate limit), each only when not zero.
pub fn encode_batch<'a>(
    events: impl IntoIterator<Item = &'a str>,
    sent: u64,
    evicted: u64,
    limited: u64,
) -> String {
    let mut out = String::new();
    out.push_str("{\"v\":");
    push_u64(&mut out, CONTRACT_VERSION);
    out.push_str(",\"sent\":");
    push_u64(&mut out, sent);
    for (name, n) in [(",\"evicted\":", evicted), (",\"limited\":", limited)] {
        if n > 0 {
            out.push_str(name);
            push_u64(&mut out, n);
        }
    }
    out.push_str(",\"events\":[");
    for (i, e) in events.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(e);
    }
    out.push_str("]}");
    out
}

/// The longest prefix of `s` of at most `max` UTF-16 code units, cut at a character boundary.
fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s; // a string has no more UTF-16 units than UTF-8 bytes: nothing to count
    }
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > max {
            return s.get(..i).unwrap_or_default();
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::{validate, Field, RawValues};

    fn meta<'a>(url: &'a str) -> Meta<'a> {
        Meta {
            id: "12345678-9abc-4ef0-9234-56789abcdef0",
            session: "00000000-0000-4000-8000-000000000000",
            account: Some("acme"),
            time: 1_732_456_789_012,
            url,
            referrer: "",
        }
    }

    #[test]
    fn an_event_has_every_contract_field() {
        let v = validate(RawValues::Fields(vec![
            Field::Text("MyEvent".into()),
            Field::Text("b\"q".into()),
        ]))
        .unwrap();
        let e = encode_event(Kind::Event, Some(&v), &meta("http://x/p?q=1"));
        assert_eq!(
            e,
            "{\"id\":\"12345678-9abc-4ef0-9234-56789abcdef0\",\"type\":\"event\",\"values\":[\"MyEvent\",\"b\\\"q\"],\
             \"account\":\"acme\",\"session\":\"00000000-0000-4000-8000-000000000000\",\"time\":1732456789012,\
             \"url\":\"http://x/p?q=1\",\"referrer\":\"\"}"
        );
    }

    #[test]
    fn a_view_has_no_values_and_a_missing_account_is_null() {
        let mut m = meta("http://x/");
        m.account = None;
        let e = encode_event(Kind::View, None, &m);
        assert!(e.contains("\"type\":\"view\""));
        assert!(!e.contains("values"));
        assert!(e.contains("\"account\":null"));
    }

    #[test]
    fn long_urls_are_clipped_at_a_character_boundary() {
        let url = "é".repeat(MAX_URL_LEN + 10);
        let e = encode_event(Kind::View, None, &meta(&url));
        assert!(e.contains(&"é".repeat(MAX_URL_LEN)));
        assert!(!e.contains(&"é".repeat(MAX_URL_LEN + 1)));
        assert_eq!(clip("a😀b", 2), "a");
        assert_eq!(clip("a😀b", 3), "a😀");
    }

    #[test]
    fn a_batch_wraps_events_and_reports_evictions_and_rate_limited_drops_only_when_nonzero() {
        assert_eq!(
            encode_batch(["{}", "{}"], 5, 0, 0),
            "{\"v\":1,\"sent\":5,\"events\":[{},{}]}"
        );
        assert_eq!(
            encode_batch(["{}"], 5, 3, 0),
            "{\"v\":1,\"sent\":5,\"evicted\":3,\"events\":[{}]}"
        );
        assert_eq!(
            encode_batch(["{}"], 5, 0, 4),
            "{\"v\":1,\"sent\":5,\"limited\":4,\"events\":[{}]}"
        );
        let worst = encode_batch([], u64::MAX, u64::MAX, u64::MAX);
        assert!(worst.len() <= BATCH_OVERHEAD, "{}", worst.len());
    }
}
