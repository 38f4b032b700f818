//! The light driver, input by input, and its hand-over to the full tag through the journal.

use super::*;
use crate::command::Setting;
use crate::driver::{Driver, Effect};
use crate::outbox::MAX_EVENTS;
use crate::record::{decode_group, KEY_PREFIX};
use crate::store::{MemoryStore, Quota, SharedStore};
use crate::tag::tests::FakeEnv;
use crate::tag::Origin;
use crate::tag::Tag;
use crate::tag::{Call, SetValue};
use crate::values::Field;
use crate::values::RawValues;
use crate::verdict::Rejection;
use alloc::string::ToString;

type L = Light<MemoryStore, SharedStore>;

/// A light module over `journal`, with an endpoint set.
fn light<J: Store>(journal: J, env: &mut FakeEnv) -> Light<MemoryStore, J> {
    let mut l = Light::new(MemoryStore::default(), journal, env);
    let (r, _) = l.call(
        Call::Set(Some(Setting::Endpoint), text("https://c.test/collect")),
        env,
    );
    assert_eq!(r, Verdict::Done);
    l
}

fn text(s: &str) -> SetValue {
    SetValue {
        text: Some(s.into()),
        truthy: true,
        is_true: false,
        signal: false,
    }
}

fn event(v: &str) -> Call {
    Call::Event(
        RawValues::Fields(vec![Field::Text(v.into())]),
        Origin::default(),
    )
}

/// A page on a fresh journal, its light module running with an endpoint set.
fn page() -> (FakeEnv, SharedStore, L) {
    let mut env = FakeEnv::default();
    let journal = SharedStore::default();
    let l = light(journal.clone(), &mut env);
    (env, journal, l)
}

/// The full tag of a page, on `journal`, continuing from `handoff`; and the effects of that.
fn full_tag(
    journal: &SharedStore,
    handoff: &str,
    env: &mut FakeEnv,
) -> (Driver<MemoryStore, SharedStore>, Vec<Effect>) {
    let mut full = Driver::new(Tag::new(MemoryStore::default(), journal.clone(), env));
    let fx = full.continue_from(handoff, env);
    (full, fx)
}

/// The `Send` effects: (id, body).
fn sends(effects: &[Effect]) -> Vec<(u32, String)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send { id, body, .. } => Some((*id, body.clone())),
            _ => None,
        })
        .collect()
}

fn records(journal: &SharedStore) -> Vec<String> {
    let mut j = journal.clone();
    j.keys(KEY_PREFIX)
        .into_iter()
        .filter(|k| record::event_id(k).is_some())
        .collect()
}

#[test]
fn an_accepted_event_is_written_then_sent_and_forgotten_once_acknowledged() {
    let (mut env, journal, mut l) = page();
    let (r, fx) = l.call(event("MyEvent"), &mut env);
    assert_eq!(r, Verdict::Accepted);
    // The lock before anything is stored, then one pump for the task.
    assert_eq!(fx, [Effect::Lock(true), Effect::Pump]);
    let (_, fx) = l.call(event("Other"), &mut env);
    assert!(fx.is_empty(), "one pump per task: {fx:?}");
    assert!(records(&journal).is_empty(), "a call writes nothing");

    let fx = l.pump(true, &mut env);
    let sent = sends(&fx);
    assert_eq!(sent.len(), 1, "{fx:?}");
    assert!(sent[0].1.contains("\"MyEvent\"") && sent[0].1.contains("\"Other\""));
    // Written ahead, as one group in the outbox's record format, owned by this page.
    let keys = records(&journal);
    assert_eq!(keys.len(), 1);
    let value = journal.clone().get(&keys[0]).unwrap();
    let group = decode_group(&keys[0], &value).unwrap();
    assert_eq!(group.len(), 2);
    assert!(group
        .iter()
        .all(|r| r.owner == l.owner() && r.attempts == 0));

    let fx = l.answered(sent[0].0, 200, None, &mut env);
    assert_eq!(fx, [Effect::Lock(false)]);
    assert!(records(&journal).is_empty());
    assert_eq!(l.phase, Phase::Running);
}

