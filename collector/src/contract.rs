//! The batch contract (`collector/batch.schema.json`, version 1), checked by hand so that
//! every rejection names the exact field (the compiled schema, `schema.rs`, checks it too), e.g. `events[2].values[0]: empty string`.
//!
//! Two readings of the schema worth knowing:
//! - String lengths (`maxLength`) are counted in UTF-16 code units, as JavaScript's
//!   `String.length` does and as the schema's description of `values` says, for every
//!   string field. (Plain JSON Schema would count code points.)
//! - `integer` follows JSON Schema: any number with a zero fractional part, so `1000.0`
//!   is an integer, as `1.0` equals the `const` 1 of `v`.

use serde_json::{Map, Value};

/// Most events in one batch.
pub const MAX_EVENTS: usize = 1000;
/// Most custom data values in one event.
pub const MAX_VALUES: usize = 4;
/// Longest value or account, in UTF-16 code units.
pub const MAX_SHORT_UNITS: usize = 255;
/// Longest url or referrer, in UTF-16 code units.
pub const MAX_URL_UNITS: usize = 8192;

const BATCH_FIELDS: [&str; 5] = ["v", "sent", "evicted", "limited", "events"];
const EVENT_FIELDS: [&str; 8] = [
    "id", "type", "values", "account", "session", "time", "url", "referrer",
];

/// The rule a batch broke. Fieldless, with a static message; the field goes in [`Rejection`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The body is not UTF-8 JSON.
    NotJson,
    /// Expected a JSON object.
    NotObject,
    /// A required field is absent.
    Missing,
    /// A field the schema does not define (`additionalProperties: false`).
    UnknownField,
    /// `v` is not 1.
    WrongVersion,
    /// Expected an integer.
    NotInteger,
    /// An integer below its minimum of 0.
    Negative,
    /// Expected an array.
    NotArray,
    /// An array below its minimum of 1 item.
    EmptyArray,
    /// More than [`MAX_EVENTS`] events.
    TooManyEvents,
    /// More than [`MAX_VALUES`] values.
    TooManyValues,
    /// Expected a string.
    NotString,
    /// Expected a string or null.
    NotStringOrNull,
    /// A value must have at least one character.
    EmptyString,
    /// Longer than [`MAX_SHORT_UNITS`] UTF-16 code units.
    LongerThan255,
    /// Longer than [`MAX_URL_UNITS`] UTF-16 code units.
    LongerThan8192,
    /// Not a lowercase version 4 UUID.
    NotUuidV4,
    /// `type` is not `"event"` or `"view"`.
    UnknownType,
    /// An `event` must carry `values`.
    ValuesRequired,
    /// A `view` must not carry `values`.
    ValuesForbidden,
    /// Refused by the compiled JSON Schema where the hand-written check passed (never, while
    /// `tests/schema_agreement.rs` passes).
    Schema,
}

impl Rule {
    /// A short human reason, shown after the field name.
    pub fn message(self) -> &'static str {
        match self {
            Rule::NotJson => "not valid UTF-8 JSON",
            Rule::NotObject => "not an object",
            Rule::Missing => "missing",
            Rule::UnknownField => "unknown field",
            Rule::WrongVersion => "must be 1",
            Rule::NotInteger => "not an integer",
            Rule::Negative => "must be >= 0",
            Rule::NotArray => "not an array",
            Rule::EmptyArray => "empty array",
            Rule::TooManyEvents => "more than 1000 events",
            Rule::TooManyValues => "more than 4 values",
            Rule::NotString => "not a string",
            Rule::NotStringOrNull => "not a string or null",
            Rule::EmptyString => "empty string",
            Rule::LongerThan255 => "longer than 255 UTF-16 code units",
            Rule::LongerThan8192 => "longer than 8192 UTF-16 code units",
            Rule::NotUuidV4 => "not a lowercase version 4 UUID",
            Rule::UnknownType => "not \"event\" or \"view\"",
            Rule::ValuesRequired => "missing (required when type is \"event\")",
            Rule::ValuesForbidden => "not allowed when type is \"view\"",
            Rule::Schema => "does not match batch.schema.json",
        }
    }
}

/// A broken rule and the field that broke it (`body`, `events`, `events[2].values[0]`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Path of the offending field.
    pub field: String,
    /// What is wrong with it.
    pub rule: Rule,
}

