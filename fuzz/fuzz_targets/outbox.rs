//! The outbox (`rtp_tag::outbox::Outbox`) over a journal in memory shared by two pages (as
//! `localStorage` is by a site's tabs), driven by a sequence of operations: events accepted,
//! batches taken and answered (2xx, refusals, failures with `Retry-After`), pages hidden,
//! left (beacons, some refused) and reopened, adoption under arbitrary lock lists, the
//! back-forward cache, consent withdrawn, the clock moving, and other writers (the page, an
//! extension, another tag version) putting anything under the tag's keys.
//!
//! Input: `arbitrary`-structured bytes (the seeds are starting points, not readable text).
//!
//! Checked, always: nothing panics; a batch has at least one event and is at most its byte
//! budget unless it is one event.
//! Checked while no other writer touched the journal: every batch body is JSON with as many
//! events as it says, none twice and none already in flight on that page; adoption finds no
//! corrupt record; and at the end, after both pages are left and a new page adopted and
//! delivered what they left, no record remains and every accepted event was delivered at
//! least once, unless it was refused by a 4xx, too old, or forgotten when consent was
//! withdrawn ("Lose nothing accepted", ARCHITECTURE.md).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use rtp_tag::envelope::{encode_event, Kind, Meta};
use rtp_tag::id::uuid_v4;
use rtp_tag::kept::QUEUE_PREFIX;
use rtp_tag::locks::LOCK_PREFIX;
use rtp_tag::outbox::{Outbox, Outcome};
use rtp_tag::record::{self, EVICTED_KEY, KEY_PREFIX, PAUSE_KEY};
use rtp_tag::retry::Answer;
use rtp_tag::store::Store;
use rtp_tag::values::{validate, Field, RawValues};
use std::collections::HashSet;

// One journal for every page.
use rtp_tag::store::SharedStore as Shared;

#[derive(Arbitrary, Debug)]
enum Reply {
    Ok,
    Refused,
    ServerError,
    Status(u16),
    Network,
    Timeout,
}