#[test]
fn repeats_and_refusals_are_answered_here_with_the_full_tags_messages() {
    let (mut env, _, mut l) = page();
    l.call(event("a"), &mut env);
    let (r, fx) = l.call(event("a"), &mut env);
    assert_eq!(r, Verdict::Duplicate);
    assert_eq!(
        fx,
        [Effect::Say(Level::Debug, say::DUPLICATE, Shown::Input)]
    );
    let (r, fx) = l.call(Call::Event(RawValues::TooMany, Origin::default()), &mut env);
    assert_eq!(r, Verdict::Rejected(Rejection::TooManyValues));
    assert_eq!(
        fx,
        [Effect::Say(
            Level::Warn,
            Rejection::TooManyValues.message(),
            Shown::Input
        )]
    );
    let (r, _) = l.call(Call::Set(None, text("x")), &mut env);
    assert_eq!(r, Verdict::Rejected(Rejection::UnknownSetting));
    let (r, _) = l.call(Call::View(Err(()), Origin::default()), &mut env);
    assert_eq!(r, Verdict::Rejected(Rejection::BadPage));
    let (r, _) = l.call(Call::Account(Some(" ".into())), &mut env);
    assert_eq!(r, Verdict::Rejected(Rejection::BadAccount));
    assert_eq!(l.phase, Phase::Running);
}

#[test]
fn a_failed_batch_stores_the_pause_and_the_attempt_and_the_full_tag_adopts_them() {
    let (mut env, journal, mut l) = page();
    l.call(Call::Account(Some("acme".into())), &mut env);
    l.call(event("kept"), &mut env);
    let sent = sends(&l.pump(true, &mut env));
    let fx = l.answered(sent[0].0, 503, Some(7_000), &mut env);
    assert_eq!(
        fx,
        [
            Effect::Say(Level::Debug, say::NOT_ACCEPTED, Shown::Number(503)),
            Effect::HandOver,
        ],
        "retired: the full tag starts; the lock stays until it has adopted"
    );
    assert_eq!(l.phase, Phase::Retired);
    let (v, fx) = l.call(event("later"), &mut env);
    assert_eq!(v, Verdict::Accepted, "still taken while the full tag loads");
    assert_eq!(fx, [Effect::Pump], "{fx:?}");

    // The full tag of the same page, on the same journal, with what the light module left: it
    // adopts the events at once (though recent, and its page's lock held), the failed one with
    // its attempt, and waits for the Retry-After the collector gave.
    let handoff = l.handoff();
    let (mut full, fx) = full_tag(&journal, &handoff, &mut env);
    assert_eq!(fx, [Effect::Lock(true), Effect::Pump], "{fx:?}");
    assert_eq!(full.tag.outbox.queued(), 2);
    let wait = full.tag.outbox.ready(env.now);
    assert!((7_000..=8_000).contains(&wait), "{wait}");
    let batch = full
        .tag
        .outbox
        .take_batch(env.now + wait, 32 * 1024)
        .unwrap();
    assert!(batch.body.contains("\"kept\"") && batch.body.contains("\"acme\""));
    assert!(batch.body.contains("\"later\""));
    // Another page's records are not taken this way.
    let foreign = handoff.replace(l.owner(), "0123456789abcdef");
    let (other, _) = full_tag(&journal, &foreign, &mut env);
    assert_eq!(other.tag.outbox.queued(), 0);
}

#[test]
fn a_refused_batch_is_dropped_with_a_warning_and_the_light_module_goes_on() {
    let (mut env, journal, mut l) = page();
    l.call(event("bad"), &mut env);
    l.tag.outbox.drops = [3, 2]; // 3 evicted, 2 rate-limited, to report
    let sent = sends(&l.pump(true, &mut env));
    assert!(
        sent[0].1.contains(",\"evicted\":3,\"limited\":2,"),
        "{}",
        sent[0].1
    );
    let fx = l.answered(sent[0].0, 400, None, &mut env);
    assert_eq!(
        fx,
        [
            Effect::Say(
                Level::Warn,
                DropReason::Refused.message(),
                Shown::Number(400)
            ),
            Effect::Lock(false)
        ]
    );
    assert!(records(&journal).is_empty());
    let (r, _) = l.call(event("next"), &mut env);
    assert_eq!(r, Verdict::Accepted);
    // The refused batch's counts were not reported: the next batch reports them, as the
    // outbox's does.
    let sent = sends(&l.pump(true, &mut env));
    assert!(
        sent[0].1.contains(",\"evicted\":3,\"limited\":2,"),
        "{}",
        sent[0].1
    );
}

