//! The full tag's state for this page (`EDGE`): the driver, and the JavaScript handles it
//! cannot hold. Borrowed only around the driver's plain Rust work and `catch` bindings
//! (`with_edge`); every effect runs after the borrow is released (`effects.rs`).

use super::env::BrowserEnv;
use super::journal::Journal;
use super::session_store::SessionStore;
use crate::driver::Driver;
use alloc::vec::Vec;
use core::cell::RefCell;
use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Everything the tag holds for this page: the driver, and the JavaScript handles it cannot.
pub struct Edge {
    pub driver: Driver<SessionStore, Journal>,
    pub env: BrowserEnv,
    pub hooks: Hooks,
    /// The loader's `claim()`: runs [`adopt`] under the Web Lock `rtp-claim`.
    pub claim: Option<Function>,
    /// The loader's `lock(on)`: requests or releases the Web Lock `rtp-tab-<page id>`.
    pub lock: Option<Function>,
    /// `rtp('flush')` callers waiting, answered by [`Effect::Settle`].
    pub waiters: Vec<Function>,
}

/// JavaScript functions that call back into the edge, made once and reused.
pub struct Hooks {
    pub pump: Closure<dyn FnMut(JsValue)>,
    pub answered: Closure<dyn FnMut(JsValue, JsValue)>,
    pub unreachable: Closure<dyn FnMut(JsValue, JsValue)>,
    pub failed: Closure<dyn FnMut(JsValue)>,
    pub lifecycle: Closure<dyn FnMut(JsValue)>,
    pub retry: Closure<dyn FnMut(JsValue)>,
    /// The executor of `flush`'s Promise: its `resolve` joins the waiters. The same closure
    /// type as `answered`, so it costs no new glue.
    pub defer: Closure<dyn FnMut(JsValue, JsValue)>,
}

/// The page's one tag. A plain static, not `thread_local!` (which needs std): the wasm is
/// built without the atomics feature, so it has exactly one thread.
pub struct PageTag(pub RefCell<Option<Edge>>);
// SAFETY: wasm32 without atomics is single-threaded; `Sync` is never exercised.
unsafe impl Sync for PageTag {}
pub static EDGE: PageTag = PageTag(RefCell::new(None));

pub fn with_edge<R>(f: impl FnOnce(&mut Edge) -> R) -> Option<R> {
    EDGE.0
        .try_borrow_mut()
        .ok()
        .and_then(|mut e| e.as_mut().map(f))
}

pub fn hook(f: impl FnOnce(&Hooks) -> &JsValue) -> Option<Function> {
    with_edge(|e| f(&e.hooks).unchecked_ref::<Function>().clone())
}

/// A batch id handed back by JavaScript.
pub fn id_of(id: &JsValue) -> u32 {
    id.as_f64().unwrap_or(-1.0) as u32
}
