//! Deterministic tests of the outbox: an injected clock (plain numbers), a journal in memory
//! (shared between outboxes to play several pages), no sleeps.

use super::*;
use crate::envelope::BATCH_OVERHEAD;
use crate::envelope::{encode_event, Kind, Meta};
use crate::id::uuid_v4;
use crate::record::{self, Corrupt, Pause, EVICTED_KEY, PAUSE_KEY};
use crate::retry::Answer;
use crate::store::MemoryStore;
use pause::MAX_PAUSE_MS;

const NOW: u64 = 1_732_456_789_012;
const A: &str = "aaaaaaaa";
const B: &str = "bbbbbbbb";

// One journal seen by several pages (as localStorage is by the tabs of a site).
use crate::store::Quota;
use crate::store::SharedStore as Shared;

/// A journal that refuses every write (blocked storage, or at quota).
struct Refusing;

impl Store for Refusing {
    fn get(&mut self, _: &str) -> Option<String> {
        None
    }
    fn set(&mut self, _: &str, _: &str) -> bool {
        false
    }
    fn remove(&mut self, _: &str) {}
    fn keys(&mut self, _: &str) -> Vec<String> {
        Vec::new()
    }
    fn count(&mut self) -> usize {
        0
    }
}

/// An envelope event numbered `n`, about `pad` bytes longer than the bare event.
fn event(n: u32, pad: usize) -> String {
    let mut bytes = [0u8; 16];
    bytes[..4].copy_from_slice(&n.to_be_bytes());
    let id = uuid_v4(bytes);
    let url = alloc::format!("http://site.test/{}", "p".repeat(pad));
    let m = Meta {
        id: &id,
        session: "00000000-0000-4000-8000-000000000000",
        account: None,
        time: NOW,
        url: &url,
        referrer: "",
    };
    encode_event(Kind::View, None, &m)
}

fn id_of(e: &str) -> String {
    e[7..43].to_string()
}

/// The stored keys of records (groups), in the store's order.
fn group_keys(j: &Shared) -> Vec<String> {
    let keys = j.0.borrow_mut().keys("rtp:o:");
    keys.into_iter()
        .filter(|k| record::event_id(k).is_some())
        .collect()
}

/// The stored records, one `rtp:o:<event id>` each (a group of records is stored under the key
/// of its first event's id), in the store's order.
fn records(j: &Shared) -> Vec<String> {
    let mut out = Vec::new();
    for key in group_keys(j) {
        let value = j.0.borrow_mut().get(&key).unwrap();
        let group = record::decode_group(&key, &value).expect("a group this tag wrote");
        out.extend(group.iter().map(|r| record::key(r.id)));
    }
    out
}

/// The stored record (its line in its group) of event `e`.
fn stored(j: &Shared, e: &str) -> Option<String> {
    let id = id_of(e);
    for key in group_keys(j) {
        let value = j.0.borrow_mut().get(&key).unwrap();
        if let Some(line) = value
            .split('\n')
            .find(|l| record::decode(l).is_ok_and(|r| r.id == id))
        {
            return Some(line.to_string());
        }
    }
    None
}

fn page(j: &Shared, owner: &str) -> Outbox<Shared> {
    Outbox::new(j.clone(), owner.into())
}

/// A page that accepted events `first..first + n` (padded by `pad`) at `NOW`, in one task.
fn page_with(j: &Shared, owner: &str, first: u32, n: u32, pad: usize) -> Outbox<Shared> {
    let mut o = page(j, owner);
    for i in first..first + n {
        o.push(event(i, pad), NOW);
    }
    o.persist();
    o
}

#[test]
fn an_event_is_written_by_persist_before_it_is_sent_and_removed_when_acknowledged() {
    let j = Shared::default();
    let mut o = page(&j, A);
    let e = event(1, 0);
    o.push(e.clone(), NOW);
    assert!(
        records(&j).is_empty(),
        "written at the end of the task, not by the call"
    );
    o.persist();
    let stored = j.0.borrow_mut().get(&record::key(&id_of(&e))).unwrap();
    assert_eq!(stored, record::encode(NOW, 0, A, &e));
    let b = o.take_batch(NOW, 32 * 1024).unwrap();
    assert_eq!(
        b.body,
        alloc::format!("{{\"v\":1,\"sent\":{NOW},\"events\":[{e}]}}")
    );
    assert_eq!(records(&j).len(), 1, "still stored while in flight");
    assert_eq!(
        o.answered(b.id, Answer::Status(204), None, NOW, 0),
        Outcome::Delivered
    );
    assert!(records(&j).is_empty());
    assert!(o.is_settled());
}

#[test]
fn batches_never_exceed_the_byte_budget() {
    let mut o = Outbox::new(MemoryStore::default(), A.into());
    for i in 0..1000 {
        o.push(event(i, 60), NOW);
    }
    let mut total = 0;
    let mut batches = 0;
    while let Some(b) = o.take_batch(NOW, 16 * 1024) {
        assert!(b.body.len() <= 16 * 1024, "{}", b.body.len());
        total += b.events;
        batches += 1;
    }
    assert_eq!(total, 1000);
    let per_event = event(0, 60).len() + 1;
    assert_eq!(
        batches,
        (1000 * per_event).div_ceil((16 * 1024 - BATCH_OVERHEAD) / per_event * per_event)
    );
}

#[test]
fn an_event_larger_than_the_budget_still_goes_alone() {
    let mut o = Outbox::new(MemoryStore::default(), A.into());
    o.push(event(1, 500), NOW);
    o.push(event(2, 0), NOW);
    let b = o.take_batch(NOW, 100).unwrap();
    assert_eq!(b.events, 1);
    assert!(b.body.contains(&event(1, 500)));
}

#[test]
fn a_failed_batch_goes_back_in_front_counts_an_attempt_and_pauses_the_outbox() {
    let j = Shared::default();
    let mut o = page(&j, A);
    o.push(event(1, 0), NOW);
    o.push(event(2, 0), NOW);
    let b = o.take_batch(NOW, 65536).unwrap();
    o.push(event(3, 0), NOW);
    // random = u32::MAX: the delay is the whole ceiling, 1 s after the first failure.
    assert_eq!(
        o.answered(b.id, Answer::Status(503), None, NOW, u32::MAX),
        Outcome::Retry {
            at: NOW + 1_000,
            too_old: 0
        }
    );
    assert!(o.failing());
    assert_eq!(o.wait(NOW), 1_000);
    assert!(o.take_batch(NOW + 999, 65536).is_none(), "paused");
    let again = o.take_batch(NOW + 1_000, 65536).unwrap();
    let order: Vec<String> = [1, 2, 3].iter().map(|n| event(*n, 0)).collect();
    assert!(
        again
            .body
            .ends_with(&alloc::format!("[{}]}}", order.join(","))),
        "{}",
        again.body
    );
    // The failed events' records count the attempt; the pause is stored for other pages.
    let r =
        j.0.borrow_mut()
            .get(&record::key(&id_of(&order[0])))
            .unwrap();
    assert!(r.starts_with(&alloc::format!("1|{NOW}|1|{A}|")), "{r}");
    assert_eq!(
        j.0.borrow_mut().get(PAUSE_KEY),
        Some(alloc::format!("1|{}|1", NOW + 1_000))
    );
    // Second failure: the ceiling doubles.
    assert_eq!(
        o.answered(again.id, Answer::NetworkError, None, NOW + 1_000, u32::MAX),
        Outcome::Retry {
            at: NOW + 3_000,
            too_old: 0
        }
    );
    // Success ends the pause, here and in storage.
    let last = o.take_batch(NOW + 3_000, 65536).unwrap();
    assert_eq!(
        o.answered(last.id, Answer::Status(200), None, NOW + 3_000, 0),
        Outcome::Delivered
    );
    assert!(!o.failing());
    assert_eq!(o.wait(NOW + 3_000), 0);
    assert_eq!(j.0.borrow_mut().get(PAUSE_KEY), None);
    assert!(records(&j).is_empty());
}

