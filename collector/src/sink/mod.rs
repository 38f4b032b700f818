//! Where accepted events go, behind one trait, chosen by the `--sink` URL. A sink's `write`
//! resolves only once the events are durable (fsynced, committed, or acknowledged by
//! JetStream), and says for each event whether it was new or a repeat of an id it holds.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::event::Event;

pub mod file;
pub mod nats;
pub mod postgres;
pub mod window;

/// A boxed future, so that sinks can live behind `Arc<dyn Sink>`.
pub type SinkFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A durable store of events, deduplicated by event id.
pub trait Sink: Send + Sync {
    /// Stores events whose ids are distinct from each other; resolves once they are durable,
    /// with one flag per event: `true` if stored now, `false` if the sink already held its id.
    fn write(&self, events: Arc<Vec<Event>>) -> SinkFuture<'_, Result<Vec<bool>, SinkError>>;
    /// Whether the sink answers now (for `/readyz`).
    fn ready(&self) -> SinkFuture<'_, bool>;
    /// Called once at shutdown, after the last write: flush what is buffered.
    fn close(&self) -> SinkFuture<'_, ()>;
    /// Development only (`POST /reset`): forget every stored event.
    fn reset(&self) -> SinkFuture<'_, Result<(), SinkError>> {
        Box::pin(async { Err(SinkError::ResetUnsupported) })
    }
}

/// Why a write did not become durable: the batch is answered 503, nothing acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinkError {
    /// The NDJSON file could not be written or synced.
    FileWrite,
    /// The file sink's writer thread is gone.
    FileClosed,
    /// No PostgreSQL connection could be had.
    PostgresUnavailable,
    /// PostgreSQL refused or failed the insert.
    PostgresInsert,
    /// A publish to JetStream failed or was not acknowledged.
    NatsPublish,
    /// The write took longer than the sink timeout.
    Timeout,
    /// This sink cannot be reset.
    ResetUnsupported,
}

impl SinkError {
    /// A short reason, for the 503 body and the log.
    pub fn message(self) -> &'static str {
        match self {
            SinkError::FileWrite => "sink: the event file could not be written",
            SinkError::FileClosed => "sink: the event file writer stopped",
            SinkError::PostgresUnavailable => "sink: PostgreSQL is unavailable",
            SinkError::PostgresInsert => "sink: PostgreSQL refused the insert",
            SinkError::NatsPublish => "sink: JetStream did not acknowledge the events",
            SinkError::Timeout => "sink: the write timed out",
            SinkError::ResetUnsupported => "sink: reset is only supported by the file sink",
        }
    }
}

/// Why a sink could not be opened at start; each message names the fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenError {
    /// Not `file:`, `postgres://`/`postgresql://` or `nats://`.
    UnknownScheme,
    /// `file:` without a path.
    FileNoPath,
    /// The file (or its folder) cannot be created or opened for appending.
    FileOpen,
    /// The `postgres://` URL does not parse.
    PostgresUrl,
    /// No connection to PostgreSQL.
    PostgresUnreachable,
    /// Connected, but the table could not be created.
    PostgresTable,
    /// The `nats://` URL is not `nats://HOST:PORT`.
    NatsUrl,
    /// No connection to the NATS server.
    NatsUnreachable,
    /// Connected, but the JetStream stream (or consumer) could not be created.
    NatsStream,
}

impl OpenError {
    /// One line that says what to fix.
    pub fn message(self) -> &'static str {
        match self {
            OpenError::UnknownScheme => {
                "unknown sink: use --sink file:PATH, postgres://USER@HOST:PORT/DB or nats://HOST:PORT"
            }
            OpenError::FileNoPath => "file sink without a path: use --sink file:PATH",
            OpenError::FileOpen => {
                "cannot open the file sink for appending: check the path and its folder's permissions"
            }
            OpenError::PostgresUrl => {
                "bad PostgreSQL URL: use postgres://USER[:PASSWORD]@HOST:PORT/DATABASE"
            }
            OpenError::PostgresUnreachable => {
                "cannot connect to PostgreSQL: is it running at that host and port, and do the user, password and database exist?"
            }
            OpenError::PostgresTable => {
                "cannot create the table rtp_events: grant the user CREATE on the database's public schema"
            }
            OpenError::NatsUrl => "bad NATS URL: use nats://HOST:PORT",
            OpenError::NatsUnreachable => {
                "cannot connect to NATS: is nats-server running at that host and port?"
            }
            OpenError::NatsStream => {
                "cannot create the JetStream stream RTP_EVENTS: start nats-server with -js (JetStream enabled)"
            }
        }
    }
}

/// How to open a file sink.
#[derive(Debug, Clone, Copy)]
pub struct FileOptions {
    /// Empty the file first (development: each run starts empty); otherwise append.
    pub truncate: bool,
    /// How many of the latest ids are remembered to drop repeats.
    pub window: usize,
}

/// Opens the sink a URL names: `file:PATH`, `postgres://…` (or `postgresql://…`), `nats://HOST:PORT`.
pub async fn open(url: &str, file: FileOptions) -> Result<Arc<dyn Sink>, OpenError> {
    if let Some(path) = url.strip_prefix("file:") {
        if path.is_empty() {
            return Err(OpenError::FileNoPath);
        }
        return Ok(Arc::new(file::FileSink::open(path.as_ref(), file)?));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Arc::new(postgres::PostgresSink::open(url).await?));
    }
    if url.starts_with("nats://") {
        return Ok(Arc::new(nats::NatsSink::open(url).await?));
    }
    Err(OpenError::UnknownScheme)
}
