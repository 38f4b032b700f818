//! Event and session ids: random (version 4) UUIDs from 16 bytes of `crypto.getRandomValues`.

use crate::json::hex_digit;
use alloc::string::String;

/// Formats 16 random bytes as a lowercase version-4 UUID (RFC 9562 §5.4): the version nibble
/// and the variant bits are set, the other 122 bits are the caller's randomness.
pub fn uuid_v4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(hex_digit(b >> 4));
        out.push(hex_digit(b & 0xf));
    }
    out
}

/// Whether `s` is a lowercase version-4 UUID as [`uuid_v4`] writes them (used to check a
/// session id read back from storage, which the page could have changed).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_version_and_variant() {
        assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
        assert_eq!(uuid_v4([0xff; 16]), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let id = uuid_v4([
            0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc,
            0xde, 0xf0,
        ]);
        assert_eq!(id, "12345678-9abc-4ef0-9234-56789abcdef0");
        assert!(is_uuid_v4(&id));
    }

    #[test]
    fn rejects_what_is_not_a_v4_uuid() {
        assert!(!is_uuid_v4(""));
        assert!(!is_uuid_v4("12345678-9abc-1ef0-9234-56789abcdef0"));
        assert!(!is_uuid_v4("12345678-9ABC-4ef0-9234-56789abcdef0"));
        assert!(!is_uuid_v4("12345678-9abc-4ef0-c234-56789abcdef0"));
        assert!(!is_uuid_v4("12345678x9abc-4ef0-9234-56789abcdef0"));
    }
}