#[test]
fn handing_over_waits_for_the_batch_in_flight_and_calls_are_still_taken_and_written() {
    let (mut env, journal, mut l) = page();
    l.call(event("flying"), &mut env);
    let sent = sends(&l.pump(true, &mut env));
    // Restored from the back-forward cache: handed over, not retired while a batch flies.
    assert!(l.shown(true).is_empty());
    assert_eq!(l.phase, Phase::Handing);
    let (v, _) = l.call(event("meanwhile"), &mut env);
    assert_eq!(v, Verdict::Accepted, "calls are still taken");
    assert!(
        sends(&l.pump(true, &mut env)).is_empty(),
        "and written, not sent"
    );
    assert_eq!(records(&journal).len(), 2);
    // Acknowledged: forgotten, then retired.
    let fx = l.answered(sent[0].0, 204, None, &mut env);
    assert_eq!(fx, [Effect::HandOver]);
    assert_eq!(records(&journal).len(), 1);
    // Still taken while the full tag loads; handoff() writes what the task accepted.
    let (v, _) = l.call(event("while loading"), &mut env);
    assert_eq!(v, Verdict::Accepted);
    let handoff = l.handoff();
    assert_eq!(records(&journal).len(), 2);
    let (mut full, _) = full_tag(&journal, &handoff, &mut env);
    assert_eq!(full.tag.outbox.queued(), 2);
    let body = full.tag.outbox.take_batch(env.now, 32 * 1024).unwrap().body;
    assert!(body.contains("\"meanwhile\"") && body.contains("\"while loading\""));
    assert!(!body.contains("\"flying\""));
}

#[test]
fn settings_consent_and_do_not_track_are_answered_as_the_full_tag_answers_them() {
    let (mut env, journal, mut l) = page();
    let on = SetValue {
        text: None,
        truthy: true,
        is_true: true,
        signal: true,
    };
    let off = SetValue {
        text: None,
        truthy: false,
        is_true: false,
        signal: true,
    };
    // Debug: accepted calls are said.
    let (v, _) = l.call(Call::Set(Some(Setting::Debug), on.clone()), &mut env);
    assert_eq!(v, Verdict::Done);
    let (_, fx) = l.call(event("said"), &mut env);
    assert!(fx.contains(&Effect::Say(Level::Debug, say::ACCEPTED, Shown::Input)));
    l.pump(true, &mut env);
    // Another page's record and the snippet's kept calls: consent withdrawn forgets them all.
    let mut j = journal.clone();
    j.set(
        "rtp:o:00000000-0000-4000-8000-000000000000",
        "1|1|0|aaaaaaaaaaaaaaaa|{}",
    );
    j.set(crate::kept::QUEUE_PREFIX, "[]");
    let (v, _) = l.call(Call::Set(Some(Setting::Consent), off.clone()), &mut env);
    assert_eq!(v, Verdict::Done);
    assert!(
        j.keys("rtp:")
            .iter()
            .all(|k| k.starts_with("rtp:e:") || k == "rtp:sid"),
        "{:?}",
        j.keys("rtp:")
    );
    let (v, fx) = l.call(event("refused"), &mut env);
    assert_eq!(v, Verdict::Rejected(Rejection::NoConsent));
    assert_eq!(
        fx,
        [Effect::Say(
            Level::Debug,
            Rejection::NoConsent.message(),
            Shown::Nothing
        )]
    );
    let (v, _) = l.call(Call::Set(Some(Setting::Consent), on.clone()), &mut env);
    assert_eq!(v, Verdict::Done);
    assert_eq!(l.call(event("granted"), &mut env).0, Verdict::Accepted);
    // Do Not Track honoured, with the browser's signal: as a denied consent.
    l.call(Call::Set(Some(Setting::HonorDnt), on), &mut env);
    assert_eq!(
        l.call(Call::View(Ok(None), Origin::default()), &mut env).0,
        Verdict::Rejected(Rejection::DoNotTrack)
    );
    assert!(records(&journal).is_empty());
    assert_eq!(l.phase, Phase::Running);
}