#[test]
fn retry_after_is_a_floor_under_the_jittered_delay() {
    let mut o = Outbox::new(MemoryStore::default(), A.into());
    o.push(event(1, 0), NOW);
    let b = o.take_batch(NOW, 65536).unwrap();
    assert_eq!(
        o.answered(b.id, Answer::Status(429), Some(2_000), NOW, 0),
        Outcome::Retry {
            at: NOW + 2_000,
            too_old: 0
        }
    );
    assert!(o.take_batch(NOW + 1_999, 65536).is_none());
    assert!(o.take_batch(NOW + 2_000, 65536).is_some());
}

#[test]
fn a_refused_batch_is_dropped_not_retried() {
    let j = Shared::default();
    let mut o = page(&j, A);
    o.push(event(1, 0), NOW);
    o.push(event(2, 0), NOW);
    let b = o.take_batch(NOW, 65536).unwrap();
    assert_eq!(
        o.answered(b.id, Answer::Status(400), None, NOW, 0),
        Outcome::Dropped(DropReason::Refused, 2)
    );
    assert!(o.is_settled());
    assert!(records(&j).is_empty());
    assert!(!o.failing(), "a refusal is an answer: the collector is up");
}

#[test]
fn events_past_the_age_cap_are_dropped_instead_of_retried() {
    let j = Shared::default();
    let mut o = page(&j, A);
    o.push(event(1, 0), NOW - crate::retry::MAX_AGE_MS + 500);
    o.push(event(2, 0), NOW);
    let b = o.take_batch(NOW, 65536).unwrap();
    // The retry would be at NOW + 1 s: the first event is then past 24 h.
    assert_eq!(
        o.answered(b.id, Answer::Status(500), None, NOW, u32::MAX),
        Outcome::Retry {
            at: NOW + 1_000,
            too_old: 1
        }
    );
    assert_eq!(o.queued(), 1);
    assert_eq!(records(&j), [record::key(&id_of(&event(2, 0)))]);
}

#[test]
fn past_max_events_the_oldest_queued_is_evicted_counted_and_reported_once() {
    let j = Shared::default();
    let mut o = page(&j, A);
    for i in 0..MAX_EVENTS as u32 {
        o.push(event(i, 0), NOW + i as u64);
    }
    assert_eq!(j.0.borrow_mut().get(EVICTED_KEY), None);
    o.push(event(5000, 0), NOW + 5000);
    o.push(event(5001, 0), NOW + 5001);
    o.persist();
    assert_eq!(o.queued(), MAX_EVENTS);
    assert_eq!(j.0.borrow_mut().get(EVICTED_KEY).as_deref(), Some("1|2"));
    assert_eq!(records(&j).len(), MAX_EVENTS);
    assert!(stored(&j, &event(0, 0)).is_none(), "the oldest went first");
    let first = o.take_batch(NOW, 32 * 1024).unwrap();
    assert!(
        first.body.contains(",\"evicted\":2,"),
        "{}",
        &first.body[..60]
    );
    assert!(first.body.contains(&event(2, 0)));
    assert_eq!(
        j.0.borrow_mut().get(EVICTED_KEY),
        None,
        "the count moved into the batch"
    );
    let second = o.take_batch(NOW, 32 * 1024).unwrap();
    assert!(!second.body.contains("evicted"), "reported by one batch");
    o.delivered(first.id);
    assert_eq!(j.0.borrow_mut().get(EVICTED_KEY), None);
    let third = o.take_batch(NOW, 32 * 1024).unwrap();
    assert!(!third.body.contains("evicted"));
}

#[test]
fn evictions_by_two_tabs_are_each_reported_once() {
    let j = Shared::default();
    let mut a = page(&j, A);
    let mut b = page(&j, B);
    for i in 0..MAX_EVENTS as u32 + 5 {
        a.push(event(i, 0), NOW);
    }
    for i in 0..MAX_EVENTS as u32 + 3 {
        b.push(event(10_000 + i, 0), NOW);
    }
    assert_eq!(j.0.borrow_mut().get(EVICTED_KEY).as_deref(), Some("1|8"));
    let from_a = a.take_batch(NOW, 1024).unwrap();
    let from_b = b.take_batch(NOW, 1024).unwrap();
    assert!(
        from_a.body.contains("\"evicted\":8,"),
        "{}",
        &from_a.body[..40]
    );
    assert!(!from_b.body.contains("evicted"));
}

#[test]
fn an_unacknowledged_report_of_evictions_is_sent_again() {
    let mut o = Outbox::new(MemoryStore::default(), A.into());
    for i in 0..=MAX_EVENTS as u32 {
        o.push(event(i, 0), NOW);
    }
    let b = o.take_batch(NOW, 1024).unwrap();
    assert!(b.body.contains("\"evicted\":1"));
    o.answered(b.id, Answer::Status(503), None, NOW, 0);
    let again = o.take_batch(NOW + 1, 1024).unwrap();
    assert!(again.body.contains("\"evicted\":1"));
}

#[test]
fn past_max_bytes_the_oldest_is_evicted_but_never_the_newest() {
    let mut o = Outbox::new(MemoryStore::default(), A.into());
    let per = event(1, 8_000).len() + RECORD_OVERHEAD;
    let fit = MAX_BYTES / per;
    for i in 0..fit as u32 {
        o.push(event(i, 8_000), NOW);
    }
    assert_eq!(o.queued(), fit);
    o.push(event(99, 8_000), NOW);
    assert_eq!(o.queued(), fit);
    // One event larger than the bound alone: everything older goes, it stays.
    let mut huge = event(100, 0);
    huge.insert_str(huge.len() - 1, &" ".repeat(MAX_BYTES));
    o.push(huge.clone(), NOW);
    assert_eq!(o.queued(), 1);
    assert!(o.take_batch(NOW, 65536).unwrap().body.contains(&huge));
}

