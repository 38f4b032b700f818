//! `GET /metrics` in the Prometheus text format (0.0.4): counters and one histogram kept in
//! atomics, written out by hand (no metrics crate needed for six series).

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// Upper bounds of the sink write latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// The collector's counters.
#[derive(Debug)]
pub struct Metrics {
    /// Answers by status code (index = status; 0..600).
    by_status: Vec<AtomicU64>,
    accepted: AtomicU64,
    repeated: AtomicU64,
    rejected: AtomicU64,
    batches_rejected: AtomicU64,
    in_flight: AtomicU64,
    requests_in_flight: AtomicU64,
    write_buckets: [AtomicU64; BUCKETS.len()],
    write_count: AtomicU64,
    write_micros: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics {
            by_status: (0..600).map(|_| AtomicU64::new(0)).collect(),
            accepted: AtomicU64::new(0),
            repeated: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
            batches_rejected: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
            requests_in_flight: AtomicU64::new(0),
            write_buckets: Default::default(),
            write_count: AtomicU64::new(0),
            write_micros: AtomicU64::new(0),
        }
    }
}

/// Counts something in flight (a batch in the sink, a request) until dropped.
#[derive(Debug)]
pub struct InFlight<'a>(&'a AtomicU64);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Relaxed);
    }
}

impl Metrics {
    /// Counts one answer.
    pub fn answered(&self, status: u16) {
        if let Some(counter) = self.by_status.get(status as usize) {
            counter.fetch_add(1, Relaxed);
        }
    }

    /// Counts the events of a stored batch: new ones, and repeats dropped.
    pub fn stored(&self, accepted: usize, repeated: usize) {
        self.accepted.fetch_add(accepted as u64, Relaxed);
        self.repeated.fetch_add(repeated as u64, Relaxed);
    }

    /// Counts a batch refused by the contract, and the events found in it.
    pub fn rejected(&self, events: usize) {
        self.batches_rejected.fetch_add(1, Relaxed);
        self.rejected.fetch_add(events as u64, Relaxed);
    }

    /// A batch enters the sink; it leaves when the guard drops.
    pub fn enter(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Relaxed);
        InFlight(&self.in_flight)
    }

    /// A request is being handled; it is done when the guard drops.
    pub fn request(&self) -> InFlight<'_> {
        self.requests_in_flight.fetch_add(1, Relaxed);
        InFlight(&self.requests_in_flight)
    }

    /// Records how long a sink write took.
    pub fn sink_write(&self, took: Duration) {
        let seconds = took.as_secs_f64();
        for (bound, bucket) in BUCKETS.iter().zip(&self.write_buckets) {
            if seconds <= *bound {
                bucket.fetch_add(1, Relaxed);
            }
        }
        self.write_count.fetch_add(1, Relaxed);
        self.write_micros
            .fetch_add(took.as_micros() as u64, Relaxed);
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str("# HELP rtp_http_requests_total HTTP answers by status code.\n");
        out.push_str("# TYPE rtp_http_requests_total counter\n");
        for (status, counter) in self.by_status.iter().enumerate() {
            let n = counter.load(Relaxed);
            if n > 0 {
                let _ = writeln!(out, "rtp_http_requests_total{{status=\"{status}\"}} {n}");
            }
        }
        let counters = [
            (
                "rtp_events_accepted_total",
                "Events stored as new.",
                &self.accepted,
            ),
            (
                "rtp_events_repeated_total",
                "Events dropped as repeats of a stored id.",
                &self.repeated,
            ),
            (
                "rtp_events_rejected_total",
                "Events in batches refused by the contract.",
                &self.rejected,
            ),
            (
                "rtp_batches_rejected_total",
                "Batches refused by the contract (400).",
                &self.batches_rejected,
            ),
        ];
        for (name, help, counter) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                counter.load(Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP rtp_batches_in_flight Batches being written to the sink now.\n# TYPE rtp_batches_in_flight gauge\nrtp_batches_in_flight {}",
            self.in_flight.load(Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP rtp_http_requests_in_flight Requests being handled now.\n# TYPE rtp_http_requests_in_flight gauge\nrtp_http_requests_in_flight {}",
            self.requests_in_flight.load(Relaxed)
        );
        out.push_str("# HELP rtp_sink_write_seconds Time for the sink to make a batch durable.\n");
        out.push_str("# TYPE rtp_sink_write_seconds histogram\n");
        for (bound, bucket) in BUCKETS.iter().zip(&self.write_buckets) {
            let _ = writeln!(
                out,
                "rtp_sink_write_seconds_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Relaxed)
            );
        }
        let count = self.write_count.load(Relaxed);
        let _ = writeln!(out, "rtp_sink_write_seconds_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(
            out,
            "rtp_sink_write_seconds_sum {}",
            self.write_micros.load(Relaxed) as f64 / 1e6
        );
        let _ = writeln!(out, "rtp_sink_write_seconds_count {count}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_histogram_is_cumulative_and_counters_render() {
        let m = Metrics::default();
        m.sink_write(Duration::from_micros(700));
        m.sink_write(Duration::from_millis(30));
        m.answered(200);
        m.stored(9, 1);
        let text = m.render();
        assert!(text.contains("rtp_sink_write_seconds_bucket{le=\"0.001\"} 1\n"));
        assert!(text.contains("rtp_sink_write_seconds_bucket{le=\"0.05\"} 2\n"));
        assert!(text.contains("rtp_sink_write_seconds_bucket{le=\"+Inf\"} 2\n"));
        assert!(text.contains("rtp_http_requests_total{status=\"200\"} 1\n"));
        assert!(text.contains("rtp_events_accepted_total 9\n"));
        assert!(text.contains("rtp_events_repeated_total 1\n"));
    }
}
