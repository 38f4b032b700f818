//! Which collector endpoints the tag sends to: `https:` URLs, or `http:` on the loopback host
//! (`localhost`, `127.x.x.x`, `[::1]`), so that events (visitor session ids, page URLs) never
//! cross a network in clear text. A relative endpoint (`/collect`, `//host/collect`) takes the
//! page's scheme and host, as `fetch` resolves it. An endpoint with a user name or password is
//! refused too: `fetch` throws on such a URL, and credentials are never sent.
//!
//! Only the scheme and the host are read; the browser parses the rest when it sends.

use crate::verdict::Rejection;

/// `Ok` when events may be sent to `endpoint` from the page at `page` (its URL).
/// By hand, byte by byte: `str::find`, `split` and `parse` bring `memchr`, UTF-8 and panic
/// paths into the wasm.
pub fn check(endpoint: &str, page: &str) -> Result<(), Rejection> {
    // Browsers drop tabs and newlines, trim spaces and controls, and read `\` as `/` in http(s)
    // URLs: any of them could hide a host (`/\evil.example`, found by `make fuzz`). None belongs
    // in a collector URL.
    for b in endpoint.bytes() {
        if b <= b' ' || b == b'\\' {
            return Err(Rejection::BadEndpoint);
        }
    }
    // A scheme is what comes before a colon that precedes any `/`, `?` or `#`.
    let has_scheme = endpoint.as_bytes().get(until(endpoint, b":/?#")) == Some(&b':');
    let (https, rest) = if has_scheme {
        scheme(endpoint)?
    } else {
        // Relative: the page's scheme; and its host, unless the endpoint names one (`//host`).
        let (https, page_rest) = scheme(page)?;
        (
            https,
            if endpoint.starts_with("//") {
                endpoint
            } else {
                page_rest
            },
        )
    };
    let authority = rest.strip_prefix("//").ok_or(Rejection::BadEndpoint)?;
    let authority = authority.get(..until(authority, b"/?#\\")).unwrap_or("");
    if authority.is_empty() || until(authority, b"@") < authority.len() {
        return Err(Rejection::BadEndpoint);
    }
    if https || is_loopback(host(authority)) {
        Ok(())
    } else {
        Err(Rejection::InsecureEndpoint)
    }
}

/// Whether `url` is `https:` (or else `http:`), and what follows the colon.
fn scheme(url: &str) -> Result<(bool, &str), Rejection> {
    for (https, name) in [(true, "https:"), (false, "http:")] {
        if let Some(head) = url.get(..name.len()) {
            if head.eq_ignore_ascii_case(name) {
                return Ok((https, url.get(name.len()..).unwrap_or("")));
            }
        }
    }
    Err(Rejection::InsecureEndpoint)
}

/// The index of the first byte of `s` that is one of `stops`, or its length.
fn until(s: &str, stops: &[u8]) -> usize {
    for (i, b) in s.bytes().enumerate() {
        for &stop in stops {
            if b == stop {
                return i;
            }
        }
    }
    s.len()
}

/// The host of an authority (`host[:port]`, `[v6]:port`).
fn host(authority: &str) -> &str {
    let end = if authority.as_bytes().first() == Some(&b'[') {
        until(authority, b"]") + 1
    } else {
        until(authority, b":")
    };
    authority.get(..end).unwrap_or(authority)
}

fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") || host == "[::1]" {
        return true;
    }
    // 127.0.0.0/8, as four decimal numbers of at most 255.
    let Some(rest) = host.strip_prefix("127.") else {
        return false;
    };
    let (mut dots, mut value, mut digits) = (0, 0u32, 0);
    for b in rest.bytes() {
        if b == b'.' && digits > 0 && value <= 255 {
            dots += 1;
            (value, digits) = (0, 0);
        } else if b.is_ascii_digit() && digits < 3 {
            value = value * 10 + u32::from(b - b'0');
            digits += 1;
        } else {
            return false;
        }
    }
    dots == 2 && digits > 0 && value <= 255
}

#[cfg(test)]
mod tests {
    use super::*;

    const HTTPS_PAGE: &str = "https://www.example.com/pricing?x=1";
    const HTTP_PAGE: &str = "http://www.example.com/";
    const LOCAL_PAGE: &str = "http://127.0.0.1:8787/examples/";

    #[test]
    fn https_endpoints_are_allowed_from_any_page() {
        for page in [HTTPS_PAGE, HTTP_PAGE, LOCAL_PAGE] {
            assert_eq!(check("https://collect.example.com/rtp", page), Ok(()));
            assert_eq!(
                check("HTTPS://collect.example.com:8443/rtp?k=v", page),
                Ok(())
            );
            assert_eq!(check("//collect.example.com/rtp", HTTPS_PAGE), Ok(()));
        }
    }

