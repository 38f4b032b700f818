//! The outbox as persisted in `localStorage` (a write-ahead log: an event is written before it
//! is sent, and removed only when the collector answered 2xx), and the bounds that keep it
//! small.
//!
//! # Keys and values
//!
//! | key | value | meaning |
//! |---|---|---|
//! | `rtp:o:<event id>` | `1\|<created>\|<attempts>\|<owner>\|<event JSON>`, one line per event | a group: the events a page wrote together, keyed by the first one's id |
//! | `rtp:o:evicted` | `1\|<count>` | events evicted since the last batch that reported them |
//! | `rtp:o:pause` | `1\|<until>\|<failures>` | the outbox's backoff, shared by tabs and page loads |
//!
//! - The events a task accepted are written together, in groups of at most a batch's bytes
//!   ([`crate::outbox::GROUP_BYTES`]), so a burst of 1,000 events is about ten `setItem`s and
//!   its acknowledgements about ten `removeItem`s (one key per event cost 1,000 of each: about
//!   25 ms of a 1,000-event burst's main thread in Chromium). A group loses its delivered events
//!   by being rewritten (under its new first event's key). No list of every event is
//!   re-serialised on each event (Snowplow's tracker rewrites its whole queue on every event).
//! - All the records of a group have one owner, and its key is its first record's id: a group
//!   with a bad line, mixed owners or another key is corrupt as a whole ([`decode_group`]).
//! - The first field is the format version (`1`). A record whose version this tag does not
//!   read is discarded.
//! - `created` is when the tag accepted the event, in ms since the Unix epoch. It is not the
//!   event's own `time`, which can be earlier for calls queued before the tag loaded. The age
//!   cap ([`crate::retry::MAX_AGE_MS`]) and eviction order use it.
//! - `attempts` counts the sends that ended without a 2xx.
//! - `owner` is the id of the page that sends the event (8 to 16 lowercase hex digits). A page
//!   holds the Web Lock `rtp-tab-<owner>` while it has records; a record whose owner holds no lock
//!   belongs to a page that is gone, and the next page adopts it (see `outbox.rs`).
//! - The event JSON comes last and unchanged, exactly as [`crate::envelope::encode_event`]
//!   wrote it. It may contain `|`. Only the first four `|` are separators.
//! - Numbers are ASCII decimal digits.
//!
//! # Reading back
//!
//! The page, an extension or another version of the tag can write anything under these keys.
//! [`decode_for_key`] never panics. It turns whatever is not a record this tag wrote into a
//! [`Corrupt`], which the edge logs ([`Corrupt::message`]) before removing the key. This matters
//! beyond tidiness. The collector refuses a whole batch when one event in it is invalid, so one
//! mangled record sent as-is would lose every good event batched with it.
//!
//! # Bounds
//!
//! The bounds ([`crate::outbox::MAX_EVENTS`], [`crate::outbox::MAX_BYTES`]) and the eviction
//! rule live with the outbox, which knows its events in memory and needs no scan of storage
//! to apply them. Each eviction adds one to `rtp:o:evicted`, which goes to the collector as the
//! batch field `evicted`.

use crate::id::is_uuid_v4;
use crate::json::{parse_u64, push_u64};
use alloc::string::String;
use alloc::vec::Vec;

/// The prefix of every outbox key in `localStorage`.
pub const KEY_PREFIX: &str = "rtp:o:";
/// The key of the evicted-events counter.
pub const EVICTED_KEY: &str = "rtp:o:evicted";
/// The key of the outbox's backoff state ([`Pause`]).
pub const PAUSE_KEY: &str = "rtp:o:pause";

/// The format version this tag writes and reads.
pub const VERSION: &str = "1";

/// Why a stored value was discarded. Fieldless, with static texts (no `core::fmt`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Corrupt {
    /// The version field is not [`VERSION`] (another tag version, or not the tag).
    UnknownVersion,
    /// Fewer fields than the format has.
    MissingField,
    /// A number field is empty, has a non-digit, or overflows.
    BadNumber,
    /// The owner field is not a page id ([`is_owner`]).
    BadOwner,
    /// The event field is not one JSON object as the tag writes events.
    NotAnEvent,
    /// The key is not `rtp:o:<uuid>`, or its id is not the event's id.
    WrongKey,
}

