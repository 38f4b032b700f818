//! The outbox: accepted events waiting for the collector's acknowledgement, cut into batches
//! that fit a byte budget.
//!
//! An event leaves the outbox only when its batch is acknowledged ([`Outbox::ack`]); a batch
//! that failed goes back to the front, in order ([`Outbox::fail`]). This is the seam where
//! durable delivery (persistence, retry schedule) plugs in.

use alloc::string::String;
use alloc::vec::Vec;
use crate::envelope::{encode_batch, BATCH_OVERHEAD};

/// A batch handed to the transport: its id (for [`Outbox::ack`] / [`Outbox::fail`]) and body.
#[derive(Debug, PartialEq, Eq)]
pub struct Outgoing {
    /// Identifies the batch while it is in flight.
    pub id: u32,
    /// The JSON body, at most the requested number of bytes (unless one event alone is larger).
    pub body: String,
    /// How many events it carries.
    pub events: usize,
}

/// Accepted events, queued or in flight.
#[derive(Default, Debug)]
pub struct Outbox {
    queued: Vec<String>,
    in_flight: Vec<(u32, Vec<String>)>,
    next_id: u32,
}

impl Outbox {
    /// Queues an encoded event.
    pub fn push(&mut self, event: String) {
        self.queued.push(event);
    }

    /// Events not yet handed to the transport.
    pub fn queued(&self) -> usize {
        self.queued.len()
    }

    /// The encoded length of the oldest queued event, if any.
    pub fn next_len(&self) -> Option<usize> {
        self.queued.first().map(String::len)
    }

    /// Batches in flight.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Nothing queued and nothing in flight: everything accepted has been acknowledged.
    pub fn is_settled(&self) -> bool {
        self.queued.is_empty() && self.in_flight.is_empty()
    }

    /// Takes the oldest queued events that fit in `max_bytes` of body (always at least one),
    /// and marks them in flight.
    pub fn take_batch(&mut self, sent: u64, max_bytes: usize) -> Option<Outgoing> {
        let mut size = BATCH_OVERHEAD;
        let mut n = 0;
        for e in &self.queued {
            let add = e.len() + 1;
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
        let events: Vec<String> = self.queued.drain(..n.min(self.queued.len())).collect();
        let body = encode_batch(events.iter().map(String::as_str), sent, 0);
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        self.in_flight.push((id, events));
        Some(Outgoing { id, body, events: n })
    }

    /// The collector acknowledged batch `id`: its events are done.
    pub fn ack(&mut self, id: u32) {
        self.in_flight.retain(|(b, _)| *b != id);
    }

    /// Batch `id` was not acknowledged: its events go back to the front of the queue, in order.
    pub fn fail(&mut self, id: u32) {
        let mut failed = Vec::new();
        self.in_flight.retain_mut(|(b, events)| {
            if *b == id {
                failed = core::mem::take(events);
            }
            *b != id
        });
        failed.append(&mut self.queued);
        self.queued = failed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: usize, len: usize) -> String {
        let mut s = n.to_string();
        while s.len() < len {
            s.push('x');
        }
        s
    }

    #[test]
    fn a_lone_event_is_one_batch() {
        let mut o = Outbox::default();
        o.push("{}".into());
        let b = o.take_batch(7, 65536).unwrap();
        assert_eq!(b.body, "{\"v\":1,\"sent\":7,\"events\":[{}]}");
        assert_eq!(b.events, 1);
        assert!(o.take_batch(7, 65536).is_none());
        assert!(!o.is_settled());
        o.ack(b.id);
        assert!(o.is_settled());
    }

    #[test]
    fn batches_never_exceed_the_byte_budget() {
        let mut o = Outbox::default();
        for i in 0..1000 {
            o.push(event(i, 250));
        }
        let mut total = 0;
        let mut batches = 0;
        while let Some(b) = o.take_batch(1_732_456_789_012, 16 * 1024) {
            assert!(b.body.len() <= 16 * 1024, "{}", b.body.len());
            total += b.events;
            batches += 1;
        }
        assert_eq!(total, 1000);
        assert_eq!(batches, 16); // 1000 × 251 bytes / (16384 − 80) → 16 batches
    }

    #[test]
    fn an_event_larger_than_the_budget_still_goes_alone() {
        let mut o = Outbox::default();
        o.push(event(1, 500));
        o.push(event(2, 10));
        let b = o.take_batch(0, 100).unwrap();
        assert_eq!(b.events, 1);
        assert!(b.body.contains(&event(1, 500)));
    }

    #[test]
    fn a_failed_batch_goes_back_in_front_in_order() {
        let mut o = Outbox::default();
        o.push("1".into());
        o.push("2".into());
        let b = o.take_batch(0, 65536).unwrap();
        o.push("3".into());
        o.fail(b.id);
        assert_eq!(o.queued(), 3);
        let again = o.take_batch(0, 65536).unwrap();
        assert!(again.body.ends_with("[1,2,3]}"), "{}", again.body);
    }
}
