//! The file sink's memory of recent ids: the latest `capacity` ids accepted, oldest forgotten
//! first, so memory stays flat under any load. A repeat older than the window is stored again
//! (the README says so; PostgreSQL is the sink that decides repeats exactly).

use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

/// Hashes an id with the splitmix64 finalizer over its two halves: cheap, and it spreads ids
/// that are not random (a client's own, or a benchmark's sequential ones) over the whole table,
/// where the raw bits would fill it in order and make hashbrown's tag bits all alike.
#[derive(Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u128(&mut self, n: u128) {
        let mut z = (n as u64) ^ ((n >> 64) as u64).rotate_left(32);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        self.0 = z ^ (z >> 31);
    }
}

/// A set of at most `capacity` ids, first in, first out.
#[derive(Debug)]
pub struct Window {
    ids: HashSet<u128, BuildHasherDefault<IdHasher>>,
    order: VecDeque<u128>,
    capacity: usize,
}

impl Window {
    /// An empty window of `capacity` ids (at least 1), allocated in full now: the set gets
    /// twice the buckets it will ever hold, so the churn of removals never makes it grow
    /// (hashbrown rehashes in place while at most half full), and memory stays flat once the
    /// window has filled (about 85 bytes per id: 1,000,000 ids take about 85 MB).
    pub fn new(capacity: usize) -> Window {
        let capacity = capacity.max(1);
        Window {
            ids: HashSet::with_capacity_and_hasher(capacity.saturating_mul(2), Default::default()),
            order: VecDeque::with_capacity(capacity + 1),
            capacity,
        }
    }

    /// Whether the id is remembered.
    pub fn contains(&self, id: u128) -> bool {
        self.ids.contains(&id)
    }

    /// Remembers an id, forgetting the oldest when full.
    pub fn insert(&mut self, id: u128) {
        if self.ids.insert(id) {
            self.order.push_back(id);
            if self.order.len() > self.capacity {
                if let Some(old) = self.order.pop_front() {
                    self.ids.remove(&old);
                }
            }
        }
    }

    /// Forgets every id.
    pub fn clear(&mut self) {
        self.ids.clear();
        self.order.clear();
    }

    /// How many ids are remembered.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

impl std::fmt::Debug for IdHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdHasher")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_id_is_forgotten_when_the_window_is_full() {
        let mut w = Window::new(3);
        for id in 1..=3 {
            w.insert(id);
        }
        w.insert(2); // a repeat does not take a second place
        assert_eq!(w.len(), 3);
        w.insert(4);
        assert!(!w.contains(1));
        assert!(w.contains(2) && w.contains(3) && w.contains(4));
        assert_eq!(w.len(), 3);
    }
}
