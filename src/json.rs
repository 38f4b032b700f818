//! A minimal JSON writer: just what the event envelope needs (strings, unsigned integers).
//!
//! Hand-written instead of serde_json because every byte of the wasm is paid by every visitor:
//! this is a few hundred bytes, and it never touches `core::fmt`.

use alloc::string::String;
/// Appends `s` as a JSON string literal (RFC 8259 §7): quotes, backslash and control
/// characters are escaped; everything else is copied as UTF-8.
pub fn push_str(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        // `i` and `start` sit next to ASCII bytes, so they are char boundaries: `get` never fails.
        out.push_str(s.get(start..i).unwrap_or_default());
        if esc.is_empty() {
            out.push_str("\\u00");
            out.push(hex_digit(b >> 4));
            out.push(hex_digit(b & 0xf));
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

/// Appends `n` in decimal. Digits into a buffer from the last, by division by the constant 10
/// (a multiplication in the wasm; dividing by a variable power of ten cost 0.7 µs per event in
/// the profile); `get_mut` / `get`, so no bounds-check panic path.
pub fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1; // u64::MAX has 20 digits: never below 0
        if let Some(d) = buf.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in buf.get(i..).unwrap_or_default() {
        out.push(d as char);
    }
}

/// Reads a non-empty run of ASCII digits as a `u64`; `None` for anything else or on overflow.
/// The reader for what [`push_u64`] writes (persisted records, `Retry-After`).
pub fn parse_u64(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for b in s.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add((b - b'0') as u64)?;
    }
    Some(n)
}

/// Appends `n` as 16 lowercase hexadecimal digits.
pub fn push_hex_u64(out: &mut String, n: u64) {
    for shift in (0..16).rev() {
        out.push(hex_digit(((n >> (shift * 4)) & 0xf) as u8));
    }
}

/// A lowercase hexadecimal digit for `n < 16`.
pub fn hex_digit(n: u8) -> char {
    (if n < 10 { b'0' + n } else { b'a' + n - 10 }) as char
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> String {
        let mut out = String::new();
        push_str(&mut out, x);
        out
    }

    #[test]
    fn hex_u64_is_sixteen_lowercase_digits() {
        let mut out = String::new();
        push_hex_u64(&mut out, 0x1f);
        push_hex_u64(&mut out, u64::MAX);
        assert_eq!(out, "000000000000001fffffffffffffffff");
    }

    #[test]
    fn plain_text_is_quoted() {
        assert_eq!(
            s("download - example whitepaper"),
            "\"download - example whitepaper\""
        );
    }

    #[test]
    fn quotes_backslashes_and_controls_are_escaped() {
        assert_eq!(s("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(s("\n\r\t"), "\"\\n\\r\\t\"");
        assert_eq!(s("\u{0}\u{1f}"), "\"\\u0000\\u001f\"");
    }

    #[test]
    fn non_ascii_is_kept_as_utf8() {
        assert_eq!(s("é😀\u{2028}"), "\"é😀\u{2028}\"");
    }

    #[test]
    fn parse_u64_reads_what_push_u64_writes_and_nothing_else() {
        for n in [0, 7, 1_732_456_789_012, u64::MAX] {
            let mut out = String::new();
            push_u64(&mut out, n);
            assert_eq!(parse_u64(&out), Some(n));
        }
        for bad in [
            "",
            "-1",
            "+1",
            "1.0",
            " 1",
            "1 ",
            "18446744073709551616",
            "１",
        ] {
            assert_eq!(parse_u64(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn integers_are_decimal() {
        let mut out = String::new();
        push_u64(&mut out, 0);
        out.push(',');
        push_u64(&mut out, 1_732_456_789_012);
        out.push(',');
        push_u64(&mut out, u64::MAX);
        assert_eq!(out, "0,1732456789012,18446744073709551615");
    }
}
