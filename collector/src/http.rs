//! HTTP/1.1 framing: exactly what browsers and the tests send. A request head, an optional
//! `Content-Length` body, keep-alive. Chunked request bodies are refused (501): browsers
//! send `Content-Length` for string bodies, including `sendBeacon` and keepalive `fetch`.

use std::io::{self, BufRead, Read, Write};

/// Longest request head (request line + headers) accepted, in bytes.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Most header lines accepted in one request.
const MAX_HEADERS: usize = 100;

/// A request line and its headers; the body is read separately (see [`read_body`]) so the
/// server can answer `Expect: 100-continue` or refuse an oversized body without reading it.
#[derive(Debug, Clone)]
pub struct Head {
    /// `GET`, `POST`, ... as sent.
    pub method: String,
    /// The request target as sent, query string included.
    pub target: String,
    /// The target before `?`, still percent-encoded.
    pub path: String,
    /// The target after `?`, or empty.
    pub query: String,
    /// `HTTP/1.1` (keep-alive by default) rather than `HTTP/1.0`.
    pub http_1_1: bool,
    /// Header names lowercased, values trimmed, in the order sent.
    pub headers: Vec<(String, String)>,
}

/// A request body: read, or refused unread because its declared length is over the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// The body bytes.
    Bytes(Vec<u8>),
    /// The declared `Content-Length`, over the limit; the bytes were not read.
    TooLarge(u64),
}

/// Why a request could not be framed. Each maps to one status and a static message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpError {
    /// The head did not fit in [`MAX_HEAD_BYTES`] or had too many header lines.
    HeadTooLarge,
    /// Not `METHOD SP target SP HTTP/x.y`.
    BadRequestLine,
    /// Only HTTP/1.0 and HTTP/1.1 are spoken.
    UnsupportedVersion,
    /// A header line without a colon, with an empty name or a folded continuation.
    BadHeader,
    /// `Content-Length` not a number, or several that disagree.
    BadContentLength,
    /// `Transfer-Encoding` (chunked) bodies are not supported.
    UnsupportedTransferEncoding,
}

impl HttpError {
    /// The status to answer with.
    pub fn status(self) -> u16 {
        match self {
            HttpError::HeadTooLarge => 431,
            HttpError::BadRequestLine | HttpError::BadHeader | HttpError::BadContentLength => 400,
            HttpError::UnsupportedVersion => 505,
            HttpError::UnsupportedTransferEncoding => 501,
        }
    }

    /// A short human reason.
    pub fn message(self) -> &'static str {
        match self {
            HttpError::HeadTooLarge => "request head too large",
            HttpError::BadRequestLine => "malformed request line",
            HttpError::UnsupportedVersion => "only HTTP/1.0 and HTTP/1.1 are supported",
            HttpError::BadHeader => "malformed header line",
            HttpError::BadContentLength => "invalid Content-Length",
            HttpError::UnsupportedTransferEncoding => {
                "Transfer-Encoding bodies are not supported; send Content-Length"
            }
        }
    }
}

/// Why no request could be read from a connection.
#[derive(Debug)]
pub enum ReadError {
    /// The peer closed (or went idle past the timeout) between requests: not an error.
    Closed,
    /// The socket failed mid-request.
    Io(io::Error),
    /// The bytes were not a request we accept; answer and close.
    Http(HttpError),
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        ReadError::Io(e)
    }
}

impl Head {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the client wants the connection kept open after this exchange
    /// (RFC 9112 §9.3: the default is persistent for 1.1, close for 1.0).
    pub fn wants_keep_alive(&self) -> bool {
        let connection = self.header("connection").unwrap_or("").to_ascii_lowercase();
        let has = |token: &str| connection.split(',').any(|t| t.trim() == token);
        if self.http_1_1 {
            !has("close")
        } else {
            has("keep-alive")
        }
    }

    /// The declared body length: 0 when absent; an error when invalid or when the body is
    /// framed some other way (Transfer-Encoding).
    pub fn content_length(&self) -> Result<u64, HttpError> {
        if self.header("transfer-encoding").is_some() {
            return Err(HttpError::UnsupportedTransferEncoding);
        }
        let mut length = None;
        for (_, value) in self.headers.iter().filter(|(n, _)| n == "content-length") {
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err(HttpError::BadContentLength);
            }
            let n: u64 = value.parse().map_err(|_| HttpError::BadContentLength)?;
            if length.is_some_and(|m| m != n) {
                return Err(HttpError::BadContentLength);
            }
            length = Some(n);
        }
        Ok(length.unwrap_or(0))
    }

    /// Whether the client waits for `100 Continue` before sending the body (curl does so for
    /// bodies over 1 KiB; browsers never do).
    pub fn expects_continue(&self) -> bool {
        self.header("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    }

    /// The first value of a query parameter, percent-decoded (`+` as space).
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query
            .split('&')
            .filter_map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (percent_decode(k, true)? == name).then(|| percent_decode(v, true))?
            })
            .next()
    }
}

