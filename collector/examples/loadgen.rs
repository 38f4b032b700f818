//! The collector benchmark's load generator (`make bench-collector`): C keep-alive connections
//! on loopback, each posting batches of N events with fresh ids back to back for S seconds.
//! Prints one JSON line: batches/s, events/s, p50 and p99 latency, non-2xx answers.
//!
//! `cargo run --release --example loadgen -- URL BATCH CONNECTIONS SECONDS`

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::Request;
use hyper_util::rt::TokioIo;

fn batch(first: u64, n: u64, run: u64) -> String {
    let mut events = Vec::with_capacity(n as usize);
    for i in first..first + n {
        events.push(format!(
            r#"{{"id":"{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}","type":"event","values":["sku-{i}","blue"],"account":null,"session":"9a3c5e2f-1b7d-4e8a-9c6b-2d4f6a8b0c1e","time":1700000000000,"url":"https://shop.example/p/1","referrer":""}}"#,
            run as u32,
            (run >> 32) as u16,
            (i >> 48) & 0xfff,
            (i >> 36) & 0xfff,
            i & 0xffff_ffff_ffff
        ));
    }
    format!(
        r#"{{"v":1,"sent":1700000000500,"events":[{}]}}"#,
        events.join(",")
    )
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, size, connections, seconds] = &args[..] else {
        eprintln!("usage: loadgen URL BATCH CONNECTIONS SECONDS");
        std::process::exit(2);
    };
    let url: hyper::Uri = url.parse().expect("URL");
    let size: u64 = size.parse().expect("BATCH");
    let connections: usize = connections.parse().expect("CONNECTIONS");
    let seconds: u64 = seconds.parse().expect("SECONDS");
    let address = format!("{}:{}", url.host().unwrap(), url.port_u16().unwrap_or(80));
    // Ids unique per run, so a run against a table that holds earlier runs stores every event.
    let run = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let next = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(AtomicU64::new(0));
    let end = Instant::now() + Duration::from_secs(seconds);

    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (url, address, next, failures) = (
                url.clone(),
                address.clone(),
                Arc::clone(&next),
                Arc::clone(&failures),
            );
            tokio::spawn(async move {
                let stream = tokio::net::TcpStream::connect(&address)
                    .await
                    .expect("connect");
                stream.set_nodelay(true).unwrap();
                let (mut sender, conn) =
                    hyper::client::conn::http1::handshake(TokioIo::new(stream))
                        .await
                        .unwrap();
                tokio::spawn(conn);
                let mut latencies = Vec::new();
                while Instant::now() < end {
                    let first = next.fetch_add(size, Ordering::Relaxed);
                    let request = Request::post(url.path())
                        .header("Host", "127.0.0.1")
                        .header("Content-Type", "text/plain;charset=UTF-8")
                        .body(Full::new(Bytes::from(batch(first, size, run))))
                        .unwrap();
                    let started = Instant::now();
                    let Ok(response) = sender.send_request(request).await else {
                        failures.fetch_add(1, Ordering::Relaxed);
                        break;
                    };
                    let ok = response.status().is_success();
                    let _ = response.into_body().collect().await;
                    latencies.push(started.elapsed().as_micros() as u32);
                    if !ok {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
                latencies
            })
        })
        .collect();
    let started = Instant::now();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0) as f64
            / 1000.0
    };
    let failed = failures.load(Ordering::Relaxed);
    let batches = latencies.len() as u64 - failed.min(latencies.len() as u64);
    println!(
        r#"{{"batch":{size},"connections":{connections},"seconds":{elapsed:.1},"batches_per_s":{:.0},"events_per_s":{:.0},"p50_ms":{:.2},"p99_ms":{:.2},"failed":{failed}}}"#,
        batches as f64 / elapsed,
        (batches * size) as f64 / elapsed,
        pick(0.50),
        pick(0.99),
    );
}
