//! The state every handler shares. Apart from the router (`app.rs`), so that handlers import
//! it without importing the router.

use std::sync::Arc;

use crate::dev::Dev;
use crate::metrics::Metrics;
use crate::schema::Schema;
use crate::sink::Sink;

/// What every handler shares.
pub struct AppState {
    /// Where events go.
    pub sink: Arc<dyn Sink>,
    /// The compiled contract.
    pub schema: Schema,
    /// The counters of `/metrics`.
    pub metrics: Metrics,
    /// The development state, with `--dev`.
    pub dev: Option<Arc<Dev>>,
}

/// The state, shared.
pub type Shared = Arc<AppState>;
