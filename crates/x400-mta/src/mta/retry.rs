//! When to try a next hop again: exponential backoff with jitter.

use std::time::{Duration, SystemTime};

/// How retries are spaced: the first after [`RetryPolicy::first`], each next one `factor`
/// times later, at most [`RetryPolicy::max`] apart, each moved by up to
/// [`RetryPolicy::jitter_percent`] either way so that the messages of one failed peer do not
/// all come back at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Delay before the second attempt. Default: [`RetryPolicy::DEFAULT_FIRST`].
    pub first: Duration,
    /// Longest delay between attempts. Default: [`RetryPolicy::DEFAULT_MAX`].
    pub max: Duration,
    /// Growth of the delay per attempt. Default: [`RetryPolicy::DEFAULT_FACTOR`].
    pub factor: u32,
    /// Jitter, in percent of the delay. Default: [`RetryPolicy::DEFAULT_JITTER_PERCENT`].
    pub jitter_percent: u32,
}

impl RetryPolicy {
    /// Default first delay: 1 minute.
    pub const DEFAULT_FIRST: Duration = Duration::from_secs(60);
    /// Default longest delay: 1 hour.
    pub const DEFAULT_MAX: Duration = Duration::from_secs(3600);
    /// Default growth: doubling.
    pub const DEFAULT_FACTOR: u32 = 2;
    /// Default jitter: 20 %.
    pub const DEFAULT_JITTER_PERCENT: u32 = 20;

    /// The defaults listed on each field.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            first: Self::DEFAULT_FIRST,
            max: Self::DEFAULT_MAX,
            factor: Self::DEFAULT_FACTOR,
            jitter_percent: Self::DEFAULT_JITTER_PERCENT,
        }
    }

    /// The delay after the `attempts`-th failed attempt (1 for the first), before jitter.
    #[must_use]
    pub fn delay(&self, attempts: u32) -> Duration {
        let mut d = self.first;
        for _ in 1..attempts.max(1) {
            d = d.saturating_mul(self.factor.max(1));
            if d >= self.max {
                return self.max;
            }
        }
        d.min(self.max)
    }

    /// When to try again after the `attempts`-th failed attempt at `now`.
    #[must_use]
    pub fn next(&self, attempts: u32, now: SystemTime) -> SystemTime {
        let d = self.delay(attempts);
        let spread = d
            .as_millis()
            .saturating_mul(u128::from(self.jitter_percent))
            / 100;
        let spread = u64::try_from(spread).unwrap_or(u64::MAX);
        // Uniform in [d - spread, d + spread].
        let offset = fastrand::u64(0..=spread.saturating_mul(2));
        let base = d.saturating_sub(Duration::from_millis(spread));
        now + base + Duration::from_millis(offset)
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_maximum() {
        let p = RetryPolicy::new();
        assert_eq!(p.delay(1), Duration::from_secs(60));
        assert_eq!(p.delay(2), Duration::from_secs(120));
        assert_eq!(p.delay(3), Duration::from_secs(240));
        assert_eq!(p.delay(7), Duration::from_secs(3600));
        assert_eq!(p.delay(1000), Duration::from_secs(3600));
    }

    #[test]
    fn jitter_stays_within_its_percent() {
        let p = RetryPolicy::new();
        let now = SystemTime::UNIX_EPOCH;
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let t = p.next(2, now).duration_since(now).unwrap_or_default();
            assert!(
                t >= Duration::from_secs(96) && t <= Duration::from_secs(144),
                "{t:?}"
            );
            seen.insert(t.as_secs());
        }
        assert!(seen.len() > 10, "no spread: {seen:?}");
    }
}
