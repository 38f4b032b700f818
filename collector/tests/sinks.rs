//! Every sink against its real server (started here): the conformance suite, then the
//! scenarios of replicas on one PostgreSQL, a lost reply, a crash, an outage, and the NATS path.

mod support;

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::json;
use support::*;

/// The same batch twice, repeats inside one batch, 50 concurrent posts of one batch, and a
/// malformed batch: each id stored once, the malformed one not at all. `stored(ids)` says how
/// many times each id is stored (or, for NATS, the total over all of them).
fn conformance(c: &Process, stored: &dyn Fn(&[String]) -> usize) {
    let first = [1, 2, 3];
    let reply = c.post(&batch_of(&first));
    assert_eq!(
        (reply.status, reply.json()),
        (200, json!({ "accepted": 3, "duplicates": 0 }))
    );
    let again = c.post(&batch_of(&first));
    assert_eq!(
        (again.status, again.json()),
        (200, json!({ "accepted": 0, "duplicates": 3 }))
    );
    assert_eq!(stored(&ids_of(&first)), 3, "the same batch twice");

    let reply = c.post(&batch_of(&[4, 5, 4]));
    assert_eq!(
        (reply.status, reply.json()),
        (200, json!({ "accepted": 2, "duplicates": 1 }))
    );
    assert_eq!(stored(&ids_of(&[4, 5])), 2, "a repeat inside one batch");

    let many: Vec<u64> = (6..16).collect();
    let body = Arc::new(batch_of(&many));
    let port = c.port;
    let posts: Vec<_> = (0..50)
        .map(|_| {
            let body = Arc::clone(&body);
            thread::spawn(move || request(port, "POST", "/collect", &[], body.as_bytes()))
        })
        .collect();
    let mut accepted = 0;
    for post in posts {
        let reply = post.join().unwrap();
        assert_eq!(reply.status, 200, "{}", reply.text());
        accepted += reply.json()["accepted"].as_u64().unwrap();
    }
    assert_eq!(accepted, 10, "50 concurrent posts of one batch");
    assert_eq!(stored(&ids_of(&many)), 10);

    let mut bad: serde_json::Value = serde_json::from_str(&batch_of(&[100, 102])).unwrap();
    bad["events"][1]["values"][1] = json!("");
    let reply = c.post(&bad.to_string());
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json(),
        json!({ "error": "events[1].values[1]: empty string" })
    );
    assert_eq!(
        stored(&ids_of(&[100, 102])),
        0,
        "a malformed batch stores nothing"
    );
}

fn file_counts(path: &std::path::Path, ids: &[String]) -> usize {
    let text = fs::read_to_string(path).unwrap_or_default();
    let wanted: HashSet<&String> = ids.iter().collect();
    text.lines()
        .filter(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            wanted.contains(&v["id"].as_str().unwrap().to_string())
        })
        .count()
}

