//! The one seeded PRNG of the tests, the simulator, the benches and the fuzz seed tools.
//!
//! SplitMix64: 64 bits of state, any seed (zero included) gives a full-period sequence, and
//! the same seed always gives the same numbers, so a failing run is replayed from its seed.
//! It is the generator the TP4 simulator has always used, which keeps the seeds recorded in
//! tests and bug reports meaningful. Not for cryptography.

use core::time::Duration;

/// A small seeded PRNG (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            // Multiply-shift: unbiased enough for simulation, no division.
            u64::try_from((u128::from(self.next_u64()) * u128::from(n)) >> 64).unwrap_or(0)
        }
    }

    /// An index in `0..n` (0 when `n` is 0).
    pub fn index(&mut self, n: usize) -> usize {
        let n = u64::try_from(n).unwrap_or(u64::MAX);
        usize::try_from(self.below(n)).unwrap_or(0)
    }

    /// One element of `from`, which must not be empty.
    ///
    /// # Panics
    ///
    /// When `from` is empty.
    pub fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        let i = self.index(from.len());
        #[allow(clippy::indexing_slicing)] // the documented panic
        from[i]
    }

    /// True with probability `ppm` parts per million.
    pub fn chance(&mut self, ppm: u32) -> bool {
        self.below(1_000_000) < u64::from(ppm)
    }

    /// A duration uniformly in `lo..=hi` (at microsecond resolution).
    pub fn between(&mut self, lo: Duration, hi: Duration) -> Duration {
        let span = hi.saturating_sub(lo).as_micros();
        let span = u64::try_from(span).unwrap_or(u64::MAX);
        lo + Duration::from_micros(self.below(span.saturating_add(1)))
    }

    /// `len` random octets.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut v = Vec::with_capacity(len);
        while v.len() < len {
            let word = self.next_u64().to_le_bytes();
            let take = (len - v.len()).min(word.len());
            v.extend_from_slice(word.get(..take).unwrap_or_default());
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_numbers_and_zero_is_a_seed() {
        let run = |seed| {
            let mut r = Rng::new(seed);
            (0..8).map(|_| r.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        assert!(run(0).iter().all(|&x| x != 0));
    }

    #[test]
    fn ranges_are_kept() {
        let mut r = Rng::new(1);
        for _ in 0..10_000 {
            assert!(r.below(10) < 10);
            assert!(r.index(3) < 3);
            let d = r.between(Duration::from_millis(2), Duration::from_millis(5));
            assert!((Duration::from_millis(2)..=Duration::from_millis(5)).contains(&d));
        }
        assert_eq!(r.below(0), 0);
        assert_eq!(r.bytes(13).len(), 13);
        assert_eq!(r.pick(&[4]), 4);
    }
}
