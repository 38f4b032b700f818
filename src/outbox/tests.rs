//! Deterministic tests of the outbox: an injected clock (plain numbers), a journal in memory
//! (shared between outboxes to play several pages), no sleeps.

use super::*;
use crate::envelope::{encode_event, Kind, Meta};
use crate::id::uuid_v4;
use crate::store::MemoryStore;

const NOW: u64 = 1_732_456_789_012;
const A: &str = "aaaaaaaa";
const B: &str = "bbbbbbbb";

// One journal seen by several pages (as localStorage is by the tabs of a site).
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
    let m = Meta { id: &id, session: "00000000-0000-4000-8000-000000000000", account: None, time: NOW, url: &url, referrer: "" };
    encode_event(Kind::View, None, &m)
}

fn id_of(e: &str) -> String {
    e[7..43].to_string()
}

/// The stored records, one `rtp:o:<event id>` each (a group of records is stored under the key
/// of its first event's id), in the store's order.
fn records(j: &Shared) -> Vec<String> {
    let mut out = Vec::new();
    let keys = j.0.borrow_mut().keys("rtp:o:");
    for key in keys.into_iter().filter(|k| record::event_id(k).is_some()) {
        let value = j.0.borrow_mut().get(&key).unwrap();
        let group = record::decode_group(&key, &value).expect("a group this tag wrote");
        out.extend(group.iter().map(|r| record::key(r.id)));
    }
    out
}

/// The stored record (its line in its group) of event `e`.
fn stored(j: &Shared, e: &str) -> Option<String> {
    let id = id_of(e);
    let keys = j.0.borrow_mut().keys("rtp:o:");
    for key in keys.into_iter().filter(|k| record::event_id(k).is_some()) {
        let value = j.0.borrow_mut().get(&key).unwrap();
        if let Some(line) = value.split('\n').find(|l| record::decode(l).is_ok_and(|r| r.id == id)) {
            return Some(line.to_string());
        }
    }
    None
}

fn page(j: &Shared, owner: &str) -> Outbox<Shared> {
    Outbox::new(j.clone(), owner.into())
}

