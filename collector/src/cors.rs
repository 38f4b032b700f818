//! Cross-origin access: the tag posts from any page's origin, and test pages read the
//! control routes. No credentials, so `*` is allowed (Fetch spec, CORS protocol).

use crate::http::Response;

/// Adds the headers every answer carries. `Retry-After` and `X-Next-Since` are not
/// CORS-safelisted response headers: without `Access-Control-Expose-Headers` a
/// cross-origin `fetch` could not read a 429's `Retry-After`.
pub fn finish(response: Response) -> Response {
    response
        .with_header("Access-Control-Allow-Origin", "*")
        .with_header("Access-Control-Expose-Headers", "Retry-After, X-Next-Since")
}

/// The answer to an `OPTIONS` preflight on any path.
pub fn preflight() -> Response {
    Response::new(204)
        .with_header("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
        .with_header("Access-Control-Allow-Headers", "Content-Type")
        .with_header("Access-Control-Max-Age", "600")
}
