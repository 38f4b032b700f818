//! [`Env`] in the browser: `Date.now()`, `crypto.getRandomValues`, `location`, `document.referrer`.

use crate::tag::Env;
use alloc::string::String;

/// Random bytes are fetched 256 at a time: one call into the browser per 16 events.
const POOL: usize = 256;

/// The browser environment.
pub struct BrowserEnv {
    window: Option<web_sys::Window>,
    referrer: String,
    pool: [u8; POOL],
    used: usize,
}

impl BrowserEnv {
    /// Reads what does not change during the page's life (the referrer).
    pub fn new() -> Self {
        let window = web_sys::window();
        let referrer = window.as_ref().and_then(|w| w.document()).map(|d| d.referrer()).unwrap_or_default();
        BrowserEnv { window, referrer, pool: [0; POOL], used: POOL }
    }
}

impl Env for BrowserEnv {
    fn now(&mut self) -> u64 {
        js_sys::Date::now() as u64
    }

    fn random16(&mut self) -> [u8; 16] {
        if self.used + 16 > POOL {
            // getRandomValues is a CSPRNG in every browser, secure context or not.
            let filled = self.window.as_ref().and_then(|w| w.crypto().ok()).map(|c| c.get_random_values_with_u8_array(&mut self.pool).is_ok());
            if filled != Some(true) {
                // Not seen in a supported browser; ids must still differ, so use Math.random.
                for b in self.pool.iter_mut() {
                    *b = (js_sys::Math::random() * 256.0) as u8;
                }
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
        self.window.as_ref().and_then(|w| w.location().href().ok()).unwrap_or_default()
    }

    fn referrer(&mut self) -> String {
        self.referrer.clone()
    }
}
