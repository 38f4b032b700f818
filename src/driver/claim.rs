//! The claim: adopting what pages that are gone left, and the calls the snippet kept.

use super::*;

impl<S: Store, J: Store> Driver<S, J> {
    /// The claim lock is held: whether to adopt at all (not while consent is denied or Do Not
    /// Track honoured). The page's lock is requested first, before any record is rewritten as
    /// this page's.
    pub fn claiming(&mut self) -> (bool, Vec<Effect>) {
        let go = self.tag.refusal().is_none();
        if go {
            self.set_lock(true);
        }
        (go, self.effects())
    }

    /// Under the claim lock, with the names of the locks held or requested (`None` without Web
    /// Locks) and when that snapshot was asked for: adopts the events of pages that are gone,
    /// and returns the queues the snippet kept for the next page (JSON text each), for the
    /// edge to read and replay through [`Driver::kept_call`].
    pub fn adopt(
        &mut self,
        live: Option<&str>,
        since: Option<u64>,
        env: &mut impl Env,
    ) -> (Vec<String>, Vec<Effect>) {
        let now = env.now();
        let found = self.tag.outbox.adopt(live, since.unwrap_or(now), now);
        if found.recent {
            self.set_timer(RECENT_MS * 2); // claim again, once those records are not recent
        } else if found.waiting > 0 {
            self.set_timer(RECLAIM_MS); // claim again: their pages may be gone by then
        }
        for c in &found.corrupt {
            self.say(Level::Warn, c.message(), Shown::Nothing);
        }
        if found.too_old > 0 {
            self.say(
                Level::Debug,
                DropReason::TooOld.message(),
                Shown::Number(found.too_old as u32),
            );
        }
        if found.adopted > 0 {
            self.say(
                Level::Debug,
                say::ADOPTED,
                Shown::Number(found.adopted as u32),
            );
        }
        let queues = kept::take(self.tag.outbox.journal());
        self.schedule_pump();
        (queues, self.effects())
    }

    /// One call the snippet kept (its action and time): whether to replay it.
    pub fn kept_call(
        &mut self,
        action: Option<&str>,
        time: Option<u64>,
        env: &mut impl Env,
    ) -> (bool, Vec<Effect>) {
        let r = kept::replayable(action, time, env.now());
        if r == Replay::TooOld {
            self.say(Level::Debug, DropReason::TooOld.message(), Shown::Input);
        }
        (r == Replay::Send, self.effects())
    }
}
