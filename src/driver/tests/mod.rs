//! The ten delivery scenarios (the browser suite's `tests/e2e/delivery-*.test.mjs`) played
//! natively on the driver, with an injected clock and no sleeps (`sim.rs`), and the driver's
//! single decisions one by one.

mod sim;

use super::*;
use crate::retry::MAX_DELAY_MS;
use crate::tag::{Origin, SetValue};
use crate::values::RawValues;
use sim::{World, LATENCY, T0};

/// Each value once, in any order: nothing lost, nothing stored twice.
fn assert_once(world: &World, values: &[String]) {
    let mut got = world.delivered();
    got.sort();
    let mut want = values.to_vec();
    want.sort();
    assert_eq!(got, want, "delivered exactly once each");
}

fn values(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| alloc::format!("{prefix}{i}")).collect()
}

#[test]
fn s1_twenty_events_then_navigation_all_arrive_once() {
    let mut w = World::new();
    let tab = w.tab();
    let p = w.open(tab);
    // One click: 20 calls in one task, and the page navigates in the same task.
    let raw = values("click-", 20);
    for v in &raw {
        w.pages[p].driver.tag.send_event(
            RawValues::Fields(vec![crate::values::Field::Text(v.clone())]),
            Origin::default(),
            &mut TestEnv(T0),
        );
    }
    w.leave(p); // pagehide: the pump has not run; leaving writes and sends
    let next = w.open(tab);
    w.wait(1_000);
    assert_once(&w, &raw);
    assert_eq!(w.requests, 1, "one keepalive request");
    assert!(
        w.stored_keys().is_empty(),
        "handed to the browser: no record left for the next page"
    );
    assert_eq!(w.locks_held(), 0);
    assert!(w.pages[next].driver.tag.outbox.is_settled());
}

#[test]
fn s2_closing_the_tab_right_after_a_call_delivers_it_once() {
    let mut w = World::new();
    let tab = w.tab();
    let p = w.open(tab);
    assert_eq!(w.event(p, "closing"), Verdict::Accepted);
    // The pump ran at the end of the task: the request is in flight when the tab closes.
    w.leave(p);
    w.wait(1_000);
    assert_once(&w, &["closing".into()]);
    assert!(w.stored_keys().is_empty());
}

#[test]
fn s3_503_for_ten_seconds_then_all_fifty_arrive_once() {
    let mut w = World::new();
    w.outage(503, 10_000);
    let tab = w.tab();
    let p = w.open(tab);
    let raw = values("e", 50);
    for v in &raw {
        assert_eq!(w.event(p, v), Verdict::Accepted);
        w.wait(100);
    }
    assert!(w.delivered().is_empty());
    assert!(
        !w.stored_keys().is_empty(),
        "kept in storage during the outage"
    );
    // Full jitter up to 2^failures s, capped: well within two minutes of recovery.
    w.wait(2 * MAX_DELAY_MS);
    assert_once(&w, &raw);
    assert!(w.stored_keys().is_empty());
    assert!(w.pages[p].driver.tag.outbox.is_settled());
    assert!(
        w.requests < 60,
        "backoff: {} requests, not one per event per second",
        w.requests
    );
}

#[test]
fn s4_429_with_retry_after_is_not_retried_before_it() {
    let mut w = World::new();
    w.collector(|now| {
        if now < T0 + 100 {
            (429, Some(2_000))
        } else {
            (204, None)
        }
    });
    let tab = w.tab();
    let p = w.open(tab);
    w.event(p, "limited");
    w.wait(1_999);
    assert_eq!(w.requests, 1, "no retry before Retry-After");
    w.wait(2_000);
    assert_eq!(w.requests, 2);
    assert_once(&w, &["limited".into()]);
    assert!(w.stored_keys().is_empty());
}