    #[test]
    fn http_is_allowed_on_loopback_only() {
        for ok in [
            "http://127.0.0.1:8787/collect",
            "http://localhost/collect",
            "http://LOCALHOST:3000",
            "http://[::1]:8080/c",
            "http://127.255.0.9/c",
        ] {
            assert_eq!(check(ok, HTTPS_PAGE), Ok(()), "{ok}");
        }
        for insecure in [
            "http://collect.example.com/rtp",
            "http://128.0.0.1/c",
            "http://127.0.0.1.example.com/c",
            "http://localhost.example.com/c",
            "http://127.0.0/c",
            "http://127.0.0.1.5/c",
            "http://[::2]/c",
            "ftp://127.0.0.1/c",
            "javascript:alert(1)",
            "data:text/plain,x",
        ] {
            assert_eq!(
                check(insecure, HTTPS_PAGE),
                Err(Rejection::InsecureEndpoint),
                "{insecure}"
            );
        }
    }

    #[test]
    fn a_relative_endpoint_takes_the_pages_scheme_and_host() {
        assert_eq!(check("/collect", HTTPS_PAGE), Ok(()));
        assert_eq!(check("collect", HTTPS_PAGE), Ok(()));
        assert_eq!(check("/collect", LOCAL_PAGE), Ok(()));
        assert_eq!(check("/collect", "http://localhost:5173/app"), Ok(()));
        assert_eq!(
            check("/collect", HTTP_PAGE),
            Err(Rejection::InsecureEndpoint)
        );
        assert_eq!(check("//127.0.0.1:8787/collect", HTTP_PAGE), Ok(()));
        assert_eq!(
            check("//collect.example.com/rtp", HTTP_PAGE),
            Err(Rejection::InsecureEndpoint)
        );
        assert_eq!(
            check("/collect", "about:blank"),
            Err(Rejection::InsecureEndpoint)
        );
        assert_eq!(
            check("/collect", "not a url"),
            Err(Rejection::InsecureEndpoint)
        );
        assert_eq!(
            check("http://127.300.0.1/c", HTTPS_PAGE),
            Err(Rejection::InsecureEndpoint)
        );
        assert_eq!(
            check("http://127.0.0.256/c", HTTPS_PAGE),
            Err(Rejection::InsecureEndpoint)
        );
    }

    /// Found by `make fuzz` (target `config`; first input `\\7.0.0.87/co1:8787/collect` on
    /// the page `http://127.0.0.1///////////`). Browsers (the WHATWG URL parser) read `\` as `/`
    /// in `http:` and `https:` URLs, and remove tabs and newlines anywhere in a URL, so each of
    /// these relative endpoints names another host, which `fetch` reaches over plain `http:`
    /// (or with credentials). `check` now refuses any such byte.
    #[test]
    fn backslashes_and_tabs_do_not_smuggle_a_host_into_a_relative_endpoint() {
        for (endpoint, page) in [
            ("\\\\evil.example/c", LOCAL_PAGE), // \\evil.example/c -> http://evil.example/c
            ("/\\evil.example/c", LOCAL_PAGE),  // /\evil.example/c  -> http://evil.example/c
            ("\\/evil.example/c", "http://[::1]/"), // \/evil.example/c  -> http://evil.example/c
            ("/\t/evil.example/c", "http://localhost:5173/"), // tab removed -> //evil.example/c
            ("/\n/evil.example/c", LOCAL_PAGE),
        ] {
            assert!(check(endpoint, page).is_err(), "{endpoint:?} on {page}");
        }
        // On an https page the host is another one but the scheme stays https; with credentials
        // `fetch` throws.
        assert!(check("/\\user:pw@evil.example/c", HTTPS_PAGE).is_err());
    }

    #[test]
    fn credentials_and_hostless_urls_are_refused() {
        assert_eq!(
            check("https://user:pw@collect.example.com/rtp", HTTPS_PAGE),
            Err(Rejection::BadEndpoint)
        );
        assert_eq!(
            check("https://user@collect.example.com/rtp", HTTPS_PAGE),
            Err(Rejection::BadEndpoint)
        );
        assert_eq!(
            check("https:///rtp", HTTPS_PAGE),
            Err(Rejection::BadEndpoint)
        );
        assert_eq!(
            check("https:collect.example.com", HTTPS_PAGE),
            Err(Rejection::BadEndpoint)
        );
        // A path with an @ is not a credential.
        assert_eq!(check("https://collect.example.com/a@b", HTTPS_PAGE), Ok(()));
    }
}