#[test]
fn an_event_is_written_by_persist_before_it_is_sent_and_removed_when_acknowledged() {
    let j = Shared::default();
    let mut o = page(&j, A);
    let e = event(1, 0);
    o.push(e.clone(), NOW);
    assert!(records(&j).is_empty(), "written at the end of the task, not by the call");
    o.persist();
    let stored = j.0.borrow_mut().get(&record::key(&id_of(&e))).unwrap();
    assert_eq!(stored, record::encode(NOW, 0, A, &e));
    let b = o.take_batch(NOW, 32 * 1024).unwrap();
    assert_eq!(b.body, alloc::format!("{{\"v\":1,\"sent\":{NOW},\"events\":[{e}]}}"));
    assert_eq!(records(&j).len(), 1, "still stored while in flight");
    assert_eq!(o.answered(b.id, Answer::Status(204), None, NOW, 0), Outcome::Delivered);
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
    assert_eq!(batches, (1000 * per_event).div_ceil((16 * 1024 - BATCH_OVERHEAD) / per_event * per_event));
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
    assert_eq!(o.answered(b.id, Answer::Status(503), None, NOW, u32::MAX), Outcome::Retry { at: NOW + 1_000, too_old: 0 });
    assert!(o.failing());
    assert_eq!(o.wait(NOW), 1_000);
    assert!(o.take_batch(NOW + 999, 65536).is_none(), "paused");
    let again = o.take_batch(NOW + 1_000, 65536).unwrap();
    let order: Vec<String> = [1, 2, 3].iter().map(|n| event(*n, 0)).collect();
    assert!(again.body.ends_with(&alloc::format!("[{}]}}", order.join(","))), "{}", again.body);
    // The failed events' records count the attempt; the pause is stored for other pages.
    let r = j.0.borrow_mut().get(&record::key(&id_of(&order[0]))).unwrap();
    assert!(r.starts_with(&alloc::format!("1|{NOW}|1|{A}|")), "{r}");
    assert_eq!(j.0.borrow_mut().get(PAUSE_KEY), Some(alloc::format!("1|{}|1", NOW + 1_000)));
    // Second failure: the ceiling doubles.
    assert_eq!(o.answered(again.id, Answer::NetworkError, None, NOW + 1_000, u32::MAX), Outcome::Retry { at: NOW + 3_000, too_old: 0 });
    // Success ends the pause, here and in storage.
    let last = o.take_batch(NOW + 3_000, 65536).unwrap();
    assert_eq!(o.answered(last.id, Answer::Status(200), None, NOW + 3_000, 0), Outcome::Delivered);
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
    assert_eq!(o.answered(b.id, Answer::Status(429), Some(2_000), NOW, 0), Outcome::Retry { at: NOW + 2_000, too_old: 0 });
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
    assert_eq!(o.answered(b.id, Answer::Status(400), None, NOW, 0), Outcome::Dropped(DropReason::Refused, 2));
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
    assert_eq!(o.answered(b.id, Answer::Status(500), None, NOW, u32::MAX), Outcome::Retry { at: NOW + 1_000, too_old: 1 });
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
    assert!(first.body.contains(",\"evicted\":2,"), "{}", &first.body[..60]);
    assert!(first.body.contains(&event(2, 0)));
    assert_eq!(j.0.borrow_mut().get(EVICTED_KEY), None, "the count moved into the batch");
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
    assert!(from_a.body.contains("\"evicted\":8,"), "{}", &from_a.body[..40]);
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
    assert_eq!(o.queued(), 1, "the newest stays, though the bound is reached by events in flight");
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
    assert_eq!(o.answered(b.id, Answer::Status(503), None, NOW, 0), Outcome::Retry { at: NOW, too_old: 0 });
    let again = o.take_batch(NOW, 65536).unwrap();
    assert_eq!(o.answered(again.id, Answer::Status(200), None, NOW, 0), Outcome::Delivered);
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
    let a = next.adopt(Some("rtp-tab-bbbbbbbb rtp-claim"), NOW + 100 + RECENT_MS, NOW + 100);
    assert_eq!(a.adopted, 2);
    assert!(a.corrupt.is_empty());
    assert_eq!(next.wait(NOW + 100), 4_900, "the stored Retry-After still holds");
    assert!(next.take_batch(NOW + 100, 65536).is_none());
    // Rewritten as the new page's, attempts kept: a third page finds nothing to adopt.
    assert_eq!(records(&j).len(), 2);
    for e in [event(1, 0), event(2, 0)] {
        let v = stored(&j, &e).unwrap();
        assert!(v.starts_with(&alloc::format!("1|{NOW}|1|{B}|")) || v.starts_with(&alloc::format!("1|{}|1|{B}|", NOW + 1)), "{v}");
    }
    let mut third = page(&j, "cccccccc");
    assert_eq!(third.adopt(Some("rtp-tab-bbbbbbbb rtp-tab-cccccccc"), NOW + 200 + RECENT_MS, NOW + 200).adopted, 0);
    let out = next.take_batch(NOW + 5_000, 65536).unwrap();
    assert_eq!(out.events, 2);
    assert!(out.body.find(&event(1, 0)).unwrap() < out.body.find(&event(2, 0)).unwrap(), "oldest first");
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
    let found = b.adopt(Some("rtp-tab-aaaaaaaa rtp-tab-bbbbbbbb"), NOW + RECENT_MS, NOW);
    assert_eq!((found.adopted, found.waiting), (0, 1));
    assert_eq!(b.adopt(Some("rtp-tab-bbbbbbbb rtp-tab-aaaaaaaa"), NOW + RECENT_MS, NOW).adopted, 0);
    // A lock whose name merely contains A's id is not A's.
    assert_eq!(b.adopt(Some("xrtp-tab-aaaaaaaa rtp-tab-aaaaaaaax"), NOW + RECENT_MS, NOW).adopted, 1);
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
    assert_eq!(b.adopt(None, NOW + STALE_MS - 1 + RECENT_MS, NOW + STALE_MS - 1).adopted, 0);
    assert_eq!(b.adopt(None, NOW + STALE_MS + RECENT_MS, NOW + STALE_MS).adopted, 1);
}

