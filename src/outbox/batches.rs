//! The queue's way out: batches cut to a byte budget, their answers (delivered, dropped,
//! retried), and what a page being left does with what is in flight.

use super::{Flight, Item, Left, Outbox, Outcome, Outgoing};
use crate::envelope::encode_batch;
use crate::envelope::BATCH_OVERHEAD;
use crate::record::{decode_group, Pause, PAUSE_KEY};
use crate::retry::{Answer, Next};
use crate::store::Store;
use alloc::vec::Vec;

impl<J: Store> Outbox<J> {
    /// Takes the oldest queued events that fit in `max_bytes` of body (always at least one),
    /// and marks them in flight; `None` when nothing is queued, or while paused.
    pub fn take_batch(&mut self, now: u64, max_bytes: usize) -> Option<Outgoing> {
        self.persist();
        if self.wait(now) > 0 {
            return None;
        }
        let mut size = BATCH_OVERHEAD;
        let mut n = 0;
        for e in &self.queued {
            let add = e.event.len() + 1;
            if n > 0 && size + add > max_bytes {
                break;
            }
            size += add;
            n += 1;
        }
        if n == 0 {
            return None;
        }
        // `min` lets the compiler see the range is in bounds: no panic path in the wasm.
        let items: Vec<Item> = self.queued.drain(..n.min(self.queued.len())).collect();
        // The count moves from storage into this batch, so that it is reported once, whichever
        // tab takes it; a failed batch puts it back.
        let evicted = self.take_evicted();
        let limited = core::mem::take(&mut self.limited);
        let body = encode_batch(
            items.iter().map(|i| i.event.as_str()),
            now,
            evicted,
            limited,
        );
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        self.in_flight.push(Flight {
            id,
            items,
            bytes: body.len(),
            evicted,
            limited,
            left: Left::No,
        });
        Some(Outgoing {
            id,
            body,
            events: n,
        })
    }

    /// The collector acknowledged batch `id`: its events and records are done, the evictions
    /// it reported are cleared, and the pause is over.
    pub fn delivered(&mut self, id: u32) {
        let Some(flight) = self.land(id) else { return };
        self.forget(&flight.items);
        self.sync_dirty();
        self.pause = Pause {
            until: 0,
            failures: 0,
        };
        self.journal.remove(PAUSE_KEY);
    }

    /// The answer to batch `id`: `Delivered`, `Dropped` (refused, removed) or `Retry` (back in
    /// front of the queue, attempts counted, the outbox paused). `retry_after` is the server's
    /// `Retry-After` in ms; `random` is uniform over `u32`, for the jitter.
    pub fn answered(
        &mut self,
        id: u32,
        answer: Answer,
        retry_after: Option<u64>,
        now: u64,
        random: u32,
    ) -> Outcome {
        let failures = self.pause.failures.saturating_add(1);
        match self
            .backoff
            .next(answer, retry_after, failures, now, random)
        {
            Next::Done => {
                self.delivered(id);
                Outcome::Delivered
            }
            Next::Drop(reason) => {
                let Some(flight) = self.land(id) else {
                    return Outcome::Dropped(reason, 0);
                };
                self.forget(&flight.items);
                self.sync_dirty();
                self.unreport(flight.evicted, flight.limited); // the batch was refused
                Outcome::Dropped(reason, flight.items.len())
            }
            Next::RetryAt(at) => {
                self.pause = Pause {
                    until: at,
                    failures,
                };
                self.journal.set(PAUSE_KEY, &self.pause.encode());
                let Some(flight) = self.land(id) else {
                    return Outcome::Retry { at, too_old: 0 };
                };
                let mut too_old = 0;
                let (left, evicted, limited) = (flight.left, flight.evicted, flight.limited);
                let mut back = Vec::with_capacity(flight.items.len());
                for mut item in flight.items {
                    if self.backoff.expired(item.created, at) {
                        self.forget(core::slice::from_ref(&item));
                        too_old += 1;
                        continue;
                    }
                    item.attempts = item.attempts.saturating_add(1);
                    back.push(item);
                }
                self.take_back(back, left, evicted, limited);
                Outcome::Retry { at, too_old }
            }
        }
    }

    /// Batch `id` was never sent (the request could not be started): its
    /// events go back in front of the queue, and no attempt is counted.
    pub fn unsent(&mut self, id: u32) {
        if let Some(flight) = self.land(id) {
            self.take_back(flight.items, flight.left, flight.evicted, flight.limited);
        }
    }

    /// A batch that was not delivered comes back: its events go back in front of the queue,
    /// with their records written again, and its drop counts to be reported again. If the page
    /// was left while it was in flight with its records kept for the next page, only the events
    /// whose record still names this page come back: the others were adopted by another page.
    pub(super) fn take_back(&mut self, items: Vec<Item>, left: Left, evicted: u64, limited: u64) {
        self.unreport(evicted, limited);
        let mut back = Vec::with_capacity(items.len());
        for mut item in items {
            if left == Left::Kept && !self.owns(&item) {
                self.bytes = self.bytes.saturating_sub(item.cost());
                continue;
            }
            if left == Left::Handed {
                // Its record was removed when it was handed to the browser: it is stored again
                // in a group of its own (its old group's key may be another's by now).
                item.group = None;
            }
            if item.group.is_none() {
                // Not stored: written again below.
                item.written = false;
                self.unwritten = true;
            }
            back.push(item);
        }
        // Their groups are rewritten: attempts changed.
        self.mark(&back);
        self.requeue(back);
        self.persist();
    }

    /// Whether the journal's record of `item` names this page.
    pub(super) fn owns(&mut self, item: &Item) -> bool {
        let Some(key) = item.group.clone() else {
            return false;
        };
        let id = item.id();
        self.journal.get(&key).is_some_and(|v| {
            decode_group(&key, &v)
                .is_ok_and(|rs| rs.iter().any(|r| r.id == id && r.owner == self.owner))
        })
    }

    /// The page is being hidden or left. Returns whether what is queued should go now (by
    /// keepalive fetch, whose answer a page that is gone never sees). While the collector is
    /// failing, no: it would be lost if it failed too; the records stay for the next page. Otherwise yes, and the records of
    /// batches in flight are removed: those requests are keepalive, the browser finishes them
    /// after the page is gone, and the next page must not send them again. (If the page stays
    /// and such a batch fails, its records are written again.)
    pub fn leaving(&mut self) -> bool {
        self.persist();
        let failing = self.failing();
        let mut handed = Vec::new();
        for f in &mut self.in_flight {
            if f.left != Left::No {
                continue;
            }
            f.left = if failing { Left::Kept } else { Left::Handed };
            if !failing {
                handed.extend(f.items.iter().filter_map(|i| i.group.clone()));
            }
        }
        // The groups are rewritten without the handed events ([`Outbox::sync`] skips them).
        for key in handed {
            self.mark_key(key);
        }
        self.sync_dirty();
        !failing
    }
}
