//! The tag's state and its commands, in plain Rust: configuration, consent and Do Not Track,
//! the session, the ledger, the rate limit, and where accepted events go ([`Queue`]): the full
//! tag's [`Outbox`], or the light module's list ([`crate::light`]). Both drivers give their
//! calls to the one [`Tag::call`], so a call is answered the same whichever module runs.

use crate::command::Setting;
use crate::envelope::{encode_event, Kind, Meta};
use crate::id::uuid_v4;
use crate::ledger::Ledger;
use crate::outbox::Outbox;
use crate::store::Store;
use crate::values::{is_blank, utf16_len, validate, RawValues};
use crate::verdict::{Rejection, Verdict};
use alloc::string::String;

/// What the core needs from its surroundings; the browser implements it with `Date.now()`,
/// `crypto.getRandomValues`, `location.href` and `document.referrer`, tests with fixed values.
pub trait Env {
    /// Now, in ms since the Unix epoch.
    fn now(&mut self) -> u64;
    /// 16 bytes from a cryptographically secure generator.
    fn random16(&mut self) -> [u8; 16];
    /// The current page URL.
    fn page_url(&mut self) -> String;
    /// The page's referrer, or the empty string.
    fn referrer(&mut self) -> String;
}

/// When and where a call was made, for calls replayed from the snippet's queue. `None` means
/// "now" / "the current page".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// The time of the original call.
    pub time: Option<u64>,
    /// The page URL of the original call.
    pub url: Option<String>,
}

/// A command call: what the page asked for.
#[derive(Clone, Debug)]
pub enum Call {
    /// `rtp('send', 'event', customData)`.
    Event(RawValues, Origin),
    /// `rtp('send', 'view' [, page])`; `Err` when the page was given but is not a string.
    View(Result<Option<String>, ()>, Origin),
    /// `rtp('setAccount', id)`.
    Account(Option<String>),
    /// `rtp('set', name, value)` (`None`: an unknown name).
    Set(Option<Setting>, SetValue),
}

/// What a `set` call carries, read by the edge.
#[derive(Clone, Debug, Default)]
pub struct SetValue {
    /// The value, if it is a short string.
    pub text: Option<String>,
    /// Whether it is truthy.
    pub truthy: bool,
    /// Whether it is `true` itself.
    pub is_true: bool,
    /// Whether the browser sends Do Not Track or Global Privacy Control (read for `honorDnt`).
    pub signal: bool,
}

/// Where the tag puts what it accepts.
pub trait Queue {
    /// This page's id: the owner of its records, the name of its lock.
    fn owner(&self) -> &str;
    /// An accepted event: its id, its JSON, when it was accepted.
    fn push(&mut self, id: String, event: String, created: u64);
    /// One more send dropped by the rate limit, reported by the next batch.
    fn add_limited(&mut self);
    /// Forgets every event it holds, the stored records of all the site's pages and the calls
    /// the snippet kept (consent withdrawn, Do Not Track honoured).
    fn discard(&mut self);
    /// Writes what the calls since the last time stored only in memory.
    fn persist(&mut self);
}

impl<J: Store> Queue for Outbox<J> {
    fn owner(&self) -> &str {
        Outbox::owner(self)
    }
    fn push(&mut self, _id: String, event: String, created: u64) {
        Outbox::push(self, event, created)
    }
    fn add_limited(&mut self) {
        Outbox::add_limited(self)
    }
    fn discard(&mut self) {
        Outbox::discard(self);
    }
    fn persist(&mut self) {
        Outbox::persist(self)
    }
}

/// The tag.
pub struct Tag<S: Store, Q: Queue> {
    endpoint: Option<String>,
    account: Option<String>,
    debug: bool,
    session: String,
    /// `rtp('set', 'consent', false)` is in force.
    denied: bool,
    /// The rate limit of sends ([`crate::rate`]).
    limiter: crate::rate::Limiter,
    /// `honorDnt` is on and the browser sends Do Not Track or Global Privacy Control.
    dnt: bool,
    ledger: Ledger<S>,
    /// Accepted events until the collector acknowledges them: the full tag's outbox, written
    /// ahead to its journal, or the light module's list.
    pub outbox: Q,
}

impl<S: Store, J: Store> Tag<S, Outbox<J>> {
    /// A tag over a session store (the ledger) and a journal (the outbox); reads the session id
    /// or starts a session, and draws this page's id.
    pub fn new(store: S, journal: J, env: &mut impl Env) -> Self {
        Tag::with_queue(store, env, |owner| Outbox::new(journal, owner))
    }
}