#[test]
fn in_flight_events_are_never_evicted() {
    let mut o = Outbox::new(MemoryStore::default(), A.into());
    for i in 0..MAX_EVENTS as u32 {
        o.push(event(i, 0), NOW);
    }
    let b = o.take_batch(NOW, 1 << 30).unwrap();
    assert_eq!(b.events, MAX_EVENTS);
    o.push(event(5000, 0), NOW);
    assert_eq!(
        o.queued(),
        1,
        "the newest stays, though the bound is reached by events in flight"
    );
    o.delivered(b.id);
    assert_eq!(o.queued(), 1);
}

#[test]
fn storage_that_refuses_writes_leaves_delivery_working_in_memory() {
    let mut o = Outbox::new(Refusing, A.into());
    o.push(event(1, 0), NOW);
    o.push(event(2, 0), NOW);
    let b = o.take_batch(NOW, 65536).unwrap();
    assert_eq!(b.events, 2);
    assert_eq!(
        o.answered(b.id, Answer::Status(503), None, NOW, 0),
        Outcome::Retry {
            at: NOW,
            too_old: 0
        }
    );
    let again = o.take_batch(NOW, 65536).unwrap();
    assert_eq!(
        o.answered(again.id, Answer::Status(200), None, NOW, 0),
        Outcome::Delivered
    );
    assert!(o.is_settled());
    // Nothing stored, so nothing to adopt, and adopting reads nothing.
    assert_eq!(o.adopt(Some(""), NOW + RECENT_MS, NOW), Adoption::default());
}

#[test]
fn the_next_page_adopts_what_a_gone_page_left_and_keeps_its_pause() {
    let j = Shared::default();
    let mut gone = page(&j, A);
    gone.push(event(1, 0), NOW);
    gone.push(event(2, 0), NOW + 1);
    let b = gone.take_batch(NOW, 65536).unwrap();
    gone.answered(b.id, Answer::Status(503), Some(5_000), NOW, 0);
    drop(gone); // the page is gone: its lock is released

    let mut next = page(&j, B);
    let a = next.adopt(
        Some("rtp-tab-bbbbbbbb rtp-claim"),
        NOW + 100 + RECENT_MS,
        NOW + 100,
    );
    assert_eq!(a.adopted, 2);
    assert!(a.corrupt.is_empty());
    assert_eq!(
        next.wait(NOW + 100),
        4_900,
        "the stored Retry-After still holds"
    );
    assert!(next.take_batch(NOW + 100, 65536).is_none());
    // Rewritten as the new page's, attempts kept: a third page finds nothing to adopt.
    assert_eq!(records(&j).len(), 2);
    for e in [event(1, 0), event(2, 0)] {
        let v = stored(&j, &e).unwrap();
        assert!(
            v.starts_with(&alloc::format!("1|{NOW}|1|{B}|"))
                || v.starts_with(&alloc::format!("1|{}|1|{B}|", NOW + 1)),
            "{v}"
        );
    }
    let mut third = page(&j, "cccccccc");
    assert_eq!(
        third
            .adopt(
                Some("rtp-tab-bbbbbbbb rtp-tab-cccccccc"),
                NOW + 200 + RECENT_MS,
                NOW + 200
            )
            .adopted,
        0
    );
    let out = next.take_batch(NOW + 5_000, 65536).unwrap();
    assert_eq!(out.events, 2);
    assert!(
        out.body.find(&event(1, 0)).unwrap() < out.body.find(&event(2, 0)).unwrap(),
        "oldest first"
    );
    next.delivered(out.id);
    assert!(records(&j).is_empty());
}

#[test]
fn a_live_pages_records_are_left_to_it() {
    let j = Shared::default();
    let mut a = page(&j, A);
    a.push(event(1, 0), NOW);
    a.persist();
    let mut b = page(&j, B);
    // A's lock is held, or only requested: either way A is alive, and B will look again.
    let found = b.adopt(
        Some("rtp-tab-aaaaaaaa rtp-tab-bbbbbbbb"),
        NOW + RECENT_MS,
        NOW,
    );
    assert_eq!((found.adopted, found.waiting), (0, 1));
    assert_eq!(
        b.adopt(
            Some("rtp-tab-bbbbbbbb rtp-tab-aaaaaaaa"),
            NOW + RECENT_MS,
            NOW
        )
        .adopted,
        0
    );
    // A lock whose name merely contains A's id is not A's.
    assert_eq!(
        b.adopt(
            Some("xrtp-tab-aaaaaaaa rtp-tab-aaaaaaaax"),
            NOW + RECENT_MS,
            NOW
        )
        .adopted,
        1
    );
    assert_eq!(b.queued(), 1);
    // And A's own records are never adopted by A.
    let mut again = page(&j, B);
    assert_eq!(again.adopt(Some(""), NOW + RECENT_MS, NOW).adopted, 0);
}

#[test]
fn without_web_locks_only_stale_records_are_adopted() {
    let j = Shared::default();
    let mut a = page(&j, A);
    a.push(event(1, 0), NOW);
    a.persist();
    let mut b = page(&j, B);
    assert_eq!(
        b.adopt(None, NOW + STALE_MS - 1 + RECENT_MS, NOW + STALE_MS - 1)
            .adopted,
        0
    );
    assert_eq!(
        b.adopt(None, NOW + STALE_MS + RECENT_MS, NOW + STALE_MS)
            .adopted,
        1
    );
}

#[test]
fn corrupt_and_expired_records_are_removed_with_their_reasons() {
    let j = Shared::default();
    let good = event(1, 0);
    let old = event(2, 0);
    {
        let mut s = j.0.borrow_mut();
        s.set(
            &record::key(&id_of(&good)),
            &record::encode(NOW, 0, A, &good),
        );
        s.set(
            &record::key(&id_of(&old)),
            &record::encode(NOW - crate::retry::MAX_AGE_MS - 1, 0, A, &old),
        );
        s.set(&record::key(&id_of(&event(3, 0))), "2|garbage");
        s.set(
            &record::key(&id_of(&event(4, 0))),
            &record::encode(NOW, 0, A, &good),
        ); // wrong key
        s.set("rtp:o:not-a-uuid", "x");
        s.set(PAUSE_KEY, "1|x|1");
        s.set(EVICTED_KEY, "1|-3");
        s.set("rtp:other", "kept");
    }
    let mut b = page(&j, B);
    let a = b.adopt(Some(""), NOW + RECENT_MS, NOW);
    assert_eq!(a.adopted, 1);
    assert_eq!(a.too_old, 1);
    let mut reasons = a.corrupt.clone();
    reasons.sort_by_key(|c| c.code());
    assert_eq!(
        reasons,
        [
            Corrupt::BadNumber,
            Corrupt::BadNumber,
            Corrupt::UnknownVersion,
            Corrupt::UnknownVersion,
            Corrupt::WrongKey
        ]
    );
    let mut left = j.0.borrow_mut().keys("rtp:");
    left.sort();
    assert_eq!(left, [record::key(&id_of(&good)), "rtp:other".to_string()]);
}