#[test]
fn the_file_sink_passes_the_conformance_suite() {
    let dir = temp_dir("file");
    let path = dir.join("events.ndjson");
    let sink = format!("file:{}", path.display());
    let c = Process::collector(&["--sink", &sink]);
    conformance(&c, &|ids| file_counts(&path, ids));
    // Appended, not truncated, on a restart (without --dev).
    drop(c);
    let c = Process::collector(&["--sink", &sink]);
    assert_eq!(c.post(&batch_of(&[200])).status, 200);
    assert_eq!(file_counts(&path, &ids_of(&[1, 2, 3, 200])), 4);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_postgres_sink_passes_the_conformance_suite() {
    let pg = Postgres::start();
    let c = Process::collector(&["--sink", &pg.url()]);
    conformance(&c, &|ids| pg.counts(ids).iter().sum());
    assert_eq!(
        pg.query("SELECT \"values\"::text FROM rtp_events WHERE type = 'event' LIMIT 1"),
        r#"["sku-1", "blue"]"#
    );
}

#[test]
fn the_nats_sink_passes_the_conformance_suite() {
    let nats = Nats::start();
    let c = Process::collector(&["--sink", &nats.url()]);
    // One message per distinct id: the stream's count, cumulative over the suite's steps.
    let expected = Mutex::new(0u64);
    conformance(&c, &|ids| {
        let before = *expected.lock().unwrap();
        let now = nats.stream_messages();
        *expected.lock().unwrap() = now;
        let _ = ids;
        (now - before) as usize
    });
    assert_eq!(nats.stream_messages(), 15);
}

#[test]
fn three_replicas_on_one_postgres_store_each_id_once() {
    let pg = Postgres::start();
    let replicas: Vec<Process> = (0..3)
        .map(|_| Process::collector(&["--sink", &pg.url()]))
        .collect();
    let ns: Vec<u64> = (1..=20).collect();
    let body = Arc::new(batch_of(&ns));
    let barrier = Arc::new(Barrier::new(2));
    let both: Vec<_> = replicas[..2]
        .iter()
        .map(|r| {
            let (port, body, barrier) = (r.port, Arc::clone(&body), Arc::clone(&barrier));
            thread::spawn(move || {
                barrier.wait();
                request(port, "POST", "/collect", &[], body.as_bytes())
            })
        })
        .collect();
    let accepted: u64 = both
        .into_iter()
        .map(|t| {
            let reply = t.join().unwrap();
            assert_eq!(reply.status, 200);
            reply.json()["accepted"].as_u64().unwrap()
        })
        .sum();
    assert_eq!(
        accepted, 20,
        "the two replicas together stored each id once"
    );
    thread::sleep(Duration::from_secs(1)); // the scenario: the third a second later
    let late = replicas[2].post(&body);
    assert_eq!(late.json(), json!({ "accepted": 0, "duplicates": 20 }));
    assert!(pg.counts(&ids_of(&ns)).iter().all(|&n| n == 1));
    assert_eq!(pg.rows(), 20);
}

#[test]
fn a_reply_lost_after_the_commit_and_a_resend_to_another_replica_make_one_row() {
    let pg = Postgres::start();
    let a = Process::collector(&["--sink", &pg.url()]);
    let b = Process::collector(&["--sink", &pg.url()]);
    let ns: Vec<u64> = (1..=5).collect();
    let body = batch_of(&ns);
    let mut stream = TcpStream::connect(("127.0.0.1", a.port)).unwrap();
    write!(
        stream,
        "POST /collect HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    until("the commit", Duration::from_secs(10), || {
        pg.query("SELECT to_regclass('rtp_events') IS NOT NULL") == "t" && pg.rows() == 5
    });
    drop(stream); // the client gives up without reading the answer
    let resent = b.post(&body);
    assert_eq!(resent.json(), json!({ "accepted": 0, "duplicates": 5 }));
    assert_eq!(pg.counts(&ids_of(&ns)), vec![1; 5]);
}

/// Posts fresh batches of 10 from `threads` threads until `stop`, or until an answer is not 200
/// and `give_up_on_failure`; otherwise keeps a refused batch and resends it until it is taken.
struct Load {
    acked: Arc<Mutex<Vec<u64>>>,
    unacked: Arc<Mutex<Vec<Vec<u64>>>>,
    refused: Arc<AtomicU64>,
    batches: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    threads: Vec<thread::JoinHandle<()>>,
    next: Arc<AtomicU64>,
}

impl Load {
    fn start(port: u16, threads: usize, give_up_on_failure: bool) -> Load {
        let load = Load {
            acked: Arc::default(),
            unacked: Arc::default(),
            refused: Arc::default(),
            batches: Arc::default(),
            stop: Arc::default(),
            threads: Vec::new(),
            next: Arc::new(AtomicU64::new(1)),
        };
        let threads = (0..threads)
            .map(|_| {
                let (acked, unacked, refused, batches, stop, next) = (
                    Arc::clone(&load.acked),
                    Arc::clone(&load.unacked),
                    Arc::clone(&load.refused),
                    Arc::clone(&load.batches),
                    Arc::clone(&load.stop),
                    Arc::clone(&load.next),
                );
                thread::spawn(move || {
                    let mut retry: Vec<Vec<u64>> = Vec::new();
                    loop {
                        let ns: Vec<u64> = match retry.pop() {
                            Some(ns) => ns,
                            None if stop.load(Ordering::SeqCst) => return,
                            None => {
                                let first = next.fetch_add(10, Ordering::SeqCst);
                                (first..first + 10).collect()
                            }
                        };
                        let reply =
                            request(port, "POST", "/collect", &[], batch_of(&ns).as_bytes());
                        if reply.status == 200 {
                            acked.lock().unwrap().extend(&ns);
                            batches.fetch_add(1, Ordering::SeqCst);
                            continue;
                        }
                        refused.fetch_add(1, Ordering::SeqCst);
                        if give_up_on_failure {
                            unacked.lock().unwrap().push(ns);
                            return;
                        }
                        assert!(
                            reply.status == 503 || reply.status == 0,
                            "status {}",
                            reply.status
                        );
                        retry.push(ns);
                        thread::sleep(Duration::from_millis(200));
                    }
                })
            })
            .collect();
        Load { threads, ..load }
    }

    fn join(mut self) -> (Vec<u64>, Vec<Vec<u64>>) {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads.drain(..) {
            t.join().unwrap();
        }
        let acked = self.acked.lock().unwrap().clone();
        let unacked = self.unacked.lock().unwrap().clone();
        (acked, unacked)
    }
}

