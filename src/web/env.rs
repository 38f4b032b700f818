//! [`Env`] in the browser: `Date.now()`, `crypto.getRandomValues`, `location`, `document.referrer`.

use super::bindings;
use crate::tag::Env;
use alloc::string::String;

/// Random bytes are fetched 256 at a time: one call into the browser per 16 events.
const POOL: usize = 256;

/// The browser environment.
pub struct BrowserEnv {
    referrer: String,
    pool: [u8; POOL],
    used: usize,
    /// The last time read; used when a page's `Date.now` replacement throws.
    last_now: u64,
    /// State of the fallback generator (xorshift), used only if `crypto` fails.
    fallback: u64,
}

impl Default for BrowserEnv {
    fn default() -> Self {
        Self::new()
    }
}

impl BrowserEnv {
    /// Reads what does not change during the page's life (the referrer).
    pub fn new() -> Self {
        let referrer = bindings::referrer();
        BrowserEnv {
            referrer,
            pool: [0; POOL],
            used: POOL,
            last_now: 0,
            fallback: 0,
        }
    }
}

impl Env for BrowserEnv {
    fn now(&mut self) -> u64 {
        match bindings::now() {
            Some(t) if t >= 0.0 => self.last_now = t as u64,
            _ => {}
        }
        self.last_now
    }

    fn random16(&mut self) -> [u8; 16] {
        if self.used + 16 > POOL {
            if bindings::get_random_values(&mut self.pool).is_err() {
                // Not seen in a supported browser. Ids must still differ: xorshift64 seeded by
                // the clock (not a CSPRNG; the collector only needs them unique).
                let mut x = self.fallback ^ self.now() ^ 0x9e37_79b9_7f4a_7c15;
                for b in self.pool.iter_mut() {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    *b = x as u8;
                }
                self.fallback = x;
            }
            self.used = 0;
        }
        let mut out = [0u8; 16];
        for (o, p) in out.iter_mut().zip(self.pool.iter().skip(self.used)) {
            *o = *p;
        }
        self.used += 16;
        out
    }

    fn page_url(&mut self) -> String {
        bindings::location_href().unwrap_or_default()
    }

    fn referrer(&mut self) -> String {
        self.referrer.clone()
    }
}