impl Corrupt {
    /// A stable machine-readable code.
    pub const fn code(self) -> &'static str {
        match self {
            Corrupt::UnknownVersion => "unknown_version",
            Corrupt::MissingField => "missing_field",
            Corrupt::BadNumber => "bad_number",
            Corrupt::BadOwner => "bad_owner",
            Corrupt::NotAnEvent => "not_an_event",
            Corrupt::WrongKey => "wrong_key",
        }
    }

    /// The console message.
    pub const fn message(self) -> &'static str {
        match self {
            Corrupt::UnknownVersion => {
                "rtp: discarded a stored outbox entry: unknown format version"
            }
            Corrupt::MissingField => "rtp: discarded a stored outbox entry: it is incomplete",
            Corrupt::BadNumber => {
                "rtp: discarded a stored outbox entry: a number in it is not a valid decimal"
            }
            Corrupt::BadOwner => "rtp: discarded a stored outbox entry: its owner is not a page id",
            Corrupt::NotAnEvent => {
                "rtp: discarded a stored outbox entry: its content is not an event the tag wrote"
            }
            Corrupt::WrongKey => {
                "rtp: discarded a stored outbox entry: its key does not match its event id"
            }
        }
    }
}

/// One persisted event, borrowed from the stored value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// When the tag accepted the event, in ms since the Unix epoch.
    pub created: u64,
    /// Sends of this event that ended without a 2xx.
    pub attempts: u32,
    /// The page that sends it.
    pub owner: &'a str,
    /// The event's id (a v4 UUID, as in its JSON and its key).
    pub id: &'a str,
    /// The event JSON, as [`crate::envelope::encode_event`] wrote it.
    pub event: &'a str,
}

/// Removes what the tag stored of the site's events (consent withdrawn, Do Not Track
/// honoured): the records of all its pages, the count of evicted events, and the calls the
/// snippet kept ([`crate::kept`]); but not the pause, which is the collector's state.
pub fn forget_all(journal: &mut impl crate::store::Store) {
    for key in journal.keys("rtp:") {
        let record = key.starts_with(KEY_PREFIX) && key != PAUSE_KEY;
        if record || key.starts_with(crate::kept::QUEUE_PREFIX) {
            journal.remove(&key);
        }
    }
}

/// The `localStorage` key of the event with this id: `rtp:o:<id>`.
pub fn key(id: &str) -> String {
    let mut k = String::with_capacity(KEY_PREFIX.len() + id.len());
    k.push_str(KEY_PREFIX);
    k.push_str(id);
    k
}

/// The event id in an outbox key, when the key is `rtp:o:<v4 uuid>`. It is `None` for
/// [`EVICTED_KEY`], [`PAUSE_KEY`] and anything else.
pub fn event_id(key: &str) -> Option<&str> {
    key.strip_prefix(KEY_PREFIX).filter(|id| is_uuid_v4(id))
}

/// The stored value of an event: `1|<created>|<attempts>|<owner>|<event JSON>`.
pub fn encode(created: u64, attempts: u32, owner: &str, event: &str) -> String {
    let mut out = String::with_capacity(VERSION.len() + 52 + event.len());
    encode_into(&mut out, created, attempts, owner, event);
    out
}

/// [`encode`], appended to `out` (a group's lines are written one after the other).
pub fn encode_into(out: &mut String, created: u64, attempts: u32, owner: &str, event: &str) {
    out.push_str(VERSION);
    out.push('|');
    push_u64(out, created);
    out.push('|');
    push_u64(out, attempts as u64);
    out.push('|');
    out.push_str(owner);
    out.push('|');
    out.push_str(event);
}

/// Whether `s` can be a page id: 8 to 16 lowercase hex digits.
pub fn is_owner(s: &str) -> bool {
    (8..=16).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Reads a stored event value. The event JSON must look like one object as
/// [`crate::envelope::encode_event`] writes them. It starts `{"id":"<v4 uuid>","type":"event"`
/// or `…"view"`. Its strings are closed. Its braces and brackets nest and close exactly at its
/// last byte. It has no raw control characters. It is not parsed further.
pub fn decode(value: &str) -> Result<Record<'_>, Corrupt> {
    let mut fields = Fields::versioned(value, 5)?;
    let (Some(created), Some(attempts), Some(owner), Some(event)) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(Corrupt::MissingField);
    };
    let created = parse_u64(created).ok_or(Corrupt::BadNumber)?;
    let attempts = parse_u64(attempts)
        .and_then(|a| u32::try_from(a).ok())
        .ok_or(Corrupt::BadNumber)?;
    if !is_owner(owner) {
        return Err(Corrupt::BadOwner);
    }
    let id = event_shape(event).ok_or(Corrupt::NotAnEvent)?;
    Ok(Record {
        created,
        attempts,
        owner,
        id,
        event,
    })
}

