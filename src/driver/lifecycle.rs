//! The retry timer and the page's lifecycle: hidden, left, shown again, online again.

use super::*;

impl<S: Store, J: Store> Driver<S, J> {
    /// The retry timer fired: adopt what pages that closed meanwhile left, then send.
    pub(super) fn timer_fired(&mut self) {
        self.timer = false;
        self.emit(Effect::Claim);
        self.schedule_pump();
    }

    /// The page was hidden (another tab, minimised): it may come back, or be discarded without
    /// a `pagehide` (mobile browsers do). What is queued goes now.
    pub(super) fn hidden(&mut self, online: bool, env: &mut impl Env) {
        self.leave(online, false, env);
    }

    /// `pagehide`: the page is navigated away, reloaded, closed, or put in the back-forward
    /// cache. What is queued goes now, and the lock is released once it has.
    pub(super) fn left(&mut self, online: bool, env: &mut impl Env) {
        self.left = true;
        self.leave(online, true, env);
    }

    /// What is queued goes now by keepalive `fetch`, within the whole quota, which the browser
    /// finishes after the page is gone; not by `sendBeacon`, which cannot omit credentials and
    /// gets no answer. The records of what is in flight are removed (`Outbox::leaving`), so
    /// that the next page does not send them again. While the collector is failing nothing
    /// goes: the events stay stored for the next page.
    pub(super) fn leave(&mut self, online: bool, release: bool, env: &mut impl Env) {
        self.tag.persist();
        if self.tag.outbox.leaving() && online {
            self.sending = Some(Phase::Leaving { release });
            self.send_next(env);
        } else {
            self.settle_waiters();
            if release {
                self.set_lock(false);
            }
        }
    }

    /// Shown again: visible, or back from the back-forward cache. Back from the cache, what
    /// another page adopted meanwhile is forgotten first.
    pub(super) fn shown(&mut self) {
        if core::mem::take(&mut self.left) && !self.tag.outbox.resync() {
            self.set_lock(true);
        }
        self.emit(Effect::Claim);
        self.schedule_pump();
    }

    /// The browser is online again: the next attempt may be made at once.
    pub(super) fn online(&mut self) {
        self.tag.outbox.resume_now();
        self.schedule_pump();
    }
}