#[test]
fn leaving_while_healthy_hands_in_flight_batches_to_the_browser() {
    let j = Shared::default();
    let mut o = page(&j, A);
    o.push(event(1, 0), NOW);
    let b = o.take_batch(NOW, 65536).unwrap();
    o.push(event(2, 0), NOW);
    assert!(o.leaving(), "queued events go by beacon");
    assert_eq!(
        records(&j),
        [record::key(&id_of(&event(2, 0)))],
        "the keepalive request is the browser's now"
    );
    // The page stayed (only hidden) and the request failed: the record is written again.
    o.answered(b.id, Answer::NetworkError, None, NOW, 0);
    assert_eq!(records(&j).len(), 2);
}

#[test]
fn leaving_while_failing_keeps_everything_for_the_next_page() {
    let j = Shared::default();
    let mut o = page(&j, A);
    o.push(event(1, 0), NOW);
    let b = o.take_batch(NOW, 65536).unwrap();
    o.answered(b.id, Answer::Status(503), None, NOW, 0);
    let retry = o.take_batch(NOW, 65536).unwrap();
    o.push(event(2, 0), NOW);
    assert!(!o.leaving());
    assert_eq!(records(&j).len(), 2);
    let _ = retry;
}

#[test]
fn a_beacon_refused_leaves_the_events_queued_without_an_attempt() {
    let j = Shared::default();
    let mut o = page(&j, A);
    o.push(event(1, 0), NOW);
    let b = o.take_batch(NOW, 65536).unwrap();
    o.unsent(b.id);
    assert_eq!(o.queued(), 1);
    assert!(!o.failing());
    assert!(stored(&j, &event(1, 0))
        .unwrap()
        .starts_with("1|1732456789012|0|"));
}

#[test]
fn back_from_the_bfcache_a_page_forgets_what_another_page_adopted() {
    let j = Shared::default();
    let mut a = page(&j, A);
    a.push(event(1, 0), NOW);
    a.push(event(2, 0), NOW);
    a.persist();
    // A was in the back-forward cache without its lock; B adopted A's events and sent one.
    let mut b = page(&j, B);
    assert_eq!(b.adopt(Some(""), NOW + RECENT_MS, NOW).adopted, 2);
    let sent = b
        .take_batch(NOW, event(1, 0).len() + BATCH_OVERHEAD + 1)
        .unwrap();
    b.delivered(sent.id);
    a.resync();
    assert_eq!(a.queued(), 0);
    // Its own events are kept.
    a.push(event(3, 0), NOW);
    a.resync();
    assert_eq!(a.queued(), 1, "kept before its record is written");
    a.persist();
    a.resync();
    assert_eq!(a.queued(), 1, "and after");
}

#[test]
fn online_lifts_the_pause_but_keeps_the_failure_count() {
    let mut o = Outbox::new(MemoryStore::default(), A.into());
    o.push(event(1, 0), NOW);
    let b = o.take_batch(NOW, 65536).unwrap();
    o.answered(b.id, Answer::NetworkError, None, NOW, u32::MAX);
    assert!(o.take_batch(NOW, 65536).is_none());
    o.resume_now();
    let again = o.take_batch(NOW, 65536).unwrap();
    assert_eq!(
        o.answered(again.id, Answer::NetworkError, None, NOW, u32::MAX),
        Outcome::Retry {
            at: NOW + 2_000,
            too_old: 0
        }
    );
}

#[test]
fn a_stored_pause_far_ahead_is_cut_to_the_longest_the_policy_sets() {
    let j = Shared::default();
    j.0.borrow_mut().set(
        PAUSE_KEY,
        &Pause {
            until: u64::MAX,
            failures: 3,
        }
        .encode(),
    );
    let mut o = page(&j, A);
    o.adopt(Some(""), NOW + RECENT_MS, NOW);
    assert_eq!(o.wait(NOW), MAX_PAUSE_MS);
}

#[test]
fn a_batch_back_after_leaving_while_hidden_is_stored_again() {
    // Hidden (records of the batch in flight removed: it was the browser's), then the request
    // failed while offline: the events come back, and so do their records.
    let j = Shared::default();
    let mut o = page(&j, A);
    o.push(event(1, 0), NOW);
    let b = o.take_batch(NOW, 65536).unwrap();
    assert!(o.leaving());
    assert!(records(&j).is_empty());
    o.unsent(b.id);
    assert_eq!(o.queued(), 1);
    assert_eq!(records(&j).len(), 1);
}

#[test]
fn a_retry_that_lands_after_another_page_adopted_its_events_lets_them_go() {
    let j = Shared::default();
    let mut a = page(&j, A);
    a.push(event(1, 0), NOW);
    let first = a.take_batch(NOW, 65536).unwrap();
    a.answered(first.id, Answer::Status(503), None, NOW, 0);
    let retry = a.take_batch(NOW, 65536).unwrap();
    assert!(!a.leaving(), "failing: kept for the next page");
    // The next page adopts the event while A (in the back-forward cache) still has it in flight.
    let mut b = page(&j, B);
    assert_eq!(b.adopt(Some(""), NOW + 1_000, NOW + 1_000).adopted, 1);
    // A is restored and its retry fails: the event is B's now, A drops it.
    a.answered(retry.id, Answer::Status(503), None, NOW + 1_000, 0);
    assert!(a.is_settled());
    let v = stored(&j, &event(1, 0)).unwrap();
    assert!(v.contains(&alloc::format!("|{B}|")), "{v}");
}

#[test]
fn a_record_written_around_the_lock_snapshot_is_left_for_later() {
    let j = Shared::default();
    let mut a = page(&j, A);
    a.push(event(1, 0), NOW);
    a.persist();
    let mut b = page(&j, B);
    // The snapshot was asked for 200 ms after A accepted the event: too close to tell.
    let found = b.adopt(Some(""), NOW + 200, NOW + 300);
    assert_eq!((found.adopted, found.recent), (0, true));
    let later = b.adopt(Some(""), NOW + RECENT_MS, NOW + RECENT_MS);
    assert_eq!((later.adopted, later.recent), (1, false));
}

#[test]
fn the_bounds_count_the_records_of_other_live_pages() {
    let j = Shared::default();
    let _a = page_with(&j, A, 0, 600, 0);
    let mut b = page(&j, B);
    b.adopt(Some("rtp-tab-aaaaaaaa"), NOW + RECENT_MS, NOW);
    for i in 0..600 {
        b.push(event(10_000 + i, 0), NOW);
    }
    b.persist();
    assert_eq!(b.queued(), MAX_EVENTS - 600);
    assert_eq!(records(&j).len(), MAX_EVENTS);
}

