//! [`Store`] over `sessionStorage`, falling back to memory.
//!
//! `window.sessionStorage` throws a SecurityError when storage is blocked (Chrome and Firefox
//! with cookies disabled, sandboxed iframes), `setItem` throws when the quota is reached, and
//! old Safari private mode had a zero quota. None of this may reach the page: reads that fail
//! turn reading off, writes that fail go to memory, and the ledger keeps working for the page.

use super::console;
use crate::store::{MemoryStore, Store};
use alloc::string::String;
use alloc::vec::Vec;
use web_sys::Storage;

/// One message for every way sessionStorage fails (absent, read throws, write throws or full).
const FALLBACK: &str = "rtp: sessionStorage unavailable (blocked or full); the session ledger is kept in memory for this page";

/// The session ledger's storage.
pub struct SessionStore {
    storage: Option<Storage>,
    writable: bool,
    memory: MemoryStore,
}

impl SessionStore {
    /// Opens `window.sessionStorage`, or memory only when it is unavailable.
    pub fn open() -> Self {
        let storage = super::bindings::session_storage();
        if storage.is_none() {
            console::debug(FALLBACK);
        }
        SessionStore {
            writable: storage.is_some(),
            storage,
            memory: MemoryStore::default(),
        }
    }
}

impl SessionStore {
    /// A read threw: reading and writing are off, the ledger works in memory.
    fn unreadable(&mut self) {
        console::debug(FALLBACK);
        self.storage = None;
        self.writable = false;
    }
}

impl Store for SessionStore {
    fn get(&mut self, key: &str) -> Option<String> {
        if let Some(v) = self.memory.get(key) {
            return Some(v);
        }
        match self.storage.as_ref().map(|s| s.get_item(key)) {
            Some(Ok(v)) => v,
            Some(Err(_)) => {
                self.unreadable();
                None
            }
            None => None,
        }
    }

    fn set(&mut self, key: &str, value: &str) -> bool {
        if self.writable {
            if let Some(Ok(())) = self.storage.as_ref().map(|s| s.set_item(key, value)) {
                return true;
            }
            self.writable = false;
            console::debug(FALLBACK);
        }
        self.memory.set(key, value)
    }

    fn remove(&mut self, key: &str) {
        self.memory.remove(key);
        if let Some(s) = &self.storage {
            let _ = s.remove_item(key);
        }
    }

    fn keys(&mut self, prefix: &str) -> Vec<String> {
        let mut keys = super::journal::keys(self.storage.as_ref(), prefix);
        for k in self.memory.keys(prefix) {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        keys
    }

    /// `sessionStorage.length` (one read, no copy) plus what memory holds.
    fn count(&mut self) -> usize {
        let stored = self.storage.as_ref().map(|s| s.length());
        if let Some(Err(_)) = stored {
            self.unreadable();
        }
        stored.and_then(|r| r.ok()).unwrap_or(0) as usize + self.memory.count()
    }
}
