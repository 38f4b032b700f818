//! The `action` and `method` arguments of `rtp(action, method, data)`, parsed.
//!
//! Names are matched exactly, as the RTP tag does. Commands that pages written for the RTP tag
//! call but this tag does not implement (`get campaign`, `get visitor`, `send redirect`, and the
//! RTP tag's own settings: `set rcmd`, `set customVar1`, `set settings`, …) parse as
//! [`Command::Unsupported`]: ignored with a debug message, never an error or a warning.

/// A parsed command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// `rtp('send', 'event', customData)`.
    SendEvent,
    /// `rtp('send', 'view' [, pageUrl])`.
    SendView,
    /// `rtp('setAccount', id)`.
    SetAccount,
    /// `rtp('set', name, value)`, but for the RTP tag's settings this tag does not implement.
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
        (Some("set"), Some(name)) if vendor_setting(name) => Command::Unsupported,
        (Some("set"), _) => Command::Set,
        (Some("flush"), _) => Command::Flush,
        _ => Command::Unsupported,
    }
}

/// The settings the RTP tag documents that this tag does not implement (README, "Migrating
/// from the RTP tag"): recommendations (`rcmd`), `settings` (`{anonymizeIP: true}`), and the
/// user context's custom variables (`customVar`, `customVar1`…`customVar5` and, as the vendor's
/// own examples write them, `custom1`…`custom5`): any name that starts with `custom`, which no
/// setting of ours does (the 13 names matched one by one cost about 80 bytes more of gzipped
/// wasm). Pages written for the RTP tag set them on every page: they must not warn as a
/// mistyped setting does.
fn vendor_setting(name: &str) -> bool {
    matches!(name, "rcmd" | "settings") || name.starts_with("custom")
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
        assert_eq!(parse(Some("send"), Some("redirect")), Command::Unsupported);
        assert_eq!(parse(Some("get"), Some("rcmd")), Command::Unsupported);
        assert_eq!(parse(Some("userContextReady"), None), Command::Unsupported);
    }

    #[test]
    fn rtp_settings_we_do_not_implement_are_unsupported_not_unknown() {
        for name in [
            "rcmd",
            "settings",
            "customVar",
            "customVar1",
            "customVar5",
            "custom1",
            "custom5",
        ] {
            assert_eq!(
                parse(Some("set"), Some(name)),
                Command::Unsupported,
                "{name}"
            );
        }
        // Anything else is a setting of ours, or a mistake that deserves the warning.
        for name in ["Rcmd", "setting", "Custom1", "endpoint", "account", "debug"] {
            assert_eq!(parse(Some("set"), Some(name)), Command::Set, "{name}");
        }
        assert_eq!(parse(Some("set"), None), Command::Set);
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
