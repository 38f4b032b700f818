//! A deterministic browser for the driver: pages (each a driver), tabs (each a sessionStorage),
//! one localStorage and one lock manager for the site, a network with a fixed latency, a
//! collector whose answers follow a plan, and a clock that moves only when the test says so.
//! Effects run as the edge runs them: sends become requests, `Pump` a microtask, `Timer` a
//! timer, `Lock` a lock held, `Claim` an adoption under the current lock snapshot.

use crate::driver::{Driver, Effect, Input, Level};
use crate::locks::LOCK_PREFIX;
use crate::store::{MemoryStore, Store};
use crate::tag::Call;
use crate::tag::{Env, Origin, Tag};
use crate::values::{Field, RawValues};
use crate::verdict::Verdict;
use alloc::collections::{BTreeSet, VecDeque};
use alloc::rc::Rc;
use core::cell::{Cell, RefCell};

/// Network latency, each way together: a request is answered this long after it is made.
pub const LATENCY: u64 = 20;
pub const T0: u64 = 1_700_000_000_000;

/// A store seen by several pages that a test can break (storage blocked or throwing: reads
/// find nothing, writes are refused).
#[derive(Clone, Default)]
pub struct SimStore {
    inner: Rc<RefCell<MemoryStore>>,
    pub broken: Rc<Cell<bool>>,
}

impl Store for SimStore {
    fn get(&mut self, key: &str) -> Option<String> {
        if self.broken.get() {
            return None;
        }
        self.inner.borrow_mut().get(key)
    }
    fn set(&mut self, key: &str, value: &str) -> bool {
        !self.broken.get() && self.inner.borrow_mut().set(key, value)
    }
    fn remove(&mut self, key: &str) {
        if !self.broken.get() {
            self.inner.borrow_mut().remove(key)
        }
    }
    fn keys(&mut self, prefix: &str) -> Vec<String> {
        if self.broken.get() {
            return Vec::new();
        }
        self.inner.borrow_mut().keys(prefix)
    }
    fn count(&mut self) -> usize {
        self.inner.borrow_mut().count()
    }
}

pub struct SimEnv {
    now: u64,
    counter: u32,
    url: String,
}

impl Env for SimEnv {
    fn now(&mut self) -> u64 {
        self.now
    }
    fn random16(&mut self) -> [u8; 16] {
        // A fixed sequence: different on every draw (ids, page ids, jitter), the same every run.
        self.counter = self.counter.wrapping_add(1).wrapping_mul(2_654_435_761);
        let mut r = [0u8; 16];
        for (i, b) in r.iter_mut().enumerate() {
            *b = (self.counter >> ((i % 4) * 8)) as u8 ^ (i as u8).wrapping_mul(37);
        }
        r
    }
    fn page_url(&mut self) -> String {
        self.url.clone()
    }
    fn referrer(&mut self) -> String {
        String::new()
    }
}

type SimDriver = Driver<SimStore, SimStore>;

/// One page: a driver and what the browser holds for it.
pub struct Page {
    pub driver: SimDriver,
    env: SimEnv,
    microtasks: VecDeque<()>,
    /// Whether the page is still open (not navigated away from, not closed).
    pub open: bool,
    /// What was said on the console.
    pub console: Vec<(Level, &'static str)>,
    /// The answers given to `flush` waiters.
    pub flushed: Vec<bool>,
    /// Requests that could not be started are answered `not_started` while this is set (the
    /// page's `fetch` throws).
    pub fetch_throws: bool,
}

enum Due {
    Timer(usize),
    Fail(usize, u32),
    Answer(usize, u32, String),
}

/// What the collector answers: a status, and a `Retry-After` in ms.
pub type Plan = Box<dyn Fn(u64) -> (u16, Option<u64>)>;

pub struct World {
    pub now: u64,
    pub local: SimStore,
    pub online: bool,
    pub pages: Vec<Page>,
    tabs: Vec<SimStore>,
    locks: BTreeSet<String>,
    due: Vec<(u64, u64, Due)>,
    seq: u64,
    plan: Plan,
    /// Every batch body the collector received and acknowledged, in order.
    pub stored: Vec<String>,
    /// Every request that reached the collector (whatever it answered).
    pub requests: usize,
}

impl World {
    pub fn new() -> Self {
        World {
            now: T0,
            local: SimStore::default(),
            online: true,
            pages: Vec::new(),
            tabs: Vec::new(),
            locks: BTreeSet::new(),
            due: Vec::new(),
            seq: 0,
            plan: Box::new(|_| (204, None)),
            stored: Vec::new(),
            requests: 0,
        }
    }

    /// The collector answers by `plan(now)` from now on.
    pub fn collector(&mut self, plan: impl Fn(u64) -> (u16, Option<u64>) + 'static) {
        self.plan = Box::new(plan);
    }

    /// The collector answers `status` for the first `ms` of the test, then 204.
    pub fn outage(&mut self, status: u16, ms: u64) {
        self.collector(move |now| {
            if now < T0 + ms {
                (status, None)
            } else {
                (204, None)
            }
        });
    }