#[test]
fn a_pause_another_tab_stored_holds_here_too() {
    let j = Shared::default();
    let mut a = page(&j, A);
    let mut b = page(&j, B);
    b.push(event(1, 0), NOW);
    let sent = b.take_batch(NOW, 65536).unwrap();
    b.answered(sent.id, Answer::Status(429), Some(30_000), NOW, 0);
    a.push(event(2, 0), NOW);
    assert_eq!(a.ready(NOW + 1), 29_999);
    assert!(a.take_batch(NOW + 1, 65536).is_none());
}

#[test]
fn a_refused_batch_puts_its_eviction_count_back() {
    let j = Shared::default();
    let mut o = page(&j, A);
    for i in 0..=MAX_EVENTS as u32 {
        o.push(event(i, 0), NOW);
    }
    let b = o.take_batch(NOW, 1024).unwrap();
    assert!(b.body.contains("\"evicted\":1"));
    o.answered(b.id, Answer::Status(400), None, NOW, 0);
    assert_eq!(j.0.borrow_mut().get(EVICTED_KEY).as_deref(), Some("1|1"));
}

#[test]
fn nothing_is_sent_or_left_unwritten() {
    let j = Shared::default();
    let mut o = page(&j, A);
    o.push(event(1, 0), NOW);
    let b = o.take_batch(NOW, 65536).unwrap();
    assert_eq!(records(&j).len(), 1, "take_batch writes first");
    o.push(event(2, 0), NOW);
    assert!(o.leaving());
    assert_eq!(
        records(&j),
        [record::key(&id_of(&event(2, 0)))],
        "leaving writes the queued, and hands the one in flight"
    );
    o.push(event(3, 0), NOW);
    o.persist();
    o.persist();
    assert_eq!(records(&j).len(), 2, "each record written once");
    o.answered(b.id, Answer::Status(204), None, NOW, 0);
}

#[test]
fn an_event_evicted_before_it_was_written_leaves_no_record() {
    let j = Shared::default();
    let mut o = page(&j, A);
    for i in 0..=MAX_EVENTS as u32 {
        o.push(event(i, 0), NOW);
    }
    o.persist();
    assert_eq!(records(&j).len(), MAX_EVENTS);
    assert!(stored(&j, &event(0, 0)).is_none());
    assert_eq!(j.0.borrow_mut().get(EVICTED_KEY).as_deref(), Some("1|1"));
}

#[test]
fn discard_forgets_every_event_and_every_stored_record_but_the_pause() {
    let j = Shared::default();
    let mut other = page(&j, B);
    other.push(event(1, 0), NOW);
    other.persist();
    let mut o = page(&j, A);
    o.push(event(2, 0), NOW);
    o.persist();
    let b = o.take_batch(NOW, 65536).unwrap();
    o.push(event(3, 0), NOW);
    j.0.borrow_mut().set(
        PAUSE_KEY,
        &Pause {
            until: NOW + 1000,
            failures: 1,
        }
        .encode(),
    );
    o.discard();
    assert!(o.is_settled());
    assert_eq!(o.queued(), 0);
    assert!(
        records(&j).is_empty(),
        "this page's and the other page's records are removed"
    );
    assert!(j.0.borrow_mut().get(PAUSE_KEY).is_some());
    // The answer to the request made before changes nothing, and nothing is retried.
    o.answered(b.id, Answer::Status(503), None, NOW, 0);
    assert_eq!(o.queued(), 0);
    assert!(records(&j).is_empty());
}

/// Found by `make fuzz` (target `outbox`; minimised: page A pushes an event and takes it in a
/// batch; B adopts it under a lock list without A; A adopts it back from B). A page that still
/// has an event in flight (a keepalive request pending when it went into the back-forward
/// cache, whose lock was then released) adopts that event's record again once the page that
/// took it over is gone: the same event is then queued and in flight on one page, and goes
/// twice. A repeat the collector drops by id, not a loss. `adopt` now skips the records of
/// events this page already holds.
#[test]
fn a_page_does_not_adopt_back_an_event_it_still_has_in_flight() {
    let j = Shared::default();
    let mut a = page(&j, A);
    a.push(event(1, 0), NOW);
    let flight = a.take_batch(NOW, 65536).unwrap();
    // A is in the back-forward cache (its lock released); B adopts its record, then is left
    // (its record stays, owned by B).
    let mut b = page(&j, B);
    assert_eq!(b.adopt(Some(""), NOW + RECENT_MS, NOW).adopted, 1);
    drop(b);
    // A is back, and claims: B is gone.
    a.resync();
    a.adopt(
        Some("rtp-tab-aaaaaaaa"),
        NOW + 2 * RECENT_MS,
        NOW + RECENT_MS,
    );
    assert!(
        a.take_batch(NOW + RECENT_MS, 65536).is_none(),
        "event 1 is still in flight in batch {}",
        flight.id
    );
}

#[test]
fn a_burst_is_stored_as_a_few_groups_of_at_most_a_batch_each() {
    let j = Shared::default();
    let mut o = page_with(&j, A, 0, 1000, 200);
    let keys = group_keys(&j);
    let body: usize = (0..1000).map(|i| event(i, 200).len() + 1).sum();
    assert!(
        keys.len() >= body / GROUP_BYTES && keys.len() <= body / GROUP_BYTES + 2,
        "{} groups for {body} B",
        keys.len()
    );
    assert_eq!(records(&j).len(), 1000, "every event stored once");
    for k in &keys {
        let v = j.0.borrow_mut().get(k).unwrap();
        let group = record::decode_group(k, &v).unwrap();
        let size: usize = group.iter().map(|r| r.event.len() + 1).sum();
        assert!(
            size <= GROUP_BYTES - BATCH_OVERHEAD,
            "{size} B in one group"
        );
        assert_eq!(
            record::event_id(k),
            Some(group[0].id),
            "keyed by its first event"
        );
    }
    // The batches are the groups: each acknowledgement removes one key.
    let mut left = keys.len();
    while let Some(b) = o.take_batch(NOW, 32 * 1024) {
        o.delivered(b.id);
        left -= 1;
        assert_eq!(group_keys(&j).len(), left);
    }
    assert!(o.is_settled());
    assert!(records(&j).is_empty());
}

#[test]
fn a_group_partly_delivered_keeps_the_rest_under_its_new_first_event() {
    let j = Shared::default();
    let mut o = page(&j, A);
    for i in 0..5 {
        o.push(event(i, 0), NOW + i as u64);
    }
    o.persist();
    assert_eq!(
        group_keys(&j),
        [record::key(&id_of(&event(0, 0)))],
        "one task, one group"
    );
    // A batch of two (a small budget), acknowledged: the group keeps the other three.
    let b = o
        .take_batch(NOW, BATCH_OVERHEAD + event(0, 0).len() * 2 + 2)
        .unwrap();
    assert_eq!(b.events, 2);
    assert_eq!(records(&j).len(), 5, "in flight: still stored");
    o.delivered(b.id);
    assert_eq!(group_keys(&j), [record::key(&id_of(&event(2, 0)))]);
    assert_eq!(
        records(&j),
        (2..5)
            .map(|i| record::key(&id_of(&event(i, 0))))
            .collect::<Vec<_>>()
    );
    // A page that finds it after this one is gone sends exactly those, once.
    drop(o);
    let mut next = page(&j, B);
    assert_eq!(
        next.adopt(Some(""), NOW + RECENT_MS + 10, NOW + 10).adopted,
        3
    );
    let out = next.take_batch(NOW + 10, 65536).unwrap();
    assert_eq!(out.events, 3);
    assert!(!out.body.contains(&event(0, 0)) && !out.body.contains(&event(1, 0)));
    next.delivered(out.id);
    assert!(records(&j).is_empty());
}

