//! Page lifecycle: the moments when queued events must leave by beacon.
//!
//! `pagehide` fires on navigation, reload and tab close, and (unlike `unload`) does not keep
//! the page out of the back-forward cache. `visibilitychange` to hidden also covers mobile
//! browsers that kill a backgrounded tab without `pagehide` (web.dev, "Page Lifecycle API").
//! No `unload` or `beforeunload` handler is ever added.

use js_sys::Function;
use wasm_bindgen::JsCast;

/// Calls `hook` on `pagehide`, and on `visibilitychange` when the page becomes hidden.
pub fn on_page_hidden(hook: &Function) {
    let _ = super::bindings::add_window_listener("pagehide", hook);
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        // The hook checks nothing itself; filter visibilitychange to the hidden state here.
        let filter = wasm_bindgen::closure::Closure::<dyn FnMut(JsValueAlias)>::new({
            let hook = hook.clone();
            let doc = doc.clone();
            move |ev: JsValueAlias| {
                if doc.hidden() {
                    let _ = hook.call1(&wasm_bindgen::JsValue::NULL, &ev);
                }
            }
        });
        let _ = super::bindings::add_document_listener("visibilitychange", filter.as_ref().unchecked_ref());
        filter.forget(); // lives as long as the page
    }
}

type JsValueAlias = wasm_bindgen::JsValue;