#[test]
fn corrupt_and_expired_records_are_removed_with_their_reasons() {
    let j = Shared::default();
    let good = event(1, 0);
    let old = event(2, 0);
    {
        let mut s = j.0.borrow_mut();
        s.set(&record::key(&id_of(&good)), &record::encode(NOW, 0, A, &good));
        s.set(&record::key(&id_of(&old)), &record::encode(NOW - crate::retry::MAX_AGE_MS - 1, 0, A, &old));
        s.set(&record::key(&id_of(&event(3, 0))), "2|garbage");
        s.set(&record::key(&id_of(&event(4, 0))), &record::encode(NOW, 0, A, &good)); // wrong key
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
    assert_eq!(reasons, [Corrupt::BadNumber, Corrupt::BadNumber, Corrupt::UnknownVersion, Corrupt::UnknownVersion, Corrupt::WrongKey]);
    let mut left = j.0.borrow_mut().keys("rtp:");
    left.sort();
    assert_eq!(left, [record::key(&id_of(&good)), "rtp:other".to_string()]);
}

#[test]
fn the_snippets_queues_are_taken_once() {
    let j = Shared::default();
    j.0.borrow_mut().set(QUEUE_PREFIX, "[{\"0\":\"send\"}]");
    let mut b = page(&j, B);
    assert_eq!(b.adopt(Some(""), NOW + RECENT_MS, NOW).queues, ["[{\"0\":\"send\"}]"]);
    assert!(b.adopt(Some(""), NOW + RECENT_MS, NOW).queues.is_empty());
}

#[test]
fn leaving_while_healthy_hands_in_flight_batches_to_the_browser() {
    let j = Shared::default();
    let mut o = page(&j, A);
    o.push(event(1, 0), NOW);
    let b = o.take_batch(NOW, 65536).unwrap();
    o.push(event(2, 0), NOW);
    assert!(o.leaving(), "queued events go by beacon");
    assert_eq!(records(&j), [record::key(&id_of(&event(2, 0)))], "the keepalive request is the browser's now");
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
    assert!(stored(&j, &event(1, 0)).unwrap().starts_with("1|1732456789012|0|"));
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
    let sent = b.take_batch(NOW, event(1, 0).len() + BATCH_OVERHEAD + 1).unwrap();
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
    assert_eq!(o.answered(again.id, Answer::NetworkError, None, NOW, u32::MAX), Outcome::Retry { at: NOW + 2_000, too_old: 0 });
}

#[test]
fn a_stored_pause_far_ahead_is_cut_to_the_longest_the_policy_sets() {
    let j = Shared::default();
    j.0.borrow_mut().set(PAUSE_KEY, &Pause { until: u64::MAX, failures: 3 }.encode());
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
    let mut a = page(&j, A);
    for i in 0..600 {
        a.push(event(i, 0), NOW);
    }
    a.persist();
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
    assert_eq!(records(&j), [record::key(&id_of(&event(2, 0)))], "leaving writes the queued, and hands the one in flight");
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
    j.0.borrow_mut().set(QUEUE_PREFIX, "[]");
    j.0.borrow_mut().set(PAUSE_KEY, &Pause { until: NOW + 1000, failures: 1 }.encode());
    o.discard();
    assert!(o.is_settled());
    assert_eq!(o.queued(), 0);
    assert!(records(&j).is_empty(), "this page's and the other page's records are removed");
    assert_eq!(j.0.borrow_mut().get(QUEUE_PREFIX), None);
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
    a.adopt(Some("rtp-tab-aaaaaaaa"), NOW + 2 * RECENT_MS, NOW + RECENT_MS);
    assert!(a.take_batch(NOW + RECENT_MS, 65536).is_none(), "event 1 is still in flight in batch {}", flight.id);
}

/// The stored keys of records (groups), in the store's order.
fn group_keys(j: &Shared) -> Vec<String> {
    j.0.borrow_mut().keys("rtp:o:").into_iter().filter(|k| record::event_id(k).is_some()).collect()
}

#[test]
fn a_burst_is_stored_as_a_few_groups_of_at_most_a_batch_each() {
    let j = Shared::default();
    let mut o = page(&j, A);
    for i in 0..1000 {
        o.push(event(i, 200), NOW);
    }
    o.persist();
    let keys = group_keys(&j);
    let body: usize = (0..1000).map(|i| event(i, 200).len() + 1).sum();
    assert!(keys.len() >= body / GROUP_BYTES && keys.len() <= body / GROUP_BYTES + 2, "{} groups for {body} B", keys.len());
    assert_eq!(records(&j).len(), 1000, "every event stored once");
    for k in &keys {
        let v = j.0.borrow_mut().get(k).unwrap();
        let group = record::decode_group(k, &v).unwrap();
        let size: usize = group.iter().map(|r| r.event.len() + 1).sum();
        assert!(size <= GROUP_BYTES - BATCH_OVERHEAD, "{size} B in one group");
        assert_eq!(record::event_id(k), Some(group[0].id), "keyed by its first event");
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
    assert_eq!(group_keys(&j), [record::key(&id_of(&event(0, 0)))], "one task, one group");
    // A batch of two (a small budget), acknowledged: the group keeps the other three.
    let b = o.take_batch(NOW, BATCH_OVERHEAD + event(0, 0).len() * 2 + 2).unwrap();
    assert_eq!(b.events, 2);
    assert_eq!(records(&j).len(), 5, "in flight: still stored");
    o.delivered(b.id);
    assert_eq!(group_keys(&j), [record::key(&id_of(&event(2, 0)))]);
    assert_eq!(records(&j), (2..5).map(|i| record::key(&id_of(&event(i, 0)))).collect::<Vec<_>>());
    // A page that finds it after this one is gone sends exactly those, once.
    drop(o);
    let mut next = page(&j, B);
    assert_eq!(next.adopt(Some(""), NOW + RECENT_MS + 10, NOW + 10).adopted, 3);
    let out = next.take_batch(NOW + 10, 65536).unwrap();
    assert_eq!(out.events, 3);
    assert!(!out.body.contains(&event(0, 0)) && !out.body.contains(&event(1, 0)));
    next.delivered(out.id);
    assert!(records(&j).is_empty());
}

#[test]
fn leaving_hands_the_batch_in_flight_and_keeps_the_rest_of_its_group() {
    let j = Shared::default();
    let mut o = page(&j, A);
    for i in 0..4 {
        o.push(event(i, 0), NOW);
    }
    let b = o.take_batch(NOW, BATCH_OVERHEAD + event(0, 0).len() + 1).unwrap();
    assert_eq!(b.events, 1);
    assert!(o.leaving(), "healthy: what is queued goes now");
    assert_eq!(records(&j), (1..4).map(|i| record::key(&id_of(&event(i, 0)))).collect::<Vec<_>>(), "the keepalive request is the browser's");
}