#[test]
fn leaving_hands_the_batch_in_flight_and_keeps_the_rest_of_its_group() {
    let j = Shared::default();
    let mut o = page_with(&j, A, 0, 4, 0);
    let b = o
        .take_batch(NOW, BATCH_OVERHEAD + event(0, 0).len() + 1)
        .unwrap();
    assert_eq!(b.events, 1);
    assert!(o.leaving(), "healthy: what is queued goes now");
    assert_eq!(
        records(&j),
        (1..4)
            .map(|i| record::key(&id_of(&event(i, 0))))
            .collect::<Vec<_>>(),
        "the keepalive request is the browser's"
    );
}

// ---- review of 4499fd3 (groups) ----

/// A page whose batch was kept for the next page (left while failing, `Left::Kept`) and whose
/// group was then adopted by another page must not rewrite or remove that group when the batch
/// is answered: the group is the other page's now, and holds events that page has not sent.
#[test]
fn a_kept_batch_acknowledged_after_adoption_leaves_the_adopters_group_alone() {
    let j = Shared::default();
    let mut a = page(&j, A);
    a.push(event(1, 0), NOW);
    a.push(event(2, 0), NOW);
    let one = BATCH_OVERHEAD + event(1, 0).len() + 1;
    let first = a.take_batch(NOW, one).unwrap();
    assert_eq!(first.events, 1);
    a.answered(first.id, Answer::Status(503), None, NOW, 0);
    let retry = a.take_batch(NOW, one).unwrap();
    assert!(!a.leaving(), "failing: kept for the next page");
    // A is in the back-forward cache (lock released): B adopts its group, events 1 and 2.
    let mut b = page(&j, B);
    assert_eq!(b.adopt(Some(""), NOW + 1_000, NOW + 1_000).adopted, 2);
    a.resync();
    assert_eq!(a.queued(), 0, "event 2 is B's now");
    // A's retry of event 1 is acknowledged.
    assert_eq!(
        a.answered(retry.id, Answer::Status(204), None, NOW + 1_000, 0),
        Outcome::Delivered
    );
    // B is closed before it could send (the collector is still paused for it): the next page
    // finds nothing, and event 2 is lost.
    // (B's record of event 1 may stay: B holds it too, and sends it again, a repeat the
    // collector drops by id, as before groups.)
    drop(b);
    let mut c = page(&j, "cccccccc");
    c.adopt(Some(""), NOW + 2_000, NOW + 2_000);
    let out = c
        .take_batch(NOW + 2_000, 65536)
        .expect("event 2 lost: B's record of it was removed by A");
    assert!(
        out.body.contains(&event(2, 0)),
        "event 2 lost: B's record of it was removed by A"
    );
}

/// Same, without the resync first (the answer runs before `pageshow`, as a timer can): A
/// writes its own copy of event 2 over B's group: both pages then hold it as theirs.
#[test]
fn a_kept_batch_answered_before_resync_does_not_take_the_adopters_group_back() {
    let j = Shared::default();
    let mut a = page(&j, A);
    a.push(event(1, 0), NOW);
    a.push(event(2, 0), NOW);
    let one = BATCH_OVERHEAD + event(1, 0).len() + 1;
    let first = a.take_batch(NOW, one).unwrap();
    a.answered(first.id, Answer::Status(503), None, NOW, 0);
    let retry = a.take_batch(NOW, one).unwrap();
    assert!(!a.leaving());
    let mut b = page(&j, B);
    assert_eq!(b.adopt(Some(""), NOW + 1_000, NOW + 1_000).adopted, 2);
    a.answered(retry.id, Answer::Status(204), None, NOW + 1_000, 0);
    a.resync();
    let v = stored(&j, &event(2, 0)).expect("event 2 stored");
    assert!(
        v.contains(&alloc::format!("|{B}|")),
        "B's record overwritten as A's: {v}"
    );
    assert_eq!(
        a.queued(),
        0,
        "A still holds event 2 that B adopted: sent twice"
    );
}

/// A batch handed to the browser (healthy `leaving`) that is acknowledged after another page
/// adopted the group of the same key (rewritten by this page around a later kept retry)
/// removes or rewrites that page's group.
#[test]
fn a_handed_batch_acknowledged_after_adoption_leaves_the_adopters_group_alone() {
    let j = Shared::default();
    let mut a = page(&j, A);
    for i in 1..=3 {
        a.push(event(i, 0), NOW + i as u64);
    }
    let one = BATCH_OVERHEAD + event(1, 0).len() + 1;
    let f1 = a.take_batch(NOW, one).unwrap(); // event 1
    let f2 = a.take_batch(NOW, one).unwrap(); // event 2
    assert!(a.leaving(), "healthy: both handed, event 3 stays stored");
    // Only hidden: the first request fails; event 1 comes back, stored again under its key.
    a.answered(f1.id, Answer::Status(503), None, NOW, 0);
    let f3 = a.take_batch(NOW, one).unwrap(); // event 1 again
    assert_eq!(f3.events, 1);
    assert!(!a.leaving(), "failing now: kept");
    // In the back-forward cache: B adopts events 1 (A's retry in flight) and 3.
    let mut b = page(&j, B);
    assert_eq!(b.adopt(Some(""), NOW + 1_000, NOW + 1_000).adopted, 2);
    let before: Vec<String> = records(&j);
    assert_eq!(
        before.len(),
        2,
        "B stored events 1 and 3 as one group, keyed by event 1"
    );
    a.resync();
    // The handed request for event 2 is acknowledged: A rewrites the group of event 1's key.
    a.answered(f2.id, Answer::Status(204), None, NOW + 1_000, 0);
    assert!(
        stored(&j, &event(3, 0)).is_some(),
        "A rewrote B's group: event 3 is stored nowhere"
    );
    assert!(
        stored(&j, &event(1, 0))
            .unwrap()
            .contains(&alloc::format!("|{B}|")),
        "B's record of event 1 taken back by A"
    );
    let _ = f3;
}