#[derive(Arbitrary, Debug)]
enum Live {
    /// No Web Locks: the stale rule applies.
    NoLocks,
    /// The locks of the pages that are open.
    Open,
    /// Some of them (bit 0: page 0, bit 1: page 1).
    Some(u8),
    /// Anything.
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum Key {
    Event([u8; 16]),
    Evicted,
    Pause,
    Queue(String),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum Op {
    Push {
        page: bool,
        values: Vec<String>,
        url: String,
    },
    Persist {
        page: bool,
    },
    Take {
        page: bool,
        max_bytes: u16,
    },
    Answer {
        page: bool,
        which: u8,
        reply: Reply,
        retry_after_s: Option<u16>,
        random: u32,
    },
    Unsent {
        page: bool,
        which: u8,
    },
    Delivered {
        page: bool,
        which: u8,
    },
    /// `pagehide` / `visibilitychange` to hidden.
    Leaving {
        page: bool,
    },
    /// The page is gone; this many beacons are taken before one is refused. A new page opens.
    Close {
        page: bool,
        beacons: u8,
    },
    /// Back from the back-forward cache.
    Resync {
        page: bool,
    },
    Adopt {
        page: bool,
        live: Live,
        since_back_ms: u16,
    },
    Ready {
        page: bool,
    },
    ResumeNow {
        page: bool,
    },
    /// `rtp('set', 'consent', false)`.
    Discard {
        page: bool,
    },
    Tick {
        ms: u16,
    },
    /// Another writer.
    Tamper {
        key: Key,
        value: String,
    },
    Remove {
        key: Key,
    },
}

struct Page {
    outbox: Outbox<Shared>,
    /// Batches in flight: id, and the event ids in it (when known).
    flights: Vec<(u32, Vec<String>)>,
    /// Batches that were in flight when the page was hidden with the collector answering:
    /// their records are removed, and the browser finishes the keepalive requests even if the
    /// page is then left.
    handed: HashSet<u32>,
}

#[derive(Default)]
struct World {
    journal: Shared,
    pages: Vec<Page>,
    now: u64,
    next_owner: u64,
    next_event: u32,
    /// Someone other than the tag wrote or removed a key.
    tampered: bool,
    accepted: Vec<String>,
    delivered: HashSet<String>,
    /// Dropped by design: refused, too old, consent withdrawn.
    excused: HashSet<String>,
}

impl World {
    fn open(&mut self) -> Page {
        self.next_owner += 1;
        let owner = format!("{:016x}", 0x0fab_0000_0000_0000 + self.next_owner);
        Page {
            outbox: Outbox::new(self.journal.clone(), owner),
            flights: Vec::new(),
            handed: HashSet::new(),
        }
    }

    fn key(k: &Key) -> String {
        match k {
            Key::Event(b) => record::key(&uuid_v4(*b)),
            Key::Evicted => EVICTED_KEY.into(),
            Key::Pause => PAUSE_KEY.into(),
            Key::Queue(s) => format!("{QUEUE_PREFIX}{s}"),
            Key::Raw(s) => format!("{KEY_PREFIX}{s}"),
        }
    }

    /// Takes a batch and checks it; returns its id.
    fn take(&mut self, p: usize, max_bytes: usize) -> Option<u32> {
        let b = self.pages[p].outbox.take_batch(self.now, max_bytes)?;
        assert!(b.events >= 1);
        assert!(
            b.events == 1 || b.body.len() <= max_bytes,
            "{} bytes over a budget of {max_bytes}: {}",
            b.body.len(),
            b.body
        );
        let mut ids = Vec::new();
        if !self.tampered {
            let json: serde_json::Value =
                serde_json::from_str(&b.body).unwrap_or_else(|e| panic!("{e}: {}", b.body));
            let events = json["events"].as_array().expect("events");
            assert_eq!(events.len(), b.events);
            assert!(
                json.get("evicted").is_none(),
                "an eviction under the bounds: {}",
                b.body
            );
            for e in events {
                ids.push(e["id"].as_str().expect("id").to_owned());
            }
            let unique: HashSet<&String> = ids.iter().collect();
            assert_eq!(
                unique.len(),
                ids.len(),
                "an event twice in one batch: {}",
                b.body
            );
            for (_, other) in &self.pages[p].flights {
                assert!(
                    !other.iter().any(|id| unique.contains(id)),
                    "an event in two batches at once: {}",
                    b.body
                );
            }
        }
        self.pages[p].flights.push((b.id, ids));
        Some(b.id)
    }

    fn land(&mut self, p: usize, which: u8) -> (u32, Vec<String>) {
        let f = &mut self.pages[p].flights;
        if f.is_empty() {
            return (u32::from(which), Vec::new()); // an id not in flight: must change nothing
        }
        let i = usize::from(which) % f.len();
        f.swap_remove(i)
    }

    fn close(&mut self, p: usize, beacons: u8) {
        if self.leaving(p) {
            for _ in 0..=beacons {
                let Some(id) = self.take(p, 64 * 1024) else {
                    break;
                };
                let (_, ids) = self.pages[p].flights.pop().unwrap();
                self.delivered.extend(ids);
                self.pages[p].outbox.delivered(id);
            }
            if let Some(id) = self.take(p, 64 * 1024) {
                self.pages[p].flights.pop();
                self.pages[p].outbox.unsent(id); // refused: stays stored for the next page
            }
        }
        // In flight and handed over: keepalive requests the browser finishes.
        let page = &mut self.pages[p];
        for (id, ids) in page.flights.drain(..) {
            if page.handed.contains(&id) {
                self.delivered.extend(ids);
            }
        }
        let fresh = self.open();
        self.pages[p] = fresh;
    }

    /// `Outbox::leaving`, and which batches it handed to the browser.
    fn leaving(&mut self, p: usize) -> bool {
        let page = &mut self.pages[p];
        page.outbox.persist();
        let handed = page.outbox.leaving();
        if handed {
            page.handed.extend(page.flights.iter().map(|(id, _)| *id));
        }
        handed
    }

    fn live(&self, live: &Live) -> Option<String> {
        let lock = |p: &Page| format!("{LOCK_PREFIX}{}", p.outbox.owner());
        match live {
            Live::NoLocks => None,
            Live::Open => Some(self.pages.iter().map(lock).collect::<Vec<_>>().join(" ")),
            Live::Some(mask) => Some(
                self.pages
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .map(|(_, p)| lock(p))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Live::Raw(s) => Some(s.clone()),
        }
    }

    fn apply(&mut self, op: Op) {
        match op {
            Op::Push { page, values, url } => {
                let p = usize::from(page);
                self.next_event += 1;
                let mut bytes = [0u8; 16];
                bytes[..4].copy_from_slice(&self.next_event.to_be_bytes());
                let id = uuid_v4(bytes);
                let v = validate(RawValues::Fields(
                    values.into_iter().map(Field::Text).collect(),
                ))
                .ok();
                let kind = if v.is_some() { Kind::Event } else { Kind::View };
                let m = Meta {
                    id: &id,
                    session: "00000000-0000-4000-8000-000000000000",
                    account: Some("acme"),
                    time: self.now,
                    url: &url,
                    referrer: "",
                };
                self.pages[p]
                    .outbox
                    .push(encode_event(kind, v.as_ref(), &m), self.now);
                self.accepted.push(id);
            }
            Op::Persist { page } => self.pages[usize::from(page)].outbox.persist(),
            Op::Take { page, max_bytes } => {
                self.take(usize::from(page), usize::from(max_bytes));
            }
            Op::Answer {
                page,
                which,
                reply,
                retry_after_s,
                random,
            } => {
                let p = usize::from(page);
                let (id, ids) = self.land(p, which);
                let answer = match reply {
                    Reply::Ok => Answer::Status(200),
                    Reply::Refused => Answer::Status(400),
                    Reply::ServerError => Answer::Status(503),
                    Reply::Status(s) => Answer::Status(s),
                    Reply::Network => Answer::NetworkError,
                    Reply::Timeout => Answer::Timeout,
                };
                let retry_after = retry_after_s.map(|s| u64::from(s) * 1000);
                match self.pages[p]
                    .outbox
                    .answered(id, answer, retry_after, self.now, random)
                {
                    Outcome::Delivered => self.delivered.extend(ids),
                    Outcome::Dropped(_, _) => self.excused.extend(ids),
                    Outcome::Retry { at, too_old } => {
                        assert!(at >= self.now);
                        if too_old > 0 {
                            self.excused.extend(ids);
                        }
                    }
                }
            }
            Op::Unsent { page, which } => {
                let p = usize::from(page);
                let (id, _) = self.land(p, which);
                self.pages[p].outbox.unsent(id);
            }
            Op::Delivered { page, which } => {
                let p = usize::from(page);
                let (id, ids) = self.land(p, which);
                self.delivered.extend(ids);
                self.pages[p].outbox.delivered(id);
            }
            Op::Leaving { page } => {
                self.leaving(usize::from(page));
            }
            Op::Close { page, beacons } => self.close(usize::from(page), beacons),
            Op::Resync { page } => {
                self.pages[usize::from(page)].outbox.resync();
            }
            Op::Adopt {
                page,
                live,
                since_back_ms,
            } => {
                let live = self.live(&live);
                let since = self.now.saturating_sub(u64::from(since_back_ms));
                let a =
                    self.pages[usize::from(page)]
                        .outbox
                        .adopt(live.as_deref(), since, self.now);
                if !self.tampered {
                    assert!(
                        a.corrupt.is_empty(),
                        "the tag's own records read back as corrupt: {:?}",
                        a.corrupt
                    );
                    assert_eq!(a.too_old, 0, "too old within a day");
                }
            }
            Op::Ready { page } => {
                let w = self.pages[usize::from(page)].outbox.ready(self.now);
                assert!(w <= 660_000);
            }
            Op::ResumeNow { page } => self.pages[usize::from(page)].outbox.resume_now(),
            Op::Discard { page } => {
                self.pages[usize::from(page)].outbox.discard();
                self.pages[usize::from(page)].flights.clear();
                self.excused.extend(self.accepted.iter().cloned());
            }
            // At most 65 s a step: a run of a few thousand steps stays within the 24 h age cap.
            Op::Tick { ms } => self.now += u64::from(ms),
            Op::Tamper { key, value } => {
                self.tampered = true;
                self.journal.set(&Self::key(&key), &value);
            }
            Op::Remove { key } => {
                self.tampered = true;
                self.journal.remove(&Self::key(&key));
            }
        }
    }

    /// Both pages are left; a new page adopts what they left and delivers everything.
    fn finish(&mut self) {
        self.close(0, u8::MAX);
        self.close(1, u8::MAX);
        let mut last = self.open();
        let a = last.outbox.adopt(Some(""), self.now + 1_000_000, self.now);
        if !self.tampered {
            assert!(a.corrupt.is_empty(), "{:?}", a.corrupt);
        }
        self.pages.push(last);
        for _ in 0..10_000 {
            self.pages[2].outbox.resume_now();
            let Some(id) = self.take(2, 32 * 1024) else {
                break;
            };
            let (_, ids) = self.pages[2].flights.pop().unwrap();
            self.delivered.extend(ids);
            self.pages[2].outbox.delivered(id);
        }
        assert!(self.pages[2].outbox.is_settled());
        if self.tampered {
            return;
        }
        let left: Vec<String> = self
            .journal
            .keys(KEY_PREFIX)
            .into_iter()
            .filter(|k| k != PAUSE_KEY && k != EVICTED_KEY)
            .collect();
        assert!(
            left.is_empty(),
            "records left after everything was delivered: {left:?}"
        );
        for id in &self.accepted {
            assert!(
                self.delivered.contains(id) || self.excused.contains(id),
                "event {id} was accepted and never delivered"
            );
        }
    }
}

fuzz_target!(|ops: Vec<Op>| {
    let mut w = World {
        now: 1_732_456_789_012,
        ..World::default()
    };
    let (a, b) = (w.open(), w.open());
    w.pages = vec![a, b];
    // The bounds (1,000 events, 768 KiB) are not what this target explores.
    if ops.iter().filter(|o| matches!(o, Op::Push { .. })).count() > 500 {
        return;
    }
    for op in ops {
        w.apply(op);
    }
    w.finish();
});