impl<S: Store, Q: Queue> Tag<S, Q> {
    /// A tag over a session store (the ledger) and the queue `make` returns for this page's id;
    /// reads the session id or starts a session, and draws this page's id.
    #[inline]
    pub fn with_queue(store: S, env: &mut impl Env, make: impl FnOnce(String) -> Q) -> Self {
        let mut ledger = Ledger::new(store);
        let session = ledger.session_id(env.random16());
        let outbox = make(page_id(env.random16()));
        Tag {
            endpoint: None,
            account: None,
            debug: false,
            session,
            denied: false,
            limiter: Default::default(),
            dnt: false,
            ledger,
            outbox,
        }
    }

    /// One call from the page, and its verdict.
    #[inline]
    pub fn call(&mut self, call: Call, env: &mut impl Env) -> Verdict {
        match call {
            Call::Event(raw, origin) => self.send_event(raw, origin, env),
            Call::View(page, origin) => self.send_view(page, origin, env),
            Call::Account(id) => self.set_account(id),
            Call::Set(setting, value) => self.set(setting, value, env),
        }
    }

    /// `rtp('set', name, value)`, with the setting's name parsed (`None`: unknown).
    #[inline]
    pub fn set(
        &mut self,
        setting: Option<Setting>,
        value: SetValue,
        env: &mut impl Env,
    ) -> Verdict {
        match setting {
            Some(Setting::Endpoint) => self.set_endpoint(value.text, env),
            Some(Setting::Account) => self.set_account(value.text),
            Some(Setting::Debug) => self.set_debug(value.truthy),
            Some(Setting::Consent) => self.set_consent(value.is_true),
            Some(Setting::HonorDnt) => self.set_honor_dnt(value.truthy, value.signal),
            None => Verdict::Rejected(Rejection::UnknownSetting),
        }
    }

    /// `rtp('send', 'event', customData)`: validates, drops a repeat in this session, queues.
    pub fn send_event(&mut self, raw: RawValues, origin: Origin, env: &mut impl Env) -> Verdict {
        if let Some(r) = self.refusal() {
            return Verdict::Rejected(r);
        }
        let values = match validate(raw) {
            Ok(v) => v,
            Err(r) => return Verdict::Rejected(r),
        };
        let Some(key) = self.ledger.check(&values) else {
            return Verdict::Duplicate;
        };
        let verdict = self.enqueue(Kind::Event, Some(&values), origin, env);
        if verdict == Verdict::Accepted {
            self.ledger.record(key);
        }
        verdict
    }

    /// Writes what the calls since the last time stored only in memory: the ledger entries
    /// and the outbox records (the browser edge runs it at the end of the task).
    pub fn persist(&mut self) {
        self.ledger.persist(self.outbox.owner());
        self.outbox.persist();
    }

    /// `rtp('send', 'view' [, page])`: a page view, for `page` (if given) or the current page.
    /// `page` is `Err` when the page argument was given but is not a string.
    pub fn send_view(
        &mut self,
        page: Result<Option<String>, ()>,
        mut origin: Origin,
        env: &mut impl Env,
    ) -> Verdict {
        if let Some(r) = self.refusal() {
            return Verdict::Rejected(r);
        }
        match page {
            Err(()) => return Verdict::Rejected(Rejection::BadPage),
            Ok(Some(p)) if !p.is_empty() => origin.url = Some(p),
            Ok(_) => {}
        }
        self.enqueue(Kind::View, None, origin, env)
    }

    /// `rtp('setAccount', id)` / `rtp('set', 'account', id)`.
    pub fn set_account(&mut self, id: Option<String>) -> Verdict {
        set(&mut self.account, check_account(id))
    }

    /// `rtp('set', 'endpoint', url)`.
    pub fn set_endpoint(&mut self, url: Option<String>, env: &mut impl Env) -> Verdict {
        set(&mut self.endpoint, check_endpoint(url, env))
    }

    /// `rtp('set', 'consent', granted)`. Denied: every event the tag holds is forgotten (see
    /// [`Outbox::discard`]) and, until it is granted again, sends are refused (`no_consent`):
    /// dropped, not held. Not remembered: the page says it on each load, before its sends.
    pub fn set_consent(&mut self, granted: bool) -> Verdict {
        self.denied = !granted;
        if self.denied {
            self.discard();
        }
        Verdict::Done
    }

    /// `rtp('set', 'honorDnt', on)`, with `signal`: whether the browser sends Do Not Track or
    /// Global Privacy Control. Both on: as a denied consent that granting cannot lift
    /// (`do_not_track`).
    pub fn set_honor_dnt(&mut self, on: bool, signal: bool) -> Verdict {
        self.dnt = on && signal;
        if self.dnt {
            self.discard();
        }
        Verdict::Done
    }

