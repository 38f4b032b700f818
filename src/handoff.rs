//! The hand-over from the light module ([`crate::light`]) to the full tag of the same page
//! (`crate::driver::Driver::continue_from`): one string, which the loader carries from the one
//! wasm to the other (js/PROTOCOL.md, "Handing over"). The light module writes it, the full
//! driver reads it.
//!
//! `<level> <at> <limited> <warned> <evicted> <owner>`: the rate limit's bucket (thousandths of
//! an event, and when it was last filled), the rate-limited drops not yet reported, `1` if the
//! rate-limit warning was shown, the events evicted by the bounds not yet reported, and the
//! light module's page id, whose records the full tag adopts at once; then, one per line, the
//! records (`crate::record`) of the events storage refused.

use crate::rate::Limiter;
use crate::record;
use alloc::string::String;
use alloc::vec::Vec;

/// The hand-over: `numbers` (level, at, limited, warned, evicted), the owner, the refused
/// records (each a group's lines).
pub fn write(numbers: [u64; 5], owner: &str, refused: impl Iterator<Item = String>) -> String {
    let mut out = String::new();
    for n in numbers {
        crate::json::push_u64(&mut out, n);
        out.push(' ');
    }
    out.push_str(owner);
    for r in refused {
        out.push('\n');
        out.push_str(&r);
    }
    out
}

/// What the full tag reads from the hand-over.
pub struct Handoff {
    /// The rate limit's bucket.
    pub limiter: Limiter,
    /// Rate-limited drops not yet reported.
    pub limited: u64,
    /// The rate-limit warning was shown.
    pub warned: bool,
    /// Events evicted by the bounds, not yet reported.
    pub evicted: u64,
    /// The light module's page id: the owner of the records to adopt.
    pub owner: String,
    /// The records storage refused: `(created, attempts, event JSON)` each.
    pub unstored: Vec<(u64, u32, String)>,
}

/// Reads the hand-over. Byte by byte: `str::find` would link a `memchr` into the full tag.
pub fn read(s: &str) -> Option<Handoff> {
    let b = s.as_bytes();
    let mut n = [0u64; 5];
    let mut i = 0;
    for slot in n.iter_mut() {
        let start = i;
        while let Some(d) = b.get(i).filter(|d| d.is_ascii_digit()) {
            *slot = slot.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
            i += 1;
        }
        if i == start || b.get(i) != Some(&b' ') {
            return None;
        }
        i += 1;
    }
    // Lines cut by position: `str::find` and `split` would link a `memchr` into the full tag.
    let line = |from: usize| {
        let end = b
            .iter()
            .skip(from)
            .position(|&c| c == b'\n')
            .map_or(b.len(), |n| from + n);
        s.get(from..end).map(|l| (l, end + 1))
    };
    let (owner, mut next) = line(i)?;
    let mut unstored = Vec::new();
    while next < b.len() {
        let (l, after) = line(next)?;
        next = after;
        // A line that is not a record of this page is not taken.
        let r = record::decode(l).ok().filter(|r| r.owner == owner)?;
        unstored.push((r.created, r.attempts, String::from(r.event)));
    }
    record::is_owner(owner).then(|| Handoff {
        limiter: Limiter::resume(n[0], n[1]),
        limited: n[2],
        warned: n[3] == 1,
        evicted: n[4],
        owner: String::from(owner),
        unstored,
    })
}
