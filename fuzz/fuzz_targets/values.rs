//! `customData.value` validation (`rtp_tag::values::validate`) against an independent oracle.
//!
//! Input (text, so that seeds are readable): `!missing`, `!unreadable` or `!toomany` for the
//! `RawValues` without fields; otherwise the fields, separated by NUL bytes. A field that is
//! exactly `\x01` is `Field::TooLong` (a string the edge did not copy), `\x02` is
//! `Field::BrokenText` (a lone surrogate), `\x03` is `Field::NotText`; anything else is the text.
//!
//! Checked: `validate` never panics and gives exactly what the README's rules give (1 to 4
//! strings, each at most 255 UTF-16 code units and not blank as JavaScript's `trim()` sees
//! it; the first bad field decides the rejection); an accepted call keeps its values in order.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtp_tag::values::{validate, Field, RawValues, MAX_VALUES, MAX_VALUE_LEN};
use rtp_tag::verdict::Rejection;

/// What JavaScript's `String.prototype.trim` removes (ECMA-262 WhiteSpace and LineTerminator:
/// TAB, VT, FF, ZWNBSP, every `Zs`, LF, CR, LS, PS). Written out, not `char::is_whitespace`.
fn js_trimmed(c: char) -> bool {
    matches!(
        c,
        '\u{9}' | '\u{b}' | '\u{c}' | '\u{feff}' | '\u{a}' | '\u{d}' | '\u{2028}' | '\u{2029}'
            // Unicode 15/16 category Zs.
            | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
    )
}

fn expected(raw: &RawValues) -> Result<Vec<String>, Rejection> {
    let fields = match raw {
        RawValues::Missing => return Err(Rejection::MissingValue),
        RawValues::Unreadable => return Err(Rejection::UnreadableData),
        RawValues::TooMany => return Err(Rejection::TooManyValues),
        RawValues::Fields(f) => f,
    };
    if fields.is_empty() {
        return Err(Rejection::NoValues);
    }
    if fields.len() > MAX_VALUES {
        return Err(Rejection::TooManyValues);
    }
    let mut out = Vec::new();
    for f in fields {
        match f {
            Field::Text(s) if s.chars().all(js_trimmed) => return Err(Rejection::EmptyValue),
            Field::Text(s) if s.encode_utf16().count() > MAX_VALUE_LEN => {
                return Err(Rejection::ValueTooLong)
            }
            Field::Text(s) => out.push(s.clone()),
            Field::TooLong => return Err(Rejection::ValueTooLong),
            Field::BrokenText => return Err(Rejection::InvalidText),
            Field::NotText => return Err(Rejection::NotAString),
        }
    }
    Ok(out)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let raw = match text {
        "!missing" => RawValues::Missing,
        "!unreadable" => RawValues::Unreadable,
        "!toomany" => RawValues::TooMany,
        _ if text.is_empty() => RawValues::Fields(Vec::new()),
        _ => RawValues::Fields(
            text.split('\0')
                .map(|f| match f {
                    "\x01" => Field::TooLong,
                    "\x02" => Field::BrokenText,
                    "\x03" => Field::NotText,
                    s => Field::Text(s.to_owned()),
                })
                .collect(),
        ),
    };
    let want = expected(&raw);
    let got = validate(raw.clone());
    match (&got, &want) {
        (Ok(v), Ok(w)) => {
            assert_eq!(v.as_slice(), w.as_slice(), "{raw:?}");
            assert!((1..=MAX_VALUES).contains(&v.as_slice().len()));
            // The fingerprint is a function of the values alone.
            assert_eq!(
                v.fingerprint(),
                validate(raw.clone()).unwrap().fingerprint()
            );
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "{raw:?}"),
        _ => panic!("validate({raw:?}) = {got:?}, the rules say {want:?}"),
    }
});
