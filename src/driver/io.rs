//! What the edge and the driver say to each other: the inputs ([`Input`], and the calls of
//! [`crate::tag::Call`]) the edge gives, and the effects ([`Effect`]) the driver asks for.

use alloc::string::String;

/// What the edge is asked to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// POST `body` to `endpoint` (keepalive `fetch`, no credentials); then tell the driver
    /// [`Input::Started`] or [`Input::NotStarted`], and later [`Input::Answered`] or
    /// [`Input::Unreachable`].
    Send {
        /// The batch, for the answer.
        id: u32,
        /// The collector URL.
        endpoint: String,
        /// The batch JSON.
        body: String,
    },
    /// Give [`Input::Pump`] at the end of the current task (a microtask): the calls of one task
    /// share one request.
    Pump,
    /// Give [`Input::Pump`] once the last answer's body has been read: Chromium gives the
    /// request's share of the keepalive quota back only then.
    PumpAfterBody,
    /// Write now what the calls stored only in memory ([`Input::Persist`]): after the lock
    /// request that precedes it.
    Persist,
    /// Give [`Input::TimerFired`] after this many ms.
    Timer(u64),
    /// Give [`Input::Failed`] for this batch a task later (see [`Input::Unreachable`]).
    FailLater(u32),
    /// Request (`true`) or release the page's Web Lock `rtp-tab-<page id>`.
    Lock(bool),
    /// Take the claim lock and a snapshot of the locks, then call [`crate::driver::Driver::claiming`] and
    /// [`crate::driver::Driver::adopt`].
    Claim,
    /// Answer every `flush` waiter with this value.
    Settle(bool),
    /// A console message.
    Say(Level, &'static str, Shown),
    /// The light module only ([`crate::light`]): it has retired; start the full tag.
    HandOver,
}

/// A console level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// `console.debug`.
    Debug,
    /// `console.warn`.
    Warn,
}

/// What a console message shows after its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// Nothing.
    Nothing,
    /// The JavaScript value the input came with (the call's `customData`, the network error).
    Input,
    /// A number (an HTTP status, a count).
    Number(u32),
}

/// Console texts.
pub mod say {
    /// An accepted call, in debug mode.
    pub const ACCEPTED: &str = "rtp: accepted";
    /// A repeat of a custom data event in the session.
    pub const DUPLICATE: &str = "rtp: already sent in this session; not sent again";
    /// Events were accepted before any endpoint was set.
    pub const NO_ENDPOINT: &str =
        "rtp: no collector endpoint set; events are kept until rtp('set', 'endpoint', url)";
    /// A batch failed and will be retried.
    pub const NOT_ACCEPTED: &str = "rtp: batch not accepted; kept, retried later. HTTP status:";
    /// A request failed before an answer.
    pub const UNREACHABLE: &str = "rtp: collector unreachable; batch kept, retried later";
    /// The page's `fetch` threw.
    pub const NOT_STARTED: &str = "rtp: request not started; batch kept queued";
    /// Events of earlier pages are being sent.
    pub const ADOPTED: &str = "rtp: sending events that an earlier page left unsent:";
    /// `send event` given to the `rtp` export (js/host.js gives it to `event`).
    pub const SEND_EVENT_IGNORED: &str =
        "rtp: send event goes through event() (js/host.js); ignored";
    /// A command this tag does not implement.
    pub const UNSUPPORTED: &str = "rtp: command ignored (not implemented by this tag)";
    /// The snippet's kept calls could not be parsed.
    pub const KEPT_UNREADABLE: &str =
        "rtp: discarded calls kept from an earlier page: not readable";
}

/// An input from the browser (other than a call, [`crate::tag::Call`]): the edge turns each JavaScript
/// callback into one, and [`crate::driver::Driver::input`] answers with the effects to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// The pump's microtask (or the read of a body) ran; `online`: `navigator.onLine`.
    Pump {
        /// `navigator.onLine`.
        online: bool,
    },
    /// The request of the last [`Effect::Send`] was made.
    Started,
    /// The request for this batch could not be started.
    NotStarted(u32),
    /// The collector answered a batch.
    Answered {
        /// The batch.
        id: u32,
        /// The HTTP status (0 when unreadable).
        status: u16,
        /// `Retry-After`, in ms.
        retry_after: Option<u64>,
    },
    /// A batch's request failed before an answer.
    Unreachable(u32),
    /// A task after [`Input::Unreachable`].
    Failed {
        /// The batch.
        id: u32,
        /// `navigator.onLine`.
        online: bool,
    },
    /// The retry timer fired.
    TimerFired,
    /// The retry timer could not be set.
    TimerFailed,
    /// [`Effect::Persist`] is being run.
    Persist,
    /// The page was hidden.
    Hidden {
        /// `navigator.onLine`.
        online: bool,
    },
    /// `pagehide`.
    Left {
        /// `navigator.onLine`.
        online: bool,
    },
    /// Shown again (visible, or from the back-forward cache).
    Shown,
    /// The browser is online again.
    Online,
    /// `rtp('flush')`: this many waiters joined.
    Flush(usize),
    /// A queue the snippet kept could not be read.
    KeptUnreadable,
}