impl Rejection {
    fn new(field: impl Into<String>, rule: Rule) -> Rejection {
        Rejection {
            field: field.into(),
            rule,
        }
    }

    /// `field: message`, the text of the 400 answer.
    pub fn reason(&self) -> String {
        format!("{}: {}", self.field, self.rule.message())
    }
}

/// Parses a body as JSON (no validation): the first step, shared with the request log,
/// which wants the event ids even of a batch that is then rejected.
pub fn parse_json(body: &[u8]) -> Result<Value, Rejection> {
    serde_json::from_slice(body).map_err(|_| Rejection::new("body", Rule::NotJson))
}

/// The ids of a parsed body's events, as far as they can be found (for the request log).
pub fn event_ids(body: &Value) -> Vec<String> {
    body.get("events")
        .and_then(Value::as_array)
        .map(|events| {
            events
                .iter()
                .filter_map(|e| e.get("id").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Checks a parsed body against every rule of the contract; the first broken rule wins,
/// fields checked in schema order.
pub fn validate_batch(batch: &Value) -> Result<(), Rejection> {
    let obj = batch
        .as_object()
        .ok_or(Rejection::new("body", Rule::NotObject))?;
    reject_unknown(obj, &BATCH_FIELDS, "")?;

    match obj.get("v") {
        None => return Err(Rejection::new("v", Rule::Missing)),
        Some(v) if v.as_f64() != Some(1.0) => return Err(Rejection::new("v", Rule::WrongVersion)),
        Some(_) => {}
    }
    check_count(obj.get("sent"), "sent", true)?;
    check_count(obj.get("evicted"), "evicted", false)?;
    check_count(obj.get("limited"), "limited", false)?;

    let events = obj
        .get("events")
        .ok_or(Rejection::new("events", Rule::Missing))?;
    let events = events
        .as_array()
        .ok_or(Rejection::new("events", Rule::NotArray))?;
    if events.is_empty() {
        return Err(Rejection::new("events", Rule::EmptyArray));
    }
    if events.len() > MAX_EVENTS {
        return Err(Rejection::new("events", Rule::TooManyEvents));
    }
    events
        .iter()
        .enumerate()
        .try_for_each(|(i, event)| validate_event(event, &format!("events[{i}]")))
}

fn validate_event(event: &Value, at: &str) -> Result<(), Rejection> {
    let field = |name: &str| format!("{at}.{name}");
    let obj = event
        .as_object()
        .ok_or_else(|| Rejection::new(at, Rule::NotObject))?;
    reject_unknown(obj, &EVENT_FIELDS, at)?;

    check_uuid(obj.get("id"), &field("id"))?;

    let kind = match obj.get("type") {
        None => return Err(Rejection::new(field("type"), Rule::Missing)),
        Some(Value::String(s)) if s == "event" || s == "view" => s.as_str(),
        Some(_) => return Err(Rejection::new(field("type"), Rule::UnknownType)),
    };
    // Schema if/then/else: `values` present if and only if type is "event".
    match (kind, obj.get("values")) {
        ("event", None) => return Err(Rejection::new(field("values"), Rule::ValuesRequired)),
        ("event", Some(values)) => check_values(values, &field("values"))?,
        (_, Some(_)) => return Err(Rejection::new(field("values"), Rule::ValuesForbidden)),
        (_, None) => {}
    }

    match obj.get("account") {
        None => return Err(Rejection::new(field("account"), Rule::Missing)),
        Some(Value::Null) => {}
        Some(Value::String(s)) => check_units(s, MAX_SHORT_UNITS, &field("account"))?,
        Some(_) => return Err(Rejection::new(field("account"), Rule::NotStringOrNull)),
    }
    check_uuid(obj.get("session"), &field("session"))?;
    check_count(obj.get("time"), &field("time"), true)?;
    check_url(obj.get("url"), &field("url"))?;
    check_url(obj.get("referrer"), &field("referrer"))
}

fn check_values(values: &Value, at: &str) -> Result<(), Rejection> {
    let items = values
        .as_array()
        .ok_or_else(|| Rejection::new(at, Rule::NotArray))?;
    if items.is_empty() {
        return Err(Rejection::new(at, Rule::EmptyArray));
    }
    if items.len() > MAX_VALUES {
        return Err(Rejection::new(at, Rule::TooManyValues));
    }
    for (j, item) in items.iter().enumerate() {
        let here = || format!("{at}[{j}]");
        let s = item
            .as_str()
            .ok_or_else(|| Rejection::new(here(), Rule::NotString))?;
        if s.is_empty() {
            return Err(Rejection::new(here(), Rule::EmptyString));
        }
        check_units(s, MAX_SHORT_UNITS, &here())?;
    }
    Ok(())
}

fn reject_unknown(obj: &Map<String, Value>, known: &[&str], at: &str) -> Result<(), Rejection> {
    match obj.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) if at.is_empty() => Err(Rejection::new(k.as_str(), Rule::UnknownField)),
        Some(k) => Err(Rejection::new(format!("{at}.{k}"), Rule::UnknownField)),
        None => Ok(()),
    }
}

/// An integer >= 0 (`sent`, `time`, `evicted`). JSON Schema's `integer` includes numbers
/// with a zero fractional part, such as `1000.0`.
fn check_count(value: Option<&Value>, at: &str, required: bool) -> Result<(), Rejection> {
    let n = match value {
        None if required => return Err(Rejection::new(at, Rule::Missing)),
        None => return Ok(()),
        Some(Value::Number(n)) => n,
        Some(_) => return Err(Rejection::new(at, Rule::NotInteger)),
    };
    if n.is_u64() {
        return Ok(());
    }
    if n.is_i64() {
        return Err(Rejection::new(at, Rule::Negative));
    }
    match n.as_f64() {
        Some(f) if f.is_finite() && f.fract() == 0.0 && f >= 0.0 => Ok(()),
        Some(f) if f.is_finite() && f.fract() == 0.0 => Err(Rejection::new(at, Rule::Negative)),
        _ => Err(Rejection::new(at, Rule::NotInteger)),
    }
}

fn check_uuid(value: Option<&Value>, at: &str) -> Result<(), Rejection> {
    match value {
        None => Err(Rejection::new(at, Rule::Missing)),
        Some(Value::String(s)) if is_uuid_v4(s) => Ok(()),
        Some(Value::String(_)) => Err(Rejection::new(at, Rule::NotUuidV4)),
        Some(_) => Err(Rejection::new(at, Rule::NotString)),
    }
}

fn check_url(value: Option<&Value>, at: &str) -> Result<(), Rejection> {
    match value {
        None => Err(Rejection::new(at, Rule::Missing)),
        Some(Value::String(s)) => check_units(s, MAX_URL_UNITS, at),
        Some(_) => Err(Rejection::new(at, Rule::NotString)),
    }
}

/// Length in UTF-16 code units, as JavaScript's `String.length` counts: characters outside
/// the Basic Multilingual Plane (most emoji) count twice.
fn check_units(s: &str, max: usize, at: &str) -> Result<(), Rejection> {
    // A char takes at least as many UTF-8 bytes as UTF-16 units, so a short byte length settles it.
    if s.len() <= max || s.encode_utf16().count() <= max {
        return Ok(());
    }
    let rule = if max == MAX_URL_UNITS {
        Rule::LongerThan8192
    } else {
        Rule::LongerThan255
    };
    Err(Rejection::new(at, rule))
}

/// The schema's pattern `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`.
pub fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            14 => c == b'4',
            19 => matches!(c, b'8' | b'9' | b'a' | b'b'),
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
}

/// Parses and validates in one go: the batch, or why it is refused.
pub fn check_body(body: &[u8]) -> Result<Value, Rejection> {
    let batch = parse_json(body)?;
    validate_batch(&batch)?;
    Ok(batch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const ID2: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    const SESSION: &str = "9a3c5e2f-1b7d-4e8a-9c6b-2d4f6a8b0c1e";

    fn event() -> Value {
        json!({
            "id": ID, "type": "event", "values": ["sku-1", "blue"], "account": "acc-1",
            "session": SESSION, "time": 1_700_000_000_000u64,
            "url": "https://shop.example/p/1", "referrer": ""
        })
    }

    fn view() -> Value {
        json!({
            "id": ID2, "type": "view", "account": null, "session": SESSION,
            "time": 1_700_000_000_001u64, "url": "https://shop.example/", "referrer": "https://search.example/"
        })
    }

    fn batch() -> Value {
        json!({ "v": 1, "sent": 1_700_000_000_500u64, "events": [event(), view()] })
    }

    /// The reason a batch changed by `edit` is refused.
    fn reason_after(edit: impl FnOnce(&mut Value)) -> String {
        let mut b = batch();
        edit(&mut b);
        validate_batch(&b)
            .expect_err("the edited batch should be refused")
            .reason()
    }

    #[test]
    fn a_batch_with_an_event_and_a_view_is_valid() {
        assert_eq!(validate_batch(&batch()), Ok(()));
    }

    #[test]
    fn optional_evicted_and_integral_floats_are_valid() {
        let mut b = batch();
        b["evicted"] = json!(3);
        b["limited"] = json!(4);
        b["sent"] = json!(1000.0);
        b["v"] = json!(1.0);
        assert_eq!(validate_batch(&b), Ok(()));
    }

    #[test]
    fn every_broken_rule_is_refused_with_a_reason_naming_the_field() {
        type Edit = fn(&mut Value);
        let table: &[(&str, Edit)] = &[
            ("body: not an object", |b| *b = json!([1])),
            ("extra: unknown field", |b| b["extra"] = json!(1)),
            ("v: missing", |b| {
                b.as_object_mut().unwrap().remove("v");
            }),
            ("v: must be 1", |b| b["v"] = json!(2)),
            ("v: must be 1", |b| b["v"] = json!("1")),
            ("sent: missing", |b| {
                b.as_object_mut().unwrap().remove("sent");
            }),
            ("sent: not an integer", |b| b["sent"] = json!(1.5)),
            ("sent: not an integer", |b| b["sent"] = json!("1")),
            ("sent: must be >= 0", |b| b["sent"] = json!(-1)),
            ("evicted: must be >= 0", |b| b["evicted"] = json!(-3)),
            ("evicted: not an integer", |b| b["evicted"] = json!(null)),
            ("limited: must be >= 0", |b| b["limited"] = json!(-1)),
            ("events: missing", |b| {
                b.as_object_mut().unwrap().remove("events");
            }),
            ("events: not an array", |b| b["events"] = json!({})),
            ("events: empty array", |b| b["events"] = json!([])),
            ("events[1]: not an object", |b| {
                b["events"][1] = json!("view")
            }),
            ("events[0].extra: unknown field", |b| {
                b["events"][0]["extra"] = json!(true)
            }),
            ("events[0].id: missing", |b| {
                b["events"][0].as_object_mut().unwrap().remove("id");
            }),
            ("events[0].id: not a string", |b| {
                b["events"][0]["id"] = json!(7)
            }),
            ("events[0].id: not a lowercase version 4 UUID", |b| {
                b["events"][0]["id"] = json!(ID.to_uppercase())
            }),
            ("events[0].id: not a lowercase version 4 UUID", |b| {
                // Version 1 (the 13th hex digit is 1, not 4).
                b["events"][0]["id"] = json!("0f8fad5b-d9cb-169f-a165-70867728950e")
            }),
            ("events[0].id: not a lowercase version 4 UUID", |b| {
                // Variant digit must be 8, 9, a or b.
                b["events"][0]["id"] = json!("0f8fad5b-d9cb-469f-c165-70867728950e")
            }),
            ("events[1].session: not a lowercase version 4 UUID", |b| {
                b["events"][1]["session"] = json!("")
            }),
            ("events[1].session: missing", |b| {
                b["events"][1].as_object_mut().unwrap().remove("session");
            }),
            ("events[0].type: missing", |b| {
                b["events"][0].as_object_mut().unwrap().remove("type");
            }),
            ("events[0].type: not \"event\" or \"view\"", |b| {
                b["events"][0]["type"] = json!("click")
            }),
            (
                "events[0].values: missing (required when type is \"event\")",
                |b| {
                    b["events"][0].as_object_mut().unwrap().remove("values");
                },
            ),
            ("events[1].values: not allowed when type is \"view\"", |b| {
                b["events"][1]["values"] = json!(["a"])
            }),
            ("events[1].values: not allowed when type is \"view\"", |b| {
                b["events"][1]["values"] = json!(null)
            }),
            ("events[0].values: not an array", |b| {
                b["events"][0]["values"] = json!("a")
            }),
            ("events[0].values: empty array", |b| {
                b["events"][0]["values"] = json!([])
            }),
            ("events[0].values: more than 4 values", |b| {
                b["events"][0]["values"] = json!(["a", "b", "c", "d", "e"])
            }),
            ("events[0].values[1]: not a string", |b| {
                b["events"][0]["values"][1] = json!(5)
            }),
            ("events[0].values[1]: empty string", |b| {
                b["events"][0]["values"][1] = json!("")
            }),
            ("events[0].account: missing", |b| {
                b["events"][0].as_object_mut().unwrap().remove("account");
            }),
            ("events[0].account: not a string or null", |b| {
                b["events"][0]["account"] = json!(42)
            }),
            (
                "events[0].account: longer than 255 UTF-16 code units",
                |b| b["events"][0]["account"] = json!("a".repeat(256)),
            ),
            ("events[0].time: missing", |b| {
                b["events"][0].as_object_mut().unwrap().remove("time");
            }),
            ("events[0].time: must be >= 0", |b| {
                b["events"][0]["time"] = json!(-5)
            }),
            ("events[0].time: not an integer", |b| {
                b["events"][0]["time"] = json!(12.25)
            }),
            ("events[0].url: missing", |b| {
                b["events"][0].as_object_mut().unwrap().remove("url");
            }),
            ("events[0].url: not a string", |b| {
                b["events"][0]["url"] = json!(null)
            }),
            ("events[0].url: longer than 8192 UTF-16 code units", |b| {
                b["events"][0]["url"] = json!("u".repeat(8193))
            }),
            ("events[1].referrer: missing", |b| {
                b["events"][1].as_object_mut().unwrap().remove("referrer");
            }),
            (
                "events[1].referrer: longer than 8192 UTF-16 code units",
                |b| b["events"][1]["referrer"] = json!("r".repeat(8193)),
            ),
        ];
        for (expected, edit) in table {
            assert_eq!(&reason_after(edit), expected);
        }
    }

    #[test]
    fn more_than_1000_events_are_refused_and_exactly_1000_accepted() {
        let mut b = batch();
        b["events"] = Value::Array(vec![view(); MAX_EVENTS]);
        assert_eq!(validate_batch(&b), Ok(()));
        b["events"].as_array_mut().unwrap().push(view());
        assert_eq!(
            validate_batch(&b).unwrap_err().reason(),
            "events: more than 1000 events"
        );
    }

    #[test]
    fn value_length_is_counted_in_utf16_code_units() {
        let with_value = |v: String| {
            let mut b = batch();
            b["events"][0]["values"][0] = json!(v);
            validate_batch(&b)
        };
        assert_eq!(with_value("a".repeat(255)), Ok(()));
        // 255 two-byte (in UTF-8) but one-unit (in UTF-16) characters still fit.
        assert_eq!(with_value("é".repeat(255)), Ok(()));
        assert_eq!(
            with_value("a".repeat(256)).unwrap_err().reason(),
            "events[0].values[0]: longer than 255 UTF-16 code units"
        );
        // An emoji outside the BMP is a surrogate pair: 128 of them are 256 units.
        assert_eq!(with_value("😀".repeat(127) + "a"), Ok(()));
        assert_eq!(
            with_value("😀".repeat(128)).unwrap_err().reason(),
            "events[0].values[0]: longer than 255 UTF-16 code units"
        );
    }

    #[test]
    fn url_of_exactly_8192_units_is_valid() {
        let mut b = batch();
        b["events"][0]["url"] = json!("u".repeat(MAX_URL_UNITS));
        assert_eq!(validate_batch(&b), Ok(()));
    }

    #[test]
    fn a_body_that_is_not_json_is_refused_as_such() {
        assert_eq!(
            check_body(b"{\"v\":1,").unwrap_err().reason(),
            "body: not valid UTF-8 JSON"
        );
        assert_eq!(
            check_body(b"\xff").unwrap_err().reason(),
            "body: not valid UTF-8 JSON"
        );
    }

    #[test]
    fn event_ids_are_found_even_in_an_invalid_batch() {
        let body = json!({ "v": 9, "events": [{ "id": "x" }, { "no": 1 }, { "id": ID }] });
        assert_eq!(event_ids(&body), vec!["x".to_string(), ID.to_string()]);
        assert!(event_ids(&json!("nope")).is_empty());
    }
}
