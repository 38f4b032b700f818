//! The pause after a failure, shared through the journal with the site's other pages.

use super::Outbox;
use crate::record::{Pause, PAUSE_KEY};
use crate::retry::{MAX_DELAY_MS, MAX_RETRY_AFTER_MS};
use crate::store::Store;

/// The longest a stored pause is honoured: the longest pause the policy ever sets. A stored
/// value further ahead (a clock change, tampering) is cut to this.
pub(super) const MAX_PAUSE_MS: u64 = MAX_RETRY_AFTER_MS + MAX_DELAY_MS;

impl<J: Store> Outbox<J> {
    /// The last answer was a failure: the collector is having trouble.
    pub fn failing(&self) -> bool {
        self.pause.failures > 0
    }

    /// How many ms from `now` until a batch may be sent (0: now).
    pub fn wait(&self, now: u64) -> u64 {
        self.pause.wait(now, MAX_PAUSE_MS)
    }

    /// [`Outbox::wait`], after reading the pause other pages may have stored (a `Retry-After`
    /// another tab was given holds here too).
    pub fn ready(&mut self, now: u64) -> u64 {
        if let Some(Ok(p)) = self.journal.get(PAUSE_KEY).map(|v| Pause::decode(&v)) {
            self.pause = p;
        }
        self.wait(now)
    }

    /// The network is back (`online`): the next attempt may be made at once. The failure count
    /// stays, so a collector that is still down is not hammered. Stored, as the pause is: the
    /// site's other pages are online again too, and [`Outbox::ready`] reads the stored one.
    pub fn resume_now(&mut self) {
        if self.pause.until != 0 {
            self.pause.until = 0;
            self.journal.set(PAUSE_KEY, &self.pause.encode());
        }
    }
}