#[test]
fn a_replica_killed_mid_load_lost_nothing_it_acknowledged_and_resends_land_once() {
    let pg = Postgres::start();
    let mut a = Process::collector(&["--sink", &pg.url()]);
    let b = Process::collector(&["--sink", &pg.url()]);
    let load = Load::start(a.port, 4, true);
    let batches = Arc::clone(&load.batches);
    until("50 acknowledged batches", Duration::from_secs(60), || {
        batches.load(Ordering::SeqCst) >= 50
    });
    a.kill9();
    let (acked, unacked) = load.join();
    let acked_ids: Vec<String> = acked.iter().map(|&n| uuid(n)).collect();
    assert!(
        pg.counts(&acked_ids).iter().all(|&n| n == 1),
        "every acknowledged id is stored once"
    );
    for ns in &unacked {
        assert_eq!(b.post(&batch_of(ns)).status, 200);
    }
    let all: Vec<u64> = acked
        .iter()
        .copied()
        .chain(unacked.iter().flatten().copied())
        .collect();
    assert!(pg.counts(&ids_of(&all)).iter().all(|&n| n == 1));
    assert_eq!(pg.rows(), all.len());
}

#[test]
fn a_postgres_outage_of_ten_seconds_is_503_and_not_ready_then_every_resend_lands_once() {
    let pg = Postgres::start();
    let c = Process::collector(&["--sink", &pg.url()]);
    let load = Load::start(c.port, 4, false);
    let (batches, refused) = (Arc::clone(&load.batches), Arc::clone(&load.refused));
    until("30 acknowledged batches", Duration::from_secs(60), || {
        batches.load(Ordering::SeqCst) >= 30
    });
    pg.halt();
    until("/readyz to fail", Duration::from_secs(20), || {
        c.get("/readyz").status == 503
    });
    until("a 503 under load", Duration::from_secs(20), || {
        refused.load(Ordering::SeqCst) > 0
    });
    let reply = c.post(&batch_of(&[1 << 40]));
    assert_eq!(reply.status, 503);
    assert_eq!(reply.header("Retry-After"), Some("1"));
    thread::sleep(Duration::from_secs(10)); // the scenario: the database down for 10 s
    assert_eq!(c.get("/readyz").status, 503);
    pg.resume();
    until("/readyz to pass", Duration::from_secs(30), || {
        c.get("/readyz").status == 200
    });
    let acked_before = batches.load(Ordering::SeqCst);
    until(
        "batches acknowledged again",
        Duration::from_secs(30),
        || batches.load(Ordering::SeqCst) > acked_before + 10,
    );
    let (acked, unacked) = load.join();
    assert!(unacked.is_empty());
    assert!(
        pg.counts(&ids_of(&acked)).iter().all(|&n| n == 1),
        "each acknowledged id once"
    );
    assert_eq!(
        pg.rows(),
        acked.len(),
        "nothing stored that was not acknowledged in the end"
    );
    let metrics = c.get("/metrics").text();
    assert!(
        metrics.contains("rtp_http_requests_total{status=\"503\"}"),
        "{metrics}"
    );
}

#[test]
fn the_nats_path_with_the_loader_killed_and_restarted_makes_one_row_per_id() {
    let pg = Postgres::start();
    let nats = Nats::start();
    let c = Process::collector(&["--sink", &nats.url()]);
    let mut loader = Process::loader(&nats.url(), &pg.url());
    let load = Load::start(c.port, 4, false);
    let batches = Arc::clone(&load.batches);
    until("rows loaded", Duration::from_secs(60), || {
        batches.load(Ordering::SeqCst) >= 40
            && pg.query("SELECT to_regclass('rtp_events') IS NOT NULL") == "t"
            && pg.rows() > 0
    });
    loader.kill9();
    until("more batches acknowledged", Duration::from_secs(60), || {
        batches.load(Ordering::SeqCst) >= 80
    });
    let _loader = Process::loader(&nats.url(), &pg.url());
    let (acked, _) = load.join();
    // Resend some acknowledged batches: JetStream's duplicate window drops them.
    for chunk in acked.chunks(10).take(5) {
        assert_eq!(c.post(&batch_of(chunk)).json()["accepted"], 0);
    }
    until("every id in the table", Duration::from_secs(60), || {
        pg.rows() >= acked.len()
    });
    assert_eq!(nats.stream_messages(), acked.len() as u64);
    assert!(pg.counts(&ids_of(&acked)).iter().all(|&n| n == 1));
    assert_eq!(pg.rows(), acked.len());
}
