//! Calls: what follows a verdict (the lock, the pump, the console), `set`, `flush`.

use super::*;

impl<S: Store, J: Store> Driver<S, J> {
    /// `rtp('flush' [, callback])`: `added` waiters joined (the callback, the Promise's
    /// resolve). They are answered once nothing is queued or in flight: `true` when everything
    /// was acknowledged, `false` when events were dropped meanwhile or the last attempt failed.
    pub(super) fn flush(&mut self, added: usize) {
        self.waiters += added;
        self.schedule_pump();
        self.settle_waiters();
    }

    /// What follows a verdict: for an accepted event, the lock, the pump and the write; and
    /// the console message ([`said`]).
    pub(super) fn answer(&mut self, verdict: Verdict) {
        if verdict == Verdict::Accepted {
            // The lock is requested before the event's record is written (by the pump at the
            // end of the task, or by Persist), and only for an accepted event: a lock request
            // per refused or repeated call held memory until granted (measured: about 50 B of
            // JS heap per call over 100,000 calls).
            self.set_lock(true);
        }
        said(
            &mut self.out,
            verdict,
            self.tag.debug(),
            &mut self.warned_limit,
        );
        if verdict == Verdict::Accepted {
            self.schedule_pump();
            if self.pump != Pump::Soon {
                self.emit(Effect::Persist);
            }
        }
    }
}

/// The console message that follows a verdict, if any (into `out`), for the full tag and the light module
/// alike: an accepted call in debug mode, a repeat, a rejection (the rate limit's warning once
/// per page, with `warned_limit`: a runaway loop must not flood the console either).
pub fn said(out: &mut Vec<Effect>, verdict: Verdict, debug: bool, warned_limit: &mut bool) {
    let (level, text, shown) = match verdict {
        Verdict::Accepted if debug => (Level::Debug, say::ACCEPTED, Shown::Input),
        Verdict::Duplicate => (Level::Debug, say::DUPLICATE, Shown::Input),
        Verdict::Rejected(r) if r.quiet() => (Level::Debug, r.message(), Shown::Nothing),
        Verdict::Rejected(r @ Rejection::RateLimited) => {
            if core::mem::replace(warned_limit, true) {
                return;
            }
            (Level::Warn, r.message(), Shown::Input)
        }
        Verdict::Rejected(r) => (Level::Warn, r.message(), Shown::Input),
        Verdict::Accepted | Verdict::Done | Verdict::Ignored => return,
    };
    out.push(Effect::Say(level, text, shown));
}
