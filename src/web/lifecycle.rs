//! Page lifecycle: the moments that change what the outbox should do.
//!
//! - `pagehide` (navigation, reload, tab close, entering the back-forward cache): queued events
//!   leave by keepalive `fetch`.
//! - `visibilitychange` to hidden (mobile browsers may kill a hidden tab without `pagehide`;
//!   web.dev, "Page Lifecycle API"): queued events leave at once by keepalive `fetch`, whose
//!   answer still counts if the page comes back.
//! - `pageshow` with `persisted` (back from the back-forward cache) and `visibilitychange` to
//!   visible: pages that closed meanwhile may have left events to adopt, and sending resumes.
//! - `online`: the network is back; the pause is lifted and sending resumes at once.
//!
//! No `unload` or `beforeunload` handler is ever added: they keep pages out of the
//! back-forward cache.

use super::effects::Ctx;
use crate::driver::Input;
use js_sys::{Function, Reflect};
use wasm_bindgen::JsValue;

/// What happened to the page.
pub enum Moment {
    /// Hidden (another tab, minimised): it may come back.
    Hidden,
    /// Left (`pagehide`): navigated away, reloaded, closed, or into the back-forward cache.
    Left,
    /// Shown again: visible, or restored from the back-forward cache.
    Shown,
    /// The browser is online again.
    Online,
}

/// Calls `hook` with each lifecycle event.
pub fn listen(hook: &Function) {
    for kind in ["pagehide", "pageshow", "online"] {
        let _ = super::bindings::add_window_listener(kind, hook);
    }
    let _ = super::bindings::add_document_listener("visibilitychange", hook);
}

/// Reads an event passed to the hook. `None` for a `pageshow` of a page's first load.
pub fn moment(event: &JsValue) -> Option<Moment> {
    // Read with Reflect, not web-sys's `Event` (`instanceof` and a getter: two more imports);
    // the hook is only ever called with the events it listens to.
    let kind = Reflect::get(event, &"type".into()).ok()?.as_string()?;
    match kind.as_str() {
        "pagehide" => Some(Moment::Left),
        "online" => Some(Moment::Online),
        "pageshow" => Reflect::get(event, &"persisted".into())
            .ok()
            .filter(JsValue::is_truthy)
            .map(|_| Moment::Shown),
        _ => Some(if super::bindings::hidden() {
            Moment::Hidden
        } else {
            Moment::Shown
        }),
    }
}

/// A lifecycle event (see `lifecycle.rs`).
pub fn on_lifecycle(event: &JsValue) {
    let online = super::bindings::online();
    let input = match moment(event) {
        Some(Moment::Hidden) => Input::Hidden { online },
        Some(Moment::Left) => Input::Left { online },
        Some(Moment::Online) => Input::Online,
        Some(Moment::Shown) => Input::Shown,
        None => return,
    };
    super::effects::drive(&Ctx::of(event), input);
}
