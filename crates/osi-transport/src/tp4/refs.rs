//! Reference allocation with frozen references, for a caller running many connections.
//!
//! A [`super::Connection`] freezes its own reference after release (it stays in
//! [`super::State::Frozen`] for L). A transport entity that creates connections also must
//! not hand that reference to a new connection while it is frozen (6.18), even after it
//! has dropped the old `Connection`. [`References`] remembers frozen references in caller-
//! sized fixed storage, no heap, and hands out references that are neither 0 nor frozen.

use osi_sansio::Instant;

/// References frozen until a deadline, at most `N` at a time.
#[derive(Debug, Clone)]
pub struct References<const N: usize> {
    frozen: [Option<(u16, Instant)>; N],
    next: u16,
}

impl<const N: usize> Default for References<N> {
    fn default() -> Self {
        Self::new(1)
    }
}

impl<const N: usize> References<N> {
    /// An allocator whose first candidate is `first` (0 is skipped: never a reference).
    pub fn new(first: u16) -> Self {
        Self {
            frozen: [None; N],
            next: first.max(1),
        }
    }

    /// Whether `r` is frozen at `now`.
    pub fn is_frozen(&self, r: u16, now: Instant) -> bool {
        self.frozen
            .iter()
            .flatten()
            .any(|&(f, until)| f == r && now < until)
    }

    /// Freezes `r` until `until`. Returns false when all `N` slots hold references still
    /// frozen at `now`: the caller must then not reuse any reference it cannot prove free
    /// (X.224 reason 0x87, reference overflow, is the answer to a new CR).
    pub fn freeze(&mut self, r: u16, until: Instant, now: Instant) -> bool {
        let slot = self
            .frozen
            .iter_mut()
            .find(|s| s.is_none_or(|(f, u)| f == r || u <= now));
        match slot {
            Some(s) => {
                *s = Some((r, until));
                true
            }
            None => false,
        }
    }

    /// A reference that is neither 0 nor frozen at `now` and not in `in_use`, taken
    /// round-robin so that recently released ones come back last.
    pub fn allocate(&mut self, now: Instant, in_use: impl Fn(u16) -> bool) -> Option<u16> {
        for _ in 0..=u16::MAX {
            let r = self.next;
            self.next = self.next.wrapping_add(1).max(1);
            if r != 0 && !self.is_frozen(r, now) && !in_use(r) {
                return Some(r);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_reference_is_skipped_until_its_deadline() {
        let s = |secs: u64| Instant::from_millis(secs * 1000);
        let mut refs: References<4> = References::new(7);
        assert!(refs.freeze(8, s(10), s(0)));
        assert_eq!(refs.allocate(s(1), |_| false), Some(7));
        assert_eq!(refs.allocate(s(1), |_| false), Some(9));
        assert!(refs.is_frozen(8, s(9)));
        assert!(!refs.is_frozen(8, s(10)));
    }

    #[test]
    fn zero_is_never_handed_out_and_in_use_is_respected() {
        let mut refs: References<1> = References::new(u16::MAX);
        assert_eq!(refs.allocate(Instant::ZERO, |_| false), Some(u16::MAX));
        assert_eq!(refs.allocate(Instant::ZERO, |r| r == 1), Some(2));
    }

    #[test]
    fn full_table_reports_overflow() {
        let s = |secs: u64| Instant::from_millis(secs * 1000);
        let mut refs: References<2> = References::new(1);
        assert!(refs.freeze(1, s(5), s(0)));
        assert!(refs.freeze(2, s(5), s(0)));
        assert!(!refs.freeze(3, s(5), s(1)));
        // Once one thaws its slot is reused.
        assert!(refs.freeze(3, s(9), s(5)));
    }
}
