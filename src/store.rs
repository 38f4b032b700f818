//! The key-value storage the core persists through. The browser edge implements it over
//! `sessionStorage` (falling back to memory when storage is blocked or full); tests and
//! the fallback use [`MemoryStore`].

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

/// A string key-value store that never fails loudly: a read that fails is `None`, a write
/// that fails is reported as `false` and the caller carries on.
pub trait Store {
    /// The value stored under `key`, if any.
    fn get(&mut self, key: &str) -> Option<String>;
    /// Stores `value` under `key`; `false` when the store refused.
    fn set(&mut self, key: &str, value: &str) -> bool;
    /// Removes `key`, if present.
    fn remove(&mut self, key: &str);
    /// The keys that start with `prefix`, in the store's order.
    fn keys(&mut self, prefix: &str) -> Vec<String>;
    /// How many keys the store holds (all of them, not only the tag's): a count that changed
    /// means someone else wrote or removed a key.
    fn count(&mut self) -> usize;
}

/// A store in memory: the fallback when browser storage is unavailable, and the test double.
/// A plain list: it holds only what could not be persisted, and a map's code would cost the
/// wasm several kilobytes.
#[derive(Default, Debug)]
pub struct MemoryStore(Vec<(String, String)>);

impl Store for MemoryStore {
    fn get(&mut self, key: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }
    fn set(&mut self, key: &str, value: &str) -> bool {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value.into(),
            None => self.0.push((key.into(), value.into())),
        }
        true
    }
    fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key);
    }
    fn keys(&mut self, prefix: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(k, _)| k.clone())
            .collect()
    }
    fn count(&mut self) -> usize {
        self.0.len()
    }
}

/// One [`MemoryStore`] seen through several handles, as `localStorage` is by the tabs of a
/// site: the native tests and the fuzzer play several pages over one journal with it. (Not
/// used by the browser build, so it costs the wasm nothing.)
#[derive(Clone, Default, Debug)]
pub struct SharedStore(pub Rc<RefCell<MemoryStore>>);

impl Store for SharedStore {
    fn get(&mut self, key: &str) -> Option<String> {
        self.0.borrow_mut().get(key)
    }
    fn set(&mut self, key: &str, value: &str) -> bool {
        self.0.borrow_mut().set(key, value)
    }
    fn remove(&mut self, key: &str) {
        self.0.borrow_mut().remove(key)
    }
    fn keys(&mut self, prefix: &str) -> Vec<String> {
        self.0.borrow_mut().keys(prefix)
    }
    fn count(&mut self) -> usize {
        self.0.borrow_mut().count()
    }
}

/// A [`SharedStore`] with a quota (total bytes of keys and values), as `localStorage` has: a
/// `setItem` that would take the total past it fails and changes nothing. A quota of 0 is
/// storage that refuses every write (full, or blocked for writes). Native tests only.
#[cfg(test)]
#[derive(Clone, Default)]
pub struct Quota(pub SharedStore, pub usize);

#[cfg(test)]
impl Store for Quota {
    fn get(&mut self, key: &str) -> Option<String> {
        self.0.get(key)
    }
    fn set(&mut self, key: &str, value: &str) -> bool {
        let mut m = self.0 .0.borrow_mut();
        let used: usize = m
            .keys("")
            .iter()
            .map(|k| k.len() + m.get(k).map_or(0, |v| v.len()))
            .sum();
        let old = m.get(key).map_or(0, |v| key.len() + v.len());
        if used - old + key.len() + value.len() > self.1 {
            return false;
        }
        m.set(key, value)
    }
    fn remove(&mut self, key: &str) {
        self.0.remove(key)
    }
    fn keys(&mut self, prefix: &str) -> Vec<String> {
        self.0.keys(prefix)
    }
    fn count(&mut self) -> usize {
        self.0.count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_overwrites_and_reads_back() {
        let mut m = MemoryStore::default();
        assert_eq!(m.get("a"), None);
        assert!(m.set("a", "1"));
        assert!(m.set("b", "2"));
        assert!(m.set("a", "3"));
        assert_eq!(m.get("a").as_deref(), Some("3"));
        assert_eq!(m.get("b").as_deref(), Some("2"));
        assert!(m.set("ab", "4"));
        assert_eq!(m.keys("a"), ["a", "ab"]);
        assert_eq!(m.count(), 3);
        m.remove("a");
        m.remove("nothing");
        assert_eq!(m.get("a"), None);
        assert_eq!(m.keys(""), ["b", "ab"]);
    }
}