    /// A new tab (its own sessionStorage).
    pub fn tab(&mut self) -> usize {
        self.tabs.push(SimStore::default());
        self.tabs.len() - 1
    }

    /// A page loads in `tab` and its tag starts as js/host.js starts it: boot, claim, then
    /// the endpoint. Returns the page's index.
    pub fn open(&mut self, tab: usize) -> usize {
        let mut env = SimEnv {
            now: self.now,
            counter: self.seq as u32 * 7919 + self.pages.len() as u32,
            url: "https://site.test/p".into(),
        };
        let tag = Tag::new(self.tabs[tab].clone(), self.local.clone(), &mut env);
        self.pages.push(Page {
            driver: Driver::new(tag),
            env,
            microtasks: VecDeque::new(),
            open: true,
            console: Vec::new(),
            flushed: Vec::new(),
            fetch_throws: false,
        });
        let p = self.pages.len() - 1;
        self.run(p, vec![Effect::Claim]);
        self.set_endpoint(p);
        p
    }

    fn set_endpoint(&mut self, p: usize) {
        let value = crate::tag::SetValue {
            text: Some("https://collector.test/e".into()),
            ..Default::default()
        };
        self.input(p, |d, env| {
            d.call(
                Call::Set(Some(crate::command::Setting::Endpoint), value),
                env,
            )
            .1
        });
    }

    /// `rtp('send', 'event', {value})` on page `p`.
    pub fn event(&mut self, p: usize, value: &str) -> Verdict {
        self.event_at(p, value, Origin::default())
    }

    pub fn event_at(&mut self, p: usize, value: &str, origin: Origin) -> Verdict {
        let raw = RawValues::Fields(vec![Field::Text(value.into())]);
        let mut verdict = Verdict::Ignored;
        self.input(p, |d, env| {
            let (v, fx) = d.call(Call::Event(raw, origin), env);
            verdict = v;
            fx
        });
        verdict
    }

    /// `rtp('flush')` on page `p`.
    pub fn flush(&mut self, p: usize) {
        self.input(p, |d, env| d.input(Input::Flush(1), env));
    }

    /// The page is hidden, then left: navigated away from (or closed). It runs nothing after.
    pub fn leave(&mut self, p: usize) {
        let online = self.online;
        self.input(p, |d, env| d.input(Input::Left { online }, env));
        self.pages[p].open = false;
    }

    /// The browser goes offline or online (the `online` event reaches open pages).
    pub fn set_online(&mut self, on: bool) {
        self.online = on;
        if on {
            for p in 0..self.pages.len() {
                if self.pages[p].open {
                    self.input(p, |d, env| d.input(Input::Online, env));
                }
            }
        }
    }

    /// One input to page `p` at the current time, then its effects and microtasks.
    pub fn input(&mut self, p: usize, f: impl FnOnce(&mut SimDriver, &mut SimEnv) -> Vec<Effect>) {
        let page = &mut self.pages[p];
        page.env.now = self.now;
        let fx = f(&mut page.driver, &mut page.env);
        self.run(p, fx);
        while self.pages[p].microtasks.pop_front().is_some() {
            let online = self.online;
            let page = &mut self.pages[p];
            let fx = page.driver.input(Input::Pump { online }, &mut page.env);
            self.run(p, fx);
        }
    }

    fn at(&mut self, when: u64, due: Due) {
        self.seq += 1;
        self.due.push((when, self.seq, due));
    }

    /// Runs effects as the browser edge does.
    fn run(&mut self, p: usize, effects: Vec<Effect>) {
        for effect in effects {
            let page = &mut self.pages[p];
            let owner = page.driver.tag.outbox.owner().to_string();
            match effect {
                Effect::Send { id, body, .. } => {
                    if page.fetch_throws {
                        let fx = page.driver.input(Input::NotStarted(id), &mut page.env);
                        self.run(p, fx);
                        continue;
                    }
                    if self.online {
                        self.at(self.now + LATENCY, Due::Answer(p, id, body));
                    } else {
                        // fetch rejects at once when offline (a network error), after this task.
                        self.at(self.now, Due::Fail(p, id));
                    }
                    let page = &mut self.pages[p];
                    page.env.now = self.now;
                    let fx = page.driver.input(Input::Started, &mut page.env);
                    self.run(p, fx);
                }
                Effect::Pump | Effect::PumpAfterBody => page.microtasks.push_back(()),
                Effect::Persist => {
                    page.driver.input(Input::Persist, &mut page.env);
                }
                Effect::Timer(ms) => self.at(self.now + ms, Due::Timer(p)),
                Effect::FailLater(id) => self.at(self.now, Due::Fail(p, id)),
                Effect::Lock(true) => {
                    self.locks.insert(alloc::format!("{LOCK_PREFIX}{owner}"));
                }
                Effect::Lock(false) => {
                    self.locks.remove(&alloc::format!("{LOCK_PREFIX}{owner}"));
                }
                Effect::Claim => self.claim(p),
                Effect::Settle(ok) => page.flushed.push(ok),
                Effect::Say(level, text, _) => page.console.push((level, text)),
                Effect::HandOver => panic!("the full driver never hands over"),
            }
        }
    }

