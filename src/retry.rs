//! The retry policy: what an answer from the collector means for a batch, and when to try again.
//!
//! - **Classification** ([`classify`]). Only 2xx is success. Another 4xx (except 408 and 429) is
//!   a refusal: the same bytes will be refused again, so the batch is dropped. Everything else
//!   is retried. That covers network errors, timeouts, 408, 429 and 5xx. It also covers 1xx
//!   and 3xx. `fetch` never hands 1xx to script, and it follows redirects itself, so a 3xx that
//!   reaches us is a redirect it could not follow: a server problem the operator can fix. It
//!   also covers codes outside 100..=599 (including 0): RFC 9110 §15 says "A client that
//!   receives a response with an invalid status code SHOULD process the response as if it had a
//!   5xx (Server Error) status code". None of these stored the batch, and the age cap bounds
//!   what retrying them costs.
//! - **Backoff** ([`Backoff`]). The delay grows exponentially and uses full jitter: the delay
//!   is uniform in `[0, min(cap, base × 2^(attempt−1))]` (M. Brooker, "Exponential Backoff And
//!   Jitter", AWS Architecture Blog, 2015). Full jitter rather than decorrelated jitter for two
//!   reasons. The article measures it as the least total work for the server, close to the
//!   fastest. And it is a function of the attempt number alone, so the only state to persist
//!   across page loads is that number (decorrelated jitter needs the previous delay too).
//! - **Retry-After** ([`parse_retry_after`]). Only delta-seconds is read. The HTTP-date form is
//!   ignored, and the ordinary backoff applies. Parsing dates costs every visitor's download.
//!   The collector sends seconds. A date is only as good as the visitor's clock, which is
//!   often off by minutes. RFC 9110 §10.2.3 leaves what to do with the field to the client.
//! - **Age** ([`Backoff::expired`]). An event older than [`MAX_AGE_MS`] is dropped rather than
//!   retried. That bounds what a permanently failing collector (or one bad batch) costs a
//!   visitor, and stale events no longer personalise anything.

/// The delay ceiling of the first retry: 1 s (gRPC's connection backoff uses the same
/// `INITIAL_BACKOFF`, grpc/grpc doc/connection-backoff.md).
pub const BASE_DELAY_MS: u64 = 1_000;

/// Each failed attempt multiplies the delay ceiling by this much.
pub const FACTOR: u64 = 2;

/// The cap on the backoff delay: 60 s. It is reached at the 7th attempt (1, 2, 4, … 32, then
/// 64 → 60 s). A collector back after an outage is found within a minute by the tabs still
/// open. Each visitor then costs the collector at most one request a minute (gRPC caps at
/// 120 s; a tag lives in short page views).
pub const MAX_DELAY_MS: u64 = 60_000;

/// The cap on a `Retry-After` floor: 10 min. A longer value is read as 10 min. This keeps a
/// misconfigured `Retry-After: 86400` from freezing delivery for a day. Events are persisted,
/// so waiting costs nothing but latency.
pub const MAX_RETRY_AFTER_MS: u64 = 600_000;

/// The age after which an event is dropped instead of retried: 24 h from when the tag accepted
/// it. Past that, real-time personalization has no use for it. With [`MAX_DELAY_MS`] this also
/// bounds a hopeless event to about 1 440 attempts in open tabs.
pub const MAX_AGE_MS: u64 = 24 * 60 * 60 * 1_000;

/// What came back for a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The collector answered with this HTTP status.
    Status(u16),
    /// The request failed without an answer (offline, DNS, connection reset, CORS failure).
    NetworkError,
    /// The edge gave up waiting for an answer and aborted the request.
    Timeout,
}

/// What an answer means for its batch, before any timing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// 2xx: the collector stored the batch.
    Delivered,
    /// Worth sending again later.
    Transient,
    /// A 4xx other than 408 and 429: the collector will refuse these bytes again.
    Refused,
}

/// Why events leave the outbox without being delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// The collector refused the batch with a 4xx other than 408 and 429.
    Refused,
    /// The event is older than [`MAX_AGE_MS`].
    TooOld,
}

impl DropReason {
    /// A stable machine-readable code.
    pub const fn code(self) -> &'static str {
        match self {
            DropReason::Refused => "refused",
            DropReason::TooOld => "too_old",
        }
    }

    /// The console message.
    pub const fn message(self) -> &'static str {
        match self {
            DropReason::Refused => {
                "rtp: the collector refused a batch (HTTP 4xx); its events are dropped, not retried"
            }
            DropReason::TooOld => "rtp: an event could not be delivered within 24 hours; dropped",
        }
    }
}

