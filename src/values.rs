//! `customData.value` validation: a string or an array of 1 to 4 strings.
//!
//! The browser edge reads the JavaScript value into [`Field`]s (it checks length and Unicode
//! validity before copying a string into the wasm, so a 1 MB string is never copied); this
//! module decides, in plain Rust.

use crate::verdict::Rejection;
use alloc::string::String;
use alloc::vec::Vec;

/// At most this many values per call (the RTP tag's documented limit). To send more, call again.
pub const MAX_VALUES: usize = 4;

/// At most this many UTF-16 code units per value (JavaScript's `String.length`).
/// Custom data values are campaign-rule labels; 255 is the common limit for such fields
/// (and keeps the worst-case event far below the 64 KiB beacon budget).
pub const MAX_VALUE_LEN: usize = 255;

/// One element of `customData.value`, as read by the browser edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Field {
    /// A string of at most [`MAX_VALUE_LEN`] code units, copied.
    Text(String),
    /// A string longer than [`MAX_VALUE_LEN`] code units (not copied).
    TooLong,
    /// A string with a lone surrogate (not copied).
    BrokenText,
    /// Anything else: number, object, `null`, `undefined`, a hole in an array, …
    NotText,
}

/// What the browser edge found in `customData`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawValues {
    /// No `customData`, or an object without `value`.
    Missing,
    /// Reading `value` threw.
    Unreadable,
    /// An array longer than [`MAX_VALUES`] (its elements were not read).
    TooMany,
    /// A single string, or the elements of an array, in order.
    Fields(Vec<Field>),
}

/// `customData` as `read()` in js/host.js describes it to the wasm's `event()` (one crossing
/// per call): a `shape` number and the strings it copied. The format is the JS ↔ wasm protocol
/// (js/PROTOCOL.md, "customData shape"), checked against that document on both sides.
pub mod shape {
    /// No value: `customData` or its `value` is missing, `undefined` or `null`.
    pub const MISSING: u32 = 8;
    /// Reading `customData` or `value` threw.
    pub const UNREADABLE: u32 = 16;
    /// An array of more than 4 values (none read).
    pub const TOO_MANY: u32 = 24;
    /// The low bits: how many values (0 to 4).
    pub const COUNT_MASK: u32 = 7;
    /// Value `i`'s 2 bits start at bit `FIELD_SHIFT + 2 i`; 0 means a string copied.
    pub const FIELD_SHIFT: u32 = 3;
    /// Value `i` is not a string.
    pub const NOT_TEXT: u32 = 1;
    /// Value `i` is a string of more than 255 UTF-16 units (not copied).
    pub const TOO_LONG: u32 = 2;
    /// Value `i` is a string with a lone surrogate (not copied).
    pub const BROKEN_TEXT: u32 = 3;
}

/// Decodes what `read()` found (see [`shape`]) into [`RawValues`]; what it means is decided by
/// [`validate`].
pub fn from_shape(s: u32, texts: [Option<String>; MAX_VALUES]) -> RawValues {
    match s {
        shape::MISSING => return RawValues::Missing,
        shape::UNREADABLE => return RawValues::Unreadable,
        shape::TOO_MANY => return RawValues::TooMany,
        _ => {}
    }
    let n = (s & shape::COUNT_MASK) as usize;
    let mut fields = Vec::with_capacity(n);
    for (i, text) in texts.into_iter().enumerate().take(n) {
        fields.push(match (s >> (shape::FIELD_SHIFT + 2 * i as u32)) & 3 {
            0 => text.map_or(Field::NotText, Field::Text),
            shape::NOT_TEXT => Field::NotText,
            shape::TOO_LONG => Field::TooLong,
            _ => Field::BrokenText,
        });
    }
    RawValues::Fields(fields)
}

/// Validated values: 1 to 4 non-blank strings, in the order given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Values(Vec<String>);