/// Storage near its quota (the site's own data filled it): a group whose first event is
/// delivered moves to its new first event's key, written before the old key is removed, so
/// it needs room for two copies; refused, the old key is removed too, and the rest of the
/// group is stored nowhere. Before groups, an acknowledgement only removed keys.
#[test]
fn a_group_moved_near_the_quota_keeps_its_other_events_stored() {
    let j = Shared::default();
    let mut a = Outbox::new(Quota(j.clone(), usize::MAX), A.into());
    for i in 1..=4 {
        a.push(event(i, 0), NOW);
    }
    a.persist();
    // The site fills storage up to the byte: nothing more fits.
    let used: usize = {
        let mut m = j.0.borrow_mut();
        m.keys("")
            .iter()
            .map(|k| k.len() + m.get(k).unwrap().len())
            .sum()
    };
    a.journal.1 = used + 10;
    let one = BATCH_OVERHEAD + event(1, 0).len() + 1;
    let b = a.take_batch(NOW, one).unwrap();
    a.delivered(b.id);
    drop(a); // the page is closed
    let mut next = page(&j, B);
    assert_eq!(
        next.adopt(Some(""), NOW + 1_000, NOW + 1_000).adopted,
        3,
        "events 2 to 4 lost"
    );
}

// ---- a small model check: pages over one journal, random lifecycles ----

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Life {
    Active,
    Cached,
    Closed,
}

struct Sim {
    j: Shared,
    pages: Vec<(Outbox<Shared>, Life)>,
    next_event: u32,
    now: u64,
    /// Accepted, and not delivered or dropped (by id).
    open: Vec<String>,
    /// Delivered (by any page or by the browser for a page gone).
    done: Vec<String>,
    rng: u64,
    log: Vec<String>,
}

fn ids_in(body: &str) -> Vec<String> {
    body.match_indices("{\"id\":\"")
        .map(|(i, _)| body[i + 7..i + 43].to_string())
        .collect()
}

impl Sim {
    fn rand(&mut self, n: u64) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng % n
    }
    fn owner(i: usize) -> String {
        alloc::format!("{:08x}", 0x1000_0000 + i)
    }
    fn live(&self) -> String {
        self.pages
            .iter()
            .enumerate()
            .filter(|(_, p)| p.1 == Life::Active)
            .map(|(i, _)| alloc::format!("rtp-tab-{}", Self::owner(i)))
            .collect::<Vec<_>>()
            .join(" ")
    }
    fn finish(&mut self, ids: &[String]) {
        for id in ids {
            self.open.retain(|o| o != id);
            if !self.done.contains(id) {
                self.done.push(id.clone());
            }
        }
    }
    fn flight_ids(o: &Outbox<Shared>, id: u32) -> Vec<String> {
        o.in_flight
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.items.iter().map(|i| i.id().to_string()).collect())
            .unwrap_or_default()
    }
    fn answer(&mut self, p: usize) {
        let n = self.pages[p].0.in_flight.len();
        if n == 0 {
            return;
        }
        let k = self.rand(n as u64) as usize;
        let f = self.pages[p].0.in_flight[k].id;
        let ids = Self::flight_ids(&self.pages[p].0, f);
        let now = self.now;
        match self.rand(4) {
            0 => {
                self.log.push(alloc::format!("p{p} answer {f} 204 {ids:?}"));
                self.pages[p]
                    .0
                    .answered(f, Answer::Status(204), None, now, 0);
                self.finish(&ids);
            }
            1 => {
                self.log.push(alloc::format!("p{p} answer {f} 400"));
                self.pages[p]
                    .0
                    .answered(f, Answer::Status(400), None, now, 0);
                self.finish(&ids);
            }
            2 => {
                self.log.push(alloc::format!("p{p} answer {f} 503"));
                self.pages[p]
                    .0
                    .answered(f, Answer::Status(503), None, now, 0);
            }
            _ => {
                self.log.push(alloc::format!("p{p} unsent {f}"));
                self.pages[p].0.unsent(f);
            }
        }
    }
    fn hidden(&mut self, p: usize) {
        let now = self.now;
        let budget = self.rand(3) as usize + 1;
        let o = &mut self.pages[p].0;
        o.persist();
        if o.leaving() {
            for _ in 0..budget {
                if o.take_batch(now, BATCH_OVERHEAD + (event(0, 0).len() + 1) * 2)
                    .is_none()
                {
                    break;
                }
            }
            o.leaving();
        }
    }
    fn step(&mut self) {
        self.now += 10;
        let now = self.now;
        if self.pages.is_empty() || self.rand(12) == 0 {
            let i = self.pages.len();
            self.log.push(alloc::format!("new p{i}"));
            let mut o = Outbox::new(self.j.clone(), Self::owner(i));
            self.pages
                .push((Outbox::new(self.j.clone(), Self::owner(i)), Life::Active));
            let live = self.live();
            o = core::mem::replace(&mut self.pages[i].0, o);
            drop(o);
            self.pages[i].0.adopt(Some(&live), now + RECENT_MS, now);
            return;
        }
        let p = self.rand(self.pages.len() as u64) as usize;
        match self.pages[p].1 {
            Life::Closed => {}
            Life::Cached => match self.rand(4) {
                0 => {
                    self.log.push(alloc::format!("p{p} restored"));
                    self.pages[p].1 = Life::Active;
                    self.pages[p].0.resync();
                    let live = self.live();
                    self.pages[p].0.adopt(Some(&live), now + RECENT_MS, now);
                }
                1 => {
                    // Evicted from the cache: what the browser was sending is delivered.
                    self.log.push(alloc::format!("p{p} evicted from cache"));
                    self.close(p);
                }
                2 if std::env::var("RTP_MODEL_NO_EARLY").is_err() => {
                    // An answer processed before pageshow.
                    self.answer(p);
                }
                _ => {}
            },
            Life::Active => match self.rand(9) {
                0 | 1 => {
                    let k = self.rand(3) + 1;
                    for _ in 0..k {
                        self.next_event += 1;
                        let e = event(self.next_event, 0);
                        self.log
                            .push(alloc::format!("p{p} push {}", self.next_event));
                        self.open.push(id_of(&e));
                        self.pages[p].0.push(e, now);
                    }
                    self.pages[p].0.persist();
                }
                2 => {
                    let n = self.rand(3) as usize + 1;
                    let r = self.pages[p]
                        .0
                        .take_batch(now, BATCH_OVERHEAD + (event(0, 0).len() + 1) * n);
                    self.log.push(alloc::format!(
                        "p{p} take {:?}",
                        r.map(|b| (b.id, ids_in(&b.body)))
                    ));
                }
                3 | 4 => self.answer(p),
                5 => {
                    self.log.push(alloc::format!("p{p} hidden"));
                    self.hidden(p);
                }
                6 => {
                    self.log.push(alloc::format!("p{p} to bfcache"));
                    self.hidden(p);
                    self.pages[p].1 = Life::Cached;
                }
                7 => {
                    self.log.push(alloc::format!("p{p} closed"));
                    self.hidden(p);
                    self.close(p);
                }
                _ => {
                    self.log.push(alloc::format!("p{p} claim"));
                    let live = self.live();
                    self.pages[p].0.adopt(Some(&live), now + RECENT_MS, now);
                }
            },
        }
    }
    fn close(&mut self, p: usize) {
        self.pages[p].1 = Life::Closed;
        let flights: Vec<(Left, Vec<String>)> = self.pages[p]
            .0
            .in_flight
            .iter()
            .map(|f| (f.left, f.items.iter().map(|i| i.id().to_string()).collect()))
            .collect();
        for (left, ids) in flights {
            if left == Left::Handed {
                self.finish(&ids);
            }
        }
    }
    fn check(&mut self) -> Result<(), String> {
        // The journal: well-formed groups, each event once.
        let mut stored: Vec<String> = Vec::new();
        let keys = self.j.0.borrow_mut().keys("rtp:o:");
        for key in keys.into_iter().filter(|k| record::event_id(k).is_some()) {
            let value = self.j.0.borrow_mut().get(&key).unwrap();
            let group = record::decode_group(&key, &value)
                .map_err(|c| alloc::format!("corrupt group {key}: {c:?}"))?;
            for r in group {
                if stored.iter().any(|s| s == r.id) {
                    return Err(alloc::format!("event {} stored twice", &r.id[..8]));
                }
                stored.push(r.id.to_string());
            }
        }
        // Every open event is stored, or in a batch handed to the browser by a page not closed.
        for id in self.open.clone() {
            let handed = self.pages.iter().any(|(o, l)| {
                *l != Life::Closed
                    && o.in_flight
                        .iter()
                        .any(|f| f.left == Left::Handed && f.items.iter().any(|i| i.id() == id))
            });
            if !stored.contains(&id) && !handed {
                return Err(alloc::format!(
                    "LOSS: event {} neither stored nor handed",
                    &id[..8]
                ));
            }
        }
        // An active page's pointers name a group that holds the item.
        for (n, (o, l)) in self.pages.iter_mut().enumerate() {
            if *l != Life::Active {
                continue;
            }
            let items: Vec<(Option<Rc<str>>, String)> = o
                .queued
                .iter()
                .chain(
                    o.in_flight
                        .iter()
                        .filter(|f| f.left == Left::No)
                        .flat_map(|f| f.items.iter()),
                )
                .map(|i| (i.group.clone(), i.id().to_string()))
                .collect();
            for (g, id) in items {
                let Some(g) = g else {
                    return Err(alloc::format!(
                        "p{n}: event {} unstored in memory",
                        &id[..8]
                    ));
                };
                let v = self.j.0.borrow_mut().get(&g).unwrap_or_default();
                if !v.contains(&id) {
                    return Err(alloc::format!(
                        "p{n}: event {} points to {} which lacks it",
                        &id[..8],
                        &g[6..14]
                    ));
                }
            }
        }
        Ok(())
    }
}