#[test]
fn a_network_error_is_handled_a_task_later_and_not_at_all_once_the_page_is_left() {
    let (mut env, journal, mut l) = page();
    l.call(event("x"), &mut env);
    let sent = sends(&l.pump(true, &mut env));
    let id = sent[0].0;
    assert_eq!(
        l.unreachable(id),
        [
            Effect::Say(Level::Debug, say::UNREACHABLE, Shown::Input),
            Effect::FailLater(id)
        ]
    );
    // pagehide came between: the browser goes on sending the keepalive request.
    let fx = l.leave(true, true, &mut env);
    assert_eq!(fx, [Effect::Lock(false)]);
    assert!(
        records(&journal).is_empty(),
        "handed to the browser: not sent again"
    );
    assert!(l.failed(id, true, &mut env).is_empty());
    assert_eq!(l.phase, Phase::Running);

    // Not left: an attempt counted, and handed over.
    let (mut env, journal, mut l) = page();
    l.call(event("y"), &mut env);
    let id = sends(&l.pump(true, &mut env))[0].0;
    l.unreachable(id);
    let fx = l.failed(id, true, &mut env);
    assert_eq!(fx, [Effect::HandOver]);
    let key = &records(&journal)[0];
    let value = journal.clone().get(key).unwrap();
    assert_eq!(decode_group(key, &value).unwrap()[0].attempts, 1);
    assert!(journal.clone().get(PAUSE_KEY).is_some());
}

#[test]
fn offline_waits_for_online_and_no_endpoint_leaves_events_to_the_full_tag() {
    // Offline: nothing attempted, flush answers false, no pause; `online` pumps and sends.
    let (mut env, journal, mut l) = page();
    l.call(event("offline"), &mut env);
    l.flush();
    let fx = l.pump(false, &mut env);
    assert_eq!(fx, [Effect::Settle(false)]);
    assert_eq!(records(&journal).len(), 1);
    assert!(journal.clone().get(PAUSE_KEY).is_none());
    let sent = sends(&l.pump(true, &mut env));
    assert_eq!(sent.len(), 1);
    // A network error while offline: back, no attempt counted, still the light module's.
    l.unreachable(sent[0].0);
    let fx = l.failed(sent[0].0, false, &mut env);
    assert!(!fx.contains(&Effect::HandOver), "{fx:?}");
    assert_eq!(l.phase, Phase::Running);
    assert!(sends(&l.pump(false, &mut env)).is_empty(), "still offline");
    let id = sends(&l.pump(true, &mut env))[0].0;
    l.answered(id, 200, None, &mut env);
    assert!(records(&journal).is_empty());

    // No endpoint: the full tag warns and keeps them.
    let mut env = FakeEnv::default();
    let journal = SharedStore::default();
    let mut l = Light::new(MemoryStore::default(), journal.clone(), &mut env);
    l.call(event("early"), &mut env);
    let fx = l.pump(true, &mut env);
    assert!(fx.contains(&Effect::HandOver), "{fx:?}");
    assert_eq!(records(&journal).len(), 1);
}

#[test]
fn leaving_sends_what_is_queued_and_removes_its_records() {
    let (mut env, journal, mut l) = page();
    l.call(event("first"), &mut env);
    let first = sends(&l.pump(true, &mut env));
    assert_eq!(first.len(), 1);
    // More in the task of pagehide: written, sent beside the first (the leaving budget), and
    // every record in flight removed.
    l.call(event("last"), &mut env);
    let fx = l.leave(true, true, &mut env);
    let sent = sends(&fx);
    assert_eq!(sent.len(), 1);
    assert!(sent[0].1.contains("\"last\""));
    assert_eq!(fx.last(), Some(&Effect::Lock(false)));
    assert!(records(&journal).is_empty());
    // Shown again from the back-forward cache: the full tag sorts out what another page took.
    let fx = l.answered(first[0].0, 200, None, &mut env);
    assert!(!fx.contains(&Effect::HandOver));
    let fx = l.shown(true);
    assert!(!fx.contains(&Effect::HandOver), "one batch still in flight");
    let fx = l.answered(sent[0].0, 200, None, &mut env);
    assert_eq!(fx, [Effect::HandOver]);
}

