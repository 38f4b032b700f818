//! `postgres://…`: the table `rtp_events` (created if absent), one row per event, `id uuid
//! primary key`. A batch is one statement, one round trip: `INSERT … SELECT FROM UNNEST(arrays)
//! ON CONFLICT (id) DO NOTHING RETURNING id`, so PostgreSQL decides repeats exactly, across
//! any number of replicas and however late a resend comes. The statement commits before it
//! returns (autocommit), and only then is the batch answered.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::{Client, NoTls};

use super::{OpenError, Sink, SinkError, SinkFuture};
use crate::event::Event;

/// Connections kept open per replica: a batch holds one for one round trip.
const POOL_SIZE: usize = 16;
/// How long a write waits for a connection, or to make one, before the batch gets a 503.
const POOL_TIMEOUT: Duration = Duration::from_secs(2);

/// Creates the table; the advisory lock keeps replicas starting together from racing on
/// `CREATE TABLE IF NOT EXISTS` (which is not safe against itself in PostgreSQL).
pub const CREATE_TABLE: &str = r#"
BEGIN;
SELECT pg_advisory_xact_lock(727470);
CREATE TABLE IF NOT EXISTS rtp_events (
    id uuid PRIMARY KEY,
    "type" text NOT NULL,
    "values" jsonb,
    account text,
    session uuid NOT NULL,
    "time" bigint NOT NULL,
    url text NOT NULL,
    referrer text NOT NULL,
    received bigint NOT NULL
);
COMMIT;
"#;

/// One batch, one statement: column arrays in, the ids that were new out.
pub const INSERT: &str = r#"
INSERT INTO rtp_events (id, "type", "values", account, session, "time", url, referrer, received)
SELECT e_id::uuid, e_type, e_values::jsonb, e_account, e_session::uuid, e_time, e_url, e_referrer, e_received
FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::text[], $8::text[], $9::int8[])
    AS e(e_id, e_type, e_values, e_account, e_session, e_time, e_url, e_referrer, e_received)
ON CONFLICT (id) DO NOTHING
RETURNING id::text
"#;

/// The PostgreSQL sink: a pool of connections.
pub struct PostgresSink {
    pool: Pool,
}

impl std::fmt::Debug for PostgresSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PostgresSink")
    }
}

impl PostgresSink {
    /// Connects, creates the table if absent, and keeps a pool.
    pub async fn open(url: &str) -> Result<PostgresSink, OpenError> {
        let mut config: tokio_postgres::Config = url.parse().map_err(|_| OpenError::PostgresUrl)?;
        config.connect_timeout(POOL_TIMEOUT);
        config.application_name("rtp-collector");
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(POOL_TIMEOUT))
            .create_timeout(Some(POOL_TIMEOUT))
            .recycle_timeout(Some(POOL_TIMEOUT))
            .build()
            .map_err(|_| OpenError::PostgresUrl)?;
        let client = pool
            .get()
            .await
            .map_err(|_| OpenError::PostgresUnreachable)?;
        client
            .batch_execute(CREATE_TABLE)
            .await
            .map_err(|_| OpenError::PostgresTable)?;
        drop(client);
        Ok(PostgresSink { pool })
    }

    async fn write_now(&self, events: &[Event]) -> Result<Vec<bool>, SinkError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let client = self
            .pool
            .get()
            .await
            .map_err(|_| SinkError::PostgresUnavailable)?;
        let statement = client
            .prepare_cached(INSERT)
            .await
            .map_err(|_| SinkError::PostgresUnavailable)?;
        insert(&client, &statement, events).await.map_err(|e| {
            if e.is_closed() {
                SinkError::PostgresUnavailable
            } else {
                SinkError::PostgresInsert
            }
        })
    }
}

/// Runs [`INSERT`] for `events` (distinct ids) on a client; one flag per event, true if new.
pub async fn insert(
    client: &Client,
    statement: &tokio_postgres::Statement,
    events: &[Event],
) -> Result<Vec<bool>, tokio_postgres::Error> {
    let n = events.len();
    let mut ids = Vec::with_capacity(n);
    let mut types = Vec::with_capacity(n);
    let mut values: Vec<Option<String>> = Vec::with_capacity(n);
    let mut accounts: Vec<Option<&str>> = Vec::with_capacity(n);
    let mut sessions = Vec::with_capacity(n);
    let mut times = Vec::with_capacity(n);
    let mut urls = Vec::with_capacity(n);
    let mut referrers = Vec::with_capacity(n);
    let mut received = Vec::with_capacity(n);
    for e in events {
        ids.push(e.id.as_str());
        types.push(e.str("type"));
        values.push(e.json.get("values").map(|v| v.to_string()));
        accounts.push(e.json.get("account").and_then(|a| a.as_str()));
        sessions.push(e.str("session"));
        times.push(e.int("time"));
        urls.push(e.str("url"));
        referrers.push(e.str("referrer"));
        received.push(e.int("received"));
    }
    let rows = client
        .query(
            statement,
            &[
                &ids, &types, &values, &accounts, &sessions, &times, &urls, &referrers, &received,
            ],
        )
        .await?;
    let new: HashSet<&str> = rows.iter().map(|row| row.get::<_, &str>(0)).collect();
    Ok(events.iter().map(|e| new.contains(e.id.as_str())).collect())
}

impl Sink for PostgresSink {
    fn write(&self, events: Arc<Vec<Event>>) -> SinkFuture<'_, Result<Vec<bool>, SinkError>> {
        Box::pin(async move { self.write_now(&events).await })
    }

    fn ready(&self) -> SinkFuture<'_, bool> {
        Box::pin(async {
            let probe = async {
                let client = self.pool.get().await.ok()?;
                client.simple_query("SELECT 1").await.ok()
            };
            matches!(tokio::time::timeout(POOL_TIMEOUT, probe).await, Ok(Some(_)))
        })
    }

    fn close(&self) -> SinkFuture<'_, ()> {
        Box::pin(async { self.pool.close() })
    }

    fn reset(&self) -> SinkFuture<'_, Result<(), SinkError>> {
        Box::pin(async {
            let client = self
                .pool
                .get()
                .await
                .map_err(|_| SinkError::PostgresUnavailable)?;
            client
                .batch_execute("TRUNCATE rtp_events")
                .await
                .map_err(|_| SinkError::PostgresInsert)
        })
    }
}
