//! `rtp-collector load --from nats://… --to postgres://…`: moves the JetStream stream into the
//! PostgreSQL table through the durable pull consumer `rtp-loader`. Each fetched batch is one
//! INSERT (committed when it returns), and only then is each of its messages acknowledged
//! (explicit acks: an ack-all by a restarted loader would also acknowledge what a crashed one
//! held uncommitted). A crash between the commit and the ack redelivers the batch, and `ON CONFLICT
//! (id) DO NOTHING` makes the redelivery a no-op: each id ends as one row.

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::consumer::{pull, AckPolicy};
use async_nats::jetstream::AckKind;
use futures_util::StreamExt;

use crate::cli::LoadConfig;
use crate::event::Event;
use crate::log::{self, Level};
use crate::server::shutdown_signal;
use crate::sink::nats::{self, STREAM};
use crate::sink::postgres::PostgresSink;
use crate::sink::Sink;

/// The durable consumer's name.
pub const CONSUMER: &str = "rtp-loader";
/// Most messages per fetch (one INSERT).
const FETCH: usize = 1000;
/// How long a message may stay unacknowledged before JetStream redelivers it.
const ACK_WAIT: Duration = Duration::from_secs(10);

/// Runs until SIGTERM; non-zero exit if either end cannot be reached at start.
pub async fn run(config: LoadConfig) -> ExitCode {
    log::set_level(config.log_level);
    let nats = match nats::connect(&config.from).await {
        Ok(nats) => nats,
        Err(e) => return fail(e.message()),
    };
    let pg = match PostgresSink::open(&config.to).await {
        Ok(pg) => pg,
        Err(e) => return fail(e.message()),
    };
    let consumer = async {
        let stream = nats.js.get_stream(STREAM).await.ok()?;
        stream
            .get_or_create_consumer(
                CONSUMER,
                pull::Config {
                    durable_name: Some(CONSUMER.to_string()),
                    ack_policy: AckPolicy::Explicit,
                    ack_wait: ACK_WAIT,
                    ..Default::default()
                },
            )
            .await
            .ok()
    };
    let Some(consumer): Option<async_nats::jetstream::consumer::Consumer<pull::Config>> =
        consumer.await
    else {
        return fail(crate::sink::OpenError::NatsStream.message());
    };
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    tokio::spawn(async move {
        shutdown_signal().await;
        flag.store(true, Ordering::SeqCst);
    });
    println!("loading {STREAM} into rtp_events");

    let mut loaded: u64 = 0;
    while !stop.load(Ordering::SeqCst) {
        let fetched = consumer
            .fetch()
            .max_messages(FETCH)
            .expires(Duration::from_secs(1))
            .messages()
            .await;
        let mut batch = match fetched {
            Ok(batch) => batch,
            Err(e) => {
                log!(Level::Warn, "fetch from JetStream failed: {e}");
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        let mut messages = Vec::new();
        while let Some(message) = batch.next().await {
            match message {
                Ok(message) => messages.push(message),
                Err(e) => {
                    log!(Level::Warn, "a message could not be read: {e}");
                    break;
                }
            }
        }
        if messages.is_empty() {
            continue;
        }
        let mut seen = std::collections::HashSet::new();
        let events: Vec<Event> = messages
            .iter()
            .filter_map(|m| serde_json::from_slice(&m.payload).ok().map(Event::new))
            .filter(|e| seen.insert(e.key))
            .collect();
        let events = Arc::new(events);
        // Retry until committed: acknowledging first would lose the batch if PostgreSQL is down.
        loop {
            match pg.write(Arc::clone(&events)).await {
                Ok(fresh) => {
                    loaded += fresh.iter().filter(|n| **n).count() as u64;
                    break;
                }
                Err(e) => {
                    log!(Level::Warn, "{}; retrying", e.message());
                    for message in &messages {
                        let _ = message.ack_with(AckKind::Progress).await;
                    }
                    if stop.load(Ordering::SeqCst) {
                        return ExitCode::SUCCESS; // not acknowledged: redelivered later
                    }
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
        for message in &messages {
            if let Err(e) = message.ack().await {
                log!(
                    Level::Warn,
                    "ack failed (the message will be redelivered, and be a no-op): {e}"
                );
                break;
            }
        }
        log!(
            Level::Debug,
            "loaded {} messages, {loaded} new rows so far",
            messages.len()
        );
    }
    pg.close().await;
    log!(Level::Info, "stopped after {loaded} new rows");
    ExitCode::SUCCESS
}

fn fail(message: &str) -> ExitCode {
    eprintln!("rtp-collector load: {message}");
    ExitCode::FAILURE
}