#[test]
fn s5_400_drops_the_batch_with_a_warning_and_a_later_event_goes() {
    let mut w = World::new();
    w.outage(400, 100);
    let tab = w.tab();
    let p = w.open(tab);
    w.event(p, "refused");
    w.flush(p);
    w.wait(LATENCY);
    assert_eq!(
        w.pages[p].flushed,
        [false],
        "flush answers false: an event was dropped"
    );
    assert!(w.pages[p]
        .console
        .iter()
        .any(|(l, t)| *l == Level::Warn && *t == DropReason::Refused.message()));
    w.wait(60_000);
    assert_eq!(w.requests, 1, "never retried");
    assert!(w.stored_keys().is_empty(), "its record is removed");
    w.event(p, "later");
    w.flush(p);
    w.wait(LATENCY);
    assert_eq!(w.pages[p].flushed, [false, true]);
    assert_once(&w, &["later".into()]);
}

#[test]
fn s6_offline_then_online_nothing_attempted_offline_all_arrive_once_back() {
    let mut w = World::new();
    let tab = w.tab();
    let p = w.open(tab);
    w.set_online(false);
    let raw = values("off", 5);
    for v in &raw {
        w.event(p, v);
    }
    w.wait(30_000);
    assert_eq!(w.requests, 0, "nothing attempted while offline");
    assert!(
        !w.pages[p].driver.tag.outbox.failing(),
        "offline is not the collector's failure"
    );
    w.set_online(true);
    w.wait(LATENCY);
    assert_once(&w, &raw);
    assert_eq!(w.requests, 1, "sent at once, in one batch");
}

#[test]
fn s6_a_request_failing_because_the_browser_went_offline_counts_no_attempt() {
    let mut w = World::new();
    let tab = w.tab();
    let p = w.open(tab);
    w.online = false; // offline, and the page has not been told yet
    w.event(p, "x");
    w.wait(0);
    assert!(!w.pages[p].driver.tag.outbox.failing());
    assert_eq!(
        w.pages[p].driver.tag.outbox.queued(),
        1,
        "back in the queue"
    );
    w.set_online(true);
    w.wait(LATENCY);
    assert_once(&w, &["x".into()]);
}

#[test]
fn s7_reload_during_an_outage_the_reloaded_page_delivers_once() {
    let mut w = World::new();
    w.outage(503, 20_000);
    let tab = w.tab();
    let p = w.open(tab);
    let raw = values("before-reload-", 3);
    for v in &raw {
        w.event(p, v);
    }
    w.wait(3_000);
    assert!(w.pages[p].driver.tag.outbox.failing());
    w.leave(p); // failing: nothing goes, the records stay, the lock is released
    assert!(
        !w.stored_keys().is_empty(),
        "the records stay, with the pause"
    );
    assert_eq!(w.locks_held(), 0);
    let q = w.open(tab);
    assert_eq!(
        w.pages[q].driver.tag.outbox.queued(),
        3,
        "adopted by the reloaded page"
    );
    w.wait(2 * MAX_DELAY_MS);
    assert_once(&w, &raw);
    assert!(w.stored_keys().is_empty());
}

#[test]
fn s8_two_tabs_one_closed_mid_outage_every_event_arrives_once() {
    let mut w = World::new();
    w.outage(503, 15_000);
    let (ta, tb) = (w.tab(), w.tab());
    let a = w.open(ta);
    let b = w.open(tb);
    let (va, vb) = (values("a", 4), values("b", 4));
    for (x, y) in va.iter().zip(&vb) {
        w.event(a, x);
        w.event(b, y);
        w.wait(200);
    }
    w.wait(2_000);
    w.leave(b); // closed mid-outage: its events stay stored, its lock goes
    assert_eq!(w.locks_held(), 1, "only tab A's lock");
    // Tab A claims again (its retry timer, or the reclaim timer) and adopts tab B's events.
    w.wait(2 * MAX_DELAY_MS);
    let all: Vec<String> = va.iter().chain(&vb).cloned().collect();
    assert_once(&w, &all);
    assert!(w.stored_keys().is_empty());
}