    /// `claim()` of js/host.js: under the claim lock, with the locks held or requested.
    fn claim(&mut self, p: usize) {
        let (go, fx) = self.pages[p].driver.claiming();
        self.run(p, fx);
        if !go {
            return;
        }
        let live: Vec<String> = self.locks.iter().cloned().collect();
        let live = live.join(" ");
        let now = self.now;
        let page = &mut self.pages[p];
        page.env.now = now;
        let (queues, fx) = page.driver.adopt(Some(&live), Some(now), &mut page.env);
        self.run(p, fx);
        for q in queues {
            for call in kept_calls(&q) {
                let page = &mut self.pages[p];
                let (keep, fx) = page
                    .driver
                    .kept_call(Some(&call.0), Some(call.1), &mut page.env);
                self.run(p, fx);
                if keep {
                    self.event_at(
                        p,
                        &call.2,
                        Origin {
                            time: Some(call.1),
                            url: Some(call.3),
                        },
                    );
                }
            }
        }
    }

    /// Moves the clock forward by `ms`, running what comes due in order: answers (the
    /// collector stores a 2xx batch even when its page is gone: keepalive), failures, timers.
    pub fn wait(&mut self, ms: u64) {
        let end = self.now + ms;
        while let Some(i) = (0..self.due.len())
            .filter(|&i| self.due[i].0 <= end)
            .min_by_key(|&i| (self.due[i].0, self.due[i].1))
        {
            let (when, _, due) = self.due.swap_remove(i);
            self.now = self.now.max(when);
            match due {
                Due::Answer(p, id, body) => {
                    self.requests += 1;
                    let (status, retry_after) = (self.plan)(self.now);
                    if (200..300).contains(&status) {
                        self.stored.push(body);
                    }
                    if self.pages[p].open {
                        self.input(p, |d, env| {
                            d.input(
                                Input::Answered {
                                    id,
                                    status,
                                    retry_after,
                                },
                                env,
                            )
                        });
                    }
                }
                Due::Fail(p, id) if self.pages[p].open => {
                    let online = self.online;
                    self.input(p, |d, env| d.input(Input::Failed { id, online }, env));
                }
                Due::Timer(p) if self.pages[p].open => {
                    self.input(p, |d, env| d.input(Input::TimerFired, env))
                }
                _ => {}
            }
        }
        self.now = end;
    }

    /// The `values` of every event the collector stored, in order (repeats included).
    pub fn delivered(&self) -> Vec<String> {
        let mut out = Vec::new();
        for body in &self.stored {
            let mut rest = body.as_str();
            while let Some(i) = rest.find("\"values\":[\"") {
                rest = &rest[i + 11..];
                out.push(rest[..rest.find('"').unwrap()].to_string());
            }
            let mut rest = body.as_str();
            while let Some(i) = rest.find("\"type\":\"view\"") {
                rest = &rest[i + 1..];
                out.push("(view)".into());
            }
        }
        out
    }

    /// The outbox keys in localStorage.
    pub fn stored_keys(&self) -> Vec<String> {
        let mut s = self.local.clone();
        let b = s.broken.replace(false);
        let keys = s.keys(crate::record::KEY_PREFIX);
        s.broken.set(b);
        keys
    }

    /// The snippet of a page left before its tag loaded kept these calls: `(value, time)`.
    pub fn snippet_kept(&mut self, calls: &[(&str, u64)]) {
        let json: Vec<String> = calls
            .iter()
            .map(|(v, t)| alloc::format!("{{\"0\":\"send\",\"1\":\"event\",\"2\":{{\"value\":\"{v}\"}},\"t\":{t},\"u\":\"https://site.test/first\"}}"))
            .collect();
        self.local.set(
            crate::kept::QUEUE_PREFIX,
            &alloc::format!("[{}]", json.join(",")),
        );
    }

    pub fn locks_held(&self) -> usize {
        self.locks.len()
    }
}

/// The kept calls of a queue the snippet stored, as `(action, time, value, url)`, read the way
/// the edge reads them (JSON.parse there; here, the format [`World::snippet_kept`] writes).
fn kept_calls(queue: &str) -> Vec<(String, u64, String, String)> {
    let field = |c: &str, pat: &str, end: char| -> String {
        let i = c.find(pat).unwrap() + pat.len();
        let n = c[i..].find(end).unwrap();
        c[i..i + n].to_string()
    };
    queue
        .split("},{")
        .map(|c| {
            (
                field(c, "\"0\":\"", '"'),
                field(c, "\"t\":", ','),
                field(c, "\"value\":\"", '"'),
                field(c, "\"u\":\"", '"'),
            )
        })
        .map(|(a, t, v, u)| (a, t.parse().unwrap(), v, u))
        .collect()
}
