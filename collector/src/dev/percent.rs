//! Percent-decoding of URL paths and query values (RFC 3986 §2.1).

/// Decodes `%XX` escapes (and `+` as space in query strings). Malformed escapes are kept
/// literally; `None` when the result is not UTF-8.
pub fn percent_decode(s: &str, plus_as_space: bool) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_as_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The first value of a query parameter, percent-decoded (`+` as space).
pub fn query_param(query: &str, name: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k, true)? == name).then(|| percent_decode(v, true))?
        })
        .next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decode_keeps_malformed_escapes_and_rejects_bad_utf8() {
        assert_eq!(
            percent_decode("%2e%2E/%zz%", false).as_deref(),
            Some("../%zz%")
        );
        assert_eq!(percent_decode("a+b", false).as_deref(), Some("a+b"));
        assert_eq!(percent_decode("%ff", false), None);
    }

    #[test]
    fn query_params_are_percent_decoded() {
        let q = "since=3&session=a%2Db+c";
        assert_eq!(query_param(q, "since").as_deref(), Some("3"));
        assert_eq!(query_param(q, "session").as_deref(), Some("a-b c"));
        assert_eq!(query_param(q, "missing"), None);
    }
}