#[test]
fn s8_a_live_tabs_events_are_never_adopted_by_another() {
    let mut w = World::new();
    w.outage(503, 5_000);
    let (ta, tb) = (w.tab(), w.tab());
    let a = w.open(ta);
    w.event(a, "mine");
    w.wait(100);
    let b = w.open(tb);
    assert_eq!(
        w.pages[b].driver.tag.outbox.queued(),
        0,
        "tab A holds its lock"
    );
    w.wait(2 * MAX_DELAY_MS);
    assert_once(&w, &["mine".into()]);
}

#[test]
fn s9_storage_throwing_events_are_still_delivered_by_the_page() {
    let mut w = World::new();
    w.local.broken.set(true);
    let tab = w.tab();
    let p = w.open(tab);
    let raw = values("nostore", 3);
    for v in &raw {
        assert_eq!(w.event(p, v), Verdict::Accepted);
    }
    w.wait(LATENCY);
    assert_once(&w, &raw);
    assert!(w.stored_keys().is_empty());
}

#[test]
fn s9_storage_throwing_during_an_outage_delivers_once_the_collector_is_back() {
    let mut w = World::new();
    w.outage(503, 5_000);
    w.local.broken.set(true);
    let tab = w.tab();
    let p = w.open(tab);
    w.event(p, "memory-only");
    w.wait(2 * MAX_DELAY_MS);
    assert_once(&w, &["memory-only".into()]);
}

#[test]
fn s10_a_call_before_the_wasm_loaded_then_navigation_the_next_page_delivers_it_once() {
    let mut w = World::new();
    let tab = w.tab();
    // The first page was left before its tag loaded: its snippet kept the call.
    w.snippet_kept(&[("early-click", T0 - 500)]);
    let p = w.open(tab);
    w.wait(LATENCY);
    assert_once(&w, &["early-click".into()]);
    assert!(
        w.stored[0].contains("\"time\":1699999999500,\"url\":\"https://site.test/first\""),
        "its own time and page"
    );
    // A second page finds nothing more to replay.
    let q = w.open(tab);
    w.wait(LATENCY);
    assert_once(&w, &["early-click".into()]);
    assert!(w.pages[q].driver.tag.outbox.is_settled());
    let _ = p;
}

#[test]
fn kept_calls_older_than_the_age_cap_are_dropped_with_a_debug_message() {
    let mut w = World::new();
    let tab = w.tab();
    w.snippet_kept(&[
        ("stale", T0 - crate::retry::MAX_AGE_MS - 1),
        ("fresh", T0 - 1),
    ]);
    let p = w.open(tab);
    w.wait(LATENCY);
    assert_once(&w, &["fresh".into()]);
    assert!(w.pages[p]
        .console
        .contains(&(Level::Debug, DropReason::TooOld.message())));
}

// ---- single decisions -------------------------------------------------------------------

/// A fixed environment for inputs that need one.
struct TestEnv(u64);

impl Env for TestEnv {
    fn now(&mut self) -> u64 {
        self.0
    }
    fn random16(&mut self) -> [u8; 16] {
        self.0 += 1;
        [self.0 as u8; 16]
    }
    fn page_url(&mut self) -> String {
        "https://site.test/".into()
    }
    fn referrer(&mut self) -> String {
        String::new()
    }
}

fn driver() -> (Driver<MemoryStore, MemoryStore>, TestEnv) {
    let mut env = TestEnv(T0);
    let tag = Tag::new(MemoryStore::default(), MemoryStore::default(), &mut env);
    (Driver::new(tag), env)
}

use crate::store::MemoryStore;

fn one(v: &str) -> RawValues {
    RawValues::Fields(vec![crate::values::Field::Text(v.into())])
}

