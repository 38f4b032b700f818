//! The `action` and `method` arguments of `rtp(action, method, data)`, parsed.
//!
//! Names are matched exactly, as the RTP tag does. Commands that pages written for the RTP tag
//! call but this tag does not implement (`get campaign`, `get visitor`, …) parse as
//! [`Command::Unsupported`]: ignored, never an error.

/// A parsed command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// `rtp('send', 'event', customData)`.
    SendEvent,
    /// `rtp('send', 'view' [, pageUrl])`.
    SendView,
    /// `rtp('setAccount', id)`.
    SetAccount,
    /// `rtp('set', name, value)` with name `endpoint`, `account` or `debug`.
    Set,
    /// `rtp('flush' [, callback])`: call back when everything accepted so far is acknowledged.
    Flush,
    /// Anything else: ignored with a debug message.
    Unsupported,
}

/// Parses the first two arguments (`None` when not a string).
pub fn parse(action: Option<&str>, method: Option<&str>) -> Command {
    match (action, method) {
        (Some("send"), Some("event")) => Command::SendEvent,
        (Some("send"), Some("view")) => Command::SendView,
        (Some("setAccount"), _) => Command::SetAccount,
        (Some("set"), _) => Command::Set,
        (Some("flush"), _) => Command::Flush,
        _ => Command::Unsupported,
    }
}

/// A setting named by `rtp('set', name, value)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    /// The collector URL.
    Endpoint,
    /// The account id carried by every event.
    Account,
    /// Debug logging on the console.
    Debug,
    /// The visitor's consent: only `true` grants it.
    Consent,
    /// Honour Do Not Track and Global Privacy Control.
    HonorDnt,
}

/// Parses the name of a setting.
pub fn parse_setting(name: Option<&str>) -> Option<Setting> {
    match name {
        Some("endpoint") => Some(Setting::Endpoint),
        Some("account") => Some(Setting::Account),
        Some("debug") => Some(Setting::Debug),
        Some("consent") => Some(Setting::Consent),
        Some("honorDnt") => Some(Setting::HonorDnt),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_commands_parse() {
        assert_eq!(parse(Some("send"), Some("event")), Command::SendEvent);
        assert_eq!(parse(Some("send"), Some("view")), Command::SendView);
        assert_eq!(parse(Some("setAccount"), Some("abc")), Command::SetAccount);
        assert_eq!(parse(Some("set"), Some("endpoint")), Command::Set);
        assert_eq!(parse(Some("flush"), None), Command::Flush);
    }

    #[test]
    fn rtp_commands_we_do_not_implement_are_unsupported_not_errors() {
        assert_eq!(parse(Some("get"), Some("campaign")), Command::Unsupported);
        assert_eq!(parse(Some("get"), Some("visitor")), Command::Unsupported);
        assert_eq!(parse(Some("send"), Some("Event")), Command::Unsupported);
        assert_eq!(parse(None, None), Command::Unsupported);
        assert_eq!(parse(Some("send"), None), Command::Unsupported);
    }

    #[test]
    fn settings_parse() {
        assert_eq!(parse_setting(Some("debug")), Some(Setting::Debug));
        assert_eq!(parse_setting(Some("consent")), Some(Setting::Consent));
        assert_eq!(parse_setting(Some("honorDnt")), Some(Setting::HonorDnt));
        assert_eq!(parse_setting(Some("Endpoint")), None);
        assert_eq!(parse_setting(None), None);
    }
}