    /// Forgets every event the tag holds, the stored records of all the site's pages and the
    /// calls the snippet kept (consent withdrawn, Do Not Track honoured).
    fn discard(&mut self) {
        self.outbox.discard();
    }

    /// Why nothing may be stored or sent now, if so.
    pub fn refusal(&self) -> Option<Rejection> {
        if self.dnt {
            Some(Rejection::DoNotTrack)
        } else if self.denied {
            Some(Rejection::NoConsent)
        } else {
            None
        }
    }

    /// `rtp('set', 'debug', on)`.
    pub fn set_debug(&mut self, on: bool) -> Verdict {
        self.debug = on;
        Verdict::Done
    }

    /// The collector URL, once set.
    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    /// Whether debug logging is on.
    pub fn debug(&self) -> bool {
        self.debug
    }

    /// The rate limit's bucket.
    pub fn limiter(&self) -> &crate::rate::Limiter {
        &self.limiter
    }

    /// Continues from what the light module handed over ([`crate::handoff::read`]): its
    /// rate limit's bucket, its rate-limited events not yet reported.
    pub fn continue_from(&mut self, limiter: crate::rate::Limiter) {
        self.limiter = limiter;
    }

    /// The session id.
    pub fn session(&self) -> &str {
        &self.session
    }

    /// Queues a send that passed its checks, if the rate limit has a token for it (otherwise
    /// the drop is counted). The clock is read once: for the limit, the event's time (unless
    /// the call was replayed with its own) and the moment it was accepted.
    #[inline(never)] // shared by send_event and send_view: one copy in the wasm
    fn enqueue(
        &mut self,
        kind: Kind,
        values: Option<&crate::values::Values>,
        origin: Origin,
        env: &mut impl Env,
    ) -> Verdict {
        let now = env.now();
        if !self.limiter.take(now) {
            self.outbox.add_limited();
            return Verdict::Rejected(Rejection::RateLimited);
        }
        let id = uuid_v4(env.random16());
        let time = origin.time.unwrap_or(now);
        let url = match origin.url {
            Some(u) => u,
            None => env.page_url(),
        };
        let referrer = env.referrer();
        let meta = Meta {
            id: &id,
            session: &self.session,
            account: self.account.as_deref(),
            time,
            url: &url,
            referrer: &referrer,
        };
        let event = encode_event(kind, values, &meta);
        self.outbox.push(id, event, now);
        Verdict::Accepted
    }
}

/// An account id: a non-blank string of at most 255 UTF-16 units.
pub fn check_account(id: Option<String>) -> Result<String, Rejection> {
    match id {
        Some(a) if !is_blank(&a) && utf16_len(&a) <= 255 => Ok(a),
        _ => Err(Rejection::BadAccount),
    }
}

/// A collector URL this page may send to ([`crate::endpoint::check`]).
pub fn check_endpoint(url: Option<String>, env: &mut impl Env) -> Result<String, Rejection> {
    match url {
        Some(u) if !is_blank(&u) => crate::endpoint::check(&u, &env.page_url()).map(|()| u),
        _ => Err(Rejection::BadEndpoint),
    }
}

/// Stores a checked setting: `ok`, or the rejection.
pub fn set(slot: &mut Option<String>, checked: Result<String, Rejection>) -> Verdict {
    match checked {
        Ok(v) => {
            *slot = Some(v);
            Verdict::Done
        }
        Err(r) => Verdict::Rejected(r),
    }
}