#[test]
fn a_burst_is_cut_into_batches_within_the_keepalive_budget() {
    let (mut env, journal, mut l) = page();
    let long = "x".repeat(250);
    for i in 0..300 {
        let v = alloc::format!("{i}{long}");
        assert_eq!(l.call(event(&v), &mut env).0, Verdict::Accepted);
    }
    let fx = l.pump(true, &mut env);
    let sent = sends(&fx);
    assert_eq!(
        sent.len(),
        1,
        "one batch in flight: two would pass the budget"
    );
    assert!(sent[0].1.len() <= MAX_BATCH_BYTES);
    let groups = records(&journal).len();
    assert!(groups >= 3, "{groups}");
    let mut total = sent[0].1.matches("\"type\":\"event\"").count();
    let mut next = sent[0].0;
    loop {
        let fx = l.answered(next, 200, None, &mut env);
        if fx.contains(&Effect::Lock(false)) {
            break;
        }
        assert_eq!(fx, [Effect::PumpAfterBody]);
        let sent = sends(&l.pump(true, &mut env));
        assert_eq!(sent.len(), 1);
        total += sent[0].1.matches("\"type\":\"event\"").count();
        next = sent[0].0;
    }
    assert_eq!(total, 300);
    assert!(records(&journal).is_empty());
}

#[test]
fn the_rate_limit_warns_once_and_its_state_goes_to_the_full_tag() {
    let (mut env, _, mut l) = page();
    let mut warned = 0;
    for i in 0..crate::rate::BURST + 3 {
        let (r, fx) = l.call(
            Call::View(Ok(Some(i.to_string())), Origin::default()),
            &mut env,
        );
        if i >= crate::rate::BURST {
            assert_eq!(r, Verdict::Rejected(Rejection::RateLimited));
        }
        warned += fx
            .iter()
            .filter(|e| matches!(e, Effect::Say(Level::Warn, ..)))
            .count();
    }
    assert_eq!(warned, 1);
    let h = crate::handoff::read(&l.handoff()).unwrap();
    assert_eq!(
        (h.limited, h.warned, h.owner.as_str()),
        (3, true, l.owner())
    );
    let mut resumed = h.limiter;
    assert!(
        !resumed.take(env.now),
        "the bucket is as empty in the full tag"
    );
    assert!(crate::handoff::read("1 2 3 0 0").is_none());
    assert!(
        crate::handoff::read("1 2 3 0 0123456789abcdef").is_none(),
        "five numbers"
    );
    assert!(crate::handoff::read("1 2 3 x 0 0123456789abcdef").is_none());
    assert!(crate::handoff::read("1 2 3 0 0 NOT-AN-ID").is_none());
}

#[test]
fn flush_is_answered_here_true_once_acknowledged_false_after_a_drop_and_asked_again_after_a_hand_over(
) {
    let (mut env, _, mut l) = page();
    // Nothing outstanding: at once.
    assert_eq!(l.flush(), [Effect::Settle(true)]);
    // Outstanding: once acknowledged.
    l.call(event("a"), &mut env);
    let fx = l.flush();
    assert!(fx.is_empty(), "the task's pump is already due: {fx:?}");
    let sent = sends(&l.pump(true, &mut env));
    let fx = l.answered(sent[0].0, 200, None, &mut env);
    assert_eq!(fx, [Effect::Settle(true), Effect::Lock(false)]);
    // A batch refused meanwhile: false.
    l.call(event("b"), &mut env);
    l.flush();
    let sent = sends(&l.pump(true, &mut env));
    let fx = l.answered(sent[0].0, 400, None, &mut env);
    assert!(fx.contains(&Effect::Settle(false)), "{fx:?}");
    // The next flush starts afresh.
    assert_eq!(l.flush(), [Effect::Settle(true)]);
    // Waiting when the light module hands over: not answered here (the edge asks the full
    // tag), and flush is not taken any more.
    l.call(event("c"), &mut env);
    l.flush();
    let sent = sends(&l.pump(true, &mut env));
    let fx = l.answered(sent[0].0, 503, None, &mut env);
    assert!(!fx.iter().any(|e| matches!(e, Effect::Settle(_))), "{fx:?}");
    assert_eq!(fx.last(), Some(&Effect::HandOver));
    assert!(l.flush().is_empty(), "the full tag answers it");
}

