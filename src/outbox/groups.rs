//! Group persistence: the write-ahead records, written in groups of about a batch under the
//! key of their first event's id, and rewritten (or removed) when events leave them.

use super::{Item, Left, Outbox};
use crate::envelope::BATCH_OVERHEAD;
use crate::record;
use crate::store::Store;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

/// A group (the records written together under one key) holds events of at most this many
/// bytes of batch body: 32 KiB, the transport's batch size, so that a batch is usually one
/// group, and its acknowledgement one `removeItem`.
pub const GROUP_BYTES: usize = 32 * 1024;

impl<J: Store> Outbox<J> {
    /// Writes the records of the events pushed since the last call, as groups of at most
    /// [`GROUP_BYTES`] (one `setItem` per group, not per event), and rewrites the groups that
    /// events left.
    pub fn persist(&mut self) {
        if core::mem::take(&mut self.unwritten) {
            // The unwritten events, oldest first, cut into groups: a group is a set of events
            // (its records say which), not a run of the queue.
            let mut queued = core::mem::take(&mut self.queued);
            let mut group: Vec<&mut Item> = Vec::new();
            let mut size = 0;
            for item in queued.iter_mut().filter(|i| !i.written) {
                let add = item.event.len() + 1;
                if !group.is_empty() && size + add > GROUP_BYTES - BATCH_OVERHEAD {
                    self.write_group(&mut group);
                    group.clear();
                    size = 0;
                }
                size += add;
                group.push(item);
            }
            self.write_group(&mut group);
            drop(group);
            self.queued = queued;
        }
        self.sync_dirty();
    }

    /// Writes the records of `items` as one group of this page's, under the key of the first
    /// one's id.
    pub(super) fn write_group(&mut self, items: &mut [&mut Item]) {
        let Some(first) = items.first() else { return };
        let key: Rc<str> = Rc::from(record::key(first.id()));
        let mut value = String::new();
        for item in items.iter() {
            if !value.is_empty() {
                value.push('\n');
            }
            record::encode_into(
                &mut value,
                item.created,
                item.attempts,
                &self.owner,
                &item.event,
            );
        }
        let stored = self.journal.set(&key, &value);
        for item in items.iter_mut() {
            item.group = stored.then(|| key.clone());
            item.written = true;
        }
    }

    /// Removes items for good: their bytes from the tally, and (by the next
    /// [`Outbox::sync_dirty`]) their records.
    pub(super) fn forget(&mut self, items: &[Item]) {
        for item in items {
            self.bytes = self.bytes.saturating_sub(item.cost());
        }
        self.mark(items);
    }

    /// The groups of `items` are to be rewritten.
    pub(super) fn mark(&mut self, items: &[Item]) {
        for item in items {
            if let Some(key) = &item.group {
                self.mark_key(key.clone());
            }
        }
    }

    pub(super) fn mark_key(&mut self, key: Rc<str>) {
        if !self.dirty.contains(&key) {
            self.dirty.push(key);
        }
    }

    /// Rewrites each group marked: the records of the events this page still holds in it, or
    /// nothing (the key removed). A batch acknowledged whole is one `removeItem`.
    pub(super) fn sync_dirty(&mut self) {
        for key in core::mem::take(&mut self.dirty) {
            self.sync(&key, false);
        }
    }

    /// Rewrites one group. The key stays the id of its first record (the check that makes a
    /// record copied under another key corrupt): when that event left, the group moves to the
    /// key of its new first one.
    ///
    /// A group that is no longer stored, or stored as another page's, was taken over by a page
    /// that adopted it while this page was in the back-forward cache (its lock released): it is
    /// that page's, neither rewritten nor removed here, and the events of it this page still
    /// points to are left to the checks of ownership ([`Outbox::resync`],
    /// [`Outbox::take_back`]). Unless `taken`: this page has just adopted it
    /// ([`Outbox::adopt`]).
    pub(super) fn sync(&mut self, key: &Rc<str>, taken: bool) {
        if !taken && !self.journal.get(key).is_some_and(|v| self.is_mine(&v)) {
            return;
        }
        let mut value = String::new();
        let mut first: Option<Rc<str>> = None;
        let owner = &self.owner;
        // The events queued, and those in flight whose records were not handed over.
        let held = self.queued.iter().chain(
            self.in_flight
                .iter()
                .filter(|f| f.left != Left::Handed)
                .flat_map(|f| f.items.iter()),
        );
        for item in held.filter(|i| i.group.as_ref() == Some(key)) {
            if first.is_none() {
                first = Some(Rc::from(record::key(item.id())));
            } else {
                value.push('\n');
            }
            record::encode_into(&mut value, item.created, item.attempts, owner, &item.event);
        }
        let Some(new_key) = first else {
            self.journal.remove(key);
            return;
        };
        // Moved: the old key goes first, so that near the quota the new one has its room (the
        // group only shrank); written first, it could be refused for want of room for both.
        if new_key != *key {
            self.journal.remove(key);
        }
        let stored = self.journal.set(&new_key, &value);
        if !stored {
            self.journal.remove(key);
        }
        // Refused (full): those events are kept in memory only, delivered by this page.
        let group = stored.then_some(new_key);
        for item in self.queued.iter_mut().chain(
            self.in_flight
                .iter_mut()
                .filter(|f| f.left != Left::Handed)
                .flat_map(|f| f.items.iter_mut()),
        ) {
            if item.group.as_ref() == Some(key) {
                item.group = group.clone();
            }
        }
    }

    /// Whether a stored group is this page's (read from its first record). A value that is not
    /// a record is taken as this page's, to be written over.
    pub(super) fn is_mine(&self, value: &str) -> bool {
        let first = value
            .get(
                ..value
                    .bytes()
                    .position(|b| b == b'\n')
                    .unwrap_or(value.len()),
            )
            .unwrap_or("");
        record::decode(first).map_or(true, |r| r.owner == self.owner)
    }
}
