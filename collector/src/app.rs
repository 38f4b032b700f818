//! The service: shared state and the router with its tower layers. Limits, CORS, the request
//! timeout and load shedding are layers, not code in handlers.

use std::sync::Arc;
use std::time::Instant;

use axum::error_handling::HandleErrorLayer;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{BoxError, Router};
use tower::ServiceBuilder;
use tower_http::limit::RequestBodyLimitLayer;

use crate::cli::ServeConfig;
use crate::dev;
use crate::log::Level;
use crate::{collect, cors, log, ops, reply};

pub use crate::limits::MAX_BODY_BYTES;
pub use crate::state::{AppState, Shared};

/// The whole service for this configuration.
pub fn router(state: Shared, config: &ServeConfig) -> Router {
    let mut collect = post(collect::collect).layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(shed))
            .load_shed()
            .concurrency_limit(config.max_in_flight)
            .timeout(config.timeout)
            .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES)),
    );
    if let Some(dev) = &state.dev {
        collect = collect.layer(middleware::from_fn_with_state(
            Arc::clone(dev),
            dev::intercept,
        ));
    }
    let ops = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/collect", collect)
        .with_state(Arc::clone(&state));
    let mut app = match &state.dev {
        Some(dev) => ops.merge(dev::routes(Arc::clone(dev))),
        None => ops.fallback(|| async { reply::error(404, "not found") }),
    };
    app = app.layer(cors::layer(config));
    if let Some(dev) = &state.dev {
        app = app.layer(middleware::from_fn_with_state(
            Arc::clone(dev),
            dev::count_preflights,
        ));
    }
    app.layer(middleware::from_fn_with_state(state, observe))
}

/// A request past the concurrency limit, or over the time limit: 503 and come back in a second.
async fn shed(error: BoxError) -> Response {
    if error.is::<tower::timeout::error::Elapsed>() {
        log!(Level::Warn, "a request timed out");
        reply::unavailable("timed out", 1)
    } else {
        log!(Level::Warn, "overloaded: a request was shed");
        reply::unavailable("overloaded", 1)
    }
}

/// Counts every answer by status, and logs one line per request at debug level.
async fn observe(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let _handling = state.metrics.request();
    let line =
        log::enabled(Level::Debug).then(|| format!("{} {}", request.method(), request.uri()));
    let response = next.run(request).await;
    state.metrics.answered(response.status().as_u16());
    if let Some(line) = line {
        log!(
            Level::Debug,
            "{line} {} {}us",
            response.status().as_u16(),
            started.elapsed().as_micros()
        );
    }
    response
}