/// [`decode`], and the key must be `rtp:o:<the event's id>`.
pub fn decode_for_key<'a>(key: &str, value: &'a str) -> Result<Record<'a>, Corrupt> {
    let record = decode(value)?;
    match event_id(key) {
        Some(id) if id == record.id => Ok(record),
        _ => Err(Corrupt::WrongKey),
    }
}

/// Reads a group: the records of the events a page wrote together, one per line (an event's
/// JSON has no raw line break), all of one owner, under the key of the first one's id. A
/// single record is a group of one. One bad line makes the whole group corrupt: it was not
/// written by this tag.
pub fn decode_group<'a>(key: &str, value: &'a str) -> Result<Vec<Record<'a>>, Corrupt> {
    let mut records: Vec<Record<'a>> = Vec::new();
    let mut rest = value;
    loop {
        // Line by line, by hand: `str::split` brings a formatted panic path into the wasm.
        let end = rest.bytes().position(|b| b == b'\n').unwrap_or(rest.len());
        let Some((line, tail)) = rest.split_at_checked(end) else {
            return Err(Corrupt::MissingField);
        };
        let r = decode(line)?;
        if records.first().is_some_and(|first| first.owner != r.owner) {
            return Err(Corrupt::BadOwner);
        }
        records.push(r);
        match tail.get(1..) {
            Some(t) => rest = t,
            None => break,
        }
    }
    match (event_id(key), records.first()) {
        (Some(id), Some(first)) if id == first.id => Ok(records),
        _ => Err(Corrupt::WrongKey),
    }
}

/// The stored value of the evicted counter: `1|<count>`.
pub fn encode_evicted(count: u64) -> String {
    let mut out = String::with_capacity(VERSION.len() + 21);
    out.push_str(VERSION);
    out.push('|');
    push_u64(&mut out, count);
    out
}

/// Reads the evicted counter. On `Err` the edge logs the message and counts from 0.
pub fn decode_evicted(value: &str) -> Result<u64, Corrupt> {
    let mut fields = Fields::versioned(value, 2)?;
    parse_u64(fields.next().ok_or(Corrupt::MissingField)?).ok_or(Corrupt::BadNumber)
}

/// The outbox's backoff, persisted so that it holds across tabs and page loads. Without it,
/// every page view of a multi-page site would start again at attempt 1 and ignore a
/// `Retry-After` the collector sent a moment ago.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pause {
    /// Nothing is sent before this time (ms since the Unix epoch).
    pub until: u64,
    /// Consecutive sends that ended without a 2xx: the `attempt` of the next
    /// [`crate::retry::Backoff::schedule`] is this plus one.
    pub failures: u32,
}

impl Pause {
    /// The stored value: `1|<until>|<failures>`.
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(VERSION.len() + 34);
        out.push_str(VERSION);
        out.push('|');
        push_u64(&mut out, self.until);
        out.push('|');
        push_u64(&mut out, self.failures as u64);
        out
    }

    /// Reads a stored pause. On `Err` the edge logs the message and starts with no pause.
    pub fn decode(value: &str) -> Result<Pause, Corrupt> {
        let mut fields = Fields::versioned(value, 3)?;
        let (Some(until), Some(failures)) = (fields.next(), fields.next()) else {
            return Err(Corrupt::MissingField);
        };
        let until = parse_u64(until).ok_or(Corrupt::BadNumber)?;
        let failures = parse_u64(failures)
            .and_then(|f| u32::try_from(f).ok())
            .ok_or(Corrupt::BadNumber)?;
        Ok(Pause { until, failures })
    }

    /// How many ms from `now` until a send is allowed, at most `max_ms`. The cap matters
    /// because a stored `until` far ahead (the clock was changed, or the value was tampered
    /// with) must not stop delivery for longer than the policy ever pauses
    /// ([`crate::retry::MAX_RETRY_AFTER_MS`] + [`crate::retry::MAX_DELAY_MS`]).
    pub fn wait(&self, now: u64, max_ms: u64) -> u64 {
        self.until.saturating_sub(now).min(max_ms)
    }
}