impl Values {
    /// The values, in order.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// A 64-bit FNV-1a hash of the values' UTF-8 bytes in order, each followed by the byte
    /// 0xFF, which never occurs in UTF-8: `["a", "b"]` and `["a\u{1f}b"]` hash differently.
    /// The session ledger stores this, not the values.
    pub fn fingerprint(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for v in &self.0 {
            for b in v.bytes().chain(core::iter::once(0xff)) {
                h ^= b as u64;
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        h
    }
}

/// Decides whether `raw` is a valid `customData.value`.
pub fn validate(raw: RawValues) -> Result<Values, Rejection> {
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
    let mut out = Vec::with_capacity(fields.len());
    for f in fields {
        match f {
            Field::Text(s) if is_blank(&s) => return Err(Rejection::EmptyValue),
            Field::Text(s) if utf16_len(&s) > MAX_VALUE_LEN => return Err(Rejection::ValueTooLong),
            Field::Text(s) => out.push(s),
            Field::TooLong => return Err(Rejection::ValueTooLong),
            Field::BrokenText => return Err(Rejection::InvalidText),
            Field::NotText => return Err(Rejection::NotAString),
        }
    }
    Ok(Values(out))
}

/// Empty, or only what JavaScript's `String.prototype.trim` removes: Unicode white space and
/// U+FEFF (which Rust's `trim` keeps), but not U+0085 (NEL: Unicode white space, which
/// JavaScript keeps).
pub fn is_blank(s: &str) -> bool {
    s.chars()
        .all(|c| (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}')
}

/// Length in UTF-16 code units, as JavaScript counts it.
pub fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Field {
        Field::Text(s.into())
    }

    #[test]
    fn one_string_is_one_value() {
        let v = validate(RawValues::Fields(vec![text("MyEvent")])).unwrap();
        assert_eq!(v.as_slice(), ["MyEvent"]);
    }

    #[test]
    fn four_strings_keep_their_order() {
        let v = validate(RawValues::Fields(vec![
            text("d"),
            text("c"),
            text("b"),
            text("a"),
        ]))
        .unwrap();
        assert_eq!(v.as_slice(), ["d", "c", "b", "a"]);
    }

    #[test]
    fn five_values_are_too_many() {
        let five = vec![text("a"), text("b"), text("c"), text("d"), text("e")];
        assert_eq!(
            validate(RawValues::Fields(five)),
            Err(Rejection::TooManyValues)
        );
        assert_eq!(validate(RawValues::TooMany), Err(Rejection::TooManyValues));
    }

    #[test]
    fn empty_and_blank_strings_are_rejected() {
        assert_eq!(
            validate(RawValues::Fields(vec![text("")])),
            Err(Rejection::EmptyValue)
        );
        assert_eq!(
            validate(RawValues::Fields(vec![text("a"), text(" \t\n")])),
            Err(Rejection::EmptyValue)
        );
        // JavaScript's trim() also removes the byte order mark; Rust's does not.
        assert_eq!(
            validate(RawValues::Fields(vec![text("\u{feff} \u{a0}")])),
            Err(Rejection::EmptyValue)
        );
    }

    #[test]
    fn next_line_is_not_blank_because_javascript_trim_keeps_it() {
        // Found by `make fuzz` (target `values`, input bytes C2 85): U+0085 is Unicode white
        // space (`char::is_whitespace`) but not ECMAScript WhiteSpace or LineTerminator, so
        // `"\u0085".trim()` is not empty in JavaScript.
        assert!(validate(RawValues::Fields(vec![text("\u{85}")])).is_ok());
        assert!(!is_blank("\u{85}"));
        assert!(is_blank(" \u{a0}\u{2028}\u{3000}\u{feff}"));
    }

    #[test]
    fn a_non_string_anywhere_rejects_the_call() {
        assert_eq!(
            validate(RawValues::Fields(vec![text("a"), Field::NotText])),
            Err(Rejection::NotAString)
        );
    }

    #[test]
    fn empty_array_and_missing_value_are_rejected() {
        assert_eq!(
            validate(RawValues::Fields(vec![])),
            Err(Rejection::NoValues)
        );
        assert_eq!(validate(RawValues::Missing), Err(Rejection::MissingValue));
        assert_eq!(
            validate(RawValues::Unreadable),
            Err(Rejection::UnreadableData)
        );
    }

    #[test]
    fn length_limit_counts_utf16_code_units() {
        let ok = "x".repeat(MAX_VALUE_LEN);
        assert!(validate(RawValues::Fields(vec![text(&ok)])).is_ok());
        let long = "x".repeat(MAX_VALUE_LEN + 1);
        assert_eq!(
            validate(RawValues::Fields(vec![text(&long)])),
            Err(Rejection::ValueTooLong)
        );
        // Each emoji is two UTF-16 code units: 128 of them are 256 units.
        let emoji = "😀".repeat(128);
        assert_eq!(
            validate(RawValues::Fields(vec![text(&emoji)])),
            Err(Rejection::ValueTooLong)
        );
        let emoji_ok = "😀".repeat(127);
        assert!(validate(RawValues::Fields(vec![text(&emoji_ok)])).is_ok());
        assert_eq!(
            validate(RawValues::Fields(vec![Field::TooLong])),
            Err(Rejection::ValueTooLong)
        );
        assert_eq!(
            validate(RawValues::Fields(vec![Field::BrokenText])),
            Err(Rejection::InvalidText)
        );
    }

    #[test]
    fn fingerprint_distinguishes_order_and_boundaries() {
        let fp = |xs: &[&str]| {
            validate(RawValues::Fields(xs.iter().map(|s| text(s)).collect()))
                .unwrap()
                .fingerprint()
        };
        assert_eq!(fp(&["a", "b"]), fp(&["a", "b"]));
        assert_ne!(fp(&["a", "b"]), fp(&["b", "a"]));
        assert_ne!(fp(&["ab"]), fp(&["a", "b"]));
        assert_ne!(fp(&["a"]), fp(&["a", "a"]));
        // A value may contain any separator a text could hold; 0xFF is not text.
        assert_ne!(fp(&["a\u{1f}b"]), fp(&["a", "b"]));
    }
}
