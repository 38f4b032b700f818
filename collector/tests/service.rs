//! The service around the sinks, in production mode (no `--dev`): start-up failures, help,
//! operations routes, CORS allowlist, body limit, load shedding, the request timeout and a
//! graceful SIGTERM that finishes the request in flight.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;
use support::*;

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rtp-collector"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_unreachable_or_unknown_sink_exits_non_zero_with_one_line_naming_the_fix() {
    let port = free_port().to_string();
    let cases = [
        (
            format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            "cannot connect to PostgreSQL",
        ),
        (format!("nats://127.0.0.1:{port}"), "cannot connect to NATS"),
        ("ftp://x".to_string(), "use --sink file:PATH"),
        ("file:".to_string(), "use --sink file:PATH"),
        (
            "file:/proc/no/such/dir/e.ndjson".to_string(),
            "cannot open the file sink",
        ),
    ];
    for (sink, says) in cases {
        let (code, stdout, stderr) = run(&["--listen", "127.0.0.1:0", "--sink", &sink]);
        assert_eq!(code, Some(1), "{sink}");
        assert_eq!(stdout, "", "{sink}: never listened");
        assert_eq!(stderr.lines().count(), 1, "{sink}: {stderr}");
        assert!(stderr.contains(says), "{sink}: {stderr}");
    }
}

#[test]
fn help_lists_every_option_and_sink() {
    let (code, stdout, _) = run(&["--help"]);
    assert_eq!(code, Some(0));
    for word in [
        "--listen",
        "--sink",
        "--allow-origin",
        "--max-in-flight",
        "--timeout-ms",
        "--dedupe-window",
        "--log-level",
        "--dev",
        "--root",
        "file:PATH",
        "postgres://",
        "nats://",
        "load --from",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        assert!(stdout.contains(word), "--help lacks {word}");
    }
    let (code, _, stderr) = run(&["--port", "0"]);
    assert_eq!(code, Some(2));
    assert!(stderr.starts_with("rtp-collector: unknown argument"));
}

#[test]
fn production_mode_serves_collect_and_operations_only_with_cors_from_the_allowlist() {
    let dir = temp_dir("prod");
    let sink = format!("file:{}", dir.join("e.ndjson").display());
    let c = Process::collector(&["--sink", &sink, "--allow-origin", "https://shop.example"]);
    assert_eq!(c.get("/healthz").status, 200);
    assert_eq!(c.get("/readyz").json(), json!({ "status": "ready" }));
    for dev_only in [
        "/events",
        "/stats",
        "/requests",
        "/faults",
        "/",
        "/dist/rtp.js",
    ] {
        assert_eq!(c.get(dev_only).status, 404, "{dev_only}");
    }
    let body = batch_of(&[1, 2]);
    let allowed = request(
        c.port,
        "POST",
        "/v1/collect",
        &[("Origin", "https://shop.example")],
        body.as_bytes(),
    );
    assert_eq!(allowed.status, 200);
    assert_eq!(
        allowed.header("Access-Control-Allow-Origin"),
        Some("https://shop.example")
    );
    let other = request(
        c.port,
        "POST",
        "/collect",
        &[("Origin", "https://evil.example")],
        body.as_bytes(),
    );
    assert_eq!(other.header("Access-Control-Allow-Origin"), None);

    let too_large = request_declared(c.port, "POST", "/collect", (1 << 20) + 1);
    assert_eq!(too_large.status, 413);
    assert_eq!(c.post("{}").status, 400);

    let metrics = c.get("/metrics").text();
    for line in [
        "rtp_events_accepted_total 2\n",
        "rtp_events_repeated_total 2\n",
        "rtp_batches_rejected_total 1\n",
        "rtp_http_requests_total{status=\"413\"} 1\n",
        "rtp_batches_in_flight 0\n",
        "rtp_sink_write_seconds_count 2\n",
    ] {
        assert!(metrics.contains(line), "{line} not in {metrics}");
    }
}

/// Sends a POST's head and half its body, and holds the rest: a request in flight.
fn half_sent(port: u16, body: &str) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let half = body.len() / 2;
    write!(
        stream,
        "POST /collect HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{}",
        body.len(),
        &body[..half]
    )
    .unwrap();
    stream
}

fn finish(mut stream: TcpStream, body: &str) -> String {
    stream
        .write_all(&body.as_bytes()[body.len() / 2..])
        .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

#[test]
fn past_the_concurrency_limit_requests_are_shed_with_503_and_retry_after() {
    let dir = temp_dir("shed");
    let sink = format!("file:{}", dir.join("e.ndjson").display());
    let c = Process::collector(&["--sink", &sink, "--max-in-flight", "1"]);
    let body = batch_of(&[1]);
    let held = half_sent(c.port, &body);
    until(
        "the held request to take the one slot",
        Duration::from_secs(10),
        || {
            // The held POST and this GET (not behind the limit) itself.
            c.get("/metrics")
                .text()
                .contains("rtp_http_requests_in_flight 2\n")
        },
    );
    let shed = c.post(&batch_of(&[2]));
    assert_eq!((shed.status, shed.header("Retry-After")), (503, Some("1")));
    assert!(finish(held, &body).starts_with("HTTP/1.1 200"));
    assert_eq!(c.post(&batch_of(&[3])).status, 200);
}

#[test]
fn a_request_slower_than_the_timeout_is_answered_503() {
    let dir = temp_dir("timeout");
    let sink = format!("file:{}", dir.join("e.ndjson").display());
    let c = Process::collector(&["--sink", &sink, "--timeout-ms", "300"]);
    let mut stream = half_sent(c.port, &batch_of(&[1]));
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("retry-after: 1"),
        "{answer}"
    );
}

#[test]
fn sigterm_finishes_the_request_in_flight_flushes_and_exits_0() {
    let dir = temp_dir("term");
    let path = dir.join("e.ndjson");
    let sink = format!("file:{}", path.display());
    let mut c = Process::collector(&["--sink", &sink]);
    let body = batch_of(&[1, 2, 3]);
    let held = half_sent(c.port, &body);
    until(
        "the request to be in flight",
        Duration::from_secs(10),
        || {
            // The held POST and this GET itself.
            c.get("/metrics")
                .text()
                .contains("rtp_http_requests_in_flight 2\n")
        },
    );
    let _ = Command::new("kill")
        .args(["-TERM", &c.child.id().to_string()])
        .status();
    until("the listener to close", Duration::from_secs(10), || {
        TcpStream::connect(("127.0.0.1", c.port)).is_err()
    });
    assert!(finish(held, &body).starts_with("HTTP/1.1 200"));
    assert_eq!(c.child.wait().unwrap().code(), Some(0));
    assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 3);
}