/// `s.splitn(n, '|')`, without `str::split`'s machinery: its slicing carries a formatted panic
/// path that pulls `core::fmt` into the wasm (measured: about 2 KB gzip).
struct Fields<'a>(Option<&'a str>, usize);

impl<'a> Fields<'a> {
    /// The fields after the first, which must be [`VERSION`].
    fn versioned(value: &'a str, n: usize) -> Result<Self, Corrupt> {
        let mut fields = Fields(Some(value), n);
        match fields.next() {
            Some(VERSION) => Ok(fields),
            _ => Err(Corrupt::UnknownVersion),
        }
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let s = self.0?;
        self.1 = self.1.saturating_sub(1);
        match s.bytes().position(|b| b == b'|').filter(|_| self.1 > 0) {
            Some(i) => {
                let (head, rest) = s.split_at_checked(i)?;
                self.0 = rest.get(1..);
                Some(head)
            }
            None => self.0.take(),
        }
    }
}

/// `s` as a decimal `u64`: one or more ASCII digits, no sign, no overflow.
/// Envelope events nest two deep (the object, its `values` array). Deeper is not ours.
const MAX_DEPTH: u32 = 4;

/// How every envelope event starts; its id follows.
const EVENT_START: &str = "{\"id\":\"";

/// The event's id when `json` is shaped like an envelope event (see [`decode`]).
fn event_shape(json: &str) -> Option<&str> {
    // `split_at_checked`, not `get(..n)`: the envelope's own `get` calls stay the only ones, so
    // the shipped wasm inlines them as before.
    let (head, after) = json.split_at_checked(EVENT_START.len() + 36)?;
    let id = head.strip_prefix(EVENT_START).filter(|id| is_uuid_v4(id))?;
    if !(after.starts_with("\",\"type\":\"event\"") || after.starts_with("\",\"type\":\"view\"")) {
        return None;
    }
    one_object(json.as_bytes()).then_some(id)
}