#[test]
fn a_request_that_could_not_be_started_is_tried_again_by_the_light_module() {
    let (mut env, journal, mut l) = page();
    l.call(event("x"), &mut env);
    let id = sends(&l.pump(true, &mut env))[0].0;
    let fx = l.not_started(id);
    assert_eq!(
        fx,
        [
            Effect::Say(Level::Debug, say::NOT_STARTED, Shown::Input),
            Effect::Timer(crate::retry::BASE_DELAY_MS)
        ]
    );
    assert_eq!(l.phase, Phase::Running);
    let key = &records(&journal)[0];
    let value = journal.clone().get(key).unwrap();
    assert_eq!(
        decode_group(key, &value).unwrap()[0].attempts,
        0,
        "no attempt counted"
    );
    let id = sends(&l.pump(true, &mut env))[0].0;
    l.answered(id, 200, None, &mut env);
    assert!(records(&journal).is_empty());
}

#[test]
fn what_storage_refused_goes_with_the_hand_over_and_the_full_tag_sends_it() {
    let mut env = FakeEnv::default();
    // Storage that refuses every write (full), reads and removals working.
    let journal = Quota(SharedStore::default(), 0);
    let mut l = light(journal.clone(), &mut env);
    l.call(event("unstored"), &mut env);
    let id = sends(&l.pump(true, &mut env))[0].0;
    assert!(records(&journal.0).is_empty(), "storage refused it");
    let fx = l.answered(id, 503, None, &mut env);
    assert_eq!(fx.last(), Some(&Effect::HandOver));
    let handoff = l.handoff();
    let h = crate::handoff::read(&handoff).unwrap();
    assert_eq!(h.unstored.len(), 1);
    assert_eq!(h.unstored[0].1, 1, "with its attempt");
    let (mut full, _) = full_tag(&journal.0, &handoff, &mut env);
    assert_eq!(full.tag.outbox.queued(), 1);
    let wait = full.tag.outbox.ready(env.now);
    let body = full
        .tag
        .outbox
        .take_batch(env.now + wait, 32 * 1024)
        .unwrap()
        .body;
    assert!(body.contains("\"unstored\""));
    // A line that is not a record of this page: the hand-over is refused, not half read.
    let forged = alloc::format!("{handoff}\n1|1|0|0123456789abcdef|{{\"id\":\"x\"}}");
    assert!(crate::handoff::read(&forged).is_none());
}

#[test]
fn offline_for_long_what_it_holds_stays_within_the_outboxs_bounds_oldest_evicted_and_counted() {
    let (mut env, journal, mut l) = page();
    // 12 tasks of 100 distinct events while offline: nothing leaves, 1,200 are accepted.
    for task in 0..12 {
        for i in 0..100 {
            let (v, _) = l.call(event(&alloc::format!("t{task} e{i}")), &mut env);
            assert_eq!(v, Verdict::Accepted);
        }
        assert!(sends(&l.pump(false, &mut env)).is_empty());
    }
    let held: usize = l.groups.iter().map(|g| g.events.len()).sum();
    assert!(
        (MAX_EVENTS - 100..=MAX_EVENTS).contains(&held),
        "{held} held"
    );
    // The oldest went, from memory and from storage; the count waits for a batch to report.
    let stored: usize = records(&journal)
        .iter()
        .map(|k| {
            decode_group(k, &journal.clone().get(k).unwrap())
                .unwrap()
                .len()
        })
        .sum();
    assert_eq!(stored, held);
    let evicted = (1_200 - held) as u64;
    assert_eq!(l.tag.outbox.drops, [evicted, 0]);
    let first = &l.groups[0].events[0];
    assert!(!first.contains("\"t0 e0\""), "the oldest went: {first}");
    let last = l.groups.last().unwrap().events.last().unwrap();
    assert!(last.contains("\"t11 e99\""), "the newest stays: {last}");
    // Handed over, the full tag reports the count.
    let handoff = l.handoff();
    assert_eq!(crate::handoff::read(&handoff).unwrap().evicted, evicted);
    let (mut full, _) = full_tag(&journal, &handoff, &mut env);
    let body = full.tag.outbox.take_batch(env.now, 32 * 1024).unwrap().body;
    assert!(body.contains(&alloc::format!(",\"evicted\":{evicted},")));
    // Back online, what is held leaves, and the first batch reports the evictions.
    let sent = sends(&l.pump(true, &mut env));
    assert!(
        sent[0]
            .1
            .contains(&alloc::format!(",\"evicted\":{evicted},")),
        "{}",
        &sent[0].1[..80]
    );
}
