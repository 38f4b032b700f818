//! The JS ↔ wasm protocol (js/PROTOCOL.md) against the Rust side: the customData shape's
//! constants and examples, the verdict codes in order, and the names used in the browser. The
//! same document is checked against js/host.js, the glue and the real wasm by
//! tests/npm/protocol.test.mjs, so the two sides cannot drift apart unnoticed.

use rtp_tag::values::{from_shape, shape, Field, RawValues};

const DOC: &str = include_str!("../js/PROTOCOL.md");

/// The rows of the first table after `heading`, as trimmed cells with backquotes removed.
fn table(heading: &str) -> Vec<Vec<String>> {
    let start = DOC
        .find(heading)
        .unwrap_or_else(|| panic!("PROTOCOL.md has no {heading}"));
    let rows: Vec<Vec<String>> = DOC[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2) // the header and its rule
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').collect();
            cells
                .iter()
                .map(|c| c.trim().trim_matches('`').to_string())
                .collect()
        })
        .collect();
    assert!(!rows.is_empty(), "the table after {heading} is empty");
    rows
}

#[test]
fn shape_constants_are_the_documented_ones() {
    let rows = table("## customData shape");
    let names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        names,
        [
            "MISSING",
            "UNREADABLE",
            "TOO_MANY",
            "COUNT_MASK",
            "FIELD_SHIFT",
            "NOT_TEXT",
            "TOO_LONG",
            "BROKEN_TEXT"
        ]
    );
    for r in &rows {
        let value = match r[0].as_str() {
            "MISSING" => shape::MISSING,
            "UNREADABLE" => shape::UNREADABLE,
            "TOO_MANY" => shape::TOO_MANY,
            "COUNT_MASK" => shape::COUNT_MASK,
            "FIELD_SHIFT" => shape::FIELD_SHIFT,
            "NOT_TEXT" => shape::NOT_TEXT,
            "TOO_LONG" => shape::TOO_LONG,
            "BROKEN_TEXT" => shape::BROKEN_TEXT,
            other => panic!("undocumented in the test: {other}"),
        };
        assert_eq!(r[1], value.to_string(), "{}", r[0]);
    }
}

/// `[34,"a"]` as read() returns it: the shape and the strings.
fn parse_read(json: &str) -> (u32, [Option<String>; 4]) {
    let inner = json.trim_start_matches('[').trim_end_matches(']');
    let mut parts = inner.split(',');
    let shape = parts.next().unwrap().parse().unwrap();
    let mut texts: [Option<String>; 4] = Default::default();
    for (i, p) in parts.enumerate() {
        texts[i] = Some(p.trim_matches('"').to_string());
    }
    (shape, texts)
}

fn describe(raw: &RawValues) -> String {
    match raw {
        RawValues::Missing => "Missing".into(),
        RawValues::Unreadable => "Unreadable".into(),
        RawValues::TooMany => "TooMany".into(),
        RawValues::Fields(f) if f.is_empty() => "(no fields)".into(),
        RawValues::Fields(f) => f
            .iter()
            .map(|f| match f {
                Field::Text(t) => format!("Text({t})"),
                Field::NotText => "NotText".into(),
                Field::TooLong => "TooLong".into(),
                Field::BrokenText => "BrokenText".into(),
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

#[test]
fn the_documented_examples_decode_as_documented() {
    let rows = table("Examples (");
    assert!(rows.len() >= 10);
    for r in &rows {
        let (s, texts) = parse_read(&r[1]);
        assert_eq!(
            describe(&from_shape(s, texts)),
            r[2],
            "read({}) = {}",
            r[0],
            r[1]
        );
    }
}

#[test]
fn verdict_codes_are_in_the_documented_order() {
    let rows = table("## Verdicts");
    let documented: Vec<String> = rows.iter().map(|r| r[1].clone()).collect();
    let codes = rtp_tag::verdict::codes();
    let ours: Vec<&str> = codes.split(' ').collect();
    assert_eq!(ours, documented);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r[0], i.to_string());
    }
}

#[test]
fn names_in_the_browser_are_the_documented_ones() {
    for r in table("## Names in the browser") {
        let ours = match r[0].as_str() {
            "LOCK_PREFIX" => rtp_tag::locks::LOCK_PREFIX,
            "CLAIM_LOCK" => rtp_tag::locks::CLAIM_LOCK,
            "QUEUE_PREFIX" => rtp_tag::kept::QUEUE_PREFIX,
            "KEY_PREFIX" => rtp_tag::record::KEY_PREFIX,
            "PROBE_KEY" => "rtp:t", // the loader's alone: checked in tests/npm/protocol.test.mjs
            other => panic!("undocumented in the test: {other}"),
        };
        assert_eq!(r[1], ours, "{}", r[0]);
    }
}

#[test]
fn the_documented_handoffs_read_as_documented() {
    let rows = table("| example handoff |");
    assert_eq!(rows.len(), 3);
    let full = rtp_tag::handoff::read(&rows[0][0]).expect("the first example reads");
    assert_eq!((full.limited, full.warned, full.evicted), (0, false, 0));
    assert_eq!(full.owner, "0123456789abcdef");
    let mut bucket = full.limiter;
    assert!((0..rtp_tag::rate::BURST).all(|_| bucket.take(1_700_000_000_000)));
    let empty = rtp_tag::handoff::read(&rows[1][0]).expect("the second example reads");
    assert_eq!((empty.limited, empty.warned), (3, true));
    let mut bucket = empty.limiter;
    assert!(!bucket.take(1_700_000_000_000));
    let evicted = rtp_tag::handoff::read(&rows[2][0]).expect("the third example reads");
    assert_eq!((evicted.limited, evicted.evicted), (0, 200));
}