#[test]
fn model_check_pages_over_one_journal() {
    let seeds: u64 = std::env::var("RTP_MODEL_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000);
    let mut failures: Vec<String> = Vec::new();
    let only: Option<u64> = std::env::var("RTP_MODEL_SEED")
        .ok()
        .and_then(|s| s.parse().ok());
    for seed in 1..=seeds {
        if only.is_some_and(|o| o != seed) {
            continue;
        }
        let mut s = Sim {
            j: Shared::default(),
            pages: Vec::new(),
            next_event: 0,
            now: NOW,
            open: Vec::new(),
            done: Vec::new(),
            rng: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            log: Vec::new(),
        };
        for _ in 0..60 {
            s.step();
            if only.is_some() {
                let keys = s.j.0.borrow_mut().keys("rtp:o:");
                let mut dump = Vec::new();
                for k in keys.into_iter().filter(|k| record::event_id(k).is_some()) {
                    let v = s.j.0.borrow_mut().get(&k).unwrap();
                    let recs: Vec<String> = v
                        .split('\n')
                        .map(|l| {
                            let f: Vec<&str> = l.splitn(5, '|').collect();
                            alloc::format!("{}@{}", &f[4][13..15], &f[3][6..8])
                        })
                        .collect();
                    dump.push(alloc::format!("{}=[{}]", &k[12..14], recs.join(",")));
                }
                std::println!("{}   || {}", s.log.last().unwrap(), dump.join(" "));
            }
            if let Err(e) = s.check() {
                if failures.len() < 3 {
                    failures.push(alloc::format!("seed {seed}: {e}\n  {}", s.log.join("\n  ")));
                } else {
                    failures.push(alloc::format!("seed {seed}: {e}"));
                }
                break;
            }
        }
    }
    let mut kinds: Vec<String> = failures
        .iter()
        .map(|f| {
            f.lines()
                .next()
                .unwrap()
                .split(": ")
                .skip(1)
                .collect::<Vec<_>>()
                .join(": ")
                .chars()
                .filter(|c| !c.is_ascii_hexdigit())
                .collect()
        })
        .collect();
    kinds.sort();
    kinds.dedup();
    assert!(
        failures.is_empty(),
        "{} of {seeds} seeds failed; kinds: {kinds:#?}\n{}",
        failures.len(),
        failures
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}

/// A page takes back (adopts) the group of a page gone that had adopted this page's events
/// while they were in flight here (kept: the collector was failing). The events it still holds
/// are skipped, and the group removed; only those whose pointer names that very key are
/// stored again. An event of the batch that came from another of its groups is then stored
/// nowhere, and when the batch fails it is dropped as "adopted by another page": lost.
#[test]
fn adopting_back_a_group_keeps_every_event_this_page_still_holds() {
    let j = Shared::default();
    let mut a = page(&j, A);
    a.push(event(1, 0), NOW);
    a.persist();
    a.push(event(2, 0), NOW + 1);
    a.persist();
    assert_eq!(group_keys(&j).len(), 2, "two tasks, two groups");
    let first = a.take_batch(NOW + 1, 65536).unwrap();
    a.answered(first.id, Answer::Status(503), None, NOW + 1, 0);
    let retry = a.take_batch(NOW + 1, 65536).unwrap();
    assert_eq!(retry.events, 2);
    assert!(!a.leaving(), "failing: kept");
    // In the back-forward cache: B adopts both (one group, keyed by event 1), then is gone.
    let mut b = page(&j, B);
    assert_eq!(b.adopt(Some(""), NOW + 1_000, NOW + 1_000).adopted, 2);
    drop(b);
    // A is back, and claims: B is gone; A holds both events in flight.
    a.resync();
    a.adopt(Some("rtp-tab-aaaaaaaa"), NOW + 2_000, NOW + 2_000);
    assert!(
        stored(&j, &event(2, 0)).is_some(),
        "event 2 is stored nowhere"
    );
    // The retry fails: both come back (A's records).
    a.answered(retry.id, Answer::Status(503), None, NOW + 2_000, 0);
    assert_eq!(
        a.queued(),
        2,
        "event 2 dropped as adopted by another page: lost"
    );
}
