//! `nats://HOST:PORT`: the JetStream stream `RTP_EVENTS` (created if absent), one message per
//! event on `rtp.events` with `Nats-Msg-Id` = the event id, and the batch answered only after
//! JetStream acknowledged every message (stored on the stream's disk). JetStream drops a
//! repeated id within the stream's duplicate window; `rtp-collector load` then moves the
//! stream into PostgreSQL, which drops every repeat.
//!
//! Client: async-nats 0.46 without its `server_2_10`/`2_11`/`2_12` features, which speaks to
//! the nats-server 2.9 that Debian 12 ships.

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, stream};
use async_nats::{Client, ConnectOptions, HeaderMap};

use super::{OpenError, Sink, SinkError, SinkFuture};
use crate::event::Event;

/// The stream's name.
pub const STREAM: &str = "RTP_EVENTS";
/// The subject events are published on.
pub const SUBJECT: &str = "rtp.events";
/// How long JetStream remembers message ids to drop repeats (its default is 2 minutes).
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(3600);
/// How long a publish waits for its acknowledgement before the batch gets a 503.
const ACK_TIMEOUT: Duration = Duration::from_secs(3);

/// A connection to NATS and its JetStream context.
pub struct Nats {
    /// The client (reconnects by itself).
    pub client: Client,
    /// JetStream on it.
    pub js: jetstream::Context,
}

/// Connects to `nats://HOST:PORT` and creates the stream if absent.
pub async fn connect(url: &str) -> Result<Nats, OpenError> {
    let address = url.strip_prefix("nats://").ok_or(OpenError::NatsUrl)?;
    if address.is_empty() || address.contains('/') || !address.contains(':') {
        return Err(OpenError::NatsUrl);
    }
    let client = ConnectOptions::new()
        .connection_timeout(Duration::from_secs(2))
        .connect(address)
        .await
        .map_err(|_| OpenError::NatsUnreachable)?;
    let js = jetstream::ContextBuilder::new()
        .timeout(ACK_TIMEOUT)
        .build(client.clone());
    js.get_or_create_stream(stream::Config {
        name: STREAM.to_string(),
        subjects: vec![SUBJECT.to_string()],
        duplicate_window: DUPLICATE_WINDOW,
        storage: stream::StorageType::File,
        ..Default::default()
    })
    .await
    .map_err(|_| OpenError::NatsStream)?;
    Ok(Nats { client, js })
}

/// The JetStream sink.
pub struct NatsSink {
    nats: Nats,
}

impl std::fmt::Debug for NatsSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NatsSink")
    }
}

impl NatsSink {
    /// Connects and creates the stream if absent.
    pub async fn open(url: &str) -> Result<NatsSink, OpenError> {
        Ok(NatsSink {
            nats: connect(url).await?,
        })
    }

    async fn publish_all(&self, events: &[Event]) -> Result<Vec<bool>, SinkError> {
        let mut pending = Vec::with_capacity(events.len());
        for event in events {
            let mut headers = HeaderMap::new();
            headers.insert(async_nats::header::NATS_MESSAGE_ID, event.id.as_str());
            let payload = serde_json::to_vec(&event.json).unwrap_or_default();
            let ack = self
                .nats
                .js
                .publish_with_headers(SUBJECT, headers, payload.into())
                .await
                .map_err(|_| SinkError::NatsPublish)?;
            pending.push(ack);
        }
        // Published back to back, then every acknowledgement awaited together.
        let acks =
            futures_util::future::try_join_all(pending.into_iter().map(|ack| ack.into_future()))
                .await
                .map_err(|_| SinkError::NatsPublish)?;
        Ok(acks.iter().map(|ack| !ack.duplicate).collect())
    }
}

impl Sink for NatsSink {
    fn write(&self, events: Arc<Vec<Event>>) -> SinkFuture<'_, Result<Vec<bool>, SinkError>> {
        Box::pin(async move { self.publish_all(&events).await })
    }

    fn ready(&self) -> SinkFuture<'_, bool> {
        Box::pin(async {
            self.nats.client.connection_state() == async_nats::connection::State::Connected
        })
    }

    fn close(&self) -> SinkFuture<'_, ()> {
        Box::pin(async {
            let _ = self.nats.client.flush().await;
        })
    }
}