/// Whether `json` is one `{…}` whose strings close and whose brackets nest, ending at its last
/// byte, with no raw control character (the envelope escapes them all, RFC 8259 §7).
fn one_object(json: &[u8]) -> bool {
    let mut kinds: u32 = 0; // one bit per open level: 1 = object, 0 = array
    let mut depth: u32 = 0;
    let mut in_string = false;
    let mut escaped = false;
    let mut closed = false;
    for &b in json {
        if b < 0x20 || closed {
            return false;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                if depth >= MAX_DEPTH {
                    return false;
                }
                kinds = (kinds << 1) | u32::from(b == b'{');
                depth += 1;
            }
            b'}' | b']' => {
                if depth == 0 || (kinds & 1 == 1) != (b == b'}') {
                    return false;
                }
                kinds >>= 1;
                depth -= 1;
                closed = depth == 0;
            }
            _ => {}
        }
    }
    closed && json.first() == Some(&b'{')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::{encode_event, Kind, Meta};
    use crate::retry::{MAX_DELAY_MS, MAX_RETRY_AFTER_MS};
    use crate::values::{validate, Field, RawValues};

    const ID: &str = "12345678-9abc-4ef0-9234-56789abcdef0";
    const CREATED: u64 = 1_732_456_789_012;
    const OWNER: &str = "0123abcd";

    fn event(id: &str, values: &[&str]) -> String {
        let v = validate(RawValues::Fields(
            values.iter().map(|s| Field::Text((*s).into())).collect(),
        ))
        .unwrap();
        let m = Meta {
            id,
            session: "00000000-0000-4000-8000-000000000000",
            account: Some("acme"),
            time: 1_732_456_789_000,
            url: "http://shop.test/p?q=a|b",
            referrer: "",
        };
        encode_event(Kind::Event, Some(&v), &m)
    }

    fn view(id: &str) -> String {
        let m = Meta {
            id,
            session: "00000000-0000-4000-8000-000000000000",
            account: None,
            time: 1,
            url: "http://x/",
            referrer: "",
        };
        encode_event(Kind::View, None, &m)
    }

    #[test]
    fn a_group_is_records_one_per_line_of_one_owner_under_the_first_id() {
        const ID2: &str = "22345678-9abc-4ef0-9234-56789abcdef0";
        let (e1, e2) = (event(ID, &["a\nb"]), view(ID2));
        let mut v = encode(CREATED, 0, OWNER, &e1);
        v.push('\n');
        encode_into(&mut v, CREATED + 1, 2, OWNER, &e2);
        let g = decode_group(&key(ID), &v).unwrap();
        assert_eq!(g.len(), 2);
        assert_eq!(
            (g[0].id, g[0].event, g[1].id, g[1].attempts),
            (ID, e1.as_str(), ID2, 2)
        );
        assert_eq!(
            decode_group(&key(ID2), &v),
            Err(Corrupt::WrongKey),
            "keyed by its first record"
        );
        assert_eq!(
            decode_group(&key(ID), &encode(CREATED, 0, OWNER, &e1))
                .unwrap()
                .len(),
            1,
            "a record is a group of one"
        );
        let mixed = encode(CREATED, 0, OWNER, &e1) + "\n" + &encode(CREATED, 0, "0123abce", &e2);
        assert_eq!(decode_group(&key(ID), &mixed), Err(Corrupt::BadOwner));
        let torn = v.clone() + "\n1|2|3";
        assert_eq!(
            decode_group(&key(ID), &torn),
            Err(Corrupt::MissingField),
            "one bad line: the whole group"
        );
        assert_eq!(
            decode_group(&key(ID), &(v.clone() + "\n")),
            Err(Corrupt::UnknownVersion),
            "an empty line"
        );
    }

    #[test]
    fn a_record_round_trips_with_pipes_and_unicode_in_the_event() {
        let e = event(ID, &["a|b", "é😀\"\\", "x\ny"]);
        let v = encode(CREATED, 3, OWNER, &e);
        assert!(v.starts_with("1|1732456789012|3|0123abcd|{\"id\":"), "{v}");
        let r = decode_for_key(&key(ID), &v).unwrap();
        assert_eq!(
            r,
            Record {
                created: CREATED,
                attempts: 3,
                owner: OWNER,
                id: ID,
                event: &e
            }
        );
    }

    #[test]
    fn a_view_record_round_trips() {
        let e = view(ID);
        let v = encode(0, 0, OWNER, &e);
        let r = decode(&v).unwrap();
        assert_eq!(
            (r.created, r.attempts, r.id, r.event),
            (0, 0, ID, e.as_str())
        );
    }

    #[test]
    fn extreme_numbers_round_trip_and_one_more_is_refused() {
        let e = view(ID);
        let v = encode(u64::MAX, u32::MAX, OWNER, &e);
        let r = decode(&v).unwrap();
        assert_eq!((r.created, r.attempts), (u64::MAX, u32::MAX));
        let too_big = format!("1|18446744073709551616|0|0123abcd|{e}");
        assert_eq!(decode(&too_big), Err(Corrupt::BadNumber));
        let too_many = format!("1|0|4294967296|0123abcd|{e}");
        assert_eq!(decode(&too_many), Err(Corrupt::BadNumber));
    }

    #[test]
    fn each_kind_of_damage_has_its_reason() {
        let e = view(ID);
        let cases: [(String, Corrupt); 17] = [
            (String::new(), Corrupt::UnknownVersion),
            (format!("2|0|0|0123abcd|{e}"), Corrupt::UnknownVersion),
            (format!("01|0|0|0123abcd|{e}"), Corrupt::UnknownVersion),
            (format!(" 1|0|0|0123abcd|{e}"), Corrupt::UnknownVersion),
            ("1".into(), Corrupt::MissingField),
            ("1|5|0|0123abcd".into(), Corrupt::MissingField),
            ("||||".into(), Corrupt::UnknownVersion),
            ("1||||".into(), Corrupt::BadNumber),
            (format!("1|-5|0|0123abcd|{e}"), Corrupt::BadNumber),
            (format!("1|5| 0|0123abcd|{e}"), Corrupt::BadNumber),
            ("1|5|0|0123abcd|".into(), Corrupt::NotAnEvent),
            ("1|5|0|0123abcd|{}".into(), Corrupt::NotAnEvent),
            (format!("1|5|0|0123abcd|{e}{e}"), Corrupt::NotAnEvent),
            (format!("1|5|0||{e}"), Corrupt::BadOwner),
            (format!("1|5|0|0123ABCD|{e}"), Corrupt::BadOwner),
            (format!("1|5|0|0123456789abcdef0|{e}"), Corrupt::BadOwner),
            (
                format!("1|5|0|0123abcd|{}", e.replace("view", "page")),
                Corrupt::NotAnEvent,
            ),
        ];
        for (value, reason) in cases {
            assert_eq!(decode(&value), Err(reason), "{value:?}");
        }
    }

    #[test]
    fn events_not_shaped_like_the_envelope_are_refused() {
        let good = view(ID);
        let bad = [
            good.replacen(ID, "12345678-9ABC-4ef0-9234-56789abcdef0", 1),
            good.replacen(ID, "12345678-9abc-1ef0-9234-56789abcdef0", 1),
            format!("{good} "),
            format!(" {good}"),
            good.replacen("\"url\":\"http://x/\"", "\"url\":\"http://x/", 1),
            good.replacen("\"url\"", "\"url\n\"", 1),
            good.replacen(",\"referrer\"", "],\"referrer\"", 1),
            good.replacen(",\"referrer\"", ",[[[[[\"referrer\"", 1),
            good.replacen(",\"referrer\":\"\"", ",\"referrer\":\"\\\"", 1),
            format!("{{\"id\":\"{ID}\"}}"),
        ];
        for e in bad {
            assert_eq!(
                decode(&encode(1, 0, OWNER, &e)),
                Err(Corrupt::NotAnEvent),
                "{e}"
            );
        }
    }

    #[test]
    fn the_key_must_name_the_events_id() {
        let v = encode(CREATED, 0, OWNER, &view(ID));
        assert!(decode_for_key(&key(ID), &v).is_ok());
        let other = "ffffffff-ffff-4fff-bfff-ffffffffffff";
        for k in [
            key(other),
            ID.into(),
            EVICTED_KEY.into(),
            PAUSE_KEY.into(),
            "rtp:o:".into(),
            format!("rtp:e:{ID}"),
        ] {
            assert_eq!(decode_for_key(&k, &v), Err(Corrupt::WrongKey), "{k}");
        }
        // A damaged value reports its own damage, whatever the key.
        assert_eq!(decode_for_key("x", "garbage"), Err(Corrupt::UnknownVersion));
    }

    #[test]
    fn forgetting_removes_records_and_kept_calls_but_not_the_pause_or_others() {
        use crate::store::{MemoryStore, Store};
        let mut j = MemoryStore::default();
        for k in [
            "rtp:o:x",
            EVICTED_KEY,
            PAUSE_KEY,
            "rtp:q",
            "rtp:other",
            "site:o:x",
        ] {
            j.set(k, "1");
        }
        forget_all(&mut j);
        let mut left = j.keys("");
        left.sort();
        assert_eq!(left, [PAUSE_KEY, "rtp:other", "site:o:x"]);
    }

    #[test]
    fn only_event_keys_have_an_event_id() {
        assert_eq!(event_id(&key(ID)), Some(ID));
        assert_eq!(event_id(EVICTED_KEY), None);
        assert_eq!(event_id(PAUSE_KEY), None);
        assert_eq!(event_id("rtp:o:not-a-uuid"), None);
        assert_eq!(event_id(&format!("x{}", key(ID))), None);
        assert_eq!(event_id(&format!("{}x", key(ID))), None);
    }

    /// xorshift32: deterministic "random" input.
    fn xorshift(state: &mut u32) -> u32 {
        *state ^= *state << 13;
        *state ^= *state >> 17;
        *state ^= *state << 5;
        *state
    }

    #[test]
    fn decode_never_panics_on_mangled_input() {
        let e = event(ID, &["MyEvent", "é😀|x"]);
        let valid = encode(CREATED, 2, OWNER, &e);
        let k = key(ID);
        // Every truncation (at every char boundary: a &str cannot hold anything else).
        for (i, _) in valid.char_indices() {
            let cut = &valid[..i];
            assert!(decode_for_key(&k, cut).is_err(), "{cut:?}");
            let tail = &valid[i..];
            let _ = decode_for_key(&k, tail);
        }
        // Every one-character replacement, deletion and insertion with JSON and format syntax.
        let alphabet = [
            '|', '{', '}', '[', ']', '"', '\\', ',', ':', '0', '9', 'x', '\n', '\u{0}', 'é', '😀',
        ];
        let chars: Vec<char> = valid.chars().collect();
        for i in 0..chars.len() {
            let deleted: String = chars
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, c)| c)
                .collect();
            let _ = decode_for_key(&k, &deleted);
            for &c in &alphabet {
                let mut replaced = chars.clone();
                replaced[i] = c;
                let replaced: String = replaced.into_iter().collect();
                let _ = decode_for_key(&k, &replaced);
                let mut inserted = chars.clone();
                inserted.insert(i, c);
                let inserted: String = inserted.into_iter().collect();
                let _ = decode_for_key(&k, &inserted);
            }
        }
        // Random strings over a biased alphabet, and random splices of the valid record.
        let mut rng = 0x2545_f491_u32;
        for _ in 0..20_000 {
            let len = (xorshift(&mut rng) % 80) as usize;
            let s: String = (0..len)
                .map(|_| alphabet[(xorshift(&mut rng) as usize) % alphabet.len()])
                .collect();
            assert!(decode(&s).is_err() || s.starts_with("1|"));
            let _ = decode_evicted(&s);
            let _ = Pause::decode(&s);
            let a = (xorshift(&mut rng) as usize) % chars.len();
            let b = (xorshift(&mut rng) as usize) % chars.len();
            let spliced: String = chars[..a.min(b)]
                .iter()
                .chain(&chars[a.max(b)..])
                .chain(s.chars().collect::<Vec<_>>().iter())
                .collect();
            let _ = decode_for_key(&k, &spliced);
        }
        // Huge numbers, only separators, huge inputs.
        for s in [
            "1|99999999999999999999999999|0|0123abcd|{}".to_string(),
            "1|0|99999999999999999999|0123abcd|{}".to_string(),
            "|".repeat(10_000),
            "1".repeat(100_000),
            format!(
                "1|0|0|0123abcd|{{\"id\":\"{ID}\",\"type\":\"view\",\"x\":{}}}",
                "[".repeat(10_000)
            ),
            format!("1|0|0|0123abcd|{}", "{".repeat(100_000)),
            format!("1|0|0|0123abcd|{}", "\"".repeat(100_001)),
        ] {
            assert!(decode_for_key(&k, &s).is_err());
        }
    }

    #[test]
    fn evicted_counter_round_trips_and_garbage_is_refused() {
        for n in [0, 1, 499, u64::MAX] {
            assert_eq!(decode_evicted(&encode_evicted(n)), Ok(n));
        }
        assert_eq!(encode_evicted(7), "1|7");
        assert_eq!(decode_evicted(""), Err(Corrupt::UnknownVersion));
        assert_eq!(decode_evicted("7"), Err(Corrupt::UnknownVersion));
        assert_eq!(decode_evicted("1"), Err(Corrupt::MissingField));
        assert_eq!(decode_evicted("1|"), Err(Corrupt::BadNumber));
        assert_eq!(decode_evicted("1|-1"), Err(Corrupt::BadNumber));
        assert_eq!(decode_evicted("1|1|2"), Err(Corrupt::BadNumber));
        assert_eq!(
            decode_evicted("1|18446744073709551616"),
            Err(Corrupt::BadNumber)
        );
    }

    #[test]
    fn pause_round_trips_and_its_wait_is_capped() {
        let p = Pause {
            until: CREATED + 5_000,
            failures: 3,
        };
        assert_eq!(p.encode(), "1|1732456794012|3");
        assert_eq!(Pause::decode(&p.encode()), Ok(p));
        assert_eq!(Pause::decode("1|5"), Err(Corrupt::MissingField));
        assert_eq!(Pause::decode("1|5|x"), Err(Corrupt::BadNumber));
        assert_eq!(Pause::decode("1|5|4294967296"), Err(Corrupt::BadNumber));
        assert_eq!(Pause::decode("9|5|1"), Err(Corrupt::UnknownVersion));
        let max = MAX_RETRY_AFTER_MS + MAX_DELAY_MS;
        assert_eq!(p.wait(CREATED, max), 5_000);
        assert_eq!(p.wait(CREATED + 9_000, max), 0);
        assert_eq!(
            Pause {
                until: u64::MAX,
                failures: 0
            }
            .wait(CREATED, max),
            max
        );
    }

    #[test]
    fn corrupt_reasons_have_distinct_codes_and_prefixed_messages() {
        let all = [
            Corrupt::UnknownVersion,
            Corrupt::MissingField,
            Corrupt::BadNumber,
            Corrupt::BadOwner,
            Corrupt::NotAnEvent,
            Corrupt::WrongKey,
        ];
        for (i, a) in all.iter().enumerate() {
            assert!(a.message().starts_with("rtp: "));
            for b in &all[i + 1..] {
                assert_ne!(a.code(), b.code());
            }
        }
    }
}