#[test]
fn an_accepted_event_takes_the_lock_then_schedules_one_pump_for_the_task() {
    let (mut d, mut env) = driver();
    let (v, fx) = d.call(Call::Event(one("a"), Origin::default()), &mut env);
    assert_eq!(v, Verdict::Accepted);
    assert_eq!(fx, [Effect::Lock(true), Effect::Pump]);
    let (_, fx) = d.call(Call::Event(one("b"), Origin::default()), &mut env);
    assert!(
        fx.is_empty(),
        "same task: the lock is held and the pump scheduled"
    );
}

#[test]
fn without_an_endpoint_events_are_kept_and_one_warning_is_given() {
    let (mut d, mut env) = driver();
    d.call(Call::Event(one("a"), Origin::default()), &mut env);
    let fx = d.input(Input::Pump { online: true }, &mut env);
    assert_eq!(
        fx,
        [Effect::Say(Level::Warn, say::NO_ENDPOINT, Shown::Nothing)]
    );
    d.call(Call::Event(one("b"), Origin::default()), &mut env);
    assert!(d.input(Input::Pump { online: true }, &mut env).is_empty());
    assert_eq!(d.tag.outbox.queued(), 2);
}

fn with_endpoint() -> (Driver<MemoryStore, MemoryStore>, TestEnv) {
    let (mut d, mut env) = driver();
    let value = SetValue {
        text: Some("https://c.test/e".into()),
        ..Default::default()
    };
    let (v, fx) = d.call(Call::Set(Some(Setting::Endpoint), value), &mut env);
    assert_eq!((v, fx), (Verdict::Done, vec![Effect::Pump]));
    d.input(Input::Pump { online: true }, &mut env);
    (d, env)
}

