//! Sending: the pump, one batch at a time within the keepalive budget, and what each answer
//! (or failure to answer) means.

use super::*;

/// A batch body is at most this many bytes.
pub const MAX_BATCH_BYTES: usize = 32 * 1024;

/// Keepalive bodies the tag keeps in flight: half of the 64 KiB that a page may have in flight
/// across all keepalive fetches and beacons (Fetch standard, "keepalive" step; Chromium counts
/// beacons in the same quota). Half, because Chromium releases a request's share only once its
/// response body has been read, which finishes after the answer that frees our own count, and
/// because other scripts of the page share the quota. What does not fit waits for an answer.
pub const KEEPALIVE_BUDGET: usize = 32 * 1024;

/// What may be in flight once the page is hidden or leaving: the whole 64 KiB quota, less
/// 4 KiB for the page's own beacons. Nothing of the page will need room after this.
pub const LEAVING_BUDGET: usize = 60 * 1024;

impl<S: Store, J: Store> Driver<S, J> {
    /// The pump ran: writes what the task's calls stored in memory, then sends the queued
    /// batches that fit the keepalive budget, unless offline (`online` resumes) or paused
    /// after a failure (a timer resumes); then answers `flush` waiters.
    pub(super) fn pump(&mut self, online: bool, env: &mut impl Env) {
        self.pump = Pump::Idle;
        self.tag.persist();
        if self.left {
            // Left, and not shown again: a call from a later pagehide listener, or a timer that
            // came due while the page was in the back-forward cache, before its pageshow. Its
            // lock was released, so another page may have adopted its stored events: those are
            // forgotten first; the rest goes the way of a page being left.
            self.tag.outbox.resync();
            self.leave(online, true, env);
            return;
        }
        let queued = self.tag.outbox.queued() > 0;
        if self.tag.endpoint().is_none()
            && queued
            && !core::mem::replace(&mut self.warned_no_endpoint, true)
        {
            self.say(Level::Warn, say::NO_ENDPOINT, Shown::Nothing);
        }
        let wait = self.tag.outbox.ready(env.now());
        if queued && wait > 0 {
            self.set_timer(wait);
        } else if queued && online {
            self.sending = Some(Phase::Pump);
            self.send_next(env);
            return;
        }
        self.settle_waiters();
    }

    /// The request of the last [`Effect::Send`] was made: the next batch follows, if one fits.
    pub(super) fn started(&mut self, env: &mut impl Env) {
        self.send_next(env);
    }

    /// The request for batch `id` could not be started (the page's `fetch` threw; not the
    /// collector's failure): the batch goes back in front without an attempt counted, and is
    /// tried again on the next call or in a second.
    pub(super) fn not_started(&mut self, id: u32) {
        self.say(Level::Debug, say::NOT_STARTED, Shown::Input);
        self.tag.outbox.unsent(id);
        self.set_timer(BASE_DELAY_MS);
        if let Some(phase) = self.sending.take() {
            self.end_phase(phase);
        }
    }

    /// The next batch of the current phase, or the phase's end.
    pub(super) fn send_next(&mut self, env: &mut impl Env) {
        let Some(phase) = self.sending else { return };
        let budget = match phase {
            Phase::Pump => KEEPALIVE_BUDGET,
            Phase::Leaving { .. } => LEAVING_BUDGET,
        };
        match self.next_batch(budget, env.now()) {
            Some(send) => self.emit(send),
            None => {
                self.sending = None;
                self.end_phase(phase);
            }
        }
    }

    /// The oldest queued batch that fits what `budget` leaves in flight (a lone batch always
    /// fits: an event is far below 64 KiB).
    pub(super) fn next_batch(&mut self, budget: usize, now: u64) -> Option<Effect> {
        let endpoint = String::from(self.tag.endpoint()?);
        let outbox = &mut self.tag.outbox;
        let in_flight = outbox.in_flight_bytes();
        let room = budget.saturating_sub(in_flight);
        if in_flight > 0 && outbox.next_len()? + BATCH_OVERHEAD > room {
            return None;
        }
        let batch = outbox.take_batch(now, room.min(MAX_BATCH_BYTES))?;
        Some(Effect::Send {
            id: batch.id,
            endpoint,
            body: batch.body,
        })
    }

    pub(super) fn end_phase(&mut self, phase: Phase) {
        if let Phase::Leaving { release } = phase {
            // The records of what just left are removed: the browser finishes those requests.
            self.tag.outbox.leaving();
            self.settle_waiters();
            if release {
                self.set_lock(false);
            }
        } else {
            self.settle_waiters();
        }
    }

    /// The collector answered batch `id` with `status` (and `Retry-After`, in ms).
    pub(super) fn answered(
        &mut self,
        id: u32,
        status: u16,
        retry_after: Option<u64>,
        env: &mut impl Env,
    ) {
        let outcome = self.answer_batch(id, Answer::Status(status), retry_after, env);
        if self.waiters > 0
            && matches!(
                outcome,
                Outcome::Dropped(..) | Outcome::Retry { too_old: 1.., .. }
            )
        {
            self.dropped = true;
        }
        let status = Shown::Number(status as u32);
        match outcome {
            Outcome::Dropped(reason, _) => self.say(Level::Warn, reason.message(), status),
            Outcome::Retry { too_old, .. } => {
                self.say(Level::Debug, say::NOT_ACCEPTED, status);
                if too_old > 0 {
                    self.say(Level::Debug, DropReason::TooOld.message(), Shown::Nothing);
                }
            }
            Outcome::Delivered => {}
        }
        if matches!(outcome, Outcome::Retry { .. }) {
            self.schedule_pump(); // it sets the retry timer
        } else if self.tag.outbox.queued() > 0 {
            // Room was freed: what waited for the keepalive budget goes once the body is read.
            self.schedule_pump_after_body();
        }
        self.settle_waiters();
    }

    /// The request for batch `id` failed before an answer (network error, CORS, timeout,
    /// offline). It is handled a task later ([`Effect::FailLater`], then [`Driver::failed`]):
    /// when the page is being left, Chromium rejects the fetch promises of keepalive requests
    /// that it goes on sending, before `pagehide` (measured: "TypeError: Failed to fetch",
    /// then pagehide, then the collector gets the batch). Handled at once, that would count
    /// the batch as failed, keep it stored, and have the next page send it again; a task
    /// later, the page is gone, and `pagehide` has handed the batch to the browser.
    pub(super) fn unreachable(&mut self, id: u32) {
        self.say(Level::Debug, say::UNREACHABLE, Shown::Input);
        self.emit(Effect::FailLater(id));
    }

    /// See [`Driver::unreachable`]. Offline is not the collector's failure: the batch goes back
    /// without an attempt counted, and `online` resumes. (A timeout counts as a network error.)
    pub(super) fn failed(&mut self, id: u32, online: bool, env: &mut impl Env) {
        if online {
            self.answer_batch(id, Answer::NetworkError, None, env);
        } else {
            self.tag.outbox.unsent(id);
        }
        self.schedule_pump();
        self.settle_waiters();
    }

    pub(super) fn answer_batch(
        &mut self,
        id: u32,
        answer: Answer,
        retry_after: Option<u64>,
        env: &mut impl Env,
    ) -> Outcome {
        let now = env.now();
        let r = env.random16();
        let random = u32::from_le_bytes([r[0], r[1], r[2], r[3]]);
        self.tag
            .outbox
            .answered(id, answer, retry_after, now, random)
    }
}
