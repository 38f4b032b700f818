//! The development collector (`--dev`, file sink): the real `rtp-collector` binary on a free
//! port, spoken to over raw TCP by `support`'s client (so a fault's unanswered close reads as
//! status 0), each test with its own server and temporary root.

mod support;

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{request, request_declared, Process, Reply};

const SESSION: &str = "9a3c5e2f-1b7d-4e8a-9c6b-2d4f6a8b0c1e";
const OTHER_SESSION: &str = "1b2c3d4e-5f60-4718-a9b0-c1d2e3f40516";
const WASM: &[u8] = b"\0asm\x01\0\0\0";

/// A distinct lowercase v4 UUID per number.
fn uuid(n: u32) -> String {
    format!("{n:08x}-0000-4000-8000-{n:012x}")
}

fn view(n: u32, session: &str) -> Value {
    json!({
        "id": uuid(n), "type": "view", "account": null, "session": session,
        "time": 1_700_000_000_000u64 + n as u64, "url": "http://127.0.0.1/", "referrer": ""
    })
}

fn event(n: u32, values: Value) -> Value {
    json!({
        "id": uuid(n), "type": "event", "values": values, "account": "acc-1", "session": SESSION,
        "time": 1_700_000_000_000u64 + n as u64, "url": "http://127.0.0.1/shop", "referrer": "http://127.0.0.1/"
    })
}

fn batch(events: Vec<Value>) -> String {
    json!({ "v": 1, "sent": 1_700_000_001_000u64, "events": events }).to_string()
}

/// The collector under test (`support::Process`, killed on drop), its root removed on drop.
struct Collector {
    process: Process,
    port: u16,
    root: PathBuf,
}