fn sends(fx: &[Effect]) -> Vec<u32> {
    fx.iter()
        .filter_map(|e| {
            if let Effect::Send { id, .. } = e {
                Some(*id)
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn the_pump_sends_one_batch_at_a_time_within_the_keepalive_budget() {
    let (mut d, mut env) = with_endpoint();
    // Events of about 20 KB: one per batch; two would pass the 32 KiB budget.
    let big = "x".repeat(250);
    for i in 0..4 {
        let raw = RawValues::Fields(
            (0..4)
                .map(|k| crate::values::Field::Text(alloc::format!("{i}{k}{big}")))
                .collect(),
        );
        d.call(
            Call::Event(
                raw,
                Origin {
                    url: Some("u".repeat(1_000)),
                    ..Default::default()
                },
            ),
            &mut env,
        );
    }
    let mut fx = d.input(Input::Pump { online: true }, &mut env);
    let mut ids = Vec::new();
    while let [Effect::Send { id, .. }] = fx.as_slice() {
        ids.push(*id);
        fx = d.input(Input::Started, &mut env);
    }
    assert!(!ids.is_empty());
    assert!(d.tag.outbox.in_flight_bytes() <= KEEPALIVE_BUDGET + MAX_BATCH_BYTES);
    assert!(d.tag.outbox.queued() == 0 || d.tag.outbox.in_flight_bytes() > 0);
    // An answer frees room: the pump runs once the body is read.
    let fx = d.input(
        Input::Answered {
            id: ids[0],
            status: 204,
            retry_after: None,
        },
        &mut env,
    );
    if d.tag.outbox.queued() > 0 {
        assert_eq!(fx, [Effect::PumpAfterBody]);
    }
}

#[test]
fn a_fetch_that_throws_puts_the_batch_back_and_sets_a_timer() {
    let (mut d, mut env) = with_endpoint();
    d.call(Call::Event(one("a"), Origin::default()), &mut env);
    let fx = d.input(Input::Pump { online: true }, &mut env);
    let ids = sends(&fx);
    assert_eq!(ids.len(), 1);
    let fx = d.input(Input::NotStarted(ids[0]), &mut TestEnv(T0));
    assert_eq!(
        fx,
        [
            Effect::Say(Level::Debug, say::NOT_STARTED, Shown::Input),
            Effect::Timer(BASE_DELAY_MS)
        ]
    );
    assert_eq!(d.tag.outbox.queued(), 1);
    assert!(!d.tag.outbox.failing(), "not the collector's failure");
}

#[test]
fn flush_answers_true_once_everything_is_acknowledged() {
    let (mut d, mut env) = with_endpoint();
    d.call(Call::Event(one("a"), Origin::default()), &mut env);
    assert!(
        d.input(Input::Flush(1), &mut env).is_empty(),
        "the event's pump is scheduled: flush waits for it"
    );
    let fx = d.input(Input::Pump { online: true }, &mut env);
    let id = sends(&fx)[0];
    assert!(
        !d.input(Input::Started, &mut env)
            .contains(&Effect::Settle(true)),
        "in flight: not yet"
    );
    assert_eq!(
        d.input(
            Input::Answered {
                id,
                status: 200,
                retry_after: None
            },
            &mut env
        ),
        [Effect::Lock(false), Effect::Settle(true)]
    );
}

#[test]
fn flush_answers_false_when_the_last_attempt_failed() {
    let (mut d, mut env) = with_endpoint();
    d.call(Call::Event(one("a"), Origin::default()), &mut env);
    d.input(Input::Flush(1), &mut env);
    let id = sends(&d.input(Input::Pump { online: true }, &mut env))[0];
    d.input(Input::Started, &mut env);
    let fx = d.input(
        Input::Answered {
            id,
            status: 503,
            retry_after: None,
        },
        &mut env,
    );
    assert_eq!(
        fx[0],
        Effect::Say(Level::Debug, say::NOT_ACCEPTED, Shown::Number(503))
    );
    assert!(fx.contains(&Effect::Pump));
    let fx = d.input(Input::Pump { online: true }, &mut env);
    assert!(
        matches!(fx.as_slice(), [Effect::Timer(ms), Effect::Settle(false)] if *ms > 0 && *ms <= 2 * BASE_DELAY_MS)
    );
}

#[test]
fn a_network_error_is_handled_a_task_later() {
    let (mut d, mut env) = with_endpoint();
    d.call(Call::Event(one("a"), Origin::default()), &mut env);
    let id = sends(&d.input(Input::Pump { online: true }, &mut env))[0];
    d.input(Input::Started, &mut env);
    assert_eq!(
        d.input(Input::Unreachable(id), &mut TestEnv(T0)),
        [
            Effect::Say(Level::Debug, say::UNREACHABLE, Shown::Input),
            Effect::FailLater(id)
        ]
    );
    assert!(!d.tag.outbox.failing(), "not counted yet");
    d.input(Input::Failed { id, online: true }, &mut env);
    assert!(
        d.tag.outbox.failing(),
        "counted once the page is still there a task later"
    );
}

#[test]
fn leaving_while_healthy_sends_then_releases_the_lock() {
    let (mut d, mut env) = with_endpoint();
    d.call(Call::Event(one("a"), Origin::default()), &mut env);
    let fx = d.input(Input::Left { online: true }, &mut env);
    assert!(matches!(fx.as_slice(), [Effect::Send { .. }]));
    assert_eq!(d.input(Input::Started, &mut env), [Effect::Lock(false)]);
}

#[test]
fn leaving_while_failing_sends_nothing_and_keeps_the_records() {
    let (mut d, mut env) = with_endpoint();
    d.call(Call::Event(one("a"), Origin::default()), &mut env);
    let id = sends(&d.input(Input::Pump { online: true }, &mut env))[0];
    d.input(Input::Started, &mut env);
    d.input(
        Input::Answered {
            id,
            status: 503,
            retry_after: None,
        },
        &mut env,
    );
    assert_eq!(
        d.input(Input::Left { online: true }, &mut env),
        [Effect::Lock(false)]
    );
    assert_eq!(d.tag.outbox.queued(), 1);
}

#[test]
fn a_pump_after_the_page_was_left_goes_the_way_of_leaving() {
    let (mut d, mut env) = with_endpoint();
    d.input(Input::Left { online: true }, &mut env);
    d.call(Call::Event(one("late"), Origin::default()), &mut env); // a later pagehide listener
    let fx = d.input(Input::Pump { online: true }, &mut env);
    assert!(matches!(fx.as_slice(), [Effect::Send { .. }]), "{fx:?}");
    assert_eq!(d.input(Input::Started, &mut env), [Effect::Lock(false)]);
}

#[test]
fn shown_from_the_back_forward_cache_claims_and_pumps() {
    let (mut d, mut env) = with_endpoint();
    d.call(Call::Event(one("a"), Origin::default()), &mut env);
    d.input(Input::Persist, &mut env);
    let id = sends(&d.input(Input::Pump { online: true }, &mut env))[0];
    d.input(Input::Started, &mut env);
    d.input(
        Input::Answered {
            id,
            status: 503,
            retry_after: None,
        },
        &mut env,
    );
    d.input(Input::Pump { online: true }, &mut env);
    d.input(Input::Left { online: true }, &mut env);
    assert_eq!(
        d.input(Input::Shown, &mut env),
        [Effect::Lock(true), Effect::Claim, Effect::Pump]
    );
}

#[test]
fn the_rate_limit_warns_once_per_page() {
    let (mut d, mut env) = with_endpoint();
    let mut warnings = 0;
    for i in 0..2_100 {
        let (_, fx) = d.call(
            Call::View(
                Ok(Some(alloc::format!("https://site.test/{i}"))),
                Origin::default(),
            ),
            &mut env,
        );
        warnings += fx
            .iter()
            .filter(|e| matches!(e, Effect::Say(Level::Warn, ..)))
            .count();
        d.input(Input::Pump { online: true }, &mut env);
    }
    assert_eq!(warnings, 1);
}

#[test]
fn adoption_claims_again_while_other_pages_hold_records() {
    let (mut d, mut env) = driver();
    let (go, fx) = d.claiming();
    assert!(go);
    assert_eq!(fx, [Effect::Lock(true)]);
    let (queues, fx) = d.adopt(Some(""), Some(T0), &mut env);
    assert!(queues.is_empty());
    assert_eq!(fx, [Effect::Pump]);
}

#[test]
fn with_consent_denied_nothing_is_adopted() {
    let (mut d, mut env) = driver();
    d.call(
        Call::Set(Some(Setting::Consent), SetValue::default()),
        &mut env,
    );
    assert_eq!(d.claiming(), (false, Vec::new()));
}

#[test]
fn online_after_a_failure_sends_at_once_without_waiting_for_the_pause() {
    let mut w = World::new();
    w.outage(503, 100);
    let tab = w.tab();
    let p = w.open(tab);
    w.event(p, "x");
    w.wait(LATENCY);
    assert!(w.pages[p].driver.tag.outbox.failing());
    assert_eq!(w.requests, 1);
    w.wait(100);
    w.set_online(true); // the `online` event: the network is back
    w.wait(LATENCY);
    assert_eq!(w.requests, 2, "sent at once, not after the pause");
    assert_once(&w, &["x".into()]);
}

#[test]
fn s8_an_idle_tab_adopts_the_events_of_a_tab_closed_mid_outage() {
    let mut w = World::new();
    w.outage(503, 10_000);
    let (ta, tb) = (w.tab(), w.tab());
    let b = w.open(tb);
    let vb = values("b", 3);
    for v in &vb {
        w.event(b, v);
    }
    w.wait(500);
    // Tab A opens while tab B is alive with events stored: it leaves them, and looks again later.
    let a = w.open(ta);
    assert_eq!(w.pages[a].driver.tag.outbox.queued(), 0);
    w.leave(b); // closed mid-outage: its events stay stored
    w.wait(2 * MAX_DELAY_MS);
    assert_once(&w, &vb);
    assert!(w.stored_keys().is_empty());
}