/// Reads one request head. Blank lines before the request line are skipped (RFC 9112 §2.2).
pub fn read_head<R: BufRead>(reader: &mut R) -> Result<Head, ReadError> {
    let mut budget = MAX_HEAD_BYTES;
    let mut request_line = read_line(reader, &mut budget, true)?;
    while request_line.is_empty() {
        request_line = read_line(reader, &mut budget, true)?;
    }
    let (method, target, http_1_1) = parse_request_line(&request_line)?;

    let mut headers = Vec::new();
    loop {
        let line = read_line(reader, &mut budget, false)?;
        if line.is_empty() {
            break;
        }
        if headers.len() == MAX_HEADERS {
            return Err(ReadError::Http(HttpError::HeadTooLarge));
        }
        // A leading space or tab is obsolete line folding (RFC 9112 §5.2): refused.
        if line.starts_with([' ', '\t']) {
            return Err(ReadError::Http(HttpError::BadHeader));
        }
        let (name, value) = line
            .split_once(':')
            .ok_or(ReadError::Http(HttpError::BadHeader))?;
        if name.is_empty() || name.contains(|c: char| c.is_ascii_whitespace()) {
            return Err(ReadError::Http(HttpError::BadHeader));
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
    }

    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.clone(), String::new()),
    };
    Ok(Head {
        method,
        target,
        path,
        query,
        http_1_1,
        headers,
    })
}

/// Reads exactly `length` body bytes.
pub fn read_body<R: Read>(reader: &mut R, length: u64) -> io::Result<Vec<u8>> {
    let mut body = Vec::with_capacity(length.min(1 << 20) as usize);
    reader.take(length).read_to_end(&mut body)?;
    if (body.len() as u64) < length {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(body)
}

/// One line without its CR LF, counted against the head budget. A clean EOF before the
/// first byte of a request (`first`) is a normal close, anywhere else a truncated request.
fn read_line<R: BufRead>(
    reader: &mut R,
    budget: &mut usize,
    first: bool,
) -> Result<String, ReadError> {
    let mut line = Vec::new();
    let n = reader.take(*budget as u64).read_until(b'\n', &mut line);
    let n = match n {
        Ok(n) => n,
        // An idle keep-alive connection timing out between requests is a normal close.
        Err(e)
            if first
                && matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
        {
            return Err(ReadError::Closed)
        }
        Err(e) => return Err(ReadError::Io(e)),
    };
    if n == 0 && first {
        return Err(ReadError::Closed);
    }
    if !line.ends_with(b"\n") {
        return Err(if n == *budget {
            ReadError::Http(HttpError::HeadTooLarge)
        } else {
            ReadError::Io(io::ErrorKind::UnexpectedEof.into())
        });
    }
    *budget -= n;
    line.pop();
    if line.ends_with(b"\r") {
        line.pop();
    }
    String::from_utf8(line).map_err(|_| {
        ReadError::Http(if first {
            HttpError::BadRequestLine
        } else {
            HttpError::BadHeader
        })
    })
}

fn parse_request_line(line: &str) -> Result<(String, String, bool), ReadError> {
    let bad = ReadError::Http(HttpError::BadRequestLine);
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad);
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) || target.is_empty() {
        return Err(bad);
    }
    let http_1_1 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        v if v.starts_with("HTTP/") => return Err(ReadError::Http(HttpError::UnsupportedVersion)),
        _ => return Err(bad),
    };
    Ok((method.to_string(), target.to_string(), http_1_1))
}

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

/// An answer, written with `Content-Length` (never chunked).
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    headers: Vec<(String, String)>,
    /// The body bytes (left out on the wire for HEAD, 204 and 304).
    pub body: Vec<u8>,
}

impl Response {
    /// An empty answer.
    pub fn new(status: u16) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// A JSON answer.
    pub fn json(status: u16, value: &serde_json::Value) -> Response {
        let body = serde_json::to_vec(value).unwrap_or_default();
        Response {
            status,
            headers: Vec::new(),
            body,
        }
        .with_header("Content-Type", "application/json")
    }

    /// `{"error": reason}` with the given status.
    pub fn error(status: u16, reason: &str) -> Response {
        Response::json(status, &serde_json::json!({ "error": reason }))
    }