/// What to do with a batch after its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Delivered: remove its events from the outbox.
    Done,
    /// Remove its events without delivering them, for this reason.
    Drop(DropReason),
    /// Keep its events, and send nothing before this time (ms since the Unix epoch).
    RetryAt(u64),
}

/// Classifies an answer (see the module documentation for the reasons).
pub const fn classify(answer: Answer) -> Class {
    match answer {
        Answer::Status(200..=299) => Class::Delivered,
        Answer::Status(408 | 429) => Class::Transient,
        Answer::Status(400..=499) => Class::Refused,
        Answer::Status(_) | Answer::NetworkError | Answer::Timeout => Class::Transient,
    }
}

/// The backoff schedule. [`Backoff::DEFAULT`] holds the documented constants. The fields are
/// public so that a test can shorten them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The delay ceiling of the first retry, in ms.
    pub base_ms: u64,
    /// The cap on the backoff delay, in ms.
    pub cap_ms: u64,
    /// The cap on a `Retry-After` floor, in ms.
    pub max_retry_after_ms: u64,
    /// Events older than this many ms are dropped instead of retried.
    pub max_age_ms: u64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::DEFAULT
    }
}

impl Backoff {
    /// [`BASE_DELAY_MS`], [`MAX_DELAY_MS`], [`MAX_RETRY_AFTER_MS`], [`MAX_AGE_MS`].
    pub const DEFAULT: Backoff = Backoff {
        base_ms: BASE_DELAY_MS,
        cap_ms: MAX_DELAY_MS,
        max_retry_after_ms: MAX_RETRY_AFTER_MS,
        max_age_ms: MAX_AGE_MS,
    };

    /// The upper bound of the jittered delay after attempt number `attempt` failed (1 for the
    /// first send): `min(cap, base × FACTOR^(attempt−1))`, without overflow.
    pub fn ceiling(&self, attempt: u32) -> u64 {
        FACTOR
            .checked_pow(attempt.saturating_sub(1))
            .and_then(|f| self.base_ms.checked_mul(f))
            .map_or(self.cap_ms, |d| d.min(self.cap_ms))
    }

    /// The backoff delay after attempt `attempt` failed. It uses full jitter: `random` (uniform
    /// over `u32`, from `crypto.getRandomValues`) picks a point in `[0, ceiling]`. `0` gives 0
    /// and `u32::MAX` gives the ceiling.
    pub fn delay(&self, attempt: u32, random: u32) -> u64 {
        // The ceiling is clamped to u32::MAX (49 days) so that the product fits in a u64:
        // no u128 arithmetic in the wasm.
        let ceiling = self.ceiling(attempt).min(u32::MAX as u64);
        ceiling * random as u64 / u32::MAX as u64
    }

    /// When to try again after attempt `attempt` failed at `now`. The time is `now` plus the
    /// backoff delay. `retry_after` is the server's `Retry-After` in ms (from
    /// [`parse_retry_after`]), when there is one. It is a floor: it is first capped at
    /// `max_retry_after_ms`, then the jittered delay is added on top. So nothing is sent before
    /// `now + retry_after`, and clients told the same `Retry-After` do not all come back in the
    /// same millisecond.
    pub fn schedule(&self, now: u64, attempt: u32, retry_after: Option<u64>, random: u32) -> u64 {
        let floor = retry_after.map_or(0, |r| r.min(self.max_retry_after_ms));
        now.saturating_add(floor)
            .saturating_add(self.delay(attempt, random))
    }

    /// What to do with a batch after `answer` to attempt `attempt` (1 for the first send) at
    /// `now`. Age is per event, not per batch. When this says [`Next::RetryAt`]`(t)`, the edge
    /// drops with [`DropReason::TooOld`] each of the batch's events that is
    /// [`expired`](Backoff::expired) at `t`, and keeps the others.
    pub fn next(
        &self,
        answer: Answer,
        retry_after: Option<u64>,
        attempt: u32,
        now: u64,
        random: u32,
    ) -> Next {
        match classify(answer) {
            Class::Delivered => Next::Done,
            Class::Refused => Next::Drop(DropReason::Refused),
            Class::Transient => Next::RetryAt(self.schedule(now, attempt, retry_after, random)),
        }
    }

    /// Whether an event accepted at `created` is too old at time `at`: more than `max_age_ms`
    /// apart. The distance is counted both ways. A `created` far in the future (the clock was
    /// wrong when it was stored, or the record was tampered with) would otherwise never
    /// expire.
    pub fn expired(&self, created: u64, at: u64) -> bool {
        created.abs_diff(at) > self.max_age_ms
    }
}

