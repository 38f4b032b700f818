//! What a call to `rtp()` did, as data: a short code for the page and a message for the console.
//!
//! Errors are fieldless enums with `&'static str` texts: no `format!`, no `core::fmt`, so the
//! rejection path costs no code size (see ../shared/TOOLCHAIN.md).

use alloc::string::String;

/// Why a call was refused. Nothing is sent for a rejected call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// `customData` is missing, `null`, or an object without `value`.
    MissingValue,
    /// `value` is an empty array.
    NoValues,
    /// `value` (or one of its elements) is not a string.
    NotAString,
    /// `value` is an empty string or only whitespace.
    EmptyValue,
    /// A value is longer than [`crate::values::MAX_VALUE_LEN`] UTF-16 code units.
    ValueTooLong,
    /// A value holds a lone surrogate, which cannot be sent as UTF-8 unchanged.
    InvalidText,
    /// More than [`crate::values::MAX_VALUES`] values in one call.
    TooManyValues,
    /// Reading `customData.value` threw (a throwing getter or Proxy trap).
    UnreadableData,
    /// `setAccount` or `set account` without a non-empty string of at most 255 code units.
    BadAccount,
    /// `set endpoint` without a non-empty string, or with a URL without a host or with
    /// credentials.
    BadEndpoint,
    /// `set endpoint` with a URL that is neither `https:` nor `http:` on the loopback host.
    InsecureEndpoint,
    /// The page override of `send view` is not a string.
    BadPage,
    /// A send while `rtp('set', 'consent', false)` is in force: dropped.
    NoConsent,
    /// A send while `honorDnt` is on and the browser sends Do Not Track or Global Privacy
    /// Control: dropped.
    DoNotTrack,
    /// A send past the rate limit ([`crate::rate`]): dropped and counted.
    RateLimited,
    /// `set` with a name that is not `endpoint`, `account`, `debug`, `consent` or `honorDnt`.
    UnknownSetting,
}

impl Rejection {
    /// A refusal the visitor asked for (consent, Do Not Track): logged at debug level, as it
    /// is expected on every call, not a mistake of the page.
    pub const fn quiet(self) -> bool {
        matches!(self, Rejection::NoConsent | Rejection::DoNotTrack)
    }

    /// A stable machine-readable code; `rtp()` returns it.
    pub const fn code(self) -> &'static str {
        match self {
            Rejection::MissingValue => "missing_value",
            Rejection::NoValues => "no_values",
            Rejection::NotAString => "not_a_string",
            Rejection::EmptyValue => "empty_value",
            Rejection::ValueTooLong => "value_too_long",
            Rejection::InvalidText => "invalid_text",
            Rejection::TooManyValues => "too_many_values",
            Rejection::UnreadableData => "unreadable_data",
            Rejection::BadAccount => "bad_account",
            Rejection::BadEndpoint => "bad_endpoint",
            Rejection::InsecureEndpoint => "insecure_endpoint",
            Rejection::BadPage => "bad_page",
            Rejection::NoConsent => "no_consent",
            Rejection::DoNotTrack => "do_not_track",
            Rejection::RateLimited => "rate_limited",
            Rejection::UnknownSetting => "unknown_setting",
        }
    }

    /// The console message: what was wrong and what to do instead.
    pub const fn message(self) -> &'static str {
        match self {
            Rejection::MissingValue => "rtp: event not sent: customData needs a value, e.g. rtp('send', 'event', {value: 'MyEvent'})",
            Rejection::NoValues => "rtp: event not sent: customData.value is an empty array; give 1 to 4 strings",
            Rejection::NotAString => "rtp: event not sent: customData.value must be a string or an array of 1 to 4 strings",
            Rejection::EmptyValue => "rtp: event not sent: a value is an empty (or blank) string",
            Rejection::ValueTooLong => "rtp: event not sent: a value is longer than 255 characters",
            Rejection::InvalidText => "rtp: event not sent: a value contains a lone surrogate (broken Unicode)",
            Rejection::TooManyValues => "rtp: event not sent: at most 4 values per call; call rtp again to send more",
            Rejection::UnreadableData => "rtp: event not sent: reading customData.value threw an exception",
            Rejection::BadAccount => "rtp: account not set: give a non-empty string of at most 255 characters",
            Rejection::BadEndpoint => "rtp: endpoint not set: give the collector URL, with a host and no user or password",
            Rejection::InsecureEndpoint => "rtp: endpoint not set: use https: (http: on localhost only)",
            Rejection::BadPage => "rtp: view not sent: the page override must be a URL string",
            Rejection::NoConsent => "rtp: not sent: consent denied",
            Rejection::DoNotTrack => "rtp: not sent: Do Not Track / GPC honoured",
            Rejection::RateLimited => "rtp: rate limit (2000 at once, then 10/s): sends dropped and counted, silently from now on",
            Rejection::UnknownSetting => "rtp: unknown setting; use endpoint, account, debug, consent or honorDnt",
        }
    }
}