    /// The same answer with one header set (replacing any of the same name).
    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.set_header(name, value);
        self
    }

    /// Sets a header, replacing any of the same name (case-insensitive).
    pub fn set_header(&mut self, name: &str, value: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.to_string()));
    }

    /// The value of a header set on this answer.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Writes status line, headers and (unless `head_only`) the body. Framing headers
    /// (`Content-Length`, `Connection`) are always the server's own.
    pub fn write_to<W: Write>(
        &self,
        out: &mut W,
        head_only: bool,
        keep_alive: bool,
    ) -> io::Result<()> {
        let mut head = format!(
            "HTTP/1.1 {} {}\r\n",
            self.status,
            reason_phrase(self.status)
        );
        for (name, value) in &self.headers {
            if name.eq_ignore_ascii_case("content-length")
                || name.eq_ignore_ascii_case("connection")
            {
                continue;
            }
            head.push_str(name);
            head.push_str(": ");
            head.push_str(value);
            head.push_str("\r\n");
        }
        // RFC 9110 §8.6: no Content-Length on 1xx or 204.
        let bodiless = self.status < 200 || self.status == 204 || self.status == 304;
        if !bodiless {
            head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        head.push_str(if keep_alive {
            "Connection: keep-alive\r\n\r\n"
        } else {
            "Connection: close\r\n\r\n"
        });
        out.write_all(head.as_bytes())?;
        if !head_only && !bodiless {
            out.write_all(&self.body)?;
        }
        out.flush()
    }
}

/// The standard reason phrase of the statuses this server uses (others get a generic one).
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        s if s < 200 => "Informational",
        s if s < 300 => "Success",
        s if s < 400 => "Redirection",
        s if s < 500 => "Client Error",
        _ => "Server Error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn head(raw: &str) -> Result<Head, ReadError> {
        read_head(&mut Cursor::new(raw.as_bytes().to_vec()))
    }

    #[test]
    fn request_head_is_split_into_path_query_and_lowercased_headers() {
        let h = head("POST /x/collect?a=1 HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello").unwrap();
        assert_eq!(h.method, "POST");
        assert_eq!(h.path, "/x/collect");
        assert_eq!(h.query, "a=1");
        assert_eq!(h.header("CONTENT-TYPE"), Some("text/plain"));
        assert_eq!(h.content_length(), Ok(5));
        assert!(h.wants_keep_alive());
    }

    #[test]
    fn http_1_0_closes_unless_asked_and_1_1_keeps_alive_unless_told() {
        assert!(!head("GET / HTTP/1.0\r\n\r\n").unwrap().wants_keep_alive());
        assert!(head("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            .unwrap()
            .wants_keep_alive());
        assert!(!head("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
            .unwrap()
            .wants_keep_alive());
    }

    #[test]
    fn eof_before_a_request_is_a_clean_close() {
        assert!(matches!(head(""), Err(ReadError::Closed)));
    }

    #[test]
    fn malformed_heads_are_refused_with_the_right_status() {
        let status = |raw: &str| match head(raw) {
            Err(ReadError::Http(e)) => e.status(),
            other => panic!("expected an HTTP error for {raw:?}, got {other:?}"),
        };
        assert_eq!(status("GARBAGE\r\n\r\n"), 400);
        assert_eq!(status("GET / HTTP/2.0\r\n\r\n"), 505);
        assert_eq!(status("GET / HTTP/1.1\r\nno colon\r\n\r\n"), 400);
        assert_eq!(status("GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n"), 400);
        let huge = format!(
            "GET / HTTP/1.1\r\nX: {}\r\n\r\n",
            "a".repeat(MAX_HEAD_BYTES)
        );
        assert_eq!(status(&huge), 431);
    }

    #[test]
    fn content_length_must_be_digits_and_chunked_is_not_supported() {
        let h = head("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n").unwrap();
        assert_eq!(h.content_length(), Err(HttpError::BadContentLength));
        let h = head("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n").unwrap();
        assert_eq!(h.content_length(), Err(HttpError::BadContentLength));
        let h = head("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").unwrap();
        assert_eq!(
            h.content_length(),
            Err(HttpError::UnsupportedTransferEncoding)
        );
        assert_eq!(
            head("GET / HTTP/1.1\r\n\r\n").unwrap().content_length(),
            Ok(0)
        );
    }

    #[test]
    fn query_params_are_percent_decoded() {
        let h = head("GET /events?since=3&session=a%2Db+c HTTP/1.1\r\n\r\n").unwrap();
        assert_eq!(h.query_param("since").as_deref(), Some("3"));
        assert_eq!(h.query_param("session").as_deref(), Some("a-b c"));
        assert_eq!(h.query_param("missing"), None);
    }

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
    fn response_is_framed_with_content_length_and_no_body_for_204() {
        let mut out = Vec::new();
        Response::error(400, "x")
            .write_to(&mut out, false, true)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 400 Bad Request\r\n"));
        assert!(text.contains("Content-Length: 13\r\n"));
        assert!(text.ends_with("\r\n\r\n{\"error\":\"x\"}"));

        let mut out = Vec::new();
        Response::new(204).write_to(&mut out, false, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains("Content-Length"));
        assert!(text.ends_with("Connection: close\r\n\r\n"));
    }
}
