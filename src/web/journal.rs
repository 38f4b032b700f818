//! The outbox's journal: [`Store`] over `localStorage`, which the next page of the site and
//! the site's other tabs can read.
//!
//! `window.localStorage` throws a SecurityError when storage is blocked, `setItem` throws
//! QuotaExceededError when the origin's quota is spent, and a page can replace `Storage`'s
//! methods with anything. None of this reaches the page: a write that fails returns `false`
//! (the outbox keeps that event in memory, delivered by this page only), a read that fails
//! reads nothing, and one debug message says so.

use super::console;
use crate::store::Store;
use alloc::string::String;
use alloc::vec::Vec;
use web_sys::Storage;

const UNAVAILABLE: &str = "rtp: localStorage unavailable (blocked or full); events not stored are delivered by this page only";

/// `localStorage`, or nothing.
pub struct Journal {
    storage: Option<Storage>,
    warned: bool,
}

impl Journal {
    /// Opens `window.localStorage`.
    pub fn open() -> Self {
        let storage = super::bindings::local_storage();
        let mut j = Journal {
            warned: false,
            storage,
        };
        if j.storage.is_none() {
            j.warn();
        }
        j
    }

    fn warn(&mut self) {
        if !core::mem::replace(&mut self.warned, true) {
            console::debug(UNAVAILABLE);
        }
    }
}

impl Store for Journal {
    fn get(&mut self, key: &str) -> Option<String> {
        self.storage.as_ref()?.get_item(key).ok().flatten()
    }

    fn set(&mut self, key: &str, value: &str) -> bool {
        let ok = matches!(
            self.storage.as_ref().map(|s| s.set_item(key, value)),
            Some(Ok(()))
        );
        if !ok {
            self.warn();
        }
        ok
    }

    fn remove(&mut self, key: &str) {
        if let Some(s) = &self.storage {
            let _ = s.remove_item(key);
        }
    }

    fn keys(&mut self, prefix: &str) -> Vec<String> {
        keys(self.storage.as_ref(), prefix)
    }

    fn count(&mut self) -> usize {
        self.storage
            .as_ref()
            .and_then(|s| s.length().ok())
            .unwrap_or(0) as usize
    }
}

/// The keys of `storage` that start with `prefix` (none when it is absent or throws).
pub fn keys(storage: Option<&Storage>, prefix: &str) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(s) = storage {
        for i in 0..s.length().unwrap_or(0) {
            if let Ok(Some(k)) = s.key(i) {
                if k.starts_with(prefix) {
                    keys.push(k);
                }
            }
        }
    }
    keys
}
