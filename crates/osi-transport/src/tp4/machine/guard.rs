//! The reuse guard of normal-format sequence numbers (the rule behind L, X.224 12.2.1.1).

use core::time::Duration;
use osi_sansio::Instant;

/// Sequence numbers of the normal format; the wire numbers whose last use is tracked.
const NORMAL_SPACE: usize = 128;

/// When each normal-format wire number was last transmitted, for DTs and for EDs: a new
/// TPDU waits until its number's opposite half of the space is dead (see
/// [`Config::max_nsdu_lifetime`]).
#[derive(Debug)]
pub(super) struct SeqGuard {
    pub(super) dt: [Option<Instant>; NORMAL_SPACE],
    pub(super) ed: [Option<Instant>; NORMAL_SPACE],
}

impl SeqGuard {
    /// No number used yet.
    pub(super) const fn new() -> Self {
        Self {
            dt: [None; NORMAL_SPACE],
            ed: [None; NORMAL_SPACE],
        }
    }

    /// Earliest time at which number `nr` may be used for a new TPDU, if not yet.
    pub(super) fn wait(
        table: &[Option<Instant>; NORMAL_SPACE],
        nr: u64,
        now: Instant,
        mlr: Duration,
    ) -> Option<Instant> {
        // The slot of nr - 64 (≡ nr + 64 mod 128) holds the latest transmission of it.
        let slot = usize::try_from((nr + 64) % 128).ok()?;
        let ready = (*table.get(slot)?)? + mlr;
        (ready > now).then_some(ready)
    }

    pub(super) fn record(table: &mut [Option<Instant>; NORMAL_SPACE], nr: u64, now: Instant) {
        if let Some(s) = usize::try_from(nr % 128)
            .ok()
            .and_then(|i| table.get_mut(i))
        {
            *s = Some(now);
        }
    }
}
