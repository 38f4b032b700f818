//! Cross-origin access. In production, only the origins given with `--allow-origin` may read
//! the answers; with `--dev`, any origin (the tests' pages and the demo). No credentials
//! either way. `Retry-After` and `X-Next-Since` are exposed, or a cross-origin `fetch` could
//! not read a 429's or 503's `Retry-After`.

use std::time::Duration;

use axum::http::{header, HeaderName, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::cli::ServeConfig;

/// The CORS layer for this configuration.
pub fn layer(config: &ServeConfig) -> CorsLayer {
    let origins = if config.dev {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            config
                .allow_origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok()),
        )
    };
    let methods = if config.dev {
        vec![Method::POST, Method::GET, Method::OPTIONS]
    } else {
        vec![Method::POST, Method::OPTIONS]
    };
    CorsLayer::new()
        .allow_origin(origins)
        .allow_methods(methods)
        .allow_headers([header::CONTENT_TYPE])
        .expose_headers([header::RETRY_AFTER, HeaderName::from_static("x-next-since")])
        .max_age(Duration::from_secs(600))
}
