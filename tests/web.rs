#![cfg(target_arch = "wasm32")]
//! The browser edge (`src/web`) in real browsers: headless Chromium and Firefox ESR, driven by
//! `wasm-bindgen-test-runner` (see `scripts/test-wasm.sh`).
//!
//! The pure core is covered by native `cargo test`; these tests cover what only a browser can
//! tell: how real JavaScript values (getters, Proxies, holes, lone surrogates, Symbols, BigInts)
//! are read, what `rtp()` returns to the page, what lands in `sessionStorage`, and what the
//! asynchronous answers (callbacks, `rtp('flush')`) do.
//!
//! All tests share one page, hence one tag and one `sessionStorage`: every event value is made
//! unique with [`support::unique`], and a test that changes the page (storage, `console`,
//! `Storage.prototype`) puts it back before it asserts anything, because a failed assertion
//! aborts the test without running destructors. No test sets a collector endpoint, so nothing
//! goes to the network.

#[path = "web/custom_data.rs"]
mod custom_data;
#[path = "web/journal.rs"]
mod journal;
#[path = "web/replies.rs"]
mod replies;
#[path = "web/session_ledger.rs"]
mod session_ledger;
#[path = "web/session_store.rs"]
mod session_store;
#[path = "web/support.rs"]
mod support;
#[path = "web/throwing_console.rs"]
mod throwing_console;
#[path = "web/verdicts.rs"]
mod verdicts;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