/// A page id: 16 lowercase hex digits from 8 random bytes.
pub fn page_id(random: [u8; 16]) -> String {
    let mut id = String::with_capacity(16);
    for b in &random[..8] {
        id.push(crate::json::hex_digit(b >> 4));
        id.push(crate::json::hex_digit(b & 15));
    }
    id
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use crate::values::Field;

    /// A deterministic environment: a counter for randomness, a fixed clock and page.
    pub struct FakeEnv {
        pub now: u64,
        pub counter: u8,
        pub url: String,
    }

    impl Default for FakeEnv {
        fn default() -> Self {
            FakeEnv {
                now: 1_700_000_000_000,
                counter: 0,
                url: "https://site.test/page".into(),
            }
        }
    }

    impl Env for FakeEnv {
        fn now(&mut self) -> u64 {
            self.now
        }
        fn random16(&mut self) -> [u8; 16] {
            self.counter = self.counter.wrapping_add(1);
            [self.counter; 16]
        }
        fn page_url(&mut self) -> String {
            self.url.clone()
        }
        fn referrer(&mut self) -> String {
            "http://ref.test/".into()
        }
    }

    fn one(s: &str) -> RawValues {
        RawValues::Fields(vec![Field::Text(s.into())])
    }

    fn drain(tag: &mut Tag<MemoryStore, Outbox<MemoryStore>>) -> String {
        let b = tag.outbox.take_batch(1, 65536).unwrap();
        tag.outbox.delivered(b.id);
        b.body
    }

    fn tag(env: &mut FakeEnv) -> Tag<MemoryStore, Outbox<MemoryStore>> {
        Tag::new(MemoryStore::default(), MemoryStore::default(), env)
    }

    #[test]
    fn documented_event_is_accepted_once_per_session() {
        let mut env = FakeEnv::default();
        let mut tag = tag(&mut env);
        assert_eq!(
            tag.send_event(one("MyEvent"), Origin::default(), &mut env),
            Verdict::Accepted
        );
        assert_eq!(
            tag.send_event(one("MyEvent"), Origin::default(), &mut env),
            Verdict::Duplicate
        );
        assert_eq!(tag.outbox.queued(), 1);
        let body = drain(&mut tag);
        assert!(body.contains("\"values\":[\"MyEvent\"]"), "{body}");
        assert!(body.contains("\"url\":\"https://site.test/page\""));
        assert!(body.contains("\"referrer\":\"http://ref.test/\""));
        assert!(body.contains("\"time\":1700000000000"));
    }

    #[test]
    fn rejected_event_queues_nothing() {
        let mut env = FakeEnv::default();
        let mut tag = tag(&mut env);
        let v = tag.send_event(RawValues::TooMany, Origin::default(), &mut env);
        assert_eq!(v, Verdict::Rejected(Rejection::TooManyValues));
        assert!(tag.outbox.is_settled());
    }

    #[test]
    fn a_replayed_call_keeps_its_own_time_and_url() {
        let mut env = FakeEnv::default();
        let mut tag = tag(&mut env);
        let origin = Origin {
            time: Some(42),
            url: Some("https://site.test/first".into()),
        };
        tag.send_event(one("early"), origin, &mut env);
        let body = drain(&mut tag);
        assert!(
            body.contains("\"time\":42,\"url\":\"https://site.test/first\""),
            "{body}"
        );
    }

    #[test]
    fn views_are_not_deduplicated_and_take_the_page_override() {
        let mut env = FakeEnv::default();
        let mut tag = tag(&mut env);
        assert_eq!(
            tag.send_view(Ok(None), Origin::default(), &mut env),
            Verdict::Accepted
        );
        assert_eq!(
            tag.send_view(
                Ok(Some("https://site.test/v".into())),
                Origin::default(),
                &mut env
            ),
            Verdict::Accepted
        );
        assert_eq!(
            tag.send_view(Err(()), Origin::default(), &mut env),
            Verdict::Rejected(Rejection::BadPage)
        );
        let body = drain(&mut tag);
        assert_eq!(body.matches("\"type\":\"view\"").count(), 2);
        assert!(body.contains("\"url\":\"https://site.test/v\""));
    }

    #[test]
    fn account_is_carried_by_events_after_it_is_set() {
        let mut env = FakeEnv::default();
        let mut tag = tag(&mut env);
        assert_eq!(
            tag.set_account(Some("".into())),
            Verdict::Rejected(Rejection::BadAccount)
        );
        assert_eq!(tag.set_account(Some("acme-1".into())), Verdict::Done);
        tag.send_event(one("a"), Origin::default(), &mut env);
        assert!(drain(&mut tag).contains("\"account\":\"acme-1\""));
    }

    #[test]
    fn every_event_gets_a_fresh_id_and_the_session_id() {
        let mut env = FakeEnv::default();
        let mut tag = tag(&mut env);
        let session = tag.session().to_string();
        tag.send_event(one("a"), Origin::default(), &mut env);
        tag.send_event(one("b"), Origin::default(), &mut env);
        let body = drain(&mut tag);
        assert_eq!(body.matches(&session).count(), 2);
        assert!(body.contains("03030303-0303-4303-8303-030303030303"));
        assert!(body.contains("04040404-0404-4404-8404-040404040404"));
        assert_eq!(tag.outbox.owner(), "0202020202020202");
    }

    #[test]
    fn endpoint_must_be_a_non_empty_https_or_loopback_url() {
        let mut env = FakeEnv::default();
        let mut tag = tag(&mut env);
        assert_eq!(
            tag.set_endpoint(None, &mut env),
            Verdict::Rejected(Rejection::BadEndpoint)
        );
        assert_eq!(
            tag.set_endpoint(Some(" ".into()), &mut env),
            Verdict::Rejected(Rejection::BadEndpoint)
        );
        assert_eq!(
            tag.set_endpoint(Some("/collect".into()), &mut env),
            Verdict::Done
        );
        assert_eq!(tag.endpoint(), Some("/collect"));
        assert_eq!(
            tag.set_endpoint(Some("http://collect.example.com/".into()), &mut env),
            Verdict::Rejected(Rejection::InsecureEndpoint)
        );
        assert_eq!(
            tag.endpoint(),
            Some("/collect"),
            "a refused endpoint leaves the last one"
        );
    }

    #[test]
    fn while_consent_is_denied_nothing_is_kept_or_accepted_and_granting_resumes() {
        let mut env = FakeEnv::default();
        let mut tag = tag(&mut env);
        assert_eq!(
            tag.send_event(one("before"), Origin::default(), &mut env),
            Verdict::Accepted
        );
        tag.outbox.journal().set(crate::kept::QUEUE_PREFIX, "[]");
        assert_eq!(tag.set_consent(false), Verdict::Done);
        assert_eq!(
            tag.outbox.queued(),
            0,
            "what was accepted before is forgotten"
        );
        assert!(
            crate::kept::take(tag.outbox.journal()).is_empty(),
            "and the calls the snippet kept"
        );
        assert_eq!(
            tag.send_event(one("during"), Origin::default(), &mut env),
            Verdict::Rejected(Rejection::NoConsent)
        );
        assert_eq!(
            tag.send_view(Ok(None), Origin::default(), &mut env),
            Verdict::Rejected(Rejection::NoConsent)
        );
        assert_eq!(tag.outbox.queued(), 0);
        assert_eq!(tag.set_consent(true), Verdict::Done);
        assert_eq!(tag.refusal(), None);
        // Refused calls were dropped, not marked as sent: the same event goes once granted.
        assert_eq!(
            tag.send_event(one("during"), Origin::default(), &mut env),
            Verdict::Accepted
        );
        assert_eq!(tag.outbox.queued(), 1);
    }

    #[test]
    fn honor_dnt_refuses_only_when_the_browser_sends_a_signal_and_consent_cannot_lift_it() {
        let mut env = FakeEnv::default();
        let mut tag = tag(&mut env);
        assert_eq!(tag.set_honor_dnt(true, false), Verdict::Done);
        assert_eq!(
            tag.send_event(one("no signal"), Origin::default(), &mut env),
            Verdict::Accepted
        );
        assert_eq!(tag.set_honor_dnt(false, true), Verdict::Done);
        assert_eq!(
            tag.refusal(),
            None,
            "off by default, and off means the signal is not honoured"
        );
        assert_eq!(tag.set_honor_dnt(true, true), Verdict::Done);
        assert_eq!(tag.outbox.queued(), 0);
        assert_eq!(
            tag.send_event(one("signal"), Origin::default(), &mut env),
            Verdict::Rejected(Rejection::DoNotTrack)
        );
        tag.set_consent(true);
        assert_eq!(tag.refusal(), Some(Rejection::DoNotTrack));
    }

    #[test]
    fn past_the_rate_limit_sends_are_dropped_counted_and_reported_in_the_next_batch() {
        let mut env = FakeEnv::default();
        let mut tag = tag(&mut env);
        for i in 0..crate::rate::BURST {
            let v = alloc::format!("e{i}");
            assert_eq!(
                tag.send_event(one(&v), Origin::default(), &mut env),
                Verdict::Accepted
            );
        }
        assert_eq!(
            tag.send_event(one("over"), Origin::default(), &mut env),
            Verdict::Rejected(Rejection::RateLimited)
        );
        assert_eq!(
            tag.send_view(Ok(None), Origin::default(), &mut env),
            Verdict::Rejected(Rejection::RateLimited)
        );
        // A repeat is answered before the limit, and costs nothing.
        assert_eq!(
            tag.send_event(one("e0"), Origin::default(), &mut env),
            Verdict::Duplicate
        );
        let first = tag.outbox.take_batch(env.now, 64 * 1024).unwrap();
        assert!(
            first.body.contains(",\"limited\":2,"),
            "{}",
            &first.body[..80]
        );
        // Not dropped for good: the refused event can be sent once tokens are back.
        env.now += 100;
        assert_eq!(
            tag.send_event(one("over"), Origin::default(), &mut env),
            Verdict::Accepted
        );
    }
}