/// The outcome of one `rtp()` call. `code()` is what `rtp()` returns to the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The event was accepted and will be delivered.
    Accepted,
    /// The same event was already sent in this session; not sent again.
    Duplicate,
    /// A setting was applied.
    Done,
    /// A command this tag does not implement; ignored (a callback, if any, gets an error result).
    Ignored,
    /// The call was refused; nothing was sent.
    Rejected(Rejection),
}

impl Verdict {
    /// Every verdict, in the order of [`Verdict::index`].
    pub const ALL: [Verdict; 20] = [
        Verdict::Accepted,
        Verdict::Duplicate,
        Verdict::Done,
        Verdict::Ignored,
        Verdict::Rejected(Rejection::MissingValue),
        Verdict::Rejected(Rejection::NoValues),
        Verdict::Rejected(Rejection::NotAString),
        Verdict::Rejected(Rejection::EmptyValue),
        Verdict::Rejected(Rejection::ValueTooLong),
        Verdict::Rejected(Rejection::InvalidText),
        Verdict::Rejected(Rejection::TooManyValues),
        Verdict::Rejected(Rejection::UnreadableData),
        Verdict::Rejected(Rejection::BadAccount),
        Verdict::Rejected(Rejection::BadEndpoint),
        Verdict::Rejected(Rejection::InsecureEndpoint),
        Verdict::Rejected(Rejection::BadPage),
        Verdict::Rejected(Rejection::NoConsent),
        Verdict::Rejected(Rejection::DoNotTrack),
        Verdict::Rejected(Rejection::RateLimited),
        Verdict::Rejected(Rejection::UnknownSetting),
    ];

    /// This verdict's position in [`Verdict::ALL`]: what the wasm returns for a send event
    /// (a number crosses to JavaScript without a string being built), and JavaScript maps it to
    /// its code with [`codes`].
    pub fn index(self) -> u32 {
        Verdict::ALL
            .iter()
            .position(|v| *v == self)
            .unwrap_or(Verdict::ALL.len()) as u32
    }

    /// `"accepted"`, `"duplicate"`, `"ok"`, `"ignored"`, or the rejection's code.
    pub const fn code(self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::Duplicate => "duplicate",
            Verdict::Done => "ok",
            Verdict::Ignored => "ignored",
            Verdict::Rejected(r) => r.code(),
        }
    }
}

/// The codes of [`Verdict::ALL`], in order, separated by spaces, then `busy` (the index
/// [`Verdict::ALL`]`.len()`: a call that re-entered the tag while it was busy).
pub fn codes() -> String {
    let mut out = String::new();
    for v in Verdict::ALL {
        out.push_str(v.code());
        out.push(' ');
    }
    out.push_str(BUSY);
    out
}

/// The code of a call refused because it re-entered the tag while it was busy.
pub const BUSY: &str = "busy";

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Rejection; 16] = [
        Rejection::MissingValue,
        Rejection::NoValues,
        Rejection::NotAString,
        Rejection::EmptyValue,
        Rejection::ValueTooLong,
        Rejection::InvalidText,
        Rejection::TooManyValues,
        Rejection::UnreadableData,
        Rejection::BadAccount,
        Rejection::BadEndpoint,
        Rejection::InsecureEndpoint,
        Rejection::BadPage,
        Rejection::NoConsent,
        Rejection::DoNotTrack,
        Rejection::RateLimited,
        Rejection::UnknownSetting,
    ];

    #[test]
    fn every_rejection_has_a_distinct_code_and_a_prefixed_message() {
        for (i, a) in ALL.iter().enumerate() {
            assert!(a.message().starts_with("rtp: "), "{:?}", a);
            for b in &ALL[i + 1..] {
                assert_ne!(a.code(), b.code());
            }
        }
    }

    #[test]
    fn every_verdict_has_an_index_whose_code_is_its_own() {
        let codes = codes();
        let codes: Vec<&str> = codes.split(' ').collect();
        assert_eq!(codes.len(), Verdict::ALL.len() + 1);
        assert_eq!(codes.last(), Some(&BUSY));
        for r in ALL {
            let v = Verdict::Rejected(r);
            assert_eq!(codes[v.index() as usize], v.code(), "{v:?}");
        }
        for v in [
            Verdict::Accepted,
            Verdict::Duplicate,
            Verdict::Done,
            Verdict::Ignored,
        ] {
            assert_eq!(codes[v.index() as usize], v.code(), "{v:?}");
        }
    }

    #[test]
    fn verdict_codes_are_the_documented_ones() {
        assert_eq!(Verdict::Accepted.code(), "accepted");
        assert_eq!(Verdict::Duplicate.code(), "duplicate");
        assert_eq!(
            Verdict::Rejected(Rejection::TooManyValues).code(),
            "too_many_values"
        );
    }
}
