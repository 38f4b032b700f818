//! Calls: what follows a verdict (the lock, the pump, the console), `set`, `flush`.

use super::*;

impl<S: Store, J: Store> Driver<S, J> {
    /// `rtp('set', name, value)`, with the setting's name parsed (`None`: unknown).
    pub(super) fn set(
        &mut self,
        setting: Option<Setting>,
        value: SetValue,
        env: &mut impl Env,
    ) -> Verdict {
        let t = &mut self.tag;
        let v = match setting {
            Some(Setting::Endpoint) => t.set_endpoint(value.text, env),
            Some(Setting::Account) => t.set_account(value.text),
            Some(Setting::Debug) => t.set_debug(value.truthy),
            Some(Setting::Consent) => t.set_consent(value.is_true),
            Some(Setting::HonorDnt) => t.set_honor_dnt(value.truthy, value.signal),
            None => Verdict::Rejected(Rejection::UnknownSetting),
        };
        if setting == Some(Setting::Endpoint) {
            self.schedule_pump(); // events accepted before the endpoint was known can leave now
        }
        v
    }

    /// `rtp('flush' [, callback])`: `added` waiters joined (the callback, the Promise's
    /// resolve). They are answered once nothing is queued or in flight: `true` when everything
    /// was acknowledged, `false` when events were dropped meanwhile or the last attempt failed.
    pub(super) fn flush(&mut self, added: usize) {
        self.waiters += added;
        self.schedule_pump();
        self.settle_waiters();
    }

    /// What follows a verdict: for an accepted event, the lock, the pump and the write; for
    /// the others, the console message.
    pub(super) fn answer(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Accepted => {
                // The lock is requested before the event's record is written (by the pump at
                // the end of the task, or by Persist), and only for an accepted event: a lock
                // request per refused or repeated call held memory until granted (measured:
                // about 50 B of JS heap per call over 100,000 calls).
                self.set_lock(true);
                if self.tag.debug() {
                    self.say(Level::Debug, say::ACCEPTED, Shown::Input);
                }
                self.schedule_pump();
                if self.pump != Pump::Soon {
                    self.emit(Effect::Persist);
                }
            }
            Verdict::Duplicate => self.say(Level::Debug, say::DUPLICATE, Shown::Input),
            Verdict::Rejected(r) if r.quiet() => {
                self.say(Level::Debug, r.message(), Shown::Nothing)
            }
            Verdict::Rejected(r @ Rejection::RateLimited) => {
                // Once per page: a runaway loop must not flood the console either.
                if !core::mem::replace(&mut self.warned_limit, true) {
                    self.say(Level::Warn, r.message(), Shown::Input);
                }
            }
            Verdict::Rejected(r) => self.say(Level::Warn, r.message(), Shown::Input),
            Verdict::Done | Verdict::Ignored => {}
        }
    }
}