/// The `Retry-After` header in ms, when it is delta-seconds: one or more ASCII digits
/// (RFC 9110 §10.2.3), with optional spaces or tabs around them. Anything else gives `None`,
/// and the ordinary backoff applies. That includes an HTTP-date (ignored, see the module
/// documentation), a sign, a fraction, a list ("2, 3"), empty, and a value whose ms overflow
/// a `u64`.
pub fn parse_retry_after(header: &str) -> Option<u64> {
    // Spaces and tabs cut by position, not `trim_matches`: sharing `trim`'s helpers with the
    // shipped code changes how LLVM inlines them there (measured: +35 B gzip).
    let blank = |c: &u8| *c == b' ' || *c == b'\t';
    let bytes = header.as_bytes();
    let start = bytes.iter().position(|c| !blank(c))?;
    let end = bytes.iter().rposition(|c| !blank(c))? + 1;
    let (_, rest) = header.split_at_checked(start)?;
    let (digits, _) = rest.split_at_checked(end - start)?;
    crate::json::parse_u64(digits)?.checked_mul(1_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: Backoff = Backoff::DEFAULT;
    const NOW: u64 = 1_700_000_000_000;

    #[test]
    fn classification_table() {
        let table: [(Answer, Class); 13] = [
            (Answer::Status(200), Class::Delivered),
            (Answer::Status(204), Class::Delivered),
            (Answer::Status(400), Class::Refused),
            (Answer::Status(401), Class::Refused),
            (Answer::Status(404), Class::Refused),
            (Answer::Status(408), Class::Transient),
            (Answer::Status(413), Class::Refused),
            (Answer::Status(429), Class::Transient),
            (Answer::Status(500), Class::Transient),
            (Answer::Status(503), Class::Transient),
            (Answer::Status(599), Class::Transient),
            (Answer::NetworkError, Class::Transient),
            (Answer::Timeout, Class::Transient),
        ];
        for (answer, class) in table {
            assert_eq!(classify(answer), class, "{answer:?}");
        }
    }

    #[test]
    fn unusual_statuses_are_retried_not_dropped() {
        // 1xx never reaches script; a 3xx is a redirect fetch could not follow; 0 and ≥ 600 are
        // invalid, which RFC 9110 §15 says to treat as 5xx.
        for s in [0, 99, 100, 199, 300, 302, 304, 399, 600, 999, u16::MAX] {
            assert_eq!(classify(Answer::Status(s)), Class::Transient, "{s}");
        }
        assert_eq!(classify(Answer::Status(299)), Class::Delivered);
        assert_eq!(classify(Answer::Status(499)), Class::Refused);
    }

    #[test]
    fn next_maps_classes_to_actions() {
        assert_eq!(B.next(Answer::Status(204), None, 1, NOW, 0), Next::Done);
        assert_eq!(
            B.next(Answer::Status(400), None, 1, NOW, 0),
            Next::Drop(DropReason::Refused)
        );
        assert_eq!(
            B.next(Answer::NetworkError, None, 1, NOW, u32::MAX),
            Next::RetryAt(NOW + 1_000)
        );
        assert_eq!(
            B.next(Answer::Status(503), Some(5_000), 1, NOW, 0),
            Next::RetryAt(NOW + 5_000)
        );
    }

    #[test]
    fn ceiling_grows_exponentially_up_to_the_cap() {
        let ceilings: Vec<u64> = (1..=9).map(|a| B.ceiling(a)).collect();
        assert_eq!(
            ceilings,
            [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]
        );
        assert_eq!(B.ceiling(0), 1_000, "attempt 0 is read as the first");
        for a in [64, 65, 1_000, u32::MAX] {
            assert_eq!(B.ceiling(a), MAX_DELAY_MS, "{a}");
        }
    }

    #[test]
    fn delay_never_exceeds_the_cap_for_any_attempt_or_random() {
        let mut rng = 0x9e37_79b9_u32;
        for attempt in (0..200).chain([u32::MAX - 1, u32::MAX]) {
            for _ in 0..50 {
                rng ^= rng << 13;
                rng ^= rng >> 17;
                rng ^= rng << 5;
                let d = B.delay(attempt, rng);
                assert!(
                    d <= B.ceiling(attempt) && d <= MAX_DELAY_MS,
                    "{attempt} {rng} {d}"
                );
            }
        }
    }

    #[test]
    fn full_jitter_spans_zero_to_the_ceiling() {
        for attempt in 1..=10 {
            assert_eq!(B.delay(attempt, 0), 0);
            assert_eq!(B.delay(attempt, u32::MAX), B.ceiling(attempt));
            let mid = B.delay(attempt, u32::MAX / 2);
            assert!(mid.abs_diff(B.ceiling(attempt) / 2) <= 1, "{attempt} {mid}");
        }
    }

    #[test]
    fn a_huge_configured_cap_does_not_overflow() {
        let b = Backoff {
            base_ms: u64::MAX,
            cap_ms: u64::MAX,
            ..B
        };
        assert_eq!(b.delay(1, u32::MAX), u32::MAX as u64);
        assert_eq!(
            b.schedule(u64::MAX, u32::MAX, Some(u64::MAX), u32::MAX),
            u64::MAX
        );
    }

    #[test]
    fn schedule_without_retry_after_is_now_plus_the_delay() {
        assert_eq!(B.schedule(NOW, 3, None, u32::MAX), NOW + 4_000);
        assert_eq!(B.schedule(NOW, 3, None, 0), NOW);
        assert_eq!(B.schedule(NOW, 20, None, u32::MAX), NOW + MAX_DELAY_MS);
    }

    #[test]
    fn retry_after_2_gives_no_attempt_before_2_seconds() {
        let floor = parse_retry_after("2");
        assert_eq!(floor, Some(2_000));
        for random in [0, 1, 12345, u32::MAX / 2, u32::MAX] {
            for attempt in [1, 2, 7, 30] {
                let at = B.schedule(NOW, attempt, floor, random);
                assert!(at >= NOW + 2_000, "{attempt} {random} {at}");
                assert!(at <= NOW + 2_000 + MAX_DELAY_MS);
            }
        }
        assert_eq!(B.schedule(NOW, 1, floor, 0), NOW + 2_000);
        assert_eq!(
            B.schedule(NOW, 1, floor, u32::MAX),
            NOW + 3_000,
            "jitter is added on top"
        );
    }

    #[test]
    fn a_huge_retry_after_is_capped() {
        let day = parse_retry_after("86400");
        assert_eq!(B.schedule(NOW, 1, day, 0), NOW + MAX_RETRY_AFTER_MS);
        assert_eq!(
            B.schedule(NOW, 1, Some(u64::MAX), u32::MAX),
            NOW + MAX_RETRY_AFTER_MS + 1_000
        );
    }

    #[test]
    fn retry_after_reads_delta_seconds() {
        assert_eq!(parse_retry_after("0"), Some(0));
        assert_eq!(parse_retry_after("120"), Some(120_000));
        assert_eq!(parse_retry_after(" 7\t"), Some(7_000));
        assert_eq!(parse_retry_after("007"), Some(7_000));
        assert_eq!(
            parse_retry_after("18446744073709551"),
            Some(18_446_744_073_709_551_000)
        );
    }

    #[test]
    fn garbage_retry_after_is_ignored() {
        for h in [
            "",
            " ",
            "-1",
            "+1",
            "1.5",
            "1e3",
            "2, 3",
            "2 3",
            "abc",
            "٣",
            "１",
            "0x10",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "18446744073709552",
            "18446744073709551616",
            "99999999999999999999999999999",
        ] {
            assert_eq!(parse_retry_after(h), None, "{h:?}");
        }
        // An ignored Retry-After leaves the ordinary backoff.
        assert_eq!(
            B.schedule(NOW, 1, parse_retry_after("soon"), u32::MAX),
            NOW + 1_000
        );
    }

    #[test]
    fn age_cap_drops_old_events() {
        let created = NOW;
        assert!(!B.expired(created, created));
        assert!(!B.expired(created, created + MAX_AGE_MS));
        assert!(B.expired(created, created + MAX_AGE_MS + 1));
        // A creation time far in the future (a wrong clock, or tampering) expires too.
        assert!(B.expired(NOW + MAX_AGE_MS + 1, NOW));
        assert!(!B.expired(NOW + 5_000, NOW));
        assert!(B.expired(u64::MAX, 0));
        assert!(B.expired(0, u64::MAX));
    }

    #[test]
    fn an_event_that_would_be_too_old_at_the_retry_is_dropped_by_the_edge_rule() {
        // The documented rule: on RetryAt(t), drop each event expired at t.
        let created = NOW - MAX_AGE_MS + 500;
        let Next::RetryAt(t) = B.next(Answer::Status(503), None, 1, NOW, u32::MAX) else {
            panic!("503 is retried")
        };
        assert!(B.expired(created, t));
        assert!(!B.expired(created, NOW));
    }

    #[test]
    fn drop_reasons_have_distinct_codes_and_prefixed_messages() {
        assert_ne!(DropReason::Refused.code(), DropReason::TooOld.code());
        for r in [DropReason::Refused, DropReason::TooOld] {
            assert!(r.message().starts_with("rtp: "));
        }
    }
}
