//! The configuration: `rtp_tag::endpoint::check`, `command::parse`, `command::parse_setting`,
//! `Tag::set_account` and `Tag::set_endpoint`, with arbitrary strings.
//!
//! Input (text): up to five fields separated by NUL bytes: endpoint, page URL, action, method
//! (also the setting's name), account.
//!
//! Checked: nothing panics; every endpoint `check` accepts is, as a browser resolves it
//! against the page (the WHATWG URL parser of the `url` crate; `location.href` is already
//! serialised by it), `https:`, or `http:` on a loopback host, and carries no user name or
//! password; `Tag` keeps an endpoint or account only when it accepts it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtp_tag::command::{parse, parse_setting, Command, Setting};
use rtp_tag::endpoint::check;
use rtp_tag::store::MemoryStore;
use rtp_tag::tag::{Env, Tag};
use rtp_tag::verdict::Verdict;
use url::{Host, Url};

struct FixedEnv(String);

impl Env for FixedEnv {
    fn now(&mut self) -> u64 {
        1_732_456_789_012
    }
    fn random16(&mut self) -> [u8; 16] {
        [7; 16]
    }
    fn page_url(&mut self) -> String {
        self.0.clone()
    }
    fn referrer(&mut self) -> String {
        String::new()
    }
}

/// Where `fetch(endpoint)` on `page` would send, if it is a URL at all.
fn resolve(endpoint: &str, page: &Url) -> Option<Url> {
    Url::options().base_url(Some(page)).parse(endpoint).ok()
}

fn safe(u: &Url) -> bool {
    let loopback = match u.host() {
        Some(Host::Domain(d)) => d == "localhost",
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    let secure = u.scheme() == "https" || (u.scheme() == "http" && loopback);
    secure && u.username().is_empty() && u.password().is_none()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut f = text.split('\0');
    let endpoint = f.next().unwrap_or("");
    let page = f.next().unwrap_or("");
    let action = f.next();
    let method = f.next();
    let account = f.next();

    // Any page string: no panic.
    let raw = check(endpoint, page);

    // The page as the browser gives it (`location.href`, serialised): the oracle applies.
    if let Ok(page_url) = Url::parse(page) {
        let page = page_url.as_str();
        if check(endpoint, page).is_ok() {
            if let Some(target) = resolve(endpoint, &page_url) {
                assert!(
                    safe(&target),
                    "check({endpoint:?}, {page:?}) is Ok, but a browser sends to {target}"
                );
            }
        }
        if page == text.split('\0').nth(1).unwrap_or("") {
            assert_eq!(raw, check(endpoint, page));
        }
    }

    // Commands and setting names: exact names only.
    let c = parse(action, method);
    let want = match (action, method) {
        (Some("send"), Some("event")) => Command::SendEvent,
        (Some("send"), Some("view")) => Command::SendView,
        (Some("setAccount"), _) => Command::SetAccount,
        (Some("set"), _) => Command::Set,
        (Some("flush"), _) => Command::Flush,
        _ => Command::Unsupported,
    };
    assert_eq!(c, want);
    if let Some(s) = parse_setting(method) {
        let name = match s {
            Setting::Endpoint => "endpoint",
            Setting::Account => "account",
            Setting::Debug => "debug",
            Setting::Consent => "consent",
            Setting::HonorDnt => "honorDnt",
        };
        assert_eq!(method, Some(name));
    }

    // The tag keeps what it accepts, and only that.
    let mut env = FixedEnv(page.to_owned());
    let mut tag = Tag::new(MemoryStore::default(), MemoryStore::default(), &mut env);
    match tag.set_endpoint(Some(endpoint.to_owned()), &mut env) {
        Verdict::Done => {
            assert_eq!(tag.endpoint(), Some(endpoint));
            assert!(raw.is_ok());
        }
        _ => assert_eq!(tag.endpoint(), None),
    }
    assert!(matches!(
        tag.set_endpoint(None, &mut env),
        Verdict::Rejected(_)
    ));
    if let Some(a) = account {
        let ok = tag.set_account(Some(a.to_owned())) == Verdict::Done;
        assert_eq!(
            ok,
            !rtp_tag::values::is_blank(a) && a.encode_utf16().count() <= 255,
            "{a:?}"
        );
    }
});
