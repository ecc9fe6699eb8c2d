//! Time as the machines see it.

use core::ops::{Add, AddAssign, Sub};
use core::time::Duration;

/// A point in time on the caller's clock: the time elapsed since an epoch the caller picks
/// (typically when its program or connection started).
///
/// Machines compare instants and add timeouts to them; they never read a clock. A deadline
/// is an `Instant`, so it cannot be mistaken for a delay. Arithmetic saturates instead of
/// panicking: a deadline past the end of time is simply never reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(Duration);

impl Instant {
    /// The epoch itself.
    pub const ZERO: Self = Self(Duration::ZERO);

    /// The instant `since_epoch` after the epoch.
    #[must_use]
    pub const fn from_duration(since_epoch: Duration) -> Self {
        Self(since_epoch)
    }

    /// The instant `ms` milliseconds after the epoch (tests and simulations).
    #[must_use]
    pub const fn from_millis(ms: u64) -> Self {
        Self(Duration::from_millis(ms))
    }

    /// The time since the epoch.
    #[must_use]
    pub const fn since_epoch(self) -> Duration {
        self.0
    }

    /// `self + d`, or `None` if that is not representable.
    #[must_use]
    pub fn checked_add(self, d: Duration) -> Option<Self> {
        self.0.checked_add(d).map(Self)
    }

    /// The time from `earlier` to `self`, or zero if `earlier` is later.
    #[must_use]
    pub fn saturating_duration_since(self, earlier: Self) -> Duration {
        self.0.saturating_sub(earlier.0)
    }
}

/// Saturating: an instant beyond the representable range stays at the end of time.
impl Add<Duration> for Instant {
    type Output = Self;

    fn add(self, d: Duration) -> Self {
        Self(self.0.saturating_add(d))
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}

/// Saturating: an instant before the epoch stays at the epoch.
impl Sub<Duration> for Instant {
    type Output = Self;

    fn sub(self, d: Duration) -> Self {
        Self(self.0.saturating_sub(d))
    }
}

/// The time between two instants, zero if `rhs` is later (as
/// [`Instant::saturating_duration_since`]).
impl Sub for Instant {
    type Output = Duration;

    fn sub(self, rhs: Self) -> Duration {
        self.saturating_duration_since(rhs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates_instead_of_panicking() {
        let t = Instant::from_millis(1500);
        assert_eq!(t + Duration::from_millis(500), Instant::from_millis(2000));
        assert_eq!(t - Instant::from_millis(500), Duration::from_secs(1));
        assert_eq!(Instant::from_millis(500) - t, Duration::ZERO);
        assert_eq!(t - Duration::from_secs(1), Instant::from_millis(500));
        assert_eq!(t - Duration::from_secs(9), Instant::ZERO);
        let end = Instant::from_duration(Duration::MAX);
        assert_eq!(end + Duration::from_secs(1), end);
        assert_eq!(end.checked_add(Duration::from_secs(1)), None);
        assert!(Instant::ZERO < t);
    }
}