impl Collector {
    /// Starts the binary on port 0 in a fresh root holding examples/ and dist/ (and a file
    /// beside them that must never be served).
    fn start(name: &str) -> Collector {
        let root =
            std::env::temp_dir().join(format!("rtp-collector-it-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("examples")).unwrap();
        fs::create_dir_all(root.join("dist")).unwrap();
        fs::write(
            root.join("examples/index.html"),
            "<!doctype html><title>demo</title>",
        )
        .unwrap();
        fs::write(
            root.join("examples/csp.html"),
            "<!doctype html><title>csp</title>",
        )
        .unwrap();
        fs::write(
            root.join("examples/csp.html.headers"),
            "Content-Security-Policy: script-src 'self'\n",
        )
        .unwrap();
        fs::write(root.join("dist/rtp_bg.wasm"), WASM).unwrap();
        fs::write(root.join("dist/rtp.js"), "export default 1;").unwrap();
        fs::write(root.join("secret.txt"), "must not be served").unwrap();

        let process = Process::collector(&["--dev", "--root", root.to_str().unwrap()]);
        Collector {
            port: process.port,
            process,
            root,
        }
    }

    fn request(&self, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        request(self.port, method, target, headers, body)
    }

    fn get(&self, target: &str) -> Reply {
        self.request("GET", target, &[], b"")
    }

    /// POSTs a batch the way the tag does: text/plain, so no preflight.
    fn post(&self, target: &str, body: &str) -> Reply {
        self.request(
            "POST",
            target,
            &[("Content-Type", "text/plain;charset=UTF-8")],
            body.as_bytes(),
        )
    }

    fn json(&self, target: &str) -> Value {
        let reply = self.get(target);
        assert_eq!(reply.status, 200, "GET {target}");
        reply.json()
    }

    fn set_fault(&self, fault: Value) {
        let reply = self.post("/faults", &fault.to_string());
        assert_eq!(
            reply.status,
            200,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
    }

    fn event_ids(&self) -> Vec<String> {
        ids_of(&self.json("/events"))
    }

    fn log_lines(&self) -> Vec<Value> {
        fs::read_to_string(self.root.join("collector/data/events.ndjson"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        self.process.kill9();
        let _ = fs::remove_dir_all(&self.root);
    }
}

fn ids_of(events: &Value) -> Vec<String> {
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn valid_batch_is_accepted_listed_in_events_and_logged() {
    let c = Collector::start("valid");
    let reply = c.post(
        "/collect",
        &batch(vec![event(1, json!(["sku-1", "blue"])), view(2, SESSION)]),
    );
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({ "accepted": 2, "duplicates": 0 }));
    assert_eq!(reply.header("Access-Control-Allow-Origin"), Some("*"));
    assert_eq!(reply.header("Access-Control-Allow-Credentials"), None);

    let events = c.json("/events");
    assert_eq!(ids_of(&events), [uuid(1), uuid(2)]);
    assert_eq!(events[0]["values"], json!(["sku-1", "blue"]));
    assert!(events[0]["received"].as_u64().unwrap() > 1_600_000_000_000);

    let log = c.log_lines();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0], events[0]);
    assert_eq!(log[1]["id"], uuid(2));
}

#[test]
fn a_resent_batch_is_answered_200_but_stored_once() {
    let c = Collector::start("resend");
    let body = batch(vec![view(1, SESSION), view(2, SESSION)]);
    assert_eq!(
        c.post("/collect", &body).json(),
        json!({ "accepted": 2, "duplicates": 0 })
    );
    let again = c.post("/collect", &body);
    assert_eq!(again.status, 200);
    assert_eq!(again.json(), json!({ "accepted": 0, "duplicates": 2 }));

    assert_eq!(c.event_ids(), [uuid(1), uuid(2)]);
    assert_eq!(c.log_lines().len(), 2);
    let stats = c.json("/stats");
    assert_eq!(
        (
            stats["requests"].as_u64(),
            stats["accepted"].as_u64(),
            stats["duplicates"].as_u64()
        ),
        (Some(2), Some(2), Some(2))
    );
}

#[test]
fn a_malformed_batch_is_refused_with_the_field_named_and_nothing_stored() {
    let c = Collector::start("malformed");
    let body = batch(vec![view(1, SESSION), event(2, json!(["ok", ""]))]);
    let reply = c.post("/collect", &body);
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json(),
        json!({ "error": "events[1].values[1]: empty string" })
    );
    assert_eq!(reply.header("Access-Control-Allow-Origin"), Some("*"));

    assert_eq!(c.event_ids(), Vec::<String>::new());
    assert!(c.log_lines().is_empty());
    let stats = c.json("/stats");
    assert_eq!(stats["rejected"], 1);
    assert_eq!(stats["accepted"], 0);
    let requests = c.json("/requests");
    assert_eq!(requests[0]["status"], 400);
    assert_eq!(requests[0]["ids"], json!([uuid(1), uuid(2)]));
    assert_eq!(requests[0]["bytes"], body.len());

    assert_eq!(
        c.post("/collect", "not json").json(),
        json!({ "error": "body: not valid UTF-8 JSON" })
    );
    assert_eq!(c.json("/requests")[1]["ids"], json!([]));
}

#[test]
fn preflight_allows_post_from_any_origin_for_ten_minutes() {
    let c = Collector::start("preflight");
    let reply = c.request(
        "OPTIONS",
        "/collect",
        &[
            ("Origin", "http://shop.example"),
            ("Access-Control-Request-Method", "POST"),
        ],
        b"",
    );
    assert!(matches!(reply.status, 200 | 204), "{}", reply.status);
    assert_eq!(reply.header("Access-Control-Allow-Origin"), Some("*"));
    let methods = reply.header("Access-Control-Allow-Methods").unwrap();
    assert!(methods.contains("POST"), "{methods}");
    assert_eq!(
        reply
            .header("Access-Control-Allow-Headers")
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("content-type")
    );
    assert_eq!(reply.header("Access-Control-Max-Age"), Some("600"));
    assert!(reply.body.is_empty());
    // Counted, so an end-to-end test can assert the tag never needs one.
    assert_eq!(c.get("/stats").json()["preflights"], 1);
}

#[test]
fn any_path_ending_in_collect_takes_batches_and_query_strings_are_ignored() {
    let c = Collector::start("paths");
    let reply = c.post("/v1/collect?tid=abc", &batch(vec![view(1, SESSION)]));
    assert_eq!(reply.status, 200);
    assert_eq!(c.event_ids(), [uuid(1)]);
    assert_eq!(c.get("/collect").status, 405);
}

#[test]
fn a_503_fault_for_two_requests_then_batches_succeed() {
    let c = Collector::start("fault503");
    c.set_fault(json!({ "mode": "status", "status": 503, "count": 2 }));
    let body = batch(vec![view(1, SESSION)]);
    let statuses: Vec<u16> = (0..3).map(|_| c.post("/collect", &body).status).collect();
    assert_eq!(statuses, [503, 503, 200]);

    assert_eq!(c.event_ids(), [uuid(1)]);
    let requests = c.json("/requests");
    let faults: Vec<&Value> = requests
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["fault"])
        .collect();
    assert_eq!(faults, [&json!("status"), &json!("status"), &Value::Null]);
    assert_eq!(requests[0]["status"], 503);
    assert_eq!(requests[0]["ids"], json!([uuid(1)]));
    assert_eq!(c.json("/faults"), json!({ "fault": null }));
    let stats = c.json("/stats");
    assert_eq!(
        (
            stats["requests"].as_u64(),
            stats["faulted"].as_u64(),
            stats["rejected"].as_u64()
        ),
        (Some(3), Some(2), Some(0))
    );
}

#[test]
fn a_429_fault_says_when_to_retry_and_lets_cross_origin_scripts_read_it() {
    let c = Collector::start("fault429");
    c.set_fault(json!({ "mode": "status", "status": 429, "retry_after": 2, "ms": 3000 }));
    let shown = c.json("/faults");
    assert_eq!(shown["fault"]["status"], 429);
    assert!(shown["fault"]["ms_left"].as_u64().unwrap() <= 3000);

    let reply = c.post("/collect", &batch(vec![view(1, SESSION)]));
    assert_eq!(reply.status, 429);
    assert_eq!(reply.header("Retry-After"), Some("2"));
    assert!(reply
        .header("Access-Control-Expose-Headers")
        .unwrap()
        .to_ascii_lowercase()
        .contains("retry-after"));
    assert!(c.event_ids().is_empty());
}

#[test]
fn a_hung_collect_does_not_block_other_requests() {
    let c = Collector::start("hang");
    c.set_fault(json!({ "mode": "hang", "ms": 1500 }));
    let port = c.port;
    let hung = thread::spawn(move || {
        let started = Instant::now();
        let mut stream = connect(port);
        let body = batch(vec![view(1, SESSION)]);
        let head = format!(
            "POST /collect HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body.as_bytes()).unwrap();
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        (raw, started.elapsed())
    });

    // Every other request, while the POST hangs, must answer at once.
    let quickly = |target: &str| {
        let started = Instant::now();
        let reply = c.get(target);
        assert!(
            started.elapsed() < Duration::from_millis(700),
            "GET {target} waited for the hang"
        );
        assert_eq!(reply.status, 200, "GET {target}");
        reply
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    while quickly("/requests").json().as_array().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the hung POST never arrived");
        thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(quickly("/events").json(), json!([]));
    assert_eq!(quickly("/stats").json()["faulted"], 1);
    quickly("/dist/rtp.js");

    let (raw, elapsed) = hung.join().unwrap();
    assert!(
        raw.is_empty(),
        "a hung request got an answer: {:?}",
        String::from_utf8_lossy(&raw)
    );
    assert!(
        elapsed >= Duration::from_millis(1400),
        "closed after only {elapsed:?}"
    );
    let requests = c.json("/requests");
    assert_eq!(
        (
            requests[0]["fault"].as_str(),
            requests[0]["status"].as_u64()
        ),
        (Some("hang"), Some(0))
    );
    assert!(c.event_ids().is_empty());
}

#[test]
fn a_close_fault_drops_the_connection_unanswered_and_stores_nothing() {
    let c = Collector::start("close");
    c.set_fault(json!({ "mode": "close", "count": 1 }));
    let body = batch(vec![view(1, SESSION)]);
    assert_eq!(c.post("/collect", &body).status, 0);
    assert!(c.event_ids().is_empty());
    assert_eq!(c.post("/collect", &body).status, 200);
    assert_eq!(c.json("/requests")[0]["fault"], "close");
}

#[test]
fn an_ack_lost_fault_stores_the_batch_and_its_resend_counts_as_duplicates() {
    let c = Collector::start("acklost");
    c.set_fault(json!({ "mode": "ack_lost", "count": 1 }));
    let body = batch(vec![view(1, SESSION)]);
    assert_eq!(c.post("/collect", &body).status, 0);
    assert_eq!(c.event_ids(), [uuid(1)]);
    assert_eq!(
        c.post("/collect", &body).json(),
        json!({ "accepted": 0, "duplicates": 1 })
    );
    let requests = c.json("/requests");
    assert_eq!(
        (
            requests[0]["fault"].as_str(),
            requests[0]["status"].as_u64()
        ),
        (Some("ack_lost"), Some(200))
    );
}

#[test]
fn a_body_over_1_mib_is_refused_with_413() {
    let c = Collector::start("toolarge");
    // Declared, not sent: the answer comes from the head (a fresh-clone run saw the write of a
    // 1 MiB body fail with a broken pipe as the server answered and closed).
    let reply = request_declared(c.port, "POST", "/collect", (1 << 20) + 1);
    assert_eq!(reply.status, 413);
    assert_eq!(reply.header("Access-Control-Allow-Origin"), Some("*"));
    let requests = c.json("/requests");
    assert_eq!(requests[0]["status"], 413);
    assert_eq!(requests[0]["bytes"], (1 << 20) + 1);
    // Exactly 1 MiB is read (and then judged on its content).
    assert_eq!(
        c.request("POST", "/collect", &[], &vec![b' '; 1 << 20])
            .status,
        400
    );
}

#[test]
fn events_can_be_polled_since_an_index_and_filtered_by_session() {
    let c = Collector::start("since");
    c.post(
        "/collect",
        &batch(vec![
            view(1, SESSION),
            view(2, OTHER_SESSION),
            view(3, SESSION),
        ]),
    );
    let reply = c.get("/events?since=1");
    assert_eq!(ids_of(&reply.json()), [uuid(2), uuid(3)]);
    assert_eq!(reply.header("X-Next-Since"), Some("3"));
    assert_eq!(
        ids_of(&c.json(&format!("/events?session={SESSION}"))),
        [uuid(1), uuid(3)]
    );
    assert_eq!(
        ids_of(&c.json(&format!("/events?since=2&session={SESSION}"))),
        [uuid(3)]
    );
    assert!(c.json("/events?since=3").as_array().unwrap().is_empty());
    assert_eq!(c.get("/events?since=-1").status, 400);
}

#[test]
fn static_files_are_served_with_their_types_and_never_cached() {
    let c = Collector::start("static");
    let wasm = c.get("/dist/rtp_bg.wasm");
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.header("Content-Type"), Some("application/wasm"));
    assert_eq!(wasm.body, WASM);
    assert_eq!(wasm.header("Cache-Control"), Some("no-store"));

    let js = c.get("/dist/rtp.js");
    assert_eq!(
        js.header("Content-Type"),
        Some("text/javascript; charset=utf-8")
    );
    let index = c.get("/");
    assert_eq!(
        index.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(index.body, b"<!doctype html><title>demo</title>");
    assert_eq!(c.get("/examples/").body, index.body);
    assert_eq!(c.get("/examples/nope.html").status, 404);
    assert_eq!(c.get("/elsewhere").status, 404);
}

#[test]
fn a_headers_sibling_file_adds_response_headers() {
    let c = Collector::start("headers");
    let csp = c.get("/examples/csp.html");
    assert_eq!(
        csp.header("Content-Security-Policy"),
        Some("script-src 'self'")
    );
    assert_eq!(c.get("/").header("Content-Security-Policy"), None);
}

#[test]
fn path_traversal_out_of_the_served_folders_is_refused() {
    let c = Collector::start("traversal");
    for target in [
        "/examples/../secret.txt",
        "/dist/../secret.txt",
        "/examples/%2e%2e/secret.txt",
        "/examples/..%2fsecret.txt",
    ] {
        let reply = c.get(target);
        assert_eq!(reply.status, 404, "{target}");
        assert!(
            !String::from_utf8_lossy(&reply.body).contains("must not be served"),
            "{target}"
        );
    }
}

#[test]
fn reset_forgets_events_requests_stats_and_faults() {
    let c = Collector::start("reset");
    let body = batch(vec![view(1, SESSION)]);
    c.post("/collect", &body);
    c.post("/collect", "{}");
    c.set_fault(json!({ "mode": "status", "status": 503 }));

    let reply = c.post("/reset", "");
    assert_eq!(reply.status, 200);
    assert!(c.event_ids().is_empty());
    assert_eq!(c.json("/requests"), json!([]));
    assert_eq!(c.json("/faults"), json!({ "fault": null }));
    let stats = c.json("/stats");
    for counter in ["requests", "accepted", "duplicates", "rejected"] {
        assert_eq!(stats[counter], 0, "{counter}");
    }
    assert!(c.log_lines().is_empty());

    // The ids are forgotten too: the same batch is new again.
    assert_eq!(
        c.post("/collect", &body).json(),
        json!({ "accepted": 1, "duplicates": 0 })
    );
    assert_eq!(c.log_lines().len(), 1);
}

#[test]
fn one_keep_alive_connection_serves_several_requests() {
    let c = Collector::start("keepalive");
    let mut stream = connect(c.port);
    let body = batch(vec![view(1, SESSION)]);
    let requests = [
        format!("POST /collect HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}", body.len()),
        "GET /stats HTTP/1.1\r\nHost: x\r\n\r\n".to_string(),
    ];
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut statuses = Vec::new();
    let mut last_body = Vec::new();
    for request in &requests {
        stream.write_all(request.as_bytes()).unwrap();
        let (status, body) = read_one_response(&mut reader);
        statuses.push(status);
        last_body = body;
    }
    assert_eq!(statuses, [200, 200]);
    let stats: Value = serde_json::from_slice(&last_body).unwrap();
    assert_eq!(stats["accepted"], 1);
}

/// A connection of its own to the collector (for what `support::request` does not do: a
/// request left hanging, several requests on one connection).
fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
}

/// Reads one Content-Length-framed response from a kept-alive connection.
fn read_one_response(reader: &mut impl BufRead) -> (u16, Vec<u8>) {
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap();
            }
            assert!(
                !(name.eq_ignore_ascii_case("connection") && value.trim() == "close"),
                "server closed a keep-alive connection"
            );
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (status, body)
}

#[test]
fn a_static_file_can_be_delayed_to_make_the_tag_load_late() {
    let c = Collector::start("delay");
    let started = std::time::Instant::now();
    let wasm = c.get("/dist/rtp_bg.wasm?delay=300");
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.body, WASM);
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
}
